// Engine.IO server: request validation, session tables per loop, routing to the owner loop.
#include "engineio/server.h"

#include <string_view>
#include <unordered_set>
#include <utility>

#include "core/random.h"
#include "engineio/session.h"
#include "http/url.h"
#include "net/loops.h"

namespace engage::eio {

namespace {

// The sid's first character names the owner loop (so at most 64 loops).
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kSidLength = Session::kSidLength;

int loop_of_sid(std::string_view sid) {
  if (sid.size() != kSidLength) return -1;
  auto pos = kAlphabet.find(sid[0]);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

const char* error_message(int code) {
  switch (code) {
    case 0:
      return "Transport unknown";
    case 1:
      return "Session ID unknown";
    case 2:
      return "Bad handshake method";
    case 3:
      return "Bad request";
    case 4:
      return "Forbidden";
    case 5:
      return "Unsupported protocol version";
    default:
      return "Bad request";
  }
}

}  // namespace

// The validated Engine.IO query of one request.
struct Query {
  int eio = 0;
  bool websocket = false;
  bool b64 = false;
  std::string sid;
};

struct Server::LoopState {
  explicit LoopState(boost::asio::io_context& io) : heartbeats(io) {}
  HeartbeatLanes heartbeats;  // declared first: destroyed after the sessions
  // Found by sid (transparent lookup by string_view); the entry keeps the session alive. A set
  // of pointers, not a map from a key: the node per session is 16 bytes smaller.
  struct BySid {
    using is_transparent = void;
    std::size_t operator()(std::string_view sid) const {
      return std::hash<std::string_view>()(sid);
    }
    std::size_t operator()(const SessionPtr& s) const { return (*this)(s->sid()); }
    static std::string_view key(std::string_view sid) { return sid; }
    static std::string_view key(const SessionPtr& s) { return s->sid(); }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return key(a) == key(b);
    }
  };
  std::unordered_set<SessionPtr, BySid, BySid> sessions;
};

HeartbeatLanes& Server::heartbeats(std::size_t loop) {
  return loop_states_[loop]->heartbeats;
}

http::Response error_response(int code) {
  std::string body = "{\"code\":";
  body += std::to_string(code);
  body += ",\"message\":\"";
  body += error_message(code);
  body += "\"}";
  return http::Response::json(400, std::move(body));
}

namespace {

// Parses the Engine.IO query parameters; returns the error code (0..5) or -1 when valid.
int parse_query(std::string_view raw, const Options& options, Query& q) {
  std::string eio, transport;
  bool have_eio = false, have_transport = false;
  while (!raw.empty()) {
    auto amp = raw.find('&');
    std::string_view part = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    auto eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    std::string decoded;
    if (key == "EIO" || key == "transport" || key == "sid" || key == "b64") {
      if (!http::percent_decode(value, decoded, true)) return 3;
    } else {
      continue;  // t= cache buster and anything unknown
    }
    if (key == "EIO" && !have_eio) {
      eio = std::move(decoded);
      have_eio = true;
    } else if (key == "transport" && !have_transport) {
      transport = std::move(decoded);
      have_transport = true;
    } else if (key == "sid" && q.sid.empty()) {
      q.sid = std::move(decoded);
    } else if (key == "b64") {
      q.b64 = !decoded.empty() && decoded != "0" && decoded != "false";
    }
  }
  if (transport == "polling")
    q.websocket = false;
  else if (transport == "websocket")
    q.websocket = true;
  else
    return 0;
  if (eio == "4")
    q.eio = 4;
  else if (eio == "3" && options.allow_eio3)
    q.eio = 3;
  else
    return 5;
  return -1;
}

}  // namespace

Server::Server(net::Loops& loops, std::string path, Options options, OpenCallback on_open)
    : loops_(loops),
      path_(std::move(path)),
      options_(std::move(options)),
      on_open_(std::move(on_open)) {
  if (path_.empty() || path_.back() != '/') path_ += '/';
  for (std::size_t i = 0; i < loops_.size(); ++i)
    loop_states_.push_back(std::make_unique<LoopState>(loops_.context(i)));
}

Server::~Server() = default;

bool Server::handles(std::string_view path) const {
  if (path.starts_with(path_)) return true;
  return path.size() + 1 == path_.size() && path_.starts_with(path);  // "/socket.io"
}

void Server::add_cors_headers(std::string_view origin, http::Response& res) const {
  if (options_.cors_origins.empty()) {
    // "*" never goes with Allow-Credentials: browsers refuse the pair (CONTRACT.md §8 bug 25).
    res.headers.emplace_back("Access-Control-Allow-Origin", "*");
    return;
  }
  for (const auto& allowed : options_.cors_origins) {
    if (!origin.empty() && allowed == origin) {
      res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
      res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
      break;
    }
  }
  res.headers.emplace_back("Vary", "Origin");
}

void Server::session_closed(const Session& s) {
  auto& table = loop_states_[s.loop()]->sessions;
  auto it = table.find(std::string_view(s.sid()));
  if (it != table.end() && it->get() == &s) {
    session_count_.fetch_sub(1, std::memory_order_relaxed);
    // Keep the session alive until the end of this call: the caller may be inside it.
    SessionPtr keep = *it;
    table.erase(it);
    loops_.post(s.loop(), [keep = std::move(keep)] {});
  }
}

void Server::on_request(http::Request req, std::size_t loop, http::Respond respond) {
  on_request_watched(std::move(req), loop, std::move(respond), nullptr);
}

void Server::on_request_watched(http::Request req, std::size_t loop, http::Respond respond,
                                net::ClientGonePtr gone) {
  auto origin = req.header("origin");
  if (req.method == "OPTIONS") {
    http::Response res;
    res.status = 204;
    res.content_type.clear();
    add_cors_headers(origin, res);
    res.headers.emplace_back("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE");
    auto requested = req.header("access-control-request-headers");
    if (!requested.empty())
      res.headers.emplace_back("Access-Control-Allow-Headers", std::string(requested));
    respond(std::move(res));
    return;
  }
  Query q;
  int err = parse_query(req.query, options_, q);
  if (err < 0 && q.websocket) err = 3;  // transport=websocket on a plain (non-upgrade) request
  if (err < 0 && q.sid.empty() && req.method != "GET") err = 2;
  if (err < 0 && !q.sid.empty() && req.method != "GET" && req.method != "POST") err = 3;
  if (err >= 0) {
    auto res = error_response(err);
    add_cors_headers(origin, res);
    respond(std::move(res));
    return;
  }
  if (q.sid.empty()) {
    handshake(std::move(req), loop, std::move(respond), std::move(q));
    return;
  }
  int owner = loop_of_sid(q.sid);
  if (owner < 0 || static_cast<std::size_t>(owner) >= loops_.size()) {
    auto res = error_response(1);
    add_cors_headers(origin, res);
    respond(std::move(res));
    return;
  }
  if (static_cast<std::size_t>(owner) == loop) {
    handle_with_sid(std::move(req), std::move(respond), std::move(q), std::move(gone));
    return;
  }
  // The session lives on another loop: run there; the response finds its way back by itself.
  auto moved =
      std::make_shared<std::tuple<http::Request, http::Respond, Query, net::ClientGonePtr>>(
          std::move(req), std::move(respond), std::move(q), std::move(gone));
  loops_.post(static_cast<std::size_t>(owner), [this, moved] {
    handle_with_sid(std::move(std::get<0>(*moved)), std::move(std::get<1>(*moved)),
                    std::move(std::get<2>(*moved)), std::move(std::get<3>(*moved)));
  });
}

void Server::handle_with_sid(http::Request req, http::Respond respond, Query q,
                             net::ClientGonePtr gone) {
  int owner = loop_of_sid(q.sid);
  auto& table = loop_states_[static_cast<std::size_t>(owner)]->sessions;
  auto it = table.find(std::string_view(q.sid));
  if (it == table.end() || (*it)->protocol() != q.eio) {
    auto res = error_response(1);
    add_cors_headers(req.header("origin"), res);
    respond(std::move(res));
    return;
  }
  SessionPtr s = *it;
  if (s->heartbeat_expired()) {
    s->close("ping timeout");
    auto res = error_response(1);
    add_cors_headers(req.header("origin"), res);
    respond(std::move(res));
    return;
  }
  if (q.b64) s->set_b64();  // a client that asks for base64 once keeps it
  if (req.method == "GET")
    s->on_poll(req, std::move(respond), std::move(gone));
  else
    s->on_post(req, std::move(respond));
}

void Server::handshake(http::Request req, std::size_t loop, http::Respond respond, Query q) {
  auto& table = loop_states_[loop]->sessions;
  std::string sid;
  do {
    sid = random_id(kSidLength);
    sid[0] = kAlphabet[loop];
  } while (table.count(std::string_view(sid)));
  auto s = std::make_shared<Session>(*this, loop, std::move(sid), q.eio,
                                     Session::Transport::Polling, q.b64);
  table.insert(s);
  if (on_open_) on_open_(s, req);
  if (!s->is_open()) {
    auto res = error_response(4);
    add_cors_headers(req.header("origin"), res);
    respond(std::move(res));
    return;
  }
  s->start_polling(std::move(respond), req);
}

net::HttpHandler::UpgradeDecision Server::on_upgrade(const http::Request& req, std::size_t loop) {
  UpgradeDecision d;
  Query q;
  int err = parse_query(req.query, options_, q);
  if (err < 0 && !q.websocket) err = 3;
  if (err >= 0) {
    d.status = 400;
    d.body = error_response(err).body;
    return d;
  }
  if (q.sid.empty()) {
    auto handshake_req = std::make_shared<http::Request>(req);
    handshake_req->body.clear();
    int eio = q.eio;
    // Runs posted, not inside `accepted`: the network edge may still be finishing the 101's
    // write when it calls us, and the open packet must be queued after that write completes.
    d.accepted = [this, handshake_req, eio](net::WebSocketPtr ws) {
      std::size_t l = ws->loop();
      loops_.post(l, [this, handshake_req, eio, ws = std::move(ws)] {
        open_websocket(ws, *handshake_req, eio);
      });
    };
    return d;
  }
  int owner = loop_of_sid(q.sid);
  if (owner < 0 || static_cast<std::size_t>(owner) >= loops_.size()) {
    d.status = 400;
    d.body = error_response(1).body;
    return d;
  }
  if (static_cast<std::size_t>(owner) == loop) {
    auto& table = loop_states_[loop]->sessions;
    auto it = table.find(std::string_view(q.sid));
    if (it == table.end() || (*it)->protocol() != q.eio) {
      d.status = 400;
      d.body = error_response(1).body;
      return d;
    }
  }
  std::string sid = q.sid;
  int eio = q.eio;
  d.accepted = [this, sid, eio, owner](net::WebSocketPtr ws) {
    loops_.post(static_cast<std::size_t>(owner), [this, sid, eio, owner, ws] {
      auto& table = loop_states_[static_cast<std::size_t>(owner)]->sessions;
      auto it = table.find(std::string_view(sid));
      if (it == table.end() || (*it)->protocol() != eio) {
        ws->close(1000);
        return;
      }
      SessionPtr s = *it;
      s->on_upgrade_socket(ws);
    });
  };
  return d;
}

void Server::open_websocket(const net::WebSocketPtr& ws, const http::Request& req, int eio) {
  std::size_t l = ws->loop();
  auto& table = loop_states_[l]->sessions;
  std::string sid;
  do {
    sid = random_id(kSidLength);
    sid[0] = kAlphabet[l];
  } while (table.count(std::string_view(sid)));
  auto s = std::make_shared<Session>(*this, l, std::move(sid), eio, Session::Transport::WebSocket,
                                     false);
  table.insert(s);
  if (on_open_) on_open_(s, req);
  if (!s->is_open()) {
    ws->close(1008);
    return;
  }
  s->start_websocket(ws);
}

void Server::close_all() {
  for (std::size_t l = 0; l < loops_.size(); ++l) {
    loops_.post(l, [this, l] {
      auto& table = loop_states_[l]->sessions;
      std::vector<SessionPtr> all;
      all.reserve(table.size());
      for (const auto& s : table) all.push_back(s);
      for (auto& s : all) s->close("server shutting down");
    });
  }
}

}  // namespace engage::eio
