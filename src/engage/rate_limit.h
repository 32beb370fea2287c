// Rate limits: fixed-window counters kept in the Store (so every instance sharing a Redis shares
// them) with a synchronous local decision, and a token bucket for per-connection event rates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace engage {
class Clock;
}
namespace engage::store {
class Store;
}

namespace engage::engage {

// One limit: at most `limit` actions per `window_ms` for one subject (a user id, an IP).
struct RateRule {
  std::string name;   // key part and metric label: "rooms", "moves", "connections"
  int64_t limit = 0;  // 0 = unlimited
  int64_t window_ms = 60000;
};

struct RateDecision {
  bool allowed = true;
  int64_t retry_after_ms = 0;  // when refused: time until the window ends (>= 1)
  int64_t count = 0;           // actions counted in the current window, as known here
};

// Counts actions per (rule, subject) in fixed windows held by the Store (incr_window), so that
// all instances sharing a store share the budget. hit() decides at once, without waiting:
// - a store that answers inline (the embedded memory store) gives the exact shared count;
// - a remote store (Redis) answers later: this instance decides on its estimate — the last
//   count the store returned plus the increments sent since — and each reply refines it, so
//   instances may together exceed a limit only by the actions in flight between them;
// - a store that cannot answer leaves the local count in charge (fail open on the store, never
//   on this instance's own count).
// Once a subject is over its limit, further hits are refused here without touching the store.
// Thread-safe (sharded locks, never held across a store call). Local state is dropped when its
// window ends (swept every `sweep_every` hits of a shard).
class RateLimiter {
 public:
  explicit RateLimiter(store::Store& store, const Clock* clock = nullptr,
                       std::size_t sweep_every = 1024);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Counts one action of `subject` under `rule` and decides whether it may proceed.
  RateDecision hit(const RateRule& rule, std::string_view subject);
  // Returns the number of (rule, subject) windows held locally (tests, stats).
  std::size_t tracked() const;

  // Returns the store key of a (rule, subject) counter: "ratelimit:<rule>:<subject>".
  static std::string key(std::string_view rule, std::string_view subject);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  store::Store& store_;
};

// A token bucket: `rate_per_s` tokens per second up to `burst`; one token per event. Owned by
// one connection (one loop): not thread-safe, no allocation.
class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(double rate_per_s, double burst) : rate_(rate_per_s), burst_(burst), tokens_(burst) {}
  // Takes one token at `now_ms`. Returns 0 when allowed, else the milliseconds until a token is
  // available (>= 1). A rate of 0 means unlimited.
  int64_t take(int64_t now_ms);

 private:
  double rate_ = 0;
  double burst_ = 0;
  double tokens_ = 0;
  int64_t last_ms_ = -1;
};

}  // namespace engage::engage
