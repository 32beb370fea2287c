// engage-server: wires options, loops, Engine.IO/Socket.IO, the router and the network edge.
#include <atomic>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/application.h"
#include "app/conformance.h"
#include "app/options.h"
#include "core/clock.h"
#include "core/json.h"
#include "engineio/server.h"
#include "http/cors.h"
#include "http/router.h"
#include "http/static_files.h"
#include "net/http_server.h"
#include "net/loops.h"
#include "socketio/server_impl.h"

namespace engage::app {

namespace {

int level_rank(std::string_view level) {
  if (level == "trace") return 0;
  if (level == "debug") return 1;
  if (level == "info") return 2;
  if (level == "warn") return 3;
  if (level == "error") return 4;
  return 5;  // off
}

// Writes log lines to stderr in the configured format; thread-safe.
class Logger {
 public:
  Logger(std::string level, std::string format)
      : min_(level_rank(level)), json_(format == "json") {}
  void log(std::string_view level, std::string_view msg) {
    if (level_rank(level) < min_) return;
    std::string line;
    if (json_) {
      line = "{\"time\":" + std::to_string(Clock::get().now_ms()) + ",\"level\":";
      json::write_string(line, level);
      line += ",\"msg\":";
      json::write_string(line, msg);
      line += "}\n";
    } else {
      line = std::string(level) + ": " + std::string(msg) + "\n";
    }
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

 private:
  int min_;
  bool json_;
  std::mutex mutex_;
};

// The top of the HTTP stack: Engine.IO endpoints first, then the router, then a JSON 404.
class Front final : public net::HttpHandler {
 public:
  Front(std::vector<eio::Server*> engines, http::Router& router, const Options& options)
      : engines_(std::move(engines)), router_(router) {
    cors_.allowed_origins = options.cors_origins;
    cors_.allow_credentials = !options.cors_origins.empty();
  }

  void on_request(http::Request req, std::size_t loop, http::Respond respond) override {
    on_request_watched(std::move(req), loop, std::move(respond), nullptr);
  }

  void on_request_watched(http::Request req, std::size_t loop, http::Respond respond,
                          net::ClientGonePtr gone) override {
    for (auto* e : engines_) {
      if (e->handles(req.path)) {
        e->on_request_watched(std::move(req), loop, std::move(respond), std::move(gone));
        return;
      }
    }
    http::Response preflight;
    if (http::preflight(cors_, req, preflight)) {
      respond(std::move(preflight));
      return;
    }
    const http::Handler* handler = nullptr;
    auto match = router_.find(req, &handler);
    if (match == http::Router::Match::Found && handler) {
      auto origin_req = std::make_shared<http::Request>();
      origin_req->headers = req.headers;
      const http::CorsOptions* cors = &cors_;
      (*handler)(req, [respond = std::move(respond), origin_req, cors](http::Response res) {
        http::apply_cors(*cors, *origin_req, res);
        respond(std::move(res));
      });
      return;
    }
    http::Response res = http::Response::json(404, R"({"success":false,"error":"Not found"})");
    http::apply_cors(cors_, req, res);
    respond(std::move(res));
  }

  UpgradeDecision on_upgrade(const http::Request& req, std::size_t loop) override {
    for (auto* e : engines_)
      if (e->handles(req.path)) return e->on_upgrade(req, loop);
    UpgradeDecision d;
    d.status = 404;
    d.body = R"({"success":false,"error":"Not found"})";
    return d;
  }

 private:
  std::vector<eio::Server*> engines_;
  http::Router& router_;
  http::CorsOptions cors_;
};

// Registers GET / and GET /health (CONTRACT.md §3.2); the application's own routes come first.
void add_builtin_routes(http::Router& router, const Options& o, sio::ServerImpl& io,
                        const std::function<bool()>& store_ready, const uint16_t* bound_port) {
  auto redis_state = [&o, store_ready] {
    bool up = store_ready ? store_ready() : o.redis_url.empty() && o.redis_cluster.empty();
    return up ? "connected" : "disconnected";
  };
  router.add("GET", "/",
             [&o, redis_state, bound_port](const http::Request&, http::Respond respond) {
               std::string body = R"({"status":"ok","server":"Engage Socket.IO Server","port":)";
               if (o.engage_port_env)
                 json::write_string(body, *o.engage_port_env);
               else
                 body += std::to_string(*bound_port);
               body += R"(,"redis":")";
               body += redis_state();
               body += "\"}";
               respond(http::Response::json(200, std::move(body)));
             });
  router.add("GET", "/health", [&io, redis_state](const http::Request&, http::Respond respond) {
    json::Value names = json::Value::array();
    for (const auto& n : io.namespace_names())
      if (n != "/") names.push_back(json::Value(n));
    std::string body = R"({"status":"ok","namespaces":)";
    names.dump_to(body);
    body += R"(,"redis":")";
    body += redis_state();
    body += "\"}";
    respond(http::Response::json(200, std::move(body)));
  });
}

// Registers GET /ready: 200 while this instance should receive traffic, 503 once it drains
// (SIGTERM) or while its store is unreachable, so a balancer's health check takes it out.
void add_ready_route(http::Router& router, const std::atomic<bool>& draining,
                     const std::function<bool()>& store_ready) {
  router.add(
      "GET", "/ready", [&draining, store_ready](const http::Request&, http::Respond respond) {
        if (draining.load(std::memory_order_relaxed))
          respond(http::Response::json(503, R"({"status":"draining"})"));
        else if (store_ready && !store_ready())
          respond(http::Response::json(503, R"({"status":"unavailable","redis":"disconnected"})"));
        else
          respond(http::Response::json(200, R"({"status":"ready"})"));
      });
}

}  // namespace

