// MeteredServer: a sio::Server decorator the application is installed on. It counts what
// /metrics reports at the Socket.IO level (connects, disconnects by reason, events in and out
// by namespace and name, errors by code, moves) and applies the per-connection event rate
// (a token bucket per namespace socket: a refused event gets an `error` RATE_LIMITED with
// retryAfterMs and is dropped; the connection stays). Nothing below the application changes.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "socketio/server.h"

namespace engage {
class Clock;
}

namespace engage::engage {

struct MeterOptions {
  double events_per_second = 50;  // sustained, per namespace socket; 0 = unlimited
  double events_burst = 200;
  const Clock* clock = nullptr;  // nullptr = Clock::get()
};

class MeteredSocket;

class MeteredServer final : public sio::Server {
 public:
  MeteredServer(sio::Server& inner, MeterOptions options);
  ~MeteredServer() override;

  void add_namespace(const std::string& name, sio::NamespaceHandlers handlers) override;
  void broadcast(const sio::BroadcastTarget& to, std::string_view event,
                 const json::Value& args) override;
  void deliver_remote(const sio::BroadcastTarget& to,
                      std::shared_ptr<const std::vector<std::string>> frames,
                      bool has_binary) override {
    inner_.deliver_remote(to, std::move(frames), has_binary);
  }
  void set_adapter(std::shared_ptr<sio::Adapter> adapter) override {
    inner_.set_adapter(std::move(adapter));
  }
  std::size_t socket_count() const override { return inner_.socket_count(); }

  // Returns the label under which an inbound event of `nsp` is counted: its name when it is
  // one of the application's events, else "other" (clients choose event names).
  static std::string_view event_label(std::string_view nsp, std::string_view event);
  // Returns the number of sockets wrapped now (tests: no leak after disconnects).
  std::size_t wrapped() const;

 private:
  // Returns the wrapper of `s` (created on first sight), or drops it (`forget`).
  std::shared_ptr<MeteredSocket> wrap(const sio::SocketPtr& s);
  void forget(const sio::SocketPtr& s);

  sio::Server& inner_;
  MeterOptions options_;
  // One map per loop (a socket's handlers all run on its loop); the mutex is uncontended
  // except for the rare loop index beyond the array (shared fallback map).
  static constexpr std::size_t kLoops = 64;
  struct LoopMap {
    mutable std::mutex mu;
    std::unordered_map<const sio::Socket*, std::shared_ptr<MeteredSocket>> map;
  };
  std::array<LoopMap, kLoops + 1> maps_;
  LoopMap& map_of(const sio::Socket& s) { return maps_[std::min(s.loop(), kLoops)]; }
};

}  // namespace engage::engage
