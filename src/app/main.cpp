// engage-server: wires options, loops, Engine.IO/Socket.IO, the router and the network edge.
#include <atomic>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/application.h"
#include "app/conformance.h"
#include "app/logging.h"
#include "app/options.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/metrics.h"
#include "engage/conn_guard.h"
#include "engineio/server.h"
#include "http/cors.h"
#include "http/metrics_route.h"
#include "http/router.h"
#include "http/static_files.h"
#include "net/http_server.h"
#include "net/loops.h"
#include "socketio/server_impl.h"
#include "store/memory_store.h"

namespace engage::app {

namespace {

// The top of the HTTP stack: Engine.IO endpoints first, then the router, then a JSON 404.
class Front final : public net::HttpHandler {
 public:
  Front(std::vector<eio::Server*> engines, http::Router& router, const Options& options,
        const engage::ConnectionGuard& guard)
      : engines_(std::move(engines)), router_(router), guard_(guard) {
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
        if (auto refusal = guard_request(req, false); refusal.status != 0) {
          http::Response res = http::Response::json(refusal.status, std::move(refusal.body));
          if (refusal.retry_after_s > 0)
            res.headers.emplace_back("Retry-After", std::to_string(refusal.retry_after_s));
          e->add_cors_headers(req.header("origin"), res);
          respond(std::move(res));
          return;
        }
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
    for (auto* e : engines_) {
      if (!e->handles(req.path)) continue;
      if (auto refusal = guard_request(req, true); refusal.status != 0) {
        UpgradeDecision d;
        d.status = refusal.status;
        d.body = std::move(refusal.body);
        return d;
      }
      return e->on_upgrade(req, loop);
    }
    UpgradeDecision d;
    d.status = 404;
    d.body = R"({"success":false,"error":"Not found"})";
    return d;
  }

 private:
  // Checks a request to an Engine.IO endpoint: the Origin of every WebSocket upgrade, and the
  // per-address budget of new connections (requests without a sid: handshakes).
  engage::GuardRefusal guard_request(const http::Request& req, bool upgrade) const {
    if (upgrade)
      if (auto r = guard_.check_origin(req); r.status != 0) return r;
    std::string sid;
    if (req.query_param("sid", sid)) return {};
    if (!upgrade)
      if (auto r = guard_.check_origin(req); r.status != 0) return r;
    return guard_.check_connect(req);
  }

  std::vector<eio::Server*> engines_;
  http::Router& router_;
  http::CorsOptions cors_;
  const engage::ConnectionGuard& guard_;
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
  if (!parsed.options) {
    // A configuration error: one error-level line in the requested log format, exit code 2.
    if (!parsed.error.empty())
      Logger("info", detect_log_format(argc, argv)).log("error", "engage-server: " + parsed.error);
    return parsed.exit_code;
  }
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
  store::Store* app_store = nullptr;                 // issue 8: shared rate-limit counters
  std::function<std::size_t()> refresh_app_metrics;  // issue 8: rooms gauges; returns rooms

  if (o.conformance) {
    install_conformance(io);
    echo_engine = std::make_unique<eio::Server>(loops, "/engine.io/", eo, echo_open_callback());
  } else {
#ifdef ENGAGE_WITH_APP
    Context ctx{loops,
                io,
                router,
                o,
                [&logger](std::string_view line) { logger.log("info", line); },
                [&logger](std::string_view line) { logger.log("error", line); }};
    install_engage(ctx);
    store_ready = ctx.store_ready;
    app_store = ctx.store;
    refresh_app_metrics = ctx.refresh_metrics;
#endif
  }
  add_builtin_routes(router, o, io, store_ready, &bound_port);
  if (!o.conformance && !o.web_root.empty()) http::install_static(router, o.web_root);

  // Issue 8: connection attempts per client address (in the application's store, so shared by
  // instances on one Redis) and the Origin of WebSocket upgrades against --cors-origin.
  store::MemoryStore local_counters;
  engage::RateLimiter conn_limiter(app_store ? *app_store : local_counters);
  engage::GuardOptions go;
  go.connections_per_ip = o.ops.connections_per_minute;
  go.limit_loopback = o.ops.limit_loopback;
  go.trusted_proxies = o.ops.trusted_proxies;
  go.allowed_origins = o.cors_origins;
  engage::ConnectionGuard guard(go, &conn_limiter);

  std::vector<eio::Server*> engines{&sio_engine};
  if (echo_engine) engines.push_back(echo_engine.get());
  Front front(engines, router, o, guard);

