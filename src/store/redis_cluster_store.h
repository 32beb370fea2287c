// RedisClusterStore: the Store on a Redis Cluster. Keys are mapped with hash tags
// (cluster::map_key: a room's document in its own slot, next to its bus channel); every command
// goes to the master that owns its key's slot according to the slot map read with CLUSTER SLOTS
// (refreshed on MOVED, on connection trouble and every refresh interval); MOVED and ASK
// redirections are followed; bus channels use sharded pub/sub (SSUBSCRIBE / SPUBLISH, Redis 7)
// on the node owning the channel's slot, re-subscribed when the slot moves.
//
// Threading is RedisStore's: a call made on a loop thread uses that loop's connection to the
// target node and its callback runs on that loop; calls from other threads go through loop 0;
// on_message handlers run on loop 0 (the subscriber connections' loop).
//
// Multi-key calls (cas/remove with also_touch/also_delete, touch, del) run atomically on the
// slot of their first key; keys in other slots (a room's code mapping) are refreshed or deleted
// by a best-effort follow-up right after.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/redis_cluster.h"
#include "store/redis_config.h"
#include "store/redis_stats.h"
#include "store/store.h"

namespace engage::net {
class Loops;
}

namespace engage::store {

struct RedisClusterOptions {
  std::vector<cluster::Node> seeds;  // REDIS_CLUSTER / --redis-cluster
  RedisConfig base;                  // password, timeouts, limits for every node connection
  int refresh_ms = 2000;             // periodic CLUSTER SLOTS refresh
  int max_redirects = 5;             // MOVED/ASK hops per call before giving up (Unavailable)
};

class RedisClusterStore final : public Store {
 public:
  RedisClusterStore(RedisClusterOptions options, net::Loops& loops);
  ~RedisClusterStore() override;
  RedisClusterStore(const RedisClusterStore&) = delete;
  RedisClusterStore& operator=(const RedisClusterStore&) = delete;

  void get(std::string key, DocFn cb) override;
  void create(std::string key, Doc doc, int ttl_s, DoneFn cb) override;
  void cas(std::string key, uint64_t expected, Doc doc, int ttl_s,
           std::vector<std::string> also_touch, DoneFn cb) override;
  void remove(std::string key, uint64_t expected, std::vector<std::string> also_delete,
              DoneFn cb) override;
  void claim(std::string key, std::string value, int ttl_s, DoneFn cb) override;
  void get_string(std::string key, StringFn cb) override;
  void touch(std::vector<std::string> keys, int ttl_s, DoneFn cb) override;
  void del(std::vector<std::string> keys, DoneFn cb) override;
  void incr_window(std::string key, int64_t window_ms, CountFn cb) override;
  void publish(std::string channel, std::string payload) override;
  void subscribe(const std::string& channel) override;
  void unsubscribe(const std::string& channel) override;
  void on_message(MessageFn fn) override;
  // Reports a channel when the node it is placed on answers the latest SSUBSCRIBE for it (and
  // again after a re-subscription: reconnect, slot moved). Returns true.
  bool on_subscribed(SubscribedFn fn) override;
  // Up when the slot map covers every slot and no node connection is down; Connecting before
  // the first slot map; Down when a node connection's breaker is open.
  State state() const override;
  std::string_view kind() const override { return "redis"; }

  const RedisStats& stats() const { return *stats_; }
  // Returns the shared stats (kept alive by the metrics exporter beyond the store's calls).
  std::shared_ptr<const RedisStats> stats_ptr() const { return stats_; }
  // Number of slot-map refreshes applied (tests, metrics).
  uint64_t refreshes() const;
  // Number of MOVED / ASK redirections followed.
  uint64_t redirects() const;

 private:
  struct Core;
  std::shared_ptr<RedisStats> stats_;
  std::shared_ptr<Core> core_;
};

}  // namespace engage::store
