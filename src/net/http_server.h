// The network edge: HTTP/1.1 and WebSocket over TCP. The only code that touches sockets lives
// behind this header (net/); everything above sees requests, responses and WebSocket messages.
//
// Threading: each accepted connection belongs to one loop of net::Loops. Handlers are called
// on that loop. Respond and WebSocket::send/close may be called from any thread (they post to
// the connection's loop when needed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace engage::net {

class Loops;

// Every limit of the network edge, with its default and the reason for it.
struct HttpOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 3002;                  // 0 = pick a free port (tests)
  std::size_t max_connections = 0;       // 0 = RLIMIT_NOFILE minus 64; beyond: accept + close,
                                         // counted in refused_count()
  uint32_t keep_alive_ms = 65000;        // the original's server.keepAliveTimeout
  uint32_t headers_timeout_ms = 66000;   // a request (headers and body) must arrive within
                                         // this from its first byte, else 408 and close
  std::size_t max_header_bytes = 16384;  // request line + headers (Node's default)
  std::size_t max_headers = 100;         // header count
  std::size_t max_uri_bytes = 8192;
  std::size_t max_body_bytes = 1000000;         // requests with a larger body get 413
  std::size_t ws_max_message_bytes = 1000000;   // maxHttpBufferSize: larger → close 1009
  std::size_t ws_outbuf_soft_bytes = 1u << 20;  // output buffer above this for too long → close
  uint32_t ws_outbuf_soft_ms = 10000;
  std::size_t ws_outbuf_hard_bytes = 8u << 20;  // output buffer above this → close at once
  bool reuse_port = true;  // one acceptor per loop (SO_REUSEPORT); false: one acceptor, round robin
  // Added by the network edge (additive):
  uint32_t linger_ms = 2000;  // after our last bytes (error response, close frame) we half-close
                              // and read until the peer closes, at most this long, so that the
                              // peer reads our last bytes instead of a reset
};

// One accepted WebSocket connection (RFC 6455). Messages are whole (fragments reassembled,
// text validated as UTF-8, control frames handled inside net/).
class WebSocket {
 public:
  virtual ~WebSocket() = default;
  struct Handlers {
    std::function<void(std::string_view data, bool binary)> on_message;
    // Once, when the connection is gone. The code: the peer's close code (1005 if its close
    // frame had none), ours if we closed first (close(), 1001 from close_all, 1002/1007/1009
    // for a protocol error, too large or non-UTF-8 message), 1008 for a slow consumer closed
    // by the output buffer limits, 1006 when the TCP connection just dropped.
    std::function<void(uint16_t code)> on_close;
  };
  // Installs the handlers; until then incoming messages are held (not read). Any thread: from
  // another thread it is applied on the connection's loop. The handlers always run on the
  // connection's loop (loop()). If the connection is already gone, on_close runs soon after.
  virtual void set_handlers(Handlers h) = 0;
  // The alternative to Handlers for a layer that keeps one object per connection: no
  // std::function (nor its heap-allocated captures) per connection. Called on the connection's
  // loop with the WebSocket they concern.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_ws_message(WebSocket& ws, std::string_view data, bool binary) = 0;
    virtual void on_ws_close(WebSocket& ws, uint16_t code) = 0;
  };
  // Installs `listener` instead of handlers, with the same rules as set_handlers. It is held
  // weakly: once it is gone, messages are dropped and the close is not reported. The default
  // adapts it to set_handlers.
  virtual void set_listener(std::weak_ptr<Listener> listener);
  // Queues one message as one frame. The buffer is shared (a broadcast is encoded once): only
  // the 2-10 byte frame header is per connection. Dropped once close() was called or the
  // connection is gone.
  virtual void send(std::shared_ptr<const std::string> data, bool binary) = 0;
  // Sends a close frame with `code` after what is queued, then closes the TCP connection when
  // the peer answers (or after linger_ms); on_close(code) follows. Later calls do nothing.
  virtual void close(uint16_t code = 1000) = 0;
  virtual std::size_t loop() const = 0;
  virtual std::size_t buffered_bytes() const = 0;  // queued, not yet written
};
using WebSocketPtr = std::shared_ptr<WebSocket>;

// Tells the layer above that the client of a request went away (closed, reset, failed, or the
// server closed it) before `respond` was called — e.g. a held long-polling GET whose browser tab
// closed. One per request, shared by the server and the layer above. Thread-safe.
class ClientGone {
 public:
  // Installs fn (replacing an earlier one). It runs once, on the connection's loop, when the
  // client goes away before respond was called; never after respond was called. If the client
  // is already gone, fn runs at once on the calling thread.
  void on_gone(std::function<void()> fn);
  // Returns true once the client is gone (respond is then a no-op).
  bool gone() const;
  // Marks the client gone and runs the callback (the server calls this; idempotent).
  void fire();
  // Drops the callback for good: respond was called (the server calls this).
  void disarm();

 private:
  mutable std::mutex mu_;
  bool gone_ = false;
  bool disarmed_ = false;
  std::function<void()> fn_;
};
using ClientGonePtr = std::shared_ptr<ClientGone>;

// What the layer above implements: the Engine.IO server and the router behind it.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // A complete request arrived. Call respond exactly once (any thread, any time; a held
  // long-polling GET responds later). `loop` is the connection's loop.
  virtual void on_request(http::Request req, std::size_t loop, http::Respond respond) = 0;
  // The server calls this one for every request (not an upgrade). It is on_request plus `gone`,
  // which fires if the client goes away before respond is called (a held GET whose client
  // left: drop it). The default forwards to on_request, so a handler that never holds a
  // response only implements on_request. Pipelined requests on one connection are delivered
  // one at a time: the next one only after respond was called for this one.
  virtual void on_request_watched(http::Request req, std::size_t loop, http::Respond respond,
                                  ClientGonePtr gone) {
    (void)gone;
    on_request(std::move(req), loop, std::move(respond));
  }
  // A valid WebSocket upgrade request arrived. Return a non-empty error response to refuse it
  // (e.g. 400); return std::nullopt-like empty status 0 to accept, in which case `accepted`
  // is called with the new WebSocket right after the 101 is written.
  struct UpgradeDecision {
    int status = 0;  // 0 = accept; otherwise the HTTP status of the refusal
    std::string body;
    std::function<void(WebSocketPtr)> accepted;
  };
  virtual UpgradeDecision on_upgrade(const http::Request& req, std::size_t loop) = 0;
};

// Listens and runs connections on the loops. Start-up errors (port in use) are returned.
class HttpServer {
 public:
  HttpServer(Loops& loops, HttpOptions options, HttpHandler& handler);
  // Stops accepting and closes every connection at once (no close frames), on each loop,
  // waiting up to 1 s for the loops to do it. Destroy it while the loops still run (or after
  // they stopped for good): a connection must not call `handler` after it is gone.
  ~HttpServer();
  // Binds and starts accepting; returns an error message on failure.
  std::string listen();
  uint16_t port() const;  // the bound port (after listen)
  // Stops accepting new connections (graceful shutdown); existing ones continue.
  void stop_accepting();
  // Closes every connection (WebSockets with 1001). Any thread.
  void close_all();
  std::size_t connection_count() const;  // any thread
  uint64_t refused_count() const;        // connections refused by max_connections
  // WebSockets closed because their output buffer stayed above ws_outbuf_soft_bytes for
  // ws_outbuf_soft_ms or went above ws_outbuf_hard_bytes (reported to on_close as 1008).
  uint64_t slow_closed_count() const;
  // The effective max_connections (after deriving the default from RLIMIT_NOFILE).
  std::size_t max_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace engage::net
