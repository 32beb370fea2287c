// RedisStats: counters and a latency histogram of the Redis store, shared by its connections
// (updated with relaxed atomics from every loop; read by /health and the metrics exporter).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace engage::store {

struct RedisStats {
  // Upper bounds (µs) of the latency buckets; the last bucket counts everything slower.
  static constexpr std::array<uint64_t, 14> kLatencyBoundsUs = {
      50,     100,    250,    500,     1'000,   2'500,   5'000,
      10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000};

  std::atomic<uint64_t> connects{0};            // handshakes completed (first connections too)
  std::atomic<uint64_t> reconnects{0};          // handshakes completed after a lost connection
  std::atomic<uint64_t> connect_failures{0};    // connection attempts that failed
  std::atomic<uint64_t> disconnects{0};         // established connections lost
  std::atomic<uint64_t> replies{0};             // calls answered by Redis (error replies too)
  std::atomic<uint64_t> error_replies{0};       // answers that were Redis errors
  std::atomic<uint64_t> failures{0};            // calls failed with Unavailable or Timeout
  std::atomic<uint64_t> timeouts{0};            //   of which Timeout
  std::atomic<uint64_t> rejected{0};            //   of which failed fast (breaker open, queue full)
  std::atomic<uint64_t> breaker_opens{0};       // circuit breaker transitions to open
  std::atomic<uint64_t> noscript_fallbacks{0};  // EVALSHA answered NOSCRIPT, sent as EVAL
  std::atomic<int64_t> offline_queue_depth{0};  // commands waiting for a connection, all loops
  std::atomic<uint64_t> published{0};
  std::atomic<uint64_t> messages_received{0};         // bus messages from other instances
  std::atomic<int64_t> subscriptions_unconfirmed{0};  // (UN)SUBSCRIBEs Redis has not acked yet
  std::array<std::atomic<uint64_t>, kLatencyBoundsUs.size() + 1> latency_buckets{};
  std::atomic<uint64_t> latency_sum_us{0};

  // Records one answered call's latency (call issued → reply parsed).
  void record_latency(std::chrono::nanoseconds d) {
    auto us =
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
    std::size_t i = 0;
    while (i < kLatencyBoundsUs.size() && us > kLatencyBoundsUs[i]) ++i;
    latency_buckets[i].fetch_add(1, std::memory_order_relaxed);
    latency_sum_us.fetch_add(us, std::memory_order_relaxed);
  }
};

}  // namespace engage::store
