// SentinelWatcher: master discovery and failover following through Redis Sentinel.
#include "store/redis_sentinel.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>

#include "store/redis_conn.h"

namespace engage::store {

struct SentinelWatcher::Timer {
  explicit Timer(boost::asio::io_context& ctx) : t(ctx) {}
  boost::asio::steady_timer t;
};

std::optional<cluster::Node> parse_master_addr(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::Array || reply.elements.size() != 2) return std::nullopt;
  const auto& host = reply.elements[0];
  const auto& port = reply.elements[1];
  if (host.type != RedisReply::Type::String || host.str.empty()) return std::nullopt;
  if (port.type != RedisReply::Type::String) return std::nullopt;
  unsigned p = 0;
  auto [end, ec] = std::from_chars(port.str.data(), port.str.data() + port.str.size(), p);
  if (ec != std::errc() || end != port.str.data() + port.str.size() || p == 0 || p > 65535)
    return std::nullopt;
  return cluster::Node{host.str, static_cast<uint16_t>(p)};
}

SentinelWatcher::SentinelWatcher(boost::asio::io_context& ctx, SentinelOptions options,
                                 std::shared_ptr<RedisStats> stats)
    : ctx_(ctx),
      options_(std::move(options)),
      stats_(std::move(stats)),
      timer_(std::make_unique<Timer>(ctx)) {}

SentinelWatcher::~SentinelWatcher() {
  if (!conn_) return;
  if (ctx_.get_executor().running_in_this_thread() || ctx_.stopped())
    conn_->abandon();
  else
    boost::asio::post(ctx_, [c = conn_] { c->abandon(); });
}

void SentinelWatcher::start() {
  if (options_.sentinels.empty()) return;
  connect_current();
  ask();
}

void SentinelWatcher::stop() {
  stopped_ = true;
  timer_->t.cancel();
  if (conn_) conn_->stop();
}

std::optional<cluster::Node> SentinelWatcher::master() const {
  std::lock_guard lock(mu_);
  return master_;
}

uint64_t SentinelWatcher::changes() const {
  std::lock_guard lock(mu_);
  return changes_;
}

void SentinelWatcher::connect_current() {
  if (conn_) conn_->abandon();
  RedisConfig cfg;
  cfg.host = options_.sentinels[current_].host;
  cfg.port = options_.sentinels[current_].port;
  cfg.connect_timeout_ms = options_.timeout_ms;
  cfg.command_timeout_ms = options_.timeout_ms;
  cfg.offline_queue_max = 4;
  cfg.down_grace_ms = options_.timeout_ms;
  // The sentinels have their own stats sink: their failures are not the data store's.
  conn_ = std::make_shared<RedisConn>(ctx_, cfg, std::make_shared<RedisStats>(),
                                      RedisConn::Role::Data, "sentinel " + cfg.describe());
  conn_->start();
}

void SentinelWatcher::next_sentinel() {
  current_ = (current_ + 1) % options_.sentinels.size();
  connect_current();
}

void SentinelWatcher::schedule(int ms) {
  if (stopped_) return;
  std::weak_ptr<SentinelWatcher> weak = weak_from_this();
  timer_->t.expires_after(std::chrono::milliseconds(ms));
  timer_->t.async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->ask();
  });
}

void SentinelWatcher::ask() {
  if (stopped_ || !conn_) return;
  std::weak_ptr<SentinelWatcher> weak = weak_from_this();
  std::string_view argv[] = {"SENTINEL", "get-master-addr-by-name", options_.master_name};
  conn_->command(argv, [weak](Errc e, RedisReply&& r) {
    auto self = weak.lock();
    if (!self || self->stopped_) return;
    std::optional<cluster::Node> m;
    if (e == Errc::Ok) m = parse_master_addr(r);
    if (!m) {
      // This sentinel is unreachable or does not know the master: ask the next one.
      if (self->options_.sentinels.size() > 1) self->next_sentinel();
      return self->schedule(self->options_.poll_ms);
    }
    bool changed = false;
    bool first = false;
    {
      std::lock_guard lock(self->mu_);
      first = !self->master_;
      changed = !first && !(*self->master_ == *m);
      if (first || changed) self->master_ = *m;
      if (changed) ++self->changes_;
    }
    if (first) spdlog::info("redis sentinel: master is {}:{}", m->host, m->port);
    if (changed) {
      spdlog::warn("redis sentinel: master moved to {}:{}", m->host, m->port);
      if (self->on_change_) self->on_change_(*m);
    }
    self->schedule(self->options_.poll_ms);
  });
}

}  // namespace engage::store
