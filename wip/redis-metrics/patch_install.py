p='/work/main/src/engage/install.cpp'
s=open(p).read()
s=s.replace('#include "store/factory.h"\n','#include "store/factory.h"\n#include "store/redis_store.h"\n',1)
s=s.replace('''  std::unique_ptr<boost::asio::steady_timer> timer;
};
''','''  std::unique_ptr<boost::asio::steady_timer> timer;
  std::shared_ptr<const store::RedisStats> redis_stats;  // set when the store is a RedisStore
};

// Registers the Redis store's own counters as scrape-time families (engage_store_failures_total,
// engage_store_connect_failures_total).
void export_redis_families(const std::shared_ptr<const store::RedisStats>& stats) {
  auto& r = metrics::Registry::global();
  r.collect("engage_store_failures_total",
            "Store (Redis) calls failed as unavailable or timed out.", metrics::Type::Counter, {},
            [stats](std::vector<metrics::Sample>& out) {
              out.push_back({{}, static_cast<double>(stats->failures.load())});
            });
  r.collect("engage_store_connect_failures_total", "Store (Redis) connection attempts that failed.",
            metrics::Type::Counter, {}, [stats](std::vector<metrics::Sample>& out) {
              out.push_back({{}, static_cast<double>(stats->connect_failures.load())});
            });
}

// Copies the Redis reconnects (as a delta, once per new value even under concurrent scrapes)
// and the offline-queue depth into their ops() families.
void refresh_redis_families(const store::RedisStats& stats) {
  static std::atomic<uint64_t> seen{0};
  const uint64_t now = stats.reconnects.load(std::memory_order_relaxed);
  uint64_t prev = seen.load(std::memory_order_relaxed);
  while (now > prev && !seen.compare_exchange_weak(prev, now, std::memory_order_relaxed)) {
  }
  if (now > prev) metrics::ops().store_reconnects.inc(now - prev);
  metrics::ops().store_queue_depth.set(stats.offline_queue_depth.load(std::memory_order_relaxed));
}
''',1)
s=s.replace('''  app->store = std::move(store);
''','''  app->store = std::move(store);
  if (auto* redis = dynamic_cast<store::RedisStore*>(app->store.get())) {
    app->redis_stats = redis->stats_ptr();
    export_redis_families(app->redis_stats);
  }
''',1)
s=s.replace('''    app->metered_store->state();  // refreshes engage_store_up
''','''    app->metered_store->state();  // refreshes engage_store_up
    if (app->redis_stats) refresh_redis_families(*app->redis_stats);
''',1)
if '#include <atomic>' not in s:
    s=s.replace('#include <chrono>\n','#include <atomic>\n#include <chrono>\n',1)
open(p,'w').write(s)
