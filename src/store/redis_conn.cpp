// RedisConn implementation: connect → AUTH/SELECT/PING (waiting out LOADING) → init commands →
// ready; pipelined writes batched per loop turn; replies matched in order; on any error the
// socket is dropped, in-flight calls fail, queued calls wait, and a reconnect is scheduled.
#include "store/redis_conn.h"

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>

#include "core/random.h"

namespace engage::store {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadBufferSize = 16 * 1024;

void free_reader(redisReader* r) {
  if (r != nullptr) redisReaderFree(r);
}

// Converts hiredis's reply tree into ours.
RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::String;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::Status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::Error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::Integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::Array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::Nil;
      break;
  }
  return out;
}

void set_keepalive(tcp::socket& s, const RedisConfig& cfg) {
  boost::system::error_code ec;
  s.set_option(tcp::no_delay(true), ec);
  s.set_option(asio::socket_base::keep_alive(true), ec);
  int fd = s.native_handle();
  int idle = cfg.keepalive_idle_s;
  int intvl = cfg.keepalive_interval_s;
  int cnt = cfg.keepalive_count;
  // Best effort: failures leave the kernel defaults, which still detect a dead peer eventually.
  (void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  (void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
  (void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

}  // namespace

bool format_command(std::span<const std::string_view> argv, std::string& out) {
  constexpr std::size_t kInline = 16;
  const char* ptrs_inline[kInline];
  std::size_t lens_inline[kInline];
  std::vector<const char*> ptrs_heap;
  std::vector<std::size_t> lens_heap;
  const char** ptrs = ptrs_inline;
  std::size_t* lens = lens_inline;
  if (argv.size() > kInline) {
    ptrs_heap.resize(argv.size());
    lens_heap.resize(argv.size());
    ptrs = ptrs_heap.data();
    lens = lens_heap.data();
  }
  for (std::size_t i = 0; i < argv.size(); ++i) {
    ptrs[i] = argv[i].data();
    lens[i] = argv[i].size();
  }
  char* cmd = nullptr;
  int n = redisFormatCommandArgv(&cmd, static_cast<int>(argv.size()), ptrs, lens);
  if (n < 0 || cmd == nullptr) return false;
  out.append(cmd, static_cast<std::size_t>(n));
  redisFreeCommand(cmd);
  return true;
}

RedisConn::RedisConn(asio::io_context& ctx, RedisConfig cfg, std::shared_ptr<RedisStats> stats,
                     Role role, std::string name)
    : ctx_(ctx),
      cfg_(std::move(cfg)),
      stats_(std::move(stats)),
      role_(role),
      name_(std::move(name)),
      resolver_(ctx),
      socket_(ctx),
      connect_timer_(ctx),
      retry_timer_(ctx),
      timer_(ctx),
      reader_(nullptr, &free_reader),
      rbuf_(new char[kReadBufferSize]) {}

RedisConn::~RedisConn() {
  // Callbacks still held here are dropped without being called: the owner is gone.
  stats_->offline_queue_depth.fetch_sub(static_cast<int64_t>(queue_.size()),
                                        std::memory_order_relaxed);
}

void RedisConn::set_init_commands(std::vector<std::vector<std::string>> cmds) {
  init_cmds_ = std::move(cmds);
}

// ---- lifecycle -------------------------------------------------------------------------------

void RedisConn::start() {
  if (phase_ != Phase::Idle) return;
  down_since_ = Clock::now();
  do_resolve();
}

void RedisConn::stop() {
  if (phase_ == Phase::Stopped) return;
  close_socket();
  phase_ = Phase::Stopped;
  retry_timer_.cancel();
  timer_.cancel();
  fail_queue(Errc::Unavailable);
  update_state();
}

void RedisConn::abandon() {
  if (phase_ == Phase::Stopped) return;
  ++gen_;
  phase_ = Phase::Stopped;
  boost::system::error_code ec;
  socket_.close(ec);
  resolver_.cancel();
  connect_timer_.cancel();
  retry_timer_.cancel();
  timer_.cancel();
  stats_->offline_queue_depth.fetch_sub(static_cast<int64_t>(queue_.size()),
                                        std::memory_order_relaxed);
  queue_.clear();
  pending_.clear();
  update_state();
}

void RedisConn::drop(const std::string& why) {
  if (phase_ == Phase::Ready)
    on_connection_lost(why);
  else if (phase_ == Phase::Resolving || phase_ == Phase::Connecting || phase_ == Phase::Handshake)
    on_connect_failed(why);
}

void RedisConn::do_resolve() {
  if (cfg_.locate) {
    auto where = cfg_.locate();
    if (!where) {
      phase_ = Phase::Resolving;
      return on_connect_failed("no master known yet (Sentinel)");
    }
    cfg_.host = std::move(where->first);
    cfg_.port = where->second;
  }
  phase_ = Phase::Resolving;
  update_state();
  auto g = ++gen_;
  auto self = shared_from_this();
  connect_timer_.expires_after(std::chrono::milliseconds(cfg_.connect_timeout_ms));
  connect_timer_.async_wait([self, g](const boost::system::error_code& ec) {
    if (ec || g != self->gen_) return;
    self->on_connect_failed("connect/handshake timed out");
  });
  resolver_.async_resolve(
      cfg_.host, std::to_string(cfg_.port),
      [self, g](const boost::system::error_code& ec, const tcp::resolver::results_type& results) {
        if (g != self->gen_) return;
        if (ec) return self->on_connect_failed("resolve " + self->cfg_.host + ": " + ec.message());
        self->do_connect(results);
      });
}

void RedisConn::do_connect(const tcp::resolver::results_type& endpoints) {
  phase_ = Phase::Connecting;
  auto g = gen_;
  auto self = shared_from_this();
  asio::async_connect(socket_, endpoints,
                      [self, g](const boost::system::error_code& ec, const tcp::endpoint&) {
                        if (g != self->gen_) return;
                        if (ec) return self->on_connect_failed(ec.message());
                        self->on_connected();
                      });
}

void RedisConn::on_connected() {
  set_keepalive(socket_, cfg_);
  phase_ = Phase::Handshake;
  reader_.reset(redisReaderCreate());
  if (!reader_) return on_connect_failed("out of memory (reader)");
  do_read();
  send_handshake();
}

void RedisConn::send_handshake() {
  // Callbacks kept in pending_ capture `this`, not a shared_ptr: the connection invokes them
  // itself (so it is alive), and a shared_ptr there would be a cycle that outlives the owner.
  auto g = gen_;
  auto* self = this;
  // A handshake step failed: the attempt is over (AUTH/SELECT errors are configuration problems
  // but still retried forever — the operator may be fixing Redis — and logged once).
  auto step = [self, g](std::string what) {
    return [self, g, what = std::move(what)](Errc e, RedisReply&& r) {
      if (g != self->gen_) return;
      if (e != Errc::Ok) return self->on_connect_failed(what + ": " + std::string(errc_name(e)));
      if (r.is_error()) return self->on_connect_failed(what + " failed: " + r.str);
    };
  };
  if (!cfg_.password.empty()) {
    if (cfg_.user.empty()) {
      std::string_view argv[] = {"AUTH", cfg_.password};
      enqueue_internal(argv, step("AUTH"));
    } else {
      std::string_view argv[] = {"AUTH", cfg_.user, cfg_.password};
      enqueue_internal(argv, step("AUTH"));
    }
  }
  if (cfg_.db != 0) {
    std::string db = std::to_string(cfg_.db);
    std::string_view argv[] = {"SELECT", db};
    enqueue_internal(argv, step("SELECT " + db));
  }
  send_ping();
}

void RedisConn::send_ping() {
  auto g = gen_;
  auto* self = this;
  std::string_view argv[] = {"PING"};
  enqueue_internal(argv, [self, g](Errc e, RedisReply&& r) {
    if (g != self->gen_) return;
    if (e != Errc::Ok) return self->on_connect_failed("PING: " + std::string(errc_name(e)));
    if (r.error_starts_with("LOADING")) {
      // Redis is restoring its dataset: the connection is fine, wait and ask again. The
      // attempt deadline does not apply while Redis keeps answering.
      self->connect_timer_.cancel();
      if (!self->failure_logged_) {
        spdlog::warn("redis {}: {} is loading its dataset; waiting", self->name_,
                     self->cfg_.describe());
        self->failure_logged_ = true;
      }
      self->retry_timer_.expires_after(std::chrono::milliseconds(self->cfg_.loading_retry_ms));
      self->retry_timer_.async_wait(
          [conn = self->shared_from_this(), g](const boost::system::error_code& ec) {
            if (ec || g != conn->gen_) return;
            conn->send_ping();
          });
      return;
    }
    if (r.is_error()) return self->on_connect_failed("PING failed: " + r.str);
    self->become_ready();
  });
}

void RedisConn::become_ready() {
  connect_timer_.cancel();
  auto now = Clock::now();
  if (ever_ready_) {
    stats_->reconnects.fetch_add(1, std::memory_order_relaxed);
    auto down_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - down_since_).count();
    spdlog::info("redis {}: reconnected to {} after {} ms ({} failed attempts)", name_,
                 cfg_.describe(), down_ms, attempt_);
  } else {
    spdlog::info("redis {}: connected to {}", name_, cfg_.describe());
  }
  stats_->connects.fetch_add(1, std::memory_order_relaxed);
  ever_ready_ = true;
  failure_logged_ = false;
  attempt_ = 0;
  phase_ = Phase::Ready;
  if (breaker_ != Breaker::Closed) spdlog::info("redis {}: circuit closed", name_);
  breaker_ = Breaker::Closed;
  consecutive_failures_ = 0;

  // Scripts first, so that the queued calls behind them find them loaded.
  auto g = gen_;
  auto* self = this;  // see send_handshake: no shared_ptr inside pending_
  for (const auto& cmd : init_cmds_) {
    std::vector<std::string_view> argv(cmd.begin(), cmd.end());
    enqueue_internal(argv, [self, g, what = cmd.front()](Errc e, RedisReply&& r) {
      if (g != self->gen_) return;
      if (e != Errc::Ok || r.is_error())
        spdlog::warn("redis {}: {} at connect failed: {}", self->name_, what,
                     e != Errc::Ok ? std::string(errc_name(e)) : r.str);
    });
  }
  // The offline queue goes out in order, behind the init commands.
  while (!queue_.empty()) {
    Request r = std::move(queue_.front());
    queue_.pop_front();
    stats_->offline_queue_depth.fetch_sub(1, std::memory_order_relaxed);
    out_ += r.cmd;
    r.cmd.clear();
    r.cmd.shrink_to_fit();
    push_pending(std::move(r));
  }
  schedule_flush();
  update_state();
  arm_timer();
  if (on_ready_) on_ready_();
}

void RedisConn::on_connect_failed(const std::string& why) {
  if (phase_ == Phase::Stopped) return;
  stats_->connect_failures.fetch_add(1, std::memory_order_relaxed);
  if (!failure_logged_) {
    spdlog::warn("redis {}: cannot connect to {}: {}; retrying forever with backoff (logged once)",
                 name_, cfg_.describe(), why);
    failure_logged_ = true;
  }
  close_socket();
  schedule_reconnect();
}

void RedisConn::on_connection_lost(const std::string& why) {
  stats_->disconnects.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("redis {}: connection to {} lost: {}; reconnecting", name_, cfg_.describe(), why);
  failure_logged_ = true;  // the reconnect attempts that follow are covered by this line
  down_since_ = Clock::now();
  close_socket();
  schedule_reconnect();
}

void RedisConn::on_io_error(const std::string& why) {
  if (phase_ == Phase::Ready)
    on_connection_lost(why);
  else
    on_connect_failed(why);
}

void RedisConn::close_socket() {
  ++gen_;
  boost::system::error_code ec;
  socket_.close(ec);
  resolver_.cancel();
  connect_timer_.cancel();
  retry_timer_.cancel();
  reader_.reset();
  out_.clear();
  writing_ = std::string();
  write_busy_ = false;
  flush_posted_ = false;
  // In-flight calls have an unknown outcome (Redis may have applied them): they fail with
  // Unavailable and the caller re-reads. They are never re-sent.
  auto lost = std::move(pending_);
  pending_.clear();
  expired_prefix_ = 0;
  for (auto& r : lost) {
    if (!r.cb) continue;
    if (!r.internal) stats_->failures.fetch_add(1, std::memory_order_relaxed);
    auto cb = std::move(r.cb);
    cb(Errc::Unavailable, {});
  }
}

void RedisConn::schedule_reconnect() {
  if (phase_ == Phase::Stopped) return;
  phase_ = Phase::Backoff;
  update_state();
  // Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): uniform in
  // [0, min(cap, base * 2^attempt)], so many instances do not reconnect in lockstep.
  unsigned shift = std::min(attempt_, 20u);
  uint64_t ceiling = std::min<uint64_t>(static_cast<uint64_t>(cfg_.reconnect_max_ms),
                                        static_cast<uint64_t>(cfg_.reconnect_base_ms) << shift);
  uint64_t delay = Random::get().uniform(ceiling + 1);
  ++attempt_;
  auto g = gen_;
  auto self = shared_from_this();
  retry_timer_.expires_after(std::chrono::milliseconds(delay));
  retry_timer_.async_wait([self, g](const boost::system::error_code& ec) {
    if (ec || g != self->gen_) return;
    self->do_resolve();
  });
  arm_timer();  // the down-grace check
}

// ---- calls -----------------------------------------------------------------------------------

void RedisConn::command(std::span<const std::string_view> argv, ReplyFn cb) {
  auto now = Clock::now();
  // Refusals are delivered on a later turn of the loop, never inline: a caller that retries
  // from its callback must not recurse while Redis is down.
  auto refuse = [this](ReplyFn f, bool fast) {
    stats_->failures.fetch_add(1, std::memory_order_relaxed);
    if (fast) stats_->rejected.fetch_add(1, std::memory_order_relaxed);
    asio::post(ctx_, [f = std::move(f)] { f(Errc::Unavailable, {}); });
  };
  if (phase_ == Phase::Stopped || !admit(now)) return refuse(std::move(cb), true);
  Request r;
  r.cb = std::move(cb);
  r.start = now;
  r.deadline = now + std::chrono::milliseconds(cfg_.command_timeout_ms);
  auto deadline = r.deadline;
  if (phase_ == Phase::Ready) {
    if (!format_command(argv, out_)) return refuse(std::move(r.cb), false);
    push_pending(std::move(r));
    schedule_flush();
  } else {
    if (queue_.size() >= cfg_.offline_queue_max) return refuse(std::move(r.cb), true);
    if (!format_command(argv, r.cmd)) return refuse(std::move(r.cb), false);
    queue_.push_back(std::move(r));
    stats_->offline_queue_depth.fetch_add(1, std::memory_order_relaxed);
  }
  if (deadline < timer_at_) arm_timer();
}

void RedisConn::send_push(std::span<const std::string_view> argv) {
  if (phase_ != Phase::Ready) return;
  if (format_command(argv, out_)) schedule_flush();
}

void RedisConn::enqueue_internal(std::span<const std::string_view> argv, ReplyFn cb) {
  Request r;
  r.cb = std::move(cb);
  r.internal = true;
  r.start = Clock::now();
  r.deadline = r.start + std::chrono::milliseconds(cfg_.connect_timeout_ms);
  if (!format_command(argv, out_)) return on_io_error("out of memory (format)");
  push_pending(std::move(r));
  schedule_flush();
}

void RedisConn::push_pending(Request r) {
  pending_.push_back(std::move(r));
}

void RedisConn::schedule_flush() {
  // Batch: every command issued during this turn of the loop goes out in one write.
  if (flush_posted_ || write_busy_) return;
  flush_posted_ = true;
  auto g = gen_;
  asio::post(ctx_, [self = shared_from_this(), g] {
    if (g != self->gen_) return;
    self->flush_posted_ = false;
    self->do_write();
  });
}

void RedisConn::do_write() {
  if (write_busy_ || out_.empty()) return;
  if (phase_ != Phase::Handshake && phase_ != Phase::Ready) return;
  write_busy_ = true;
  writing_.swap(out_);
  out_.clear();
  auto g = gen_;
  asio::async_write(
      socket_, asio::buffer(writing_),
      [self = shared_from_this(), g](const boost::system::error_code& ec, std::size_t) {
        if (g != self->gen_) return;
        self->write_busy_ = false;
        self->writing_.clear();
        if (ec) return self->on_io_error("write: " + ec.message());
        self->do_write();
      });
}

void RedisConn::do_read() {
  auto g = gen_;
  socket_.async_read_some(
      asio::buffer(rbuf_.get(), kReadBufferSize),
      [self = shared_from_this(), g](const boost::system::error_code& ec, std::size_t n) {
        if (g != self->gen_) return;
        if (ec) {
          return self->on_io_error(ec == asio::error::eof ? std::string("closed by server")
                                                          : "read: " + ec.message());
        }
        if (redisReaderFeed(self->reader_.get(), self->rbuf_.get(), n) != REDIS_OK)
          return self->on_io_error("protocol error");
        for (;;) {
          void* raw = nullptr;
          if (redisReaderGetReply(self->reader_.get(), &raw) != REDIS_OK) {
            return self->on_io_error(std::string("protocol error: ") + self->reader_->errstr);
          }
          if (raw == nullptr) break;
          auto* reply = static_cast<redisReply*>(raw);
          RedisReply ours = convert(reply);
          freeReplyObject(reply);
          self->on_reply(std::move(ours));
          if (g != self->gen_) return;  // the reply handler dropped the connection
        }
        self->do_read();
      });
}

void RedisConn::on_reply(RedisReply&& reply) {
  if (pending_.empty()) {
    if (role_ == Role::Subscriber && phase_ == Phase::Ready) {
      if (on_push_) on_push_(std::move(reply));
      return;
    }
    return on_io_error("unexpected reply from server");
  }
  Request r = std::move(pending_.front());
  pending_.pop_front();
  if (expired_prefix_ > 0) {
    --expired_prefix_;  // this one already got its Timeout; a late answer is dropped
    return;
  }
  if (!r.cb) return;
  if (!r.internal) {
    stats_->replies.fetch_add(1, std::memory_order_relaxed);
    if (reply.is_error()) stats_->error_replies.fetch_add(1, std::memory_order_relaxed);
    stats_->record_latency(Clock::now() - r.start);
    on_success();
  }
  // A master demoted to replica (Sentinel failover) refuses writes: reconnect, which asks
  // cfg.locate for the current master.
  const bool demoted = cfg_.locate && reply.error_starts_with("READONLY");
  r.cb(Errc::Ok, std::move(reply));
  if (demoted)
    boost::asio::post(ctx_, [self = shared_from_this()] { self->drop("server is a replica now"); });
}

// ---- circuit breaker and deadlines -----------------------------------------------------------

bool RedisConn::admit(Clock::time_point now) {
  switch (breaker_) {
    case Breaker::Closed:
      if (phase_ != Phase::Ready &&
          now - down_since_ >= std::chrono::milliseconds(cfg_.down_grace_ms)) {
        open_breaker(now, "no connection for " + std::to_string(cfg_.down_grace_ms) + " ms");
        return false;
      }
      return true;
    case Breaker::Open:
      if (phase_ == Phase::Ready && now >= open_until_) {
        breaker_ = Breaker::HalfOpen;  // this call is the probe
        return true;
      }
      return false;
    case Breaker::HalfOpen:
      return false;  // the probe is out; everyone else fails fast until it answers
  }
  return false;
}

void RedisConn::on_success() {
  consecutive_failures_ = 0;
  if (breaker_ != Breaker::Closed) {
    breaker_ = Breaker::Closed;
    spdlog::info("redis {}: circuit closed (Redis answers again)", name_);
    update_state();
  }
}

void RedisConn::on_failure(Clock::time_point now) {
  ++consecutive_failures_;
  if (breaker_ == Breaker::HalfOpen) {
    breaker_ = Breaker::Open;  // the probe failed: stay open (already logged)
    open_until_ = now + std::chrono::milliseconds(cfg_.breaker_open_ms);
    update_state();
  } else if (breaker_ == Breaker::Closed && consecutive_failures_ >= cfg_.breaker_failures) {
    open_breaker(now, std::to_string(consecutive_failures_) + " consecutive calls failed");
  }
}

void RedisConn::open_breaker(Clock::time_point now, const std::string& why) {
  breaker_ = Breaker::Open;
  open_until_ = now + std::chrono::milliseconds(cfg_.breaker_open_ms);
  stats_->breaker_opens.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("redis {}: circuit open ({}): calls fail fast until Redis answers", name_, why);
  fail_queue(Errc::Unavailable);
  update_state();
}

void RedisConn::fail_queue(Errc e) {
  auto waiting = std::move(queue_);
  queue_.clear();
  stats_->offline_queue_depth.fetch_sub(static_cast<int64_t>(waiting.size()),
                                        std::memory_order_relaxed);
  for (auto& r : waiting) {
    stats_->failures.fetch_add(1, std::memory_order_relaxed);
    auto cb = std::move(r.cb);
    if (cb) cb(e, {});
  }
}

void RedisConn::arm_timer() {
  if (phase_ == Phase::Stopped) return;
  // Deadlines are issued in FIFO order with one timeout, so the fronts are the earliest.
  auto at = Clock::time_point::max();
  if (!queue_.empty()) at = std::min(at, queue_.front().deadline);
  if (expired_prefix_ < pending_.size()) at = std::min(at, pending_[expired_prefix_].deadline);
  if (phase_ != Phase::Ready && breaker_ == Breaker::Closed)
    at = std::min(at, down_since_ + std::chrono::milliseconds(cfg_.down_grace_ms));
  if (at == timer_at_) return;
  timer_at_ = at;
  if (at == Clock::time_point::max()) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(at);
  timer_.async_wait([self = shared_from_this(), at](const boost::system::error_code& ec) {
    if (ec || self->timer_at_ != at) return;
    self->timer_at_ = Clock::time_point::max();
    self->on_timer();
  });
}

void RedisConn::on_timer() {
  if (phase_ == Phase::Stopped) return;
  auto now = Clock::now();
  while (!queue_.empty() && queue_.front().deadline <= now) {
    Request r = std::move(queue_.front());
    queue_.pop_front();
    stats_->offline_queue_depth.fetch_sub(1, std::memory_order_relaxed);
    stats_->failures.fetch_add(1, std::memory_order_relaxed);
    stats_->timeouts.fetch_add(1, std::memory_order_relaxed);
    r.cb(Errc::Timeout, {});
  }
  while (expired_prefix_ < pending_.size() && pending_[expired_prefix_].deadline <= now) {
    Request& r = pending_[expired_prefix_++];
    auto cb = std::move(r.cb);
    r.cb = nullptr;
    bool internal = r.internal;
    if (!internal) {
      stats_->failures.fetch_add(1, std::memory_order_relaxed);
      stats_->timeouts.fetch_add(1, std::memory_order_relaxed);
      on_failure(now);
    }
    auto g = gen_;
    if (cb) cb(Errc::Timeout, {});
    if (g != gen_) break;  // an internal timeout dropped the connection
  }
  if (breaker_ == Breaker::Closed && phase_ != Phase::Ready &&
      now - down_since_ >= std::chrono::milliseconds(cfg_.down_grace_ms))
    open_breaker(now, "no connection for " + std::to_string(cfg_.down_grace_ms) + " ms");
  arm_timer();
}

void RedisConn::update_state() {
  State s = State::Connecting;
  if (phase_ == Phase::Stopped || breaker_ != Breaker::Closed)
    s = State::Down;
  else if (phase_ == Phase::Ready)
    s = State::Up;
  state_.store(s, std::memory_order_relaxed);
}

}  // namespace engage::store
