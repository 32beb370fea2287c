// RedisConn: one RESP connection on one event loop — hiredis's reader and command formatter over
// an Asio TCP socket, pipelined, with per-call deadlines, a bounded offline queue, reconnection
// forever (capped exponential backoff, full jitter) and a circuit breaker. Internal to the store.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/redis_config.h"
#include "store/redis_stats.h"
#include "store/store.h"

struct redisReader;

namespace engage::store {

// One decoded RESP2 reply (our own copy of hiredis's redisReply).
struct RedisReply {
  enum class Type : uint8_t { Nil, Status, Error, Integer, String, Array };
  Type type = Type::Nil;
  int64_t integer = 0;
  std::string str;  // Status, Error, String
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::Error; }
  // True when this is an error reply whose text starts with `prefix` (e.g. "NOSCRIPT").
  bool error_starts_with(std::string_view prefix) const {
    return type == Type::Error && std::string_view(str).starts_with(prefix);
  }
};

// Appends the RESP encoding of `argv` to `out` (hiredis's redisFormatCommandArgv). False on
// allocation failure.
bool format_command(std::span<const std::string_view> argv, std::string& out);

class RedisConn : public std::enable_shared_from_this<RedisConn> {
 public:
  enum class Role : uint8_t {
    Data,        // request/reply, pipelined
    Subscriber,  // after the handshake every reply is a push (SUBSCRIBE acks, messages)
  };
  // Called exactly once per command on this connection's loop: Ok with the reply (which may be a
  // Redis error reply), or Unavailable / Timeout with an empty reply.
  using ReplyFn = std::function<void(Errc, RedisReply&&)>;
  using PushFn = std::function<void(RedisReply&&)>;

  // `name` labels log lines ("loop 2", "pubsub"). Does not connect until start().
  RedisConn(boost::asio::io_context& ctx, RedisConfig cfg, std::shared_ptr<RedisStats> stats,
            Role role, std::string name);
  ~RedisConn();
  RedisConn(const RedisConn&) = delete;
  RedisConn& operator=(const RedisConn&) = delete;

  // Everything below must run on the loop of `ctx` (except state(), any thread).

  // Sets commands sent after every successful handshake, before the connection counts as ready
  // (SCRIPT LOAD of the store's scripts). Their failures are logged, not fatal.
  void set_init_commands(std::vector<std::vector<std::string>> cmds);
  // Sets a hook run each time the connection becomes ready (after init commands were queued).
  void set_on_ready(std::function<void()> fn) { on_ready_ = std::move(fn); }
  // Sets the handler of pushes (Subscriber role).
  void set_on_push(PushFn fn) { on_push_ = std::move(fn); }

  // Starts connecting; reconnects forever until stop().
  void start();
  // Closes for good: queued and in-flight calls fail with Unavailable.
  void stop();
  // Closes for good without invoking any callback (owner is being destroyed).
  void abandon();

  // Sends one command. While disconnected it waits in the offline queue (bounded); fails fast
  // with Unavailable when the breaker is open or the queue is full, with Timeout when no reply
  // arrived within command_timeout_ms. `cb` never runs inline: always on a later turn.
  void command(std::span<const std::string_view> argv, ReplyFn cb);
  // Subscriber role: writes a command whose answers arrive as pushes. Dropped when not ready
  // (the owner re-sends its subscriptions from the on_ready hook).
  void send_push(std::span<const std::string_view> argv);

  // Drops the connection now; it reconnects with the usual backoff, asking cfg.locate for the
  // address again (a Sentinel failover). Loop only.
  void drop(const std::string& why);

  bool ready() const { return phase_ == Phase::Ready; }
  State state() const { return state_.load(std::memory_order_relaxed); }
  std::size_t queued() const { return queue_.size(); }
  std::size_t in_flight() const { return pending_.size(); }

 private:
  using Clock = std::chrono::steady_clock;
  enum class Phase : uint8_t { Idle, Resolving, Connecting, Handshake, Ready, Backoff, Stopped };
  enum class Breaker : uint8_t { Closed, Open, HalfOpen };
  struct Request {
    std::string cmd;  // RESP bytes; only kept while waiting in the offline queue
    ReplyFn cb;       // empty once completed (a reply arriving after a timeout is dropped)
    Clock::time_point start;
    Clock::time_point deadline;
    bool internal = false;  // handshake / init: not counted in stats or by the breaker
  };

  void do_resolve();
  void do_connect(const boost::asio::ip::tcp::resolver::results_type& endpoints);
  void on_connected();
  void send_handshake();
  void send_ping();
  void become_ready();
  void on_connect_failed(const std::string& why);
  void on_connection_lost(const std::string& why);
  void on_io_error(const std::string& why);
  void close_socket();
  void schedule_reconnect();

  void enqueue_internal(std::span<const std::string_view> argv, ReplyFn cb);
  void push_pending(Request r);
  void schedule_flush();
  void do_write();
  void do_read();
  void on_reply(RedisReply&& reply);

  bool admit(Clock::time_point now);
  void on_success();
  void on_failure(Clock::time_point now);
  void open_breaker(Clock::time_point now, const std::string& why);
  void fail_queue(Errc e);
  void arm_timer();
  void on_timer();
  void update_state();

  boost::asio::io_context& ctx_;
  RedisConfig cfg_;
  std::shared_ptr<RedisStats> stats_;
  Role role_;
  std::string name_;

  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer connect_timer_;  // deadline of one connect + handshake attempt
  boost::asio::steady_timer retry_timer_;    // reconnect backoff, LOADING retries
  boost::asio::steady_timer timer_;          // call deadlines and the down-grace check
  Clock::time_point timer_at_ = Clock::time_point::max();

  Phase phase_ = Phase::Idle;
  uint64_t gen_ = 0;  // bumped per connection attempt; handlers of older attempts do nothing
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader_;
  std::unique_ptr<char[]> rbuf_;
  std::string out_;      // bytes to write next
  std::string writing_;  // bytes being written
  bool write_busy_ = false;
  bool flush_posted_ = false;

  std::deque<Request> queue_;       // offline queue: not written yet, waiting for a connection
  std::deque<Request> pending_;     // written (or in out_), answers expected in this order
  std::size_t expired_prefix_ = 0;  // leading pending_ entries already failed with Timeout

  std::vector<std::vector<std::string>> init_cmds_;
  std::function<void()> on_ready_;
  PushFn on_push_;

  unsigned attempt_ = 0;  // failed attempts since the last ready connection
  bool ever_ready_ = false;
  bool failure_logged_ = false;  // connect failures are logged once until the next success
  Clock::time_point down_since_;

  Breaker breaker_ = Breaker::Closed;
  int consecutive_failures_ = 0;
  Clock::time_point open_until_;

  std::atomic<State> state_{State::Connecting};
};

}  // namespace engage::store
