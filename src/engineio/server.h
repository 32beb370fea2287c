// The Engine.IO server (v4, and v3 for socket.io-client 1.x/2.x): validates requests, owns the
// sessions of each loop, and hands messages to the layer above (Socket.IO, or a raw echo).
//
// Threading: sessions live on one loop each; their sid encodes the loop (first character), so a
// request arriving on another loop is posted to the owner loop without any shared table.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_server.h"

namespace engage::net {
class Loops;
}

namespace engage::eio {

// Every Engine.IO limit and timing, with its default (socket.io 4's, as the original used).
struct Options {
  uint32_t ping_interval_ms = 25000;    // server PING every interval (v4); v3 clients ping
  uint32_t ping_timeout_ms = 60000;     // no PONG (v4) / PING (v3) in time → "ping timeout"
  uint32_t upgrade_timeout_ms = 10000;  // a probe WebSocket that never sends "5" is dropped
  std::size_t max_payload = 1000000;    // maxHttpBufferSize: POST body / WebSocket message limit
  // Packets queued for a polling client that does not come back to fetch them: above this many
  // bytes the session is closed (slow consumer) instead of buffering without bound.
  std::size_t max_polling_buffer_bytes = 8u << 20;
  bool allow_eio3 = true;      // accept EIO=3 (socket.io-client 1.x/2.x), as allowEIO3 did
  bool allow_upgrades = true;  // advertise and accept polling → websocket upgrades
  // CORS: allowed origins; empty = "*" (any origin).
  std::vector<std::string> cors_origins;
};

class Session;
class HeartbeatLanes;
struct Query;
using SessionPtr = std::shared_ptr<Session>;

// What the layer above attaches to a session. Called on the session's loop only.
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  // A message packet arrived (text without its "4" type, or binary bytes).
  virtual void on_message(std::string_view data, bool binary) = 0;
  // The session ended; `reason` as Engine.IO names it ("transport close", "ping timeout",
  // "transport error", "parse error", "forced close"). Called once; no send after it.
  virtual void on_close(std::string_view reason) = 0;
};

// Called on the session's loop right after a session was created, before its open packet is
// written: the callee attaches a handler (Session::set_handler) and may queue packets.
using OpenCallback = std::function<void(const SessionPtr& session, const http::Request& handshake)>;

// One Engine.IO endpoint (e.g. "/socket.io/"): an HttpHandler for the paths under it.
class Server : public net::HttpHandler {
 public:
  // `path` ends with '/'. `loops` must outlive the server. At most 64 loops (sid encoding).
  Server(net::Loops& loops, std::string path, Options options, OpenCallback on_open);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Returns true when `path` belongs to this endpoint ("/socket.io/..." or "/socket.io").
  bool handles(std::string_view path) const;
  const std::string& path() const { return path_; }
  const Options& options() const { return options_; }
  net::Loops& loops() { return loops_; }

  void on_request(http::Request req, std::size_t loop, http::Respond respond) override;
  // As on_request; a held GET whose client goes away (`gone`) closes its session, as Node does.
  void on_request_watched(http::Request req, std::size_t loop, http::Respond respond,
                          net::ClientGonePtr gone) override;
  UpgradeDecision on_upgrade(const http::Request& req, std::size_t loop) override;

  // Closes every session of every loop (server shutdown). Any thread; returns at once.
  void close_all();
  // Number of open sessions (all loops). Any thread.
  std::size_t session_count() const { return session_count_.load(std::memory_order_relaxed); }

  // Internal (sessions call these on their loop).
  struct LoopState;
  LoopState& loop_state(std::size_t loop) { return *loop_states_[loop]; }
  HeartbeatLanes& heartbeats(std::size_t loop);
  void session_opened() { session_count_.fetch_add(1, std::memory_order_relaxed); }
  void session_closed(const Session& s);
  void add_cors_headers(std::string_view origin, http::Response& res) const;

 private:
  void handle_with_sid(http::Request req, http::Respond respond, Query q, net::ClientGonePtr gone);
  void handshake(http::Request req, std::size_t loop, http::Respond respond, Query q);
  void open_websocket(const net::WebSocketPtr& ws, const http::Request& req, int eio);

  net::Loops& loops_;
  std::string path_;
  Options options_;
  OpenCallback on_open_;
  std::vector<std::unique_ptr<LoopState>> loop_states_;
  std::atomic<std::size_t> session_count_{0};
};

// Builds the JSON error body Engine.IO sends with a 400: {"code":N,"message":"..."}.
http::Response error_response(int code);

}  // namespace engage::eio
