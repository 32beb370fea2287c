// RateLimiter over Store::incr_window with a local estimate, and the per-connection TokenBucket.
#include "engage/rate_limit.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "core/clock.h"
#include "store/store.h"

namespace engage::engage {

namespace {
constexpr std::size_t kShards = 16;
}

struct RateLimiter::Shared {
  // One (rule, subject) window as this instance knows it.
  struct Entry {
    int64_t reset_at_ms = 0;  // end of the window (the store's, once it answered)
    int64_t local = 0;        // hits counted here in this window
    int64_t global = 0;       // the newest count the store returned in this window
    uint64_t sent = 0;        // increments sent to the store in this window
    uint64_t acked = 0;       // sequence number of the increment whose reply gave `global`
    uint64_t epoch = 0;       // window generation: replies from an older window are ignored
    int64_t estimate() const {
      return std::max(local, global + static_cast<int64_t>(sent - acked));
    }
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry> map;
    std::size_t ops = 0;
  };

  const Clock* clock;
  std::size_t sweep_every;
  std::array<Shard, kShards> shards;
  std::atomic<uint64_t> next_epoch{1};  // window generations, unique across shards

  int64_t now() const { return (clock ? *clock : Clock::get()).now_ms(); }
  Shard& shard(const std::string& key) { return shards[std::hash<std::string>{}(key) % kShards]; }

  void sweep(Shard& s, int64_t t) {
    for (auto it = s.map.begin(); it != s.map.end();) {
      if (it->second.reset_at_ms <= t)
        it = s.map.erase(it);
      else
        ++it;
    }
  }
};

RateLimiter::RateLimiter(store::Store& store, const Clock* clock, std::size_t sweep_every)
    : shared_(std::make_shared<Shared>()), store_(store) {
  shared_->clock = clock;
  shared_->sweep_every = std::max<std::size_t>(1, sweep_every);
}

RateLimiter::~RateLimiter() = default;

std::string RateLimiter::key(std::string_view rule, std::string_view subject) {
  std::string k;
  k.reserve(10 + rule.size() + 1 + subject.size());
  k += "ratelimit:";
  k += rule;
  k += ':';
  k += subject;
  return k;
}

RateDecision RateLimiter::hit(const RateRule& rule, std::string_view subject) {
  RateDecision d;
  if (rule.limit <= 0) return d;
  std::string k = key(rule.name, subject);
  Shared& sh = *shared_;
  Shared::Shard& s = sh.shard(k);
  uint64_t seq = 0;
  uint64_t epoch = 0;
  {
    std::lock_guard lock(s.mu);
    const int64_t t = sh.now();
    if (++s.ops % sh.sweep_every == 0) sh.sweep(s, t);
    auto [it, fresh] = s.map.try_emplace(k);
    Shared::Entry& e = it->second;
    if (fresh || e.reset_at_ms <= t) {
      e = Shared::Entry{};
      e.reset_at_ms = t + std::max<int64_t>(1, rule.window_ms);
      e.epoch = sh.next_epoch.fetch_add(1, std::memory_order_relaxed);
    }
    if (e.estimate() >= rule.limit) {
      d.allowed = false;
      d.count = e.estimate();
      d.retry_after_ms = std::max<int64_t>(1, e.reset_at_ms - t);
      return d;
    }
    ++e.local;
    seq = ++e.sent;
    epoch = e.epoch;
    d.count = e.estimate();
  }
  // Not under the lock: a memory store calls back inline. `inl` tells an inline reply (state 1,
  // its values readable here) from a later one (hit() returned first: state 2).
  struct Inline {
    std::atomic<int> state{0};
    store::Errc errc = store::Errc::Unavailable;
    int64_t count = 0, ttl = 0;
  };
  auto inl = std::make_shared<Inline>();
  std::weak_ptr<Shared> weak = shared_;
  store_.incr_window(k, std::max<int64_t>(1, rule.window_ms),
                     [weak, k, seq, epoch, inl](store::Errc errc, int64_t count, int64_t ttl_ms) {
                       if (inl->state.load(std::memory_order_acquire) == 0) {
                         inl->errc = errc;
                         inl->count = count;
                         inl->ttl = ttl_ms;
                         int expected = 0;
                         inl->state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel);
                       }
                       auto shared = weak.lock();
                       if (!shared || errc != store::Errc::Ok || count <= 0) return;
                       Shared::Shard& shard = shared->shard(k);
                       std::lock_guard lock(shard.mu);
                       auto it = shard.map.find(k);
                       if (it == shard.map.end() || it->second.epoch != epoch) return;
                       Shared::Entry& e = it->second;
                       if (ttl_ms > 0) e.reset_at_ms = shared->now() + ttl_ms;
                       if (seq > e.acked) {
                         e.acked = seq;
                         e.global = count;
                       }
                     });
  int expected = 0;
  const bool replied_inline =
      !inl->state.compare_exchange_strong(expected, 2, std::memory_order_acq_rel);
  if (replied_inline && inl->errc == store::Errc::Ok && inl->count > 0) {
    // The store's count is the shared truth.
    d.count = inl->count;
    if (inl->count > rule.limit) {
      d.allowed = false;
      d.retry_after_ms = std::max<int64_t>(1, inl->ttl);
    }
  }
  return d;
}

std::size_t RateLimiter::tracked() const {
  std::size_t n = 0;
  for (auto& s : shared_->shards) {
    std::lock_guard lock(s.mu);
    n += s.map.size();
  }
  return n;
}

int64_t TokenBucket::take(int64_t now_ms) {
  if (rate_ <= 0) return 0;
  if (last_ms_ < 0) last_ms_ = now_ms;
  if (now_ms > last_ms_) {
    tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_ / 1000.0);
    last_ms_ = now_ms;
  }
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return 0;
  }
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - tokens_) * 1000.0 / rate_)));
}

}  // namespace engage::engage
