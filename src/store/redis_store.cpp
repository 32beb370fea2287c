// RedisStore implementation: maps each Store call onto one Redis command or Lua script on the
// calling loop's connection, and turns replies (or their absence) into Errc values.
#include "store/redis_store.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cassert>
#include <chrono>
#include <unordered_map>

#include "core/random.h"
#include "net/loops.h"
#include "store/redis_conn.h"
#include "store/redis_doc.h"
#include "store/redis_scripts.h"

namespace engage::store {

namespace {

constexpr std::size_t kSubLoop = 0;
// Every published payload starts with the publisher's instance id, so that an instance can
// drop its own messages (store.h: publish does not reach this instance's subscription).
constexpr std::size_t kInstanceIdLen = 16;
// SUBSCRIBE arguments per command when re-subscribing after a reconnect.
constexpr std::size_t kSubscribeBatch = 256;

const lua::Script* const kScripts[] = {&lua::k_cas, &lua::k_remove, &lua::k_touch,
                                       &lua::k_incr_window};

using ReplyFn = RedisConn::ReplyFn;

// Logs an unexpected answer (a Redis error reply such as OOM or WRONGTYPE, or a reply of the
// wrong type) at most once per 10 s, with the number of similar answers not logged.
void log_unexpected(std::string_view what, const RedisReply& r) {
  static std::atomic<int64_t> last_ms{0};
  static std::atomic<uint64_t> suppressed{0};
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
                 .count();
  int64_t last = last_ms.load(std::memory_order_relaxed);
  if (now - last < 10'000 || !last_ms.compare_exchange_strong(last, now)) {
    suppressed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  uint64_t n = suppressed.exchange(0, std::memory_order_relaxed);
  std::string text =
      r.is_error() ? r.str : "reply of type " + std::to_string(static_cast<int>(r.type));
  spdlog::error("redis: {} answered {} ({} similar answers not logged)", what, text, n);
}

// Clamps a TTL to what SET EX / EXPIRE accept (a positive number of seconds).
std::string ttl_arg(int ttl_s) {
  return std::to_string(ttl_s > 0 ? ttl_s : 1);
}

struct EvalCall {
  const lua::Script* script;
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

// Sends EVALSHA (or EVAL when `with_source`) for `call`; a NOSCRIPT answer (script cache flushed
// behind our back) is retried once as EVAL, which also reloads the script.
void send_eval(RedisConn& c, std::shared_ptr<EvalCall> call, bool with_source,
               std::shared_ptr<RedisStats> stats, ReplyFn cb) {
  std::string nkeys = std::to_string(call->keys.size());
  std::vector<std::string_view> argv;
  argv.reserve(3 + call->keys.size() + call->args.size());
  argv.emplace_back(with_source ? "EVAL" : "EVALSHA");
  argv.emplace_back(with_source ? call->script->source : call->script->sha1);
  argv.emplace_back(nkeys);
  for (const auto& k : call->keys) argv.emplace_back(k);
  for (const auto& a : call->args) argv.emplace_back(a);
  RedisConn* conn = &c;  // the connection invokes the callback, so it is alive then
  c.command(argv,
            [conn, call, with_source, stats, cb = std::move(cb)](Errc e, RedisReply&& r) mutable {
              if (e == Errc::Ok && !with_source && r.error_starts_with("NOSCRIPT")) {
                stats->noscript_fallbacks.fetch_add(1, std::memory_order_relaxed);
                return send_eval(*conn, std::move(call), true, std::move(stats), std::move(cb));
              }
              cb(e, std::move(r));
            });
}

// Maps the answer of a script returning 1 (done), 0 (no such key), -1 (version mismatch).
Errc script_status(Errc e, const RedisReply& r, std::string_view what) {
  if (e != Errc::Ok) return e;
  if (r.type == RedisReply::Type::Integer) {
    if (r.integer == 1) return Errc::Ok;
    if (r.integer == 0) return Errc::NotFound;
    if (r.integer == -1) return Errc::Conflict;
  }
  log_unexpected(what, r);
  return Errc::Unavailable;
}

// Maps the answer of SET ... NX: OK → Ok, nil → Conflict (the key exists).
Errc set_nx_status(Errc e, const RedisReply& r, std::string_view what) {
  if (e != Errc::Ok) return e;
  if (r.type == RedisReply::Type::Status) return Errc::Ok;
  if (r.type == RedisReply::Type::Nil) return Errc::Conflict;
  log_unexpected(what, r);
  return Errc::Unavailable;
}

}  // namespace

// State shared with the connections' handlers, so that it outlives the store while a handler
// may still run. The subscription table and the message handler are touched on kSubLoop only.
struct RedisStore::Shared {
  std::string instance_id;
  std::shared_ptr<RedisStats> stats;
  std::unordered_map<std::string, int> channels;  // channel → outstanding subscribe() calls
  // channel → SUBSCRIBE commands sent on the current connection and not yet answered.
  std::unordered_map<std::string, int> unanswered;
  MessageFn on_message;
  SubscribedFn on_subscribed;

  // Handles one push of the pub/sub connection.
  void on_push(RedisReply&& r) {
    if (r.type != RedisReply::Type::Array || r.elements.size() < 3) return;
    const std::string& kind = r.elements[0].str;
    if (kind == "subscribe") {
      stats->subscriptions_unconfirmed.fetch_sub(1, std::memory_order_relaxed);
      // Answers come in command order: the channel is subscribed once the answer to the last
      // SUBSCRIBE sent for it has come, if it is still wanted (no UNSUBSCRIBE since).
      const std::string& channel = r.elements[1].str;
      auto it = unanswered.find(channel);
      if (it == unanswered.end()) return;  // sent on a lost connection
      if (--it->second > 0) return;
      unanswered.erase(it);
      if (channels.count(channel) && on_subscribed) on_subscribed(channel);
      return;
    }
    if (kind == "unsubscribe") {
      stats->subscriptions_unconfirmed.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
    if (kind != "message") return;
    std::string_view channel = r.elements[1].str;
    std::string_view payload = r.elements[2].str;
    if (payload.size() < kInstanceIdLen) return;  // not one of ours (e.g. redis-cli PUBLISH)
    if (payload.substr(0, kInstanceIdLen) == instance_id) return;  // our own
    stats->messages_received.fetch_add(1, std::memory_order_relaxed);
    if (on_message) on_message(channel, payload.substr(kInstanceIdLen));
  }

  // Sends (UN)SUBSCRIBE for `channels` on `sub` (when it is ready; else on_ready re-sends).
  void send(RedisConn& sub, std::string_view verb, const std::vector<std::string_view>& names) {
    if (!sub.ready() || names.empty()) return;
    std::vector<std::string_view> argv;
    argv.reserve(names.size() + 1);
    argv.push_back(verb);
    argv.insert(argv.end(), names.begin(), names.end());
    stats->subscriptions_unconfirmed.fetch_add(static_cast<int64_t>(names.size()),
                                               std::memory_order_relaxed);
    if (verb == "SUBSCRIBE")
      for (std::string_view name : names) ++unanswered[std::string(name)];
    sub.send_push(argv);
  }
};

RedisStore::RedisStore(RedisConfig cfg, net::Loops& loops)
    : cfg_(std::move(cfg)),
      loops_(loops),
      stats_(std::make_shared<RedisStats>()),
      shared_(std::make_shared<Shared>()) {
  shared_->instance_id = random_id(kInstanceIdLen);
  shared_->stats = stats_;

  std::vector<std::vector<std::string>> init;
  for (const auto* s : kScripts) init.push_back({"SCRIPT", "LOAD", std::string(s->source)});

  for (std::size_t i = 0; i < loops_.size(); ++i) {
    auto c = std::make_shared<RedisConn>(loops_.context(i), cfg_, stats_, RedisConn::Role::Data,
                                         "loop " + std::to_string(i));
    c->set_init_commands(init);
    conns_.push_back(c);
    loops_.post(i, [c] { c->start(); });
  }

  sub_ = std::make_shared<RedisConn>(loops_.context(kSubLoop), cfg_, stats_,
                                     RedisConn::Role::Subscriber, "pubsub");
  std::weak_ptr<RedisConn> weak_sub = sub_;
  auto shared = shared_;
  sub_->set_on_push([shared](RedisReply&& r) { shared->on_push(std::move(r)); });
  sub_->set_on_ready([shared, weak_sub] {
    auto sub = weak_sub.lock();
    if (!sub) return;
    // Acks of commands sent on the lost connection will never come.
    shared->stats->subscriptions_unconfirmed.store(0, std::memory_order_relaxed);
    shared->unanswered.clear();
    std::vector<std::string_view> batch;
    for (const auto& [name, count] : shared->channels) {
      batch.push_back(name);
      if (batch.size() == kSubscribeBatch) {
        shared->send(*sub, "SUBSCRIBE", batch);
        batch.clear();
      }
    }
    shared->send(*sub, "SUBSCRIBE", batch);
  });
  loops_.post(kSubLoop, [sub = sub_] { sub->start(); });
}

RedisStore::~RedisStore() {
  std::vector<std::shared_ptr<RedisConn>> all = conns_;
  all.push_back(sub_);
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::size_t loop = i < conns_.size() ? i : kSubLoop;
    auto c = all[i];
    if (loops_.context(loop).get_executor().running_in_this_thread() ||
        loops_.context(loop).stopped()) {
      c->abandon();
    } else {
      loops_.post(loop, [c] { c->abandon(); });
    }
  }
}

template <class F>
void RedisStore::with_conn(F&& fn) {
  int i = net::Loops::current();
  if (i >= 0 && static_cast<std::size_t>(i) < conns_.size() &&
      loops_.context(static_cast<std::size_t>(i)).get_executor().running_in_this_thread()) {
    fn(*conns_[static_cast<std::size_t>(i)]);
    return;
  }
  loops_.post(0, [c = conns_[0], fn = std::forward<F>(fn)]() mutable { fn(*c); });
}

// ---- documents -------------------------------------------------------------------------------

void RedisStore::get(std::string key, DocFn cb) {
  with_conn([key = map_key(std::move(key)), cb = std::move(cb)](RedisConn& c) mutable {
    std::string_view argv[] = {"GET", key};
    c.command(argv, [cb = std::move(cb)](Errc e, RedisReply&& r) {
      if (e != Errc::Ok) return cb(e, {});
      if (r.type == RedisReply::Type::Nil) return cb(Errc::NotFound, {});
      if (r.type != RedisReply::Type::String) {
        log_unexpected("GET", r);
        return cb(Errc::Unavailable, {});
      }
      Doc d;
      // A document without a version (written by the original server) reads as version 0.
      d.version = top_level_version(r.str).value_or(0);
      d.value = std::move(r.str);
      cb(Errc::Ok, std::move(d));
    });
  });
}

void RedisStore::create(std::string key, Doc doc, int ttl_s, DoneFn cb) {
  assert(top_level_version(doc.value) == doc.version);
  with_conn([key = map_key(std::move(key)), value = std::move(doc.value), ttl = ttl_arg(ttl_s),
             cb = std::move(cb)](RedisConn& c) mutable {
    std::string_view argv[] = {"SET", key, value, "NX", "EX", ttl};
    c.command(argv, [cb = std::move(cb)](Errc e, RedisReply&& r) {
      cb(set_nx_status(e, r, "SET NX (create)"));
    });
  });
}

void RedisStore::cas(std::string key, uint64_t expected, Doc doc, int ttl_s,
                     std::vector<std::string> also_touch, DoneFn cb) {
  assert(top_level_version(doc.value) == doc.version);
  auto call = std::make_shared<EvalCall>();
  call->script = &lua::k_cas;
  call->keys.reserve(1 + also_touch.size());
  call->keys.push_back(map_key(std::move(key)));
  for (auto& k : also_touch) call->keys.push_back(map_key(std::move(k)));
  call->args = {std::to_string(expected), std::move(doc.value), ttl_arg(ttl_s)};
  with_conn([call, stats = stats_, cb = std::move(cb)](RedisConn& c) mutable {
    send_eval(c, std::move(call), false, std::move(stats),
              [cb = std::move(cb)](Errc e, RedisReply&& r) { cb(script_status(e, r, "cas.lua")); });
  });
}

void RedisStore::remove(std::string key, uint64_t expected, std::vector<std::string> also_delete,
                        DoneFn cb) {
  auto call = std::make_shared<EvalCall>();
  call->script = &lua::k_remove;
  call->keys.reserve(1 + also_delete.size());
  call->keys.push_back(map_key(std::move(key)));
  for (auto& k : also_delete) call->keys.push_back(map_key(std::move(k)));
  call->args = {std::to_string(expected)};
  with_conn([call, stats = stats_, cb = std::move(cb)](RedisConn& c) mutable {
    send_eval(
        c, std::move(call), false, std::move(stats),
        [cb = std::move(cb)](Errc e, RedisReply&& r) { cb(script_status(e, r, "remove.lua")); });
  });
}

// ---- plain strings -----------------------------------------------------------------------------

void RedisStore::claim(std::string key, std::string value, int ttl_s, DoneFn cb) {
  with_conn([key = map_key(std::move(key)), value = std::move(value), ttl = ttl_arg(ttl_s),
             cb = std::move(cb)](RedisConn& c) mutable {
    std::string_view argv[] = {"SET", key, value, "NX", "EX", ttl};
    c.command(argv, [cb = std::move(cb)](Errc e, RedisReply&& r) {
      cb(set_nx_status(e, r, "SET NX (claim)"));
    });
  });
}

void RedisStore::get_string(std::string key, StringFn cb) {
  with_conn([key = map_key(std::move(key)), cb = std::move(cb)](RedisConn& c) mutable {
    std::string_view argv[] = {"GET", key};
    c.command(argv, [cb = std::move(cb)](Errc e, RedisReply&& r) {
      if (e != Errc::Ok) return cb(e, {});
      if (r.type == RedisReply::Type::Nil) return cb(Errc::NotFound, {});
      if (r.type != RedisReply::Type::String) {
        log_unexpected("GET", r);
        return cb(Errc::Unavailable, {});
      }
      cb(Errc::Ok, std::move(r.str));
    });
  });
}

void RedisStore::touch(std::vector<std::string> keys, int ttl_s, DoneFn cb) {
  if (keys.empty()) return cb(Errc::Ok);
  auto call = std::make_shared<EvalCall>();
  call->script = &lua::k_touch;
  call->keys.reserve(keys.size());
  for (auto& k : keys) call->keys.push_back(map_key(std::move(k)));
  call->args = {ttl_arg(ttl_s)};
  with_conn([call, stats = stats_, cb = std::move(cb)](RedisConn& c) mutable {
    send_eval(c, std::move(call), false, std::move(stats),
              [cb = std::move(cb)](Errc e, RedisReply&& r) {
                if (e != Errc::Ok) return cb(e);
                if (r.type != RedisReply::Type::Integer) {
                  log_unexpected("touch.lua", r);
                  return cb(Errc::Unavailable);
                }
                cb(Errc::Ok);
              });
  });
}

void RedisStore::del(std::vector<std::string> keys, DoneFn cb) {
  if (keys.empty()) return cb(Errc::Ok);
  for (auto& k : keys) k = map_key(std::move(k));
  with_conn([keys = std::move(keys), cb = std::move(cb)](RedisConn& c) mutable {
    std::vector<std::string_view> argv;
    argv.reserve(keys.size() + 1);
    argv.emplace_back("DEL");
    for (const auto& k : keys) argv.emplace_back(k);
    c.command(argv, [cb = std::move(cb)](Errc e, RedisReply&& r) {
      if (e != Errc::Ok) return cb(e);
      if (r.type != RedisReply::Type::Integer) {
        log_unexpected("DEL", r);
        return cb(Errc::Unavailable);
      }
      cb(Errc::Ok);
    });
  });
}

// ---- counters ----------------------------------------------------------------------------------

void RedisStore::incr_window(std::string key, int64_t window_ms, CountFn cb) {
  auto call = std::make_shared<EvalCall>();
  call->script = &lua::k_incr_window;
  call->keys = {map_key(std::move(key))};
  call->args = {std::to_string(window_ms > 0 ? window_ms : 1)};
  with_conn([call, stats = stats_, cb = std::move(cb)](RedisConn& c) mutable {
    send_eval(c, std::move(call), false, std::move(stats),
              [cb = std::move(cb)](Errc e, RedisReply&& r) {
                if (e != Errc::Ok) return cb(e, 0, 0);
                if (r.type != RedisReply::Type::Array || r.elements.size() != 2 ||
                    r.elements[0].type != RedisReply::Type::Integer ||
                    r.elements[1].type != RedisReply::Type::Integer) {
                  log_unexpected("incr_window.lua", r);
                  return cb(Errc::Unavailable, 0, 0);
                }
                cb(Errc::Ok, r.elements[0].integer, r.elements[1].integer);
              });
  });
}

// ---- bus ---------------------------------------------------------------------------------------

void RedisStore::publish(std::string channel, std::string payload) {
  std::string message;
  message.reserve(kInstanceIdLen + payload.size());
  message += shared_->instance_id;
  message += payload;
  stats_->published.fetch_add(1, std::memory_order_relaxed);
  with_conn([channel = std::move(channel), message = std::move(message)](RedisConn& c) mutable {
    std::string_view argv[] = {"PUBLISH", channel, message};
    // At-most-once: a failed publish is counted (stats.failures) and otherwise dropped.
    c.command(argv, [](Errc, RedisReply&&) {});
  });
}

void RedisStore::subscribe(const std::string& channel) {
  loops_.dispatch(kSubLoop, [shared = shared_, sub = sub_, channel] {
    if (++shared->channels[channel] == 1) shared->send(*sub, "SUBSCRIBE", {channel});
  });
}

void RedisStore::unsubscribe(const std::string& channel) {
  loops_.dispatch(kSubLoop, [shared = shared_, sub = sub_, channel] {
    auto it = shared->channels.find(channel);
    if (it == shared->channels.end()) return;  // unbalanced unsubscribe: nothing to undo
    if (--it->second > 0) return;
    shared->channels.erase(it);
    shared->send(*sub, "UNSUBSCRIBE", {channel});
  });
}

void RedisStore::on_message(MessageFn fn) {
  loops_.dispatch(kSubLoop,
                  [shared = shared_, fn = std::move(fn)] { shared->on_message = std::move(fn); });
}

bool RedisStore::on_subscribed(SubscribedFn fn) {
  loops_.dispatch(
      kSubLoop, [shared = shared_, fn = std::move(fn)] { shared->on_subscribed = std::move(fn); });
  return true;
}

void RedisStore::drop_connections(const std::string& why) {
  for (std::size_t i = 0; i < conns_.size(); ++i)
    loops_.post(i, [c = conns_[i], why] { c->drop(why); });
  loops_.post(kSubLoop, [c = sub_, why] { c->drop(why); });
}

// ---- health ------------------------------------------------------------------------------------

State RedisStore::state() const {
  bool all_up = true;
  auto fold = [&](const RedisConn& c) {
    State s = c.state();
    if (s == State::Down) return false;
    if (s != State::Up) all_up = false;
    return true;
  };
  for (const auto& c : conns_)
    if (!fold(*c)) return State::Down;
  if (!fold(*sub_)) return State::Down;
  return all_up ? State::Up : State::Connecting;
}

}  // namespace engage::store
