// BusAdapter: the Socket.IO adapter (sio::Adapter) that carries room broadcasts between
// instances over the Store's bus (Redis pub/sub, or sharded pub/sub on a cluster).
//
// - One channel per room (bus::room_channel), subscribed while this instance has a local
//   member of the room (room_opened … room_closed), so an instance only hears the rooms it
//   serves: no global firehose. Namespace-wide broadcasts use one channel per namespace,
//   subscribed only for namespaces passed to add_namespace().
// - A broadcast is encoded once (bus::encode) and the same bytes are published on the channel
//   of each target room; a receiver that hears it on room i delivers to the members of room i
//   that are in none of rooms 0..i-1, so a socket in several target rooms gets it once.
// - Every envelope carries this instance's id; an instance drops its own messages (the local
//   server has already delivered them).
// - At-most-once, like the bus: a message published while a subscription is being (re)made is
//   lost; clients notice the gap from room versions and ask for the state again.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "socketio/server.h"
#include "store/bus_codec.h"
#include "store/store.h"

namespace engage::store {

struct BusAdapterOptions {
  std::string prefix = "engage:bus";  // channel name prefix (bus::room_channel)
  uint64_t instance_id = 0;           // 0 = drawn from the CSPRNG
  bus::Limits limits;                 // bounds on received envelopes
};

// Counters for /metrics and tests. Any thread.
struct BusStats {
  std::atomic<uint64_t> published{0};       // envelopes published (one per target channel)
  std::atomic<uint64_t> received{0};        // envelopes delivered to local sockets
  std::atomic<uint64_t> own_dropped{0};     // our own envelopes heard back
  std::atomic<uint64_t> bad_messages{0};    // undecodable envelopes (dropped)
  std::atomic<uint64_t> stray_messages{0};  // envelopes whose channel matches none of its rooms
  std::atomic<int64_t> channels{0};         // channels currently subscribed
};

class BusAdapter final : public sio::Adapter, public std::enable_shared_from_this<BusAdapter> {
 public:
  // Creates the adapter, takes over store.on_message and installs it with io.set_adapter().
  // Call before the server accepts connections. The store and io must outlive the adapter's
  // use (in the server, both live for the whole process).
  static std::shared_ptr<BusAdapter> install(Store& store, sio::Server& io,
                                             BusAdapterOptions options = {});

  BusAdapter(Store& store, sio::Server& io, BusAdapterOptions options);

  // Subscribes to broadcasts addressed to the whole namespace `nsp`. Any thread.
  void add_namespace(const std::string& nsp);

  // sio::Adapter (any thread).
  void publish(const sio::BroadcastTarget& to,
               std::shared_ptr<const std::vector<std::string>> frames, bool has_binary) override;
  void room_opened(const std::string& nsp, const std::string& room) override;
  void room_closed(const std::string& nsp, const std::string& room) override;

  // Handles one bus message (the store's on_message; public for tests). Any thread.
  void on_bus_message(std::string_view channel, std::string_view payload);

  uint64_t instance_id() const { return options_.instance_id; }
  const BusStats& stats() const { return stats_; }

 private:
  void add_ref(const std::string& channel);
  void drop_ref(const std::string& channel);

  Store& store_;
  sio::Server& io_;
  BusAdapterOptions options_;
  BusStats stats_;
  // Serialises (un)subscribe calls so the store sees them in the order the rooms changed.
  std::mutex mu_;
  std::unordered_map<std::string, int> refs_;  // channel → room_opened minus room_closed
};

}  // namespace engage::store
