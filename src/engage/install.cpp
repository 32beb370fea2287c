// install_engage: builds the store and the ENGAGE service for the server's main, and runs the
// periodic expiry sweep on loop 0.
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "app/application.h"
#include "app/options.h"
#include "core/metrics.h"
#include "engage/metered_server.h"
#include "engage/metered_store.h"
#include "engage/protection.h"
#include "engage/service.h"
#include "net/loops.h"
#include "store/bus_adapter.h"
#include "store/factory.h"
#include "store/redis_cluster_store.h"
#include "store/redis_store.h"

namespace engage::app {

namespace {

// Everything the application owns for the life of the process (never destroyed: event loop
// threads may still run while static destructors would).
struct Installed {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<engage::MeteredStore> metered_store;  // issue 8: store latency, up/down
  std::unique_ptr<engage::MeteredServer> metered_io;    // issue 8: event counts, event rate
  engage::Protection protection;                        // issue 8: rate limits, JWT identity
  std::unique_ptr<engage::Service> service;
  std::unique_ptr<boost::asio::steady_timer> timer;
  // Set when the store talks to Redis (single node, Sentinel or Cluster).
  std::shared_ptr<const store::RedisStats> redis_stats;
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

void arm_sweep(Installed* app, int64_t every_ms) {
  app->timer->expires_after(std::chrono::milliseconds(every_ms));
  app->timer->async_wait([app, every_ms](const boost::system::error_code& ec) {
    if (ec) return;
    app->service->sweep();
    arm_sweep(app, every_ms);
  });
}

}  // namespace

void install_engage(Context& ctx) {
  store::StoreConfig cfg;
  cfg.redis_url = ctx.options.redis_url;
  cfg.redis_cluster = ctx.options.redis_cluster;
  std::string error;
  auto store = store::make_store(cfg, ctx.loops, error);
  if (!store) {
    if (ctx.log_error) ctx.log_error("engage: cannot start the store: " + error);
    std::exit(2);  // configuration error: fail fast at start-up
  }
  static Installed* app = new Installed();
  app->store = std::move(store);
  if (auto* redis = dynamic_cast<store::RedisStore*>(app->store.get()))
    app->redis_stats = redis->stats_ptr();
  else if (auto* cluster = dynamic_cast<store::RedisClusterStore*>(app->store.get()))
    app->redis_stats = cluster->stats_ptr();
  if (app->redis_stats) export_redis_families(app->redis_stats);
  // Issue 6: with a shared (Redis) store, room broadcasts cross instances over its pub/sub bus.
  // Installed before the server accepts, so no room membership predates it (CONTRACT §8.21).
  if (app->store->kind() != "memory") store::BusAdapter::install(*app->store, ctx.io);
  engage::Limits limits;
  // Issue 8: the application runs on metered decorators of the store and the Socket.IO server,
  // with the rate-limit hooks and the (JWT) identity of the options.
  const engage::OpsOptions& ops = ctx.options.ops;
  app->metered_store = std::make_unique<engage::MeteredStore>(*app->store);
  app->metered_io = std::make_unique<engage::MeteredServer>(
      ctx.io, engage::MeterOptions{ops.events_per_second, ops.events_burst, nullptr});
  app->protection = engage::make_protection(ops, *app->metered_store);
  app->service = std::make_unique<engage::Service>(*app->metered_io, *app->metered_store, limits,
                                                   app->protection.identity, app->protection.hooks);
  // CAS retries (conflicts with other instances) back off on a timer of the calling loop.
  net::Loops* loops = &ctx.loops;
  app->service->env().rooms.set_defer([loops](int64_t delay_ms, std::function<void()> fn) {
    const int cur = net::Loops::current();
    auto& io = loops->context(cur >= 0 ? static_cast<std::size_t>(cur) : 0);
    auto t = std::make_shared<boost::asio::steady_timer>(io, std::chrono::milliseconds(delay_ms));
    t->async_wait([t, fn = std::move(fn)](const boost::system::error_code&) { fn(); });
  });
  engage::RestInfo info;
  if (ctx.options.engage_port_env)
    info.port = json::Value(*ctx.options.engage_port_env);
  else
    info.port = json::Value(static_cast<int64_t>(ctx.options.port));
  app->service->install(&ctx.router, std::move(info));
  store::Store* st = app->store.get();
  ctx.store_ready = [st] { return st->state() == store::State::Up; };
  ctx.store = app->metered_store.get();
  ctx.refresh_metrics = [] {
    // Rooms with members here by kind (store prefix); "live" = at least two members here.
    std::size_t total = 0;
    std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> kinds = {
        {"chess", {0, 0}}, {"watchalong", {0, 0}}, {"singalong", {0, 0}}};
    for (const auto& e : app->service->env().local.snapshot()) {
      if (e.sockets <= 0) continue;
      ++total;
      for (auto& [kind, n] : kinds)
        if (kind == e.prefix) {
          ++n.first;
          if (e.sockets >= 2) ++n.second;
        }
    }
    for (const auto& [kind, n] : kinds) {
      metrics::ops().rooms.with({kind}).set(n.first);
      metrics::ops().live_games.with({kind}).set(n.second);
    }
    app->metered_store->state();  // refreshes engage_store_up
    if (app->redis_stats) refresh_redis_families(*app->redis_stats);
    return total;
  };
  app->timer = std::make_unique<boost::asio::steady_timer>(ctx.loops.context(0));
  arm_sweep(app, limits.sweep_interval_ms);
  if (ctx.log)
    ctx.log(std::string("engage: /play-along /watch-along /sing-along and REST ready (store: ") +
            std::string(app->store->kind()) + ")");
}

}  // namespace engage::app
