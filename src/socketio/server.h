// The application-facing Socket.IO server API: namespaces, sockets, rooms, events, acks and
// broadcasts. Everything below the application (Engine.IO sessions, transports, the packet
// codec) is hidden behind this header.
//
// Threading: every Socket belongs to one event loop (Socket::loop()). Handlers are called on
// that loop. Socket methods marked "loop only" must be called there; from elsewhere, wrap the
// call in Socket::dispatch(). Server::broadcast() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"

namespace engage::sio {

// What the client sent when it connected (Engine.IO handshake + Socket.IO CONNECT). Every
// connected client holds one, so the request part is kept compactly: one buffer with the peer
// address, the request target and the headers (WebSocket plumbing headers dropped); the query
// is decoded from the target when asked for.
class Handshake {
 public:
  Handshake() = default;
  // Keeps `address`, `url` and `headers` (lower-cased names) except the WebSocket handshake
  // plumbing (sec-websocket-*, upgrade, connection), which says nothing about the client.
  Handshake(std::string_view address, std::string_view url,
            const std::vector<std::pair<std::string, std::string>>& headers);

  std::string_view address() const;  // peer IP
  std::string_view url() const;      // request target of the Engine.IO handshake
  // Returns the value of the first header named `lower_name`, or "" when absent.
  std::string_view header(std::string_view lower_name) const;
  // Returns every kept header in arrival order (views into this handshake).
  std::vector<std::pair<std::string_view, std::string_view>> headers() const;
  // Returns the decoded query of the handshake URL ("EIO", "transport", "t", the client's own).
  std::vector<std::pair<std::string, std::string>> query() const;

  // The CONNECT payload (v5), or the namespace query as an object (v4 / EIO3); {} if none. Kept
  // as its JSON text (one small buffer, not a tree of values): reading it decodes it, and it
  // converts to json::Value wherever one is expected. Null until set.
  class Auth {
   public:
    Auth() = default;
    Auth(const json::Value& v) { *this = v; }  // NOLINT(google-explicit-constructor)
    // Inline (not in a library): the application's code and its fakes use only this header.
    Auth& operator=(const json::Value& v) {
      std::string text = v.is_null() ? std::string() : v.dump();
      text_ = std::string(text.data(), text.size());  // exact size: no growth slack
      return *this;
    }
    // Returns the decoded value (equal to the one stored).
    json::Value value() const {
      if (text_.empty()) return json::Value();
      // Our own dump of a value decoded (or built) once: no limit may refuse it again.
      json::ParseLimits unlimited;
      unlimited.max_depth = std::numeric_limits<std::size_t>::max();
      unlimited.max_bytes = std::numeric_limits<std::size_t>::max();
      auto v = json::parse(text_, unlimited);
      return v ? std::move(*v) : json::Value();
    }
    operator json::Value() const { return value(); }  // NOLINT(google-explicit-constructor)
    // Returns the JSON text.
    std::string dump() const { return text_.empty() ? std::string("null") : text_; }

   private:
    std::string text_;  // "" = null
  };
  Auth auth;
  int eio = 4;  // Engine.IO protocol version of the connection (3 or 4)
  int64_t time_ms = 0;

 private:
  // Fields in order (address, url, then name/value per header), each as a LEB128 length and
  // its bytes; allocated once at its exact size.
  std::string data_;
};

class Socket : public std::enable_shared_from_this<Socket> {
 public:
  virtual ~Socket() = default;

  virtual const std::string& id() const = 0;   // Socket.IO socket id
  virtual const std::string& nsp() const = 0;  // "/play-along"
  virtual const Handshake& handshake() const = 0;
  virtual std::size_t loop() const = 0;
  virtual bool connected() const = 0;  // any thread

  // Runs fn on this socket's loop (inline when already there). Any thread.
  virtual void dispatch(std::function<void()> fn) = 0;

