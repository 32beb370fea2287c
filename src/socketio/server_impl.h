// The Socket.IO server over Engine.IO: namespaces, middleware, sockets, acks, rooms and
// broadcasts (v5 for EIO=4 clients, v4 for EIO=3 clients), implementing sio::Server.
//
// Threading: every client (Engine.IO session) and its sockets live on the session's loop. Each
// namespace keeps one socket/room index per loop, touched only by that loop; a broadcast is
// encoded once and posted to every loop, which delivers it to its own sockets.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engineio/server.h"
#include "socketio/server.h"

namespace engage::net {
class Loops;
}

namespace engage::sio {

struct ServerOptions {
  uint32_t connect_timeout_ms = 45000;  // no namespace CONNECT within this → close
  std::size_t max_attachments = 10;     // binary attachments per packet (socket.io-parser's cap)
};

class SocketImpl;
class Client;

class ServerImpl final : public Server {
 public:
  ServerImpl(net::Loops& loops, ServerOptions options);
  ~ServerImpl() override;

  // The Engine.IO open callback: attaches a Socket.IO client to each new session.
  eio::OpenCallback open_callback();

  void add_namespace(const std::string& name, NamespaceHandlers handlers) override;
  void broadcast(const BroadcastTarget& to, std::string_view event,
                 const json::Value& args) override;
  void deliver_remote(const BroadcastTarget& to,
                      std::shared_ptr<const std::vector<std::string>> frames,
                      bool has_binary) override;
  void set_adapter(std::shared_ptr<Adapter> adapter) override;
  std::size_t socket_count() const override {
    return socket_count_.load(std::memory_order_relaxed);
  }

  // Names of the registered namespaces (for /health).
  std::vector<std::string> namespace_names() const;

  // ---- internal, used by Client and SocketImpl on their loop ----
  struct NspLoop {
    // Found by socket id (transparent lookup by string_view): a set of the sockets themselves
    // rather than a map from a key, so the node per socket is 16 bytes smaller.
    struct ById {
      using is_transparent = void;
      std::size_t operator()(std::string_view id) const;
      std::size_t operator()(const SocketImpl* s) const;
      bool operator()(const SocketImpl* a, const SocketImpl* b) const;
      bool operator()(std::string_view a, const SocketImpl* b) const;
      bool operator()(const SocketImpl* a, std::string_view b) const;
    };
    std::unordered_set<SocketImpl*, ById, ById> sockets;
    std::unordered_map<std::string, std::unordered_set<SocketImpl*>> rooms;
  };
  struct Namespace {
    ServerImpl* server = nullptr;  // the owner (a socket reaches its server through this)
    std::string name;
    NamespaceHandlers handlers;
    std::vector<std::unique_ptr<NspLoop>> loops;
  };
  Namespace* find_namespace(const std::string& name);
  net::Loops& loops() { return loops_; }
  const ServerOptions& options() const { return options_; }
  void socket_added(Namespace& nsp, SocketImpl& s);
  void socket_removed(Namespace& nsp, SocketImpl& s);
  void room_joined(Namespace& nsp, SocketImpl& s, const std::string& room);
  void room_left(Namespace& nsp, SocketImpl& s, const std::string& room);

 private:
  void deliver_local(const BroadcastTarget& to,
                     std::shared_ptr<const std::vector<std::string>> frames, bool has_binary);
  void deliver_on_loop(std::size_t loop, const BroadcastTarget& to,
                       const std::shared_ptr<const std::vector<std::string>>& frames,
                       bool has_binary);

  net::Loops& loops_;
  ServerOptions options_;
  std::map<std::string, std::unique_ptr<Namespace>> namespaces_;  // fixed once serving
  std::atomic<std::size_t> socket_count_{0};
  std::shared_ptr<Adapter> adapter_;
  // Process-wide count of loops that have local sockets in each "nsp\0room" (adapter hooks).
  std::mutex rooms_mutex_;
  std::unordered_map<std::string, int> room_loops_;
};

}  // namespace engage::sio
