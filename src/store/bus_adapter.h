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
// - No answer overtakes our own subscription: while the store has not confirmed this instance's
//   SUBSCRIBE for a room channel (Store::on_subscribed), broadcasts to that room are held, in
//   order, and published when the confirmation comes. Otherwise a member on another instance
//   could answer (a chess move after `game_start`) before Redis had our subscription, and the
//   answer would be lost. Bounded: at most hold_max_messages / hold_max_bytes per channel and
//   hold_max_ms; past a bound the held messages are published anyway (counted) and the channel
//   stops holding. Held messages are published from the confirming thread (the store's pub/sub
//   loop); with several loops a publish made on another loop just after may overtake them, as
//   publishes from two loops may today.
// - At-most-once, like the bus: a message published while a subscription is being (re)made is
//   lost; clients notice the gap from room versions and ask for the state again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "socketio/server.h"
#include "store/bus_codec.h"
#include "store/store.h"

namespace engage::store {

struct BusAdapterOptions {
  std::string prefix = "engage:bus";  // channel name prefix (bus::room_channel)
  uint64_t instance_id = 0;           // 0 = drawn from the CSPRNG
  bus::Limits limits;                 // bounds on received envelopes
  // Bounds on the broadcasts held per channel until our subscription is confirmed.
  std::size_t hold_max_messages = 1024;
  std::size_t hold_max_bytes = std::size_t{1} << 20;  // 1 MiB
  int64_t hold_max_ms = 1000;
  const Clock* clock = nullptr;  // nullptr = Clock::get()
  // Releases held messages after hold_max_ms from a timer thread (started on the first hold);
  // false: only publish() and release_expired() do (tests with a ManualClock).
  bool hold_timer = true;
};

// Counters for /metrics and tests. Any thread.
struct BusStats {
  std::atomic<uint64_t> published{0};       // envelopes published (one per target channel)
  std::atomic<uint64_t> received{0};        // envelopes delivered to local sockets
  std::atomic<uint64_t> own_dropped{0};     // our own envelopes heard back
  std::atomic<uint64_t> bad_messages{0};    // undecodable envelopes (dropped)
  std::atomic<uint64_t> stray_messages{0};  // envelopes whose channel matches none of its rooms
  std::atomic<int64_t> channels{0};         // channels currently subscribed
  std::atomic<uint64_t> held{0};            // publishes held for an unconfirmed subscription
  std::atomic<uint64_t> flushed{0};         // held publishes sent on confirmation
  std::atomic<uint64_t> hold_timeouts{0};   // held publishes sent after hold_max_ms
  std::atomic<uint64_t> hold_overflows{0};  // held publishes sent past the count/byte bounds
  std::atomic<uint64_t> hold_closed{0};     // held publishes sent when the room closed
};

class BusAdapter final : public sio::Adapter, public std::enable_shared_from_this<BusAdapter> {
 public:
  // Creates the adapter, takes over store.on_message and installs it with io.set_adapter().
  // Call before the server accepts connections. The store and io must outlive the adapter's
  // use (in the server, both live for the whole process).
  static std::shared_ptr<BusAdapter> install(Store& store, sio::Server& io,
                                             BusAdapterOptions options = {});

  BusAdapter(Store& store, sio::Server& io, BusAdapterOptions options);
  ~BusAdapter() override;
  BusAdapter(const BusAdapter&) = delete;
  BusAdapter& operator=(const BusAdapter&) = delete;

  // Subscribes to broadcasts addressed to the whole namespace `nsp`. Any thread.
  void add_namespace(const std::string& nsp);

  // sio::Adapter (any thread).
  void publish(const sio::BroadcastTarget& to,
               std::shared_ptr<const std::vector<std::string>> frames, bool has_binary) override;
  void room_opened(const std::string& nsp, const std::string& room) override;
  void room_closed(const std::string& nsp, const std::string& room) override;

  // Handles one bus message (the store's on_message; public for tests). Any thread.
  void on_bus_message(std::string_view channel, std::string_view payload);
  // Handles the store's confirmation that `channel` is subscribed (its on_subscribed): sends
  // the publishes held for it, in order, and stops holding. Any thread.
  void on_subscribed(std::string_view channel);
  // Publishes the messages held longer than hold_max_ms (the timer's work; public for tests).
  void release_expired();
  // Number of publishes currently held on `channel` (tests).
  std::size_t held(const std::string& channel) const;

  uint64_t instance_id() const { return options_.instance_id; }
  const BusStats& stats() const { return stats_; }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Channel {
    int refs = 0;                  // room_opened minus room_closed
    bool open = false;             // subscription confirmed (or holding given up): publish at once
    std::deque<std::string> held;  // payloads waiting for the confirmation, in publish order
    std::size_t held_bytes = 0;
    TimePoint held_since{};  // when the oldest held payload was held
  };

  void add_ref(const std::string& channel);
  void drop_ref(const std::string& channel);
  // Publishes `payload` on `channel`, or holds it while the channel is unconfirmed. mu_ held.
  void publish_locked(const std::string& channel, std::string payload, TimePoint now);
  // Publishes every held payload of `c`, in order, adding their number to `counter`; the
  // channel then publishes at once. mu_ held.
  void release_locked(const std::string& channel, Channel& c, std::atomic<uint64_t>& counter);
  // Releases expired channels; returns the earliest deadline still pending. mu_ held.
  std::optional<TimePoint> release_expired_locked(TimePoint now);
  TimePoint now() const;
  void timer_main();

  Store& store_;
  sio::Server& io_;
  BusAdapterOptions options_;
  BusStats stats_;
  bool confirms_ = false;  // the store reports confirmations (else channels open at once)
  // Serialises (un)subscribe calls so the store sees them in the order the rooms changed, and
  // publishes against the confirmation. Recursive: a store may confirm inline from subscribe().
  mutable std::recursive_mutex mu_;
  std::unordered_map<std::string, Channel> channels_;
  std::condition_variable_any timer_cv_;
  bool stopping_ = false;
  std::thread timer_;  // started on the first hold when options_.hold_timer
};

}  // namespace engage::store