  // Sends EVENT [event, ...args] to this socket. `args` is an array (may be empty); Binary
  // values inside become attachments. Loop only.
  virtual void emit(std::string_view event, json::Value args) = 0;
  // Joins / leaves a room of this namespace. Loop only.
  virtual void join(const std::string& room) = 0;
  virtual void leave(const std::string& room) = 0;
  virtual const std::vector<std::string>& rooms() const = 0;  // loop only
  // Disconnects this namespace socket (DISCONNECT packet; on_disconnect gets
  // "server namespace disconnect"). close_connection also closes the Engine.IO connection.
  virtual void disconnect(bool close_connection = false) = 0;

  // Application state attached to the socket; owned and typed by the namespace's handlers.
  std::shared_ptr<void> data;
};
using SocketPtr = std::shared_ptr<Socket>;

// Acknowledgement callback given to on_event when the client asked for an ack. Call at most
// once, on the socket's loop, with an array of arguments. Empty (false) when no ack was asked.
using AckFn = std::function<void(json::Value args)>;

// Why a CONNECT is refused: the client sees CONNECT_ERROR {"message": ..., "data": ...}.
struct ConnectError {
  std::string message;
  std::optional<json::Value> data;
};

struct NamespaceHandlers {
  // Decides whether a CONNECT is admitted: call done(std::nullopt) to admit, done(error) to
  // refuse. May complete later (asynchronously) on the socket's loop. Absent = admit all.
  std::function<void(const SocketPtr&, std::function<void(std::optional<ConnectError>)> done)>
      middleware;
  std::function<void(const SocketPtr&)> on_connect;
  // An EVENT from the client. `args` is the array after the event name.
  std::function<void(const SocketPtr&, const std::string& event, json::Value args, AckFn ack)>
      on_event;
  // The socket left: reason as Socket.IO names it ("transport close", "ping timeout",
  // "client namespace disconnect", "server namespace disconnect", "transport error",
  // "parse error", "server shutting down").
  std::function<void(const SocketPtr&, std::string_view reason)> on_disconnect;
};

// Who receives a broadcast: sockets of `nsp` in any of `rooms` (all of the namespace when
// empty), minus the sockets whose ids are in `except`.
struct BroadcastTarget {
  std::string nsp;
  std::vector<std::string> rooms;
  std::vector<std::string> except;
};

// Carries broadcasts to other instances (Redis pub/sub) and back. The local server always
// delivers to its own sockets; the adapter only crosses the process boundary.
class Adapter {
 public:
  virtual ~Adapter() = default;
  // Publishes an encoded broadcast (the exact Engine.IO text/binary frames) to other instances.
  virtual void publish(const BroadcastTarget& to,
                       std::shared_ptr<const std::vector<std::string>> frames, bool has_binary) = 0;
  // The first local socket joined `room` of `nsp` / the last one left it.
  virtual void room_opened(const std::string& nsp, const std::string& room) = 0;
  virtual void room_closed(const std::string& nsp, const std::string& room) = 0;
};

class Server {
 public:
  virtual ~Server() = default;
  // Registers a namespace before the server starts. "/" exists by default with no handlers.
  virtual void add_namespace(const std::string& name, NamespaceHandlers handlers) = 0;
  // Encodes EVENT [event, ...args] once and delivers it to every matching socket on every loop
  // of this process, and through the adapter to other instances. Any thread.
  virtual void broadcast(const BroadcastTarget& to, std::string_view event,
                         const json::Value& args) = 0;
  // Delivers a broadcast that arrived from another instance to the local sockets. Any thread.
  virtual void deliver_remote(const BroadcastTarget& to,
                              std::shared_ptr<const std::vector<std::string>> frames,
                              bool has_binary) = 0;
  virtual void set_adapter(std::shared_ptr<Adapter> adapter) = 0;
  // Number of connected namespace sockets (all loops), for /metrics and stats.
  virtual std::size_t socket_count() const = 0;
};

}  // namespace engage::sio
