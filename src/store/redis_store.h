// RedisStore: the Store on Redis — one pipelined RESP connection per event loop plus one pub/sub
// connection, versioned documents updated by compare-and-set Lua scripts, code claims with
// SET NX, and survival of Redis outages (offline queue, deadlines, circuit breaker, reconnect
// forever). Keys and JSON fields are the original server's (CONTRACT.md §4).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/redis_config.h"
#include "store/redis_stats.h"
#include "store/store.h"

namespace engage::net {
class Loops;
}

namespace engage::store {

class RedisConn;

// Threading: a call made on a loop thread of `loops` uses that loop's connection and its
// callback runs later on that same loop. A call from any other thread is forwarded to loop 0 and
// its callback runs there. on_message handlers run on the pub/sub connection's loop (loop 0).
//
// Lifetime: the connections start connecting at construction (work is posted; nothing blocks).
// Destroying the store closes every connection; callbacks of calls still outstanding at that
// moment may be dropped (never called), so destroy it when nothing waits on it — normally after
// the loops have stopped. Destroying it while the loops run is safe (connections close on their
// own loops).
class RedisStore final : public Store {
 public:
  RedisStore(RedisConfig cfg, net::Loops& loops);
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

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
  // Reports a channel when Redis's answer to the latest SUBSCRIBE for it arrives on the pub/sub
  // connection (and again after the re-subscription that follows a reconnect). Returns true.
  bool on_subscribed(SubscribedFn fn) override;
  // Up when every connection is ready with a closed breaker; Down when any breaker is open
  // (calls fail fast); Connecting otherwise (starting, or reconnecting within the grace).
  State state() const override;
  std::string_view kind() const override { return "redis"; }

  // Counters and latency histogram (any thread).
  const RedisStats& stats() const { return *stats_; }
  std::shared_ptr<const RedisStats> stats_ptr() const { return stats_; }
  const RedisConfig& config() const { return cfg_; }
  // Drops every connection (each reconnects, asking cfg.locate again): the Sentinel master
  // moved. Any thread.
  void drop_connections(const std::string& why);
  // Keeps `p` alive as long as the store (the SentinelWatcher behind cfg.locate).
  void keep_alive(std::shared_ptr<void> p) { keep_alive_ = std::move(p); }
  // Returns the Redis key for a store key: the single place where keys are mapped (identity:
  // the original's names; RedisClusterStore maps with cluster::map_key, which adds {hash tags}).
  static std::string map_key(std::string key) { return key; }

 private:
  struct Shared;
  // Runs fn(conn) on the calling loop's connection, or on loop 0's when not on a loop thread.
  template <class F>
  void with_conn(F&& fn);

  RedisConfig cfg_;
  net::Loops& loops_;
  std::shared_ptr<RedisStats> stats_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::shared_ptr<RedisConn>> conns_;  // one per loop, index = loop
  std::shared_ptr<RedisConn> sub_;                 // pub/sub, on loop kSubLoop
  std::shared_ptr<void> keep_alive_;
};

}  // namespace engage::store
