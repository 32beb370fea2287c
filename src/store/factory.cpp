// make_store and the shared name tables of store.h.
#include "store/factory.h"

#include "store/memory_store.h"
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
  if (!cfg.redis_cluster.empty() || !cfg.redis_sentinels.empty()) {
    error = "Redis Cluster / Sentinel are not supported by this build yet; use --redis URL";
    return nullptr;
  }
  // --redis / REDIS_URL, else REDIS_HOST / REDIS_PORT (the original's variables, which it
  // ignored); REDIS_PASSWORD fills a password the URL does not carry.
  GetEnv env = [base = process_env(), pw = cfg.redis_password](const char* name) {
    if (std::string_view(name) == "REDIS_PASSWORD" && !pw.empty())
      return std::optional<std::string>(pw);
    return base(name);
  };
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
