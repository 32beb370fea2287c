// make_store and the shared name tables of store.h.
#include "store/factory.h"

#include "net/loops.h"
#include "store/memory_store.h"
#include "store/redis_cluster_store.h"
#include "store/redis_sentinel.h"
#include "store/redis_store.h"

namespace engage::store {

std::string_view errc_name(Errc e) {
  switch (e) {
    case Errc::Ok:
      return "ok";
    case Errc::NotFound:
      return "not_found";
    case Errc::Conflict:
      return "conflict";
    case Errc::Unavailable:
      return "unavailable";
    case Errc::Timeout:
      return "timeout";
  }
  return "unknown";
}

std::string_view state_name(State s) {
  switch (s) {
    case State::Up:
      return "up";
    case State::Connecting:
      return "connecting";
    case State::Down:
      return "down";
  }
  return "unknown";
}

std::unique_ptr<Store> make_store(const StoreConfig& cfg, net::Loops& loops, std::string& error) {
  // --redis / REDIS_URL, else REDIS_HOST / REDIS_PORT (the original's variables, which it
  // ignored); REDIS_PASSWORD fills a password the URL does not carry.
  GetEnv env = [base = process_env(), pw = cfg.redis_password](const char* name) {
    if (std::string_view(name) == "REDIS_PASSWORD" && !pw.empty())
      return std::optional<std::string>(pw);
    return base(name);
  };
  // Redis Cluster (--redis-cluster / REDIS_CLUSTER) or Sentinel (REDIS_SENTINELS +
  // REDIS_SENTINEL_MASTER): issue 6.
  std::string sentinels = cfg.redis_sentinels;
  if (sentinels.empty()) sentinels = env("REDIS_SENTINELS").value_or("");
  std::string master = cfg.redis_sentinel_master;
  if (master.empty()) master = env("REDIS_SENTINEL_MASTER").value_or("");
  if (!cfg.redis_cluster.empty() || !sentinels.empty()) {
    if (!cfg.redis_cluster.empty() && !sentinels.empty()) {
      error = "choose one of --redis-cluster / REDIS_CLUSTER and REDIS_SENTINELS";
      return nullptr;
    }
    RedisConfig base;
    if (auto pw = env("REDIS_PASSWORD")) base.password = *pw;
    base.connect_timeout_ms = cfg.connect_timeout_ms;
    base.command_timeout_ms = cfg.command_timeout_ms;
    const bool is_cluster = !cfg.redis_cluster.empty();
    auto nodes = cluster::parse_node_list(is_cluster ? cfg.redis_cluster : sentinels);
    if (!nodes) {
      error = std::string(is_cluster ? "--redis-cluster / REDIS_CLUSTER" : "REDIS_SENTINELS") +
              ": " + nodes.error();
      return nullptr;
    }
    if (is_cluster) {
      RedisClusterOptions o;
      o.seeds = std::move(*nodes);
      o.base = std::move(base);
      return std::make_unique<RedisClusterStore>(std::move(o), loops);
    }
    if (master.empty()) {
      error =
          "REDIS_SENTINEL_MASTER (the monitored master's name) is required with REDIS_SENTINELS";
      return nullptr;
    }
    SentinelOptions so;
    so.sentinels = std::move(*nodes);
    so.master_name = master;
    auto watcher = std::make_shared<SentinelWatcher>(loops.context(0), std::move(so), nullptr);
    std::weak_ptr<SentinelWatcher> weak = watcher;
    base.locate = [weak]() -> std::optional<std::pair<std::string, uint16_t>> {
      auto w = weak.lock();
      auto m = w ? w->master() : std::nullopt;
      if (!m) return std::nullopt;
      return std::make_pair(m->host, m->port);
    };
    auto store = std::make_unique<RedisStore>(std::move(base), loops);
    RedisStore* raw = store.get();
    watcher->on_change(
        [raw](const cluster::Node&) { raw->drop_connections("Sentinel: master moved"); });
    store->keep_alive(watcher);
    loops.post(0, [watcher] { watcher->start(); });
    return store;
  }
  auto redis = resolve_redis_config(cfg.redis_url, env);
  if (!redis) {
    error = redis.error();
    return nullptr;
  }
  if (redis->has_value()) {
    RedisConfig rc = std::move(**redis);
    rc.connect_timeout_ms = cfg.connect_timeout_ms;
    rc.command_timeout_ms = cfg.command_timeout_ms;
    return std::make_unique<RedisStore>(std::move(rc), loops);
  }
  MemoryStoreOptions o;
  o.clock = cfg.clock;
  return std::make_unique<MemoryStore>(o);
}

}  // namespace engage::store
