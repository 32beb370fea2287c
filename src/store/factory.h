// make_store: builds the Store the configuration asks for (embedded memory store by default).
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace engage {
class Clock;
namespace net {
class Loops;
}
}  // namespace engage

namespace engage::store {

// What selects and configures the store. Empty Redis fields = the embedded memory store.
// Lists are the raw option text (comma-separated "host:port" items), parsed by the Redis store.
struct StoreConfig {
  std::string redis_url;              // --redis / REDIS_URL ("redis://[:pass@]host:port[/db]")
  std::string redis_cluster;          // --redis-cluster / REDIS_CLUSTER (seed nodes)
  std::string redis_sentinels;        // REDIS_SENTINELS
  std::string redis_sentinel_master;  // REDIS_SENTINEL_MASTER
  std::string redis_password;         // REDIS_PASSWORD (when not in the URL)
  int connect_timeout_ms = 2000;      // one connection attempt
  int command_timeout_ms = 2000;      // a call's callback gets Errc::Timeout after this
  const Clock* clock = nullptr;       // nullptr = Clock::get()

  bool wants_redis() const {
    return !redis_url.empty() || !redis_cluster.empty() || !redis_sentinels.empty();
  }
};

// Returns the store described by cfg, or nullptr with `error` set (bad configuration: the
// caller fails fast at start-up). Does not block on the network.
std::unique_ptr<Store> make_store(const StoreConfig& cfg, net::Loops& loops, std::string& error);

}  // namespace engage::store
