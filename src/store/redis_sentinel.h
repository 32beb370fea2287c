// SentinelWatcher: finds the current Redis master through Redis Sentinel and follows failovers.
// It asks one sentinel at a time `SENTINEL get-master-addr-by-name <master>` every poll
// interval (moving to the next sentinel when one fails or does not know the master); the
// store's connections read master() before each connection attempt, and on_change fires when
// the master moves so they drop their connection to the old one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/redis_cluster.h"
#include "store/redis_config.h"
#include "store/redis_stats.h"

namespace boost::asio {
class io_context;
}

namespace engage::store {

class RedisConn;
struct RedisReply;

struct SentinelOptions {
  std::vector<cluster::Node> sentinels;  // REDIS_SENTINELS
  std::string master_name;               // REDIS_SENTINEL_MASTER
  int poll_ms = 500;                     // between two questions to the sentinel
  int timeout_ms = 1000;                 // one question (and one connection attempt)
};

// Parses the answer to SENTINEL get-master-addr-by-name: [ip, port] → the node; nil (master
// unknown) or anything malformed → nullopt.
std::optional<cluster::Node> parse_master_addr(const RedisReply& reply);

class SentinelWatcher : public std::enable_shared_from_this<SentinelWatcher> {
 public:
  SentinelWatcher(boost::asio::io_context& ctx, SentinelOptions options,
                  std::shared_ptr<RedisStats> stats);
  ~SentinelWatcher();

  // Starts polling (call on ctx's thread, or post it there). Runs until stop().
  void start();
  void stop();
  // Returns the last master the sentinels named, or nullopt before the first answer. Any thread.
  std::optional<cluster::Node> master() const;
  // Sets the callback run (on ctx's thread) each time the master changes after the first.
  void on_change(std::function<void(const cluster::Node&)> fn) { on_change_ = std::move(fn); }
  // Number of master changes seen (failovers followed). Any thread.
  uint64_t changes() const;

 private:
  void connect_current();
  void ask();
  void schedule(int ms);
  void next_sentinel();

  boost::asio::io_context& ctx_;
  SentinelOptions options_;
  std::shared_ptr<RedisStats> stats_;
  std::shared_ptr<RedisConn> conn_;
  std::size_t current_ = 0;  // index into options_.sentinels
  struct Timer;
  std::unique_ptr<Timer> timer_;
  bool stopped_ = false;
  std::function<void(const cluster::Node&)> on_change_;
  mutable std::mutex mu_;
  std::optional<cluster::Node> master_;
  uint64_t changes_ = 0;
};

}  // namespace engage::store