  net::HttpOptions ho;
  ho.host = o.host;
  ho.port = o.port;
  ho.max_connections = o.max_connections;
  ho.keep_alive_ms = o.keep_alive_timeout_ms;
  ho.max_body_bytes = o.max_http_buffer_size;
  ho.ws_max_message_bytes = o.max_http_buffer_size;
  ho.max_header_bytes = o.ops.max_header_bytes;
  ho.max_headers = o.ops.max_headers;
  ho.max_uri_bytes = o.ops.max_uri_bytes;
  ho.ws_outbuf_soft_bytes = o.ops.outbuf_soft_bytes;
  ho.ws_outbuf_soft_ms = o.ops.outbuf_soft_ms;
  ho.ws_outbuf_hard_bytes = o.ops.outbuf_hard_bytes;
  net::HttpServer http(loops, ho, front);

  // Issue 8: GET /metrics. Gauges read from other objects are refreshed before each scrape;
  // counters kept by the network edge are carried over as increments.
  metrics::register_process_collectors(metrics::Registry::global());
  metrics::Registry::global().collect(
      "engage_tcp_connections", "Open TCP connections (HTTP and WebSocket).", metrics::Type::Gauge,
      {}, [&http](std::vector<metrics::Sample>& out) {
        out.push_back({{}, static_cast<double>(http.connection_count())});
      });
  metrics::Registry::global().collect(
      "engage_engineio_sessions", "Open Engine.IO sessions (all transports).", metrics::Type::Gauge,
      {}, [&sio_engine](std::vector<metrics::Sample>& out) {
        out.push_back({{}, static_cast<double>(sio_engine.session_count())});
      });
  metrics::Registry::global().collect("engage_sockets", "Connected Socket.IO namespace sockets.",
                                      metrics::Type::Gauge, {},
                                      [&io](std::vector<metrics::Sample>& out) {
                                        out.push_back({{}, static_cast<double>(io.socket_count())});
                                      });
  std::mutex carried_mu;
  uint64_t slow_seen = 0, refused_seen = 0;
  std::atomic<bool> draining{false};
  auto refresh_metrics = [&]() -> std::size_t {
    {
      std::lock_guard lock(carried_mu);
      const uint64_t slow = http.slow_closed_count(), refused = http.refused_count();
      if (slow > slow_seen) metrics::ops().slow_consumers.inc(slow - slow_seen);
      if (refused > refused_seen)
        metrics::ops().connection_refused.with({"max_connections"}).inc(refused - refused_seen);
      slow_seen = std::max(slow_seen, slow);
      refused_seen = std::max(refused_seen, refused);
    }
    const bool store_up = !store_ready || store_ready();
    metrics::ops().ready.set(!draining.load(std::memory_order_relaxed) && store_up ? 1 : 0);
    return refresh_app_metrics ? refresh_app_metrics() : 0;
  };
  http::install_ops_routes(router, {nullptr, {}, [&refresh_metrics] { refresh_metrics(); }});
  add_ready_route(router, draining, store_ready);
  std::string err = http.listen();
  if (!err.empty()) {
    logger.log("error", "engage-server: cannot listen on " + o.host + ":" + std::to_string(o.port) +
                            ": " + err);
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

  // Issue 8: one JSON stats line every --stats-interval ms (the guide's [STATS] snippet, with
  // the rooms this instance holds instead of its KEYS scan).
  boost::asio::steady_timer stats_timer(loops.context(0));
  std::function<void()> arm_stats = [&] {
    if (o.ops.stats_interval_ms == 0) return;
    stats_timer.expires_after(std::chrono::milliseconds(o.ops.stats_interval_ms));
    stats_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      const std::size_t rooms = refresh_metrics();
      std::string f = "\"connections\":" + std::to_string(sio_engine.session_count()) +
                      ",\"sockets\":" + std::to_string(io.socket_count()) +
                      ",\"rooms\":" + std::to_string(rooms) +
                      ",\"memory\":{\"rss\":" + std::to_string(metrics::process_rss_bytes()) +
                      "},\"cpuSeconds\":";
      metrics::append_value(f, metrics::process_cpu_seconds());
      logger.log("info", "[STATS]", f);
      arm_stats();
    });
  };
  arm_stats();

  // SIGINT/SIGTERM: report not-ready, stop accepting, close every Engine.IO session (a
  // transport close, so socket.io clients reconnect — through a balancer, to another instance —
  // and resume), close every connection, then stop the loops.
  boost::asio::signal_set signals(loops.context(0), SIGINT, SIGTERM);
  boost::asio::steady_timer grace(loops.context(0));
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    logger.log("info", "shutting down");
    draining.store(true, std::memory_order_relaxed);
    metrics::ops().ready.set(0);
    stats_timer.cancel();
    // Issue 8: bounded exit — whatever hangs (a peer that never closes, a store that never
    // answers), the process is gone --shutdown-timeout ms after the signal.
    std::thread([ms = o.ops.shutdown_timeout_ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      std::fputs("engage-server: shutdown timeout, exiting\n", stderr);
      std::_Exit(1);
    }).detach();
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
  logger.log("info", "stopped");
  return 0;
}

}  // namespace engage::app

int main(int argc, char** argv) {
  return engage::app::run(argc, argv);
}