int run(int argc, char** argv) {
  ParseResult parsed = parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  const Options& o = *parsed.options;
  std::signal(SIGPIPE, SIG_IGN);

  Logger logger(o.log_level, o.log_format);
  net::Loops loops(o.threads);

  eio::Options eo;
  eo.ping_interval_ms = o.ping_interval_ms;
  eo.ping_timeout_ms = o.ping_timeout_ms;
  eo.upgrade_timeout_ms = o.upgrade_timeout_ms;
  eo.max_payload = o.max_http_buffer_size;
  eo.allow_eio3 = o.eio3;
  eo.cors_origins = o.cors_origins;

  sio::ServerOptions so;
  so.connect_timeout_ms = o.connect_timeout_ms;
  so.max_attachments = o.max_attachments;
  sio::ServerImpl io(loops, so);
  eio::Server sio_engine(loops, "/socket.io/", eo, io.open_callback());
  std::unique_ptr<eio::Server> echo_engine;
  http::Router router;
  uint16_t bound_port = o.port;
  std::function<bool()> store_ready;

  if (o.conformance) {
    install_conformance(io);
    echo_engine = std::make_unique<eio::Server>(loops, "/engine.io/", eo, echo_open_callback());
  } else {
#ifdef ENGAGE_WITH_APP
    Context ctx{loops, io, router, o,
                [&logger](std::string_view line) { logger.log("info", line); }};
    install_engage(ctx);
    store_ready = ctx.store_ready;
#endif
  }
  add_builtin_routes(router, o, io, store_ready, &bound_port);
  std::atomic<bool> draining{false};
  add_ready_route(router, draining, store_ready);
  if (!o.conformance && !o.web_root.empty()) http::install_static(router, o.web_root);

  std::vector<eio::Server*> engines{&sio_engine};
  if (echo_engine) engines.push_back(echo_engine.get());
  Front front(engines, router, o);

  net::HttpOptions ho;
  ho.host = o.host;
  ho.port = o.port;
  ho.max_connections = o.max_connections;
  ho.keep_alive_ms = o.keep_alive_timeout_ms;
  ho.max_body_bytes = o.max_http_buffer_size;
  ho.ws_max_message_bytes = o.max_http_buffer_size;
  net::HttpServer http(loops, ho, front);
  std::string err = http.listen();
  if (!err.empty()) {
    std::cerr << "engage-server: cannot listen on " << o.host << ":" << o.port << ": " << err
              << "\n";
    return 1;
  }
  bound_port = http.port();
  std::printf("listening on %s:%u\n", o.host.c_str(), static_cast<unsigned>(bound_port));
  if (!o.conformance && !o.web_root.empty()) {
    const bool any = o.host == "0.0.0.0" || o.host == "::";
    std::printf("open http://%s:%u/app/\n", any ? "localhost" : o.host.c_str(),
                static_cast<unsigned>(bound_port));
  }
  std::fflush(stdout);
  logger.log("info", std::string("mode: ") + (o.conformance ? "conformance" : "engage") +
                         ", threads: " + std::to_string(loops.size()));

  // SIGINT/SIGTERM: report not-ready, stop accepting, close every Engine.IO session (a
  // transport close, so socket.io clients reconnect — through a balancer, to another instance —
  // and resume), close every connection, then stop the loops.
  boost::asio::signal_set signals(loops.context(0), SIGINT, SIGTERM);
  boost::asio::steady_timer grace(loops.context(0));
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    logger.log("info", "shutting down");
    draining.store(true, std::memory_order_relaxed);
    http.stop_accepting();
    sio_engine.close_all();
    if (echo_engine) echo_engine->close_all();
    grace.expires_after(std::chrono::milliseconds(100));
    grace.async_wait([&](const boost::system::error_code&) {
      http.close_all();
      grace.expires_after(std::chrono::milliseconds(100));
      grace.async_wait([&](const boost::system::error_code&) { loops.stop(); });
    });
  });
  loops.run();
  return 0;
}

}  // namespace engage::app

int main(int argc, char** argv) {
  return engage::app::run(argc, argv);
}
