// RedisClusterStore: the Store on a Redis Cluster (slot routing, redirections, sharded pub/sub).
#include "store/redis_cluster_store.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "core/random.h"
#include "net/loops.h"
#include "store/redis_conn.h"
#include "store/redis_doc.h"
#include "store/redis_scripts.h"

namespace engage::store {

namespace {

constexpr std::size_t kSubLoop = 0;
constexpr std::size_t kInstanceIdLen = 16;  // same framing as RedisStore's bus messages
constexpr int kRetryMs = 100;               // CLUSTERDOWN / TRYAGAIN / no owner yet

const lua::Script* const kScripts[] = {&lua::k_cas, &lua::k_remove, &lua::k_touch,
                                       &lua::k_incr_window};

using ReplyFn = RedisConn::ReplyFn;

std::string node_key(const cluster::Node& n) {
  return n.host + ":" + std::to_string(n.port);
}

std::string ttl_arg(int ttl_s) {
  return std::to_string(ttl_s > 0 ? ttl_s : 1);
}

Errc script_status(Errc e, const RedisReply& r) {
  if (e != Errc::Ok) return e;
  if (r.type == RedisReply::Type::Integer) {
    if (r.integer == 1) return Errc::Ok;
    if (r.integer == 0) return Errc::NotFound;
    if (r.integer == -1) return Errc::Conflict;
  }
  spdlog::error("redis cluster: unexpected script answer {}", r.is_error() ? r.str : "(type)");
  return Errc::Unavailable;
}

Errc set_nx_status(Errc e, const RedisReply& r) {
  if (e != Errc::Ok) return e;
  if (r.type == RedisReply::Type::Status) return Errc::Ok;
  if (r.type == RedisReply::Type::Nil) return Errc::Conflict;
  spdlog::error("redis cluster: unexpected SET NX answer {}", r.is_error() ? r.str : "(type)");
  return Errc::Unavailable;
}

// Calls `done` once after `n` parts finished, with the first failure (or Ok).
struct Join {
  Join(std::size_t n, DoneFn d) : left(n), done(std::move(d)) {}
  void part(Errc e) {
    if (e != Errc::Ok && first == Errc::Ok) first = e;
    if (--left == 0) done(first);
  }
  std::size_t left;
  Errc first = Errc::Ok;
  DoneFn done;
};

}  // namespace

// One command on its way to the right node.
struct ClusterCall {
  uint16_t slot = 0;
  std::vector<std::string> argv;
  ReplyFn cb;
  int hops = 0;
  std::optional<cluster::Node> target;  // set after MOVED / ASK: go there, not by the map
  bool asking = false;                  // send ASKING first (ASK redirection)
};

struct RedisClusterStore::Core : std::enable_shared_from_this<Core> {
  Core(RedisClusterOptions o, net::Loops& l, std::shared_ptr<RedisStats> s)
      : opt(std::move(o)), loops(l), stats(std::move(s)) {}

  RedisClusterOptions opt;
  net::Loops& loops;
  std::shared_ptr<RedisStats> stats;
  std::string instance_id = random_id(kInstanceIdLen);
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> refreshes{0};
  std::atomic<uint64_t> redirects{0};

  mutable std::mutex map_mu;
  std::shared_ptr<const cluster::SlotMap> map;  // null until the first CLUSTER SLOTS answer

  // Every connection, for state() and shutdown (guarded by conns_mu).
  mutable std::mutex conns_mu;
  std::vector<std::pair<std::size_t, std::weak_ptr<RedisConn>>> all_conns;

  // Data connections per loop, keyed "host:port"; touched only on their loop.
  std::vector<std::unordered_map<std::string, std::shared_ptr<RedisConn>>> data;

  // Loop 0 only: refresh and sharded subscriptions.
  bool refreshing = false;
  bool refresh_again = false;
  std::size_t next_candidate = 0;
  std::unique_ptr<boost::asio::steady_timer> refresh_timer;
  std::unordered_map<std::string, int> channels;                     // wanted channel → count
  std::unordered_map<std::string, std::string> channel_node;         // channel → node it is on
  std::unordered_map<std::string, std::shared_ptr<RedisConn>> subs;  // node → subscriber
  // node → channel → SSUBSCRIBE commands sent on its current connection, not yet answered.
  std::unordered_map<std::string, std::unordered_map<std::string, int>> unanswered;
  MessageFn on_message;
  SubscribedFn on_subscribed;

  std::shared_ptr<const cluster::SlotMap> current_map() const {
    std::lock_guard lock(map_mu);
    return map;
  }

  RedisConfig node_config(const cluster::Node& n) const {
    RedisConfig c = opt.base;
    c.host = n.host;
    c.port = n.port;
    c.db = 0;  // a cluster has database 0 only
    return c;
  }

  void remember(std::size_t loop, const std::shared_ptr<RedisConn>& c) {
    std::lock_guard lock(conns_mu);
    all_conns.emplace_back(loop, c);
  }

  // Returns loop `loop`'s data connection to `n`, creating it. On `loop` only.
  RedisConn& data_conn(std::size_t loop, const cluster::Node& n) {
    auto& table = data[loop];
    std::string k = node_key(n);
    auto it = table.find(k);
    if (it != table.end()) return *it->second;
    auto c = std::make_shared<RedisConn>(loops.context(loop), node_config(n), stats,
                                         RedisConn::Role::Data,
                                         "cluster loop " + std::to_string(loop) + " " + k);
    std::vector<std::vector<std::string>> init;
    for (const auto* s : kScripts) init.push_back({"SCRIPT", "LOAD", std::string(s->source)});
    c->set_init_commands(std::move(init));
    c->start();
    remember(loop, c);
    return *table.emplace(k, c).first->second;
  }

  // Sends `call` from loop `loop` to the node that serves it. On `loop` only.
  void run(std::size_t loop, std::shared_ptr<ClusterCall> call) {
    if (stopped.load(std::memory_order_relaxed)) return call->cb(Errc::Unavailable, {});
    std::optional<cluster::Node> node = call->target;
    if (!node) {
      auto m = current_map();
      if (m)
        if (const cluster::Node* n = m->node_for(call->slot)) node = *n;
    }
    if (!node) {
      request_refresh();
      return retry_later(loop, std::move(call));
    }
    RedisConn& conn = data_conn(loop, *node);
    if (call->asking) {
      std::string_view asking[] = {"ASKING"};
      conn.command(asking, [](Errc, RedisReply&&) {});
    }
    std::vector<std::string_view> argv(call->argv.begin(), call->argv.end());
    std::weak_ptr<Core> weak = weak_from_this();
    conn.command(argv, [weak, loop, call](Errc e, RedisReply&& r) mutable {
      auto self = weak.lock();
      if (!self) return call->cb(Errc::Unavailable, {});
      self->on_reply(loop, std::move(call), e, std::move(r));
    });
  }

  void on_reply(std::size_t loop, std::shared_ptr<ClusterCall> call, Errc e, RedisReply&& r) {
    if (e != Errc::Ok) {
      request_refresh();  // the node may be gone (failover): re-read the map
      return call->cb(e, {});
    }
    if (r.is_error()) {
      if (auto red = cluster::parse_redirect(r.str)) {
        if (call->hops >= opt.max_redirects) return call->cb(Errc::Unavailable, {});
        ++call->hops;
        redirects.fetch_add(1, std::memory_order_relaxed);
        call->target = red->node;
        call->asking = red->ask;
        if (!red->ask) {
          note_moved(red->slot, red->node);
          request_refresh();
        }
        return run(loop, std::move(call));
      }
      if (r.error_starts_with("TRYAGAIN") || r.error_starts_with("CLUSTERDOWN")) {
        call->target.reset();
        call->asking = false;
        return retry_later(loop, std::move(call));
      }
    }
    call->cb(Errc::Ok, std::move(r));
  }

  // Runs `call` again in kRetryMs, until the command timeout's worth of retries is spent.
  void retry_later(std::size_t loop, std::shared_ptr<ClusterCall> call) {
    const int max_retries = std::max(1, opt.base.command_timeout_ms / kRetryMs);
    if (++call->hops > max_retries + opt.max_redirects) return call->cb(Errc::Unavailable, {});
    auto t = std::make_shared<boost::asio::steady_timer>(loops.context(loop));
    t->expires_after(std::chrono::milliseconds(kRetryMs));
    std::weak_ptr<Core> weak = weak_from_this();
    t->async_wait([weak, loop, call, t](const boost::system::error_code&) mutable {
      auto self = weak.lock();
      if (!self) return call->cb(Errc::Unavailable, {});
      self->run(loop, std::move(call));
    });
  }

  // Records a MOVED answer in the map at once (the refresh that follows brings the rest).
  void note_moved(uint16_t slot, const cluster::Node& n) {
    std::lock_guard lock(map_mu);
    auto copy =
        map ? std::make_shared<cluster::SlotMap>(*map) : std::make_shared<cluster::SlotMap>();
    copy->owner[slot] = copy->node_index(n);
    map = std::move(copy);
  }

  // Runs fn(loop) on the calling loop, or on loop 0 from any other thread.
  template <class F>
  void with_loop(F&& fn) {
    int i = net::Loops::current();
    if (i >= 0 && static_cast<std::size_t>(i) < loops.size() &&
        loops.context(static_cast<std::size_t>(i)).get_executor().running_in_this_thread()) {
      fn(static_cast<std::size_t>(i));
      return;
    }
    loops.post(0, [fn = std::forward<F>(fn)]() mutable { fn(std::size_t{0}); });
  }

  // Sends one command about `key` (already mapped) from the calling loop.
  void exec(std::string key, std::vector<std::string> argv, ReplyFn cb) {
    auto call = std::make_shared<ClusterCall>();
    call->slot = cluster::key_slot(key);
    call->argv = std::move(argv);
    call->cb = std::move(cb);
    with_loop([self = shared_from_this(), call](std::size_t loop) { self->run(loop, call); });
  }

  // EVALSHA `script` on keys (one slot) with args; NOSCRIPT → EVAL once (reloads the script).
  void eval(const lua::Script* script, std::vector<std::string> keys, std::vector<std::string> args,
            ReplyFn cb, bool with_source = false) {
    std::vector<std::string> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.emplace_back(with_source ? "EVAL" : "EVALSHA");
    argv.emplace_back(with_source ? script->source : script->sha1);
    argv.push_back(std::to_string(keys.size()));
    for (const auto& k : keys) argv.push_back(k);
    for (const auto& a : args) argv.push_back(a);
    std::string first = keys.empty() ? std::string() : keys.front();
    std::weak_ptr<Core> weak = weak_from_this();
    exec(std::move(first), std::move(argv),
         [weak, script, keys = std::move(keys), args = std::move(args), with_source,
          cb = std::move(cb)](Errc e, RedisReply&& r) mutable {
           auto self = weak.lock();
           if (self && e == Errc::Ok && !with_source && r.error_starts_with("NOSCRIPT")) {
             self->stats->noscript_fallbacks.fetch_add(1, std::memory_order_relaxed);
             return self->eval(script, std::move(keys), std::move(args), std::move(cb), true);
           }
           cb(e, std::move(r));
         });
  }

  // ---- slot map ---------------------------------------------------------------------------

  void request_refresh() {
    if (stopped.load(std::memory_order_relaxed)) return;
    loops.dispatch(kSubLoop, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->refresh();
    });
  }

  // Asks one known node (map nodes first, then the seeds, rotating) for CLUSTER SLOTS. Loop 0.
  void refresh() {
    if (refreshing) {
      refresh_again = true;
      return;
    }
    std::vector<cluster::Node> candidates;
    if (auto m = current_map()) candidates = m->nodes;
    for (const auto& s : opt.seeds) candidates.push_back(s);
    if (candidates.empty()) return;
    const cluster::Node n = candidates[next_candidate++ % candidates.size()];
    refreshing = true;
    std::string_view argv[] = {"CLUSTER", "SLOTS"};
    std::weak_ptr<Core> weak = weak_from_this();
    data_conn(kSubLoop, n).command(argv, [weak, n](Errc e, RedisReply&& r) {
      auto self = weak.lock();
      if (!self) return;
      self->refreshing = false;
      bool ok = false;
      if (e == Errc::Ok && !r.is_error()) {
        auto parsed = cluster::parse_slots(r, n.host);
        if (parsed && parsed->covered() > 0) {
          self->apply_map(std::make_shared<cluster::SlotMap>(std::move(*parsed)));
          ok = true;
        } else if (!parsed) {
          spdlog::warn("redis cluster: {}", parsed.error());
        }
      }
      if (!ok || self->refresh_again) {
        self->refresh_again = false;
        self->schedule_refresh(ok ? 0 : kRetryMs * 2);
      }
    });
  }

  void apply_map(std::shared_ptr<const cluster::SlotMap> m) {
    bool first = false;
    {
      std::lock_guard lock(map_mu);
      first = !map;
      map = m;
    }
    refreshes.fetch_add(1, std::memory_order_relaxed);
    if (first)
      spdlog::info("redis cluster: {} masters serve {} slots", m->nodes.size(), m->covered());
    prune(*m);
    resubscribe_all();
  }

  // Closes the connections to nodes that no longer serve any slot (a failed-over master): their
  // calls fail with Unavailable and state() no longer counts them. Loop 0.
  void prune(const cluster::SlotMap& m) {
    std::unordered_set<std::string> live;
    for (const auto& n : m.nodes) live.insert(node_key(n));
    for (auto it = subs.begin(); it != subs.end();) {
      if (live.count(it->first)) {
        ++it;
        continue;
      }
      forget(it->second.get());
      it->second->stop();
      it = subs.erase(it);
    }
    for (std::size_t i = 0; i < loops.size(); ++i) {
      loops.dispatch(i, [weak = weak_from_this(), i, live] {
        auto self = weak.lock();
        if (!self) return;
        auto& table = self->data[i];
        for (auto it = table.begin(); it != table.end();) {
          if (live.count(it->first)) {
            ++it;
            continue;
          }
          self->forget(it->second.get());
          it->second->stop();
          it = table.erase(it);
        }
      });
    }
  }

  void forget(const RedisConn* c) {
    std::lock_guard lock(conns_mu);
    std::erase_if(all_conns, [c](const auto& e) {
      auto p = e.second.lock();
      return !p || p.get() == c;
    });
  }

  void schedule_refresh(int ms) {
    if (stopped.load(std::memory_order_relaxed)) return;
    if (!refresh_timer)
      refresh_timer = std::make_unique<boost::asio::steady_timer>(loops.context(kSubLoop));
    refresh_timer->expires_after(std::chrono::milliseconds(ms));
    refresh_timer->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->refresh();
    });
  }

  // Periodic refresh: catches failovers that no command has run into yet. Loop 0.
  void periodic() {
    if (stopped.load(std::memory_order_relaxed)) return;
    auto t = std::make_shared<boost::asio::steady_timer>(loops.context(kSubLoop));
    t->expires_after(std::chrono::milliseconds(opt.refresh_ms));
    t->async_wait([weak = weak_from_this(), t](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) {
        self->refresh();
        self->periodic();
      }
    });
  }

  // ---- sharded pub/sub (loop 0) -------------------------------------------------------------

  RedisConn& sub_conn(const cluster::Node& n) {
    std::string k = node_key(n);
    auto it = subs.find(k);
    if (it != subs.end()) return *it->second;
    auto c = std::make_shared<RedisConn>(loops.context(kSubLoop), node_config(n), stats,
                                         RedisConn::Role::Subscriber, "cluster pubsub " + k);
    std::weak_ptr<Core> weak = weak_from_this();
    c->set_on_push([weak, k](RedisReply&& r) {
      if (auto self = weak.lock()) self->on_push(k, std::move(r));
    });
    c->set_on_ready([weak, k] {
      if (auto self = weak.lock()) self->resend(k);
    });
    c->start();
    remember(kSubLoop, c);
    return *subs.emplace(k, c).first->second;
  }

  // Re-sends SSUBSCRIBE for every channel placed on node `k` (after its (re)connection).
  void resend(const std::string& k) {
    auto it = subs.find(k);
    if (it == subs.end() || !it->second->ready()) return;
    unanswered[k].clear();  // answers to commands sent on the lost connection never come
    for (const auto& [ch, node] : channel_node) {
      if (node != k) continue;
      ssubscribe(k, *it->second, ch);
    }
  }

  // Sends SSUBSCRIBE `ch` on node `k`'s (ready) subscriber connection `sub`.
  void ssubscribe(const std::string& k, RedisConn& sub, const std::string& ch) {
    ++unanswered[k][ch];
    std::string_view argv[] = {"SSUBSCRIBE", ch};
    sub.send_push(argv);
  }

  // Places `ch` on the node owning its slot (moving it when the slot moved).
  void place(const std::string& ch) {
    auto m = current_map();
    const cluster::Node* n = m ? m->node_for(cluster::key_slot(ch)) : nullptr;
    if (!n) return;  // placed when a map arrives
    std::string k = node_key(*n);
    auto cur = channel_node.find(ch);
    if (cur != channel_node.end() && cur->second == k) return;
    if (cur != channel_node.end()) {
      auto old = subs.find(cur->second);
      if (old != subs.end() && old->second->ready()) {
        std::string_view argv[] = {"SUNSUBSCRIBE", ch};
        old->second->send_push(argv);
      }
    }
    channel_node[ch] = k;
    RedisConn& sub = sub_conn(*n);
    if (sub.ready()) ssubscribe(k, sub, ch);
  }

  void resubscribe_all() {
    for (const auto& [ch, count] : channels) place(ch);
  }

  void on_push(const std::string& from, RedisReply&& r) {
    if (r.type != RedisReply::Type::Array || r.elements.size() < 3) return;
    const std::string& kind = r.elements[0].str;
    const std::string& ch = r.elements[1].str;
    if (kind == "ssubscribe") {
      // Answers come in command order: subscribed once the last SSUBSCRIBE sent for `ch` to the
      // node it is placed on is answered, if it is still wanted there.
      auto& waiting = unanswered[from];
      auto it = waiting.find(ch);
      if (it == waiting.end() || --it->second > 0) return;
      waiting.erase(it);
      auto placed = channel_node.find(ch);
      if (channels.count(ch) && placed != channel_node.end() && placed->second == from &&
          on_subscribed)
        on_subscribed(ch);
      return;
    }
    if (kind == "sunsubscribe") {
      // Unasked (the slot moved away from this node): forget the placement, re-read the map.
      auto it = channel_node.find(ch);
      if (channels.count(ch) && it != channel_node.end() && it->second == from) {
        channel_node.erase(it);
        request_refresh();
      }
      return;
    }
    if (kind != "smessage" && kind != "message") return;
    std::string_view payload = r.elements[2].str;
    if (payload.size() < kInstanceIdLen) return;
    if (payload.substr(0, kInstanceIdLen) == instance_id) return;
    stats->messages_received.fetch_add(1, std::memory_order_relaxed);
    if (on_message) on_message(ch, payload.substr(kInstanceIdLen));
  }

  void shutdown() {
    stopped.store(true, std::memory_order_relaxed);
    std::vector<std::pair<std::size_t, std::weak_ptr<RedisConn>>> all;
    {
      std::lock_guard lock(conns_mu);
      all.swap(all_conns);
    }
    for (auto& [loop, weak] : all) {
      auto c = weak.lock();
      if (!c) continue;
      if (loops.context(loop).get_executor().running_in_this_thread() ||
          loops.context(loop).stopped())
        c->abandon();
      else
        loops.post(loop, [c] { c->abandon(); });
    }
  }
};

RedisClusterStore::RedisClusterStore(RedisClusterOptions options, net::Loops& loops)
    : stats_(std::make_shared<RedisStats>()),
      core_(std::make_shared<Core>(std::move(options), loops, stats_)) {
  core_->data.resize(loops.size());
  loops.post(kSubLoop, [core = core_] {
    core->refresh();
    core->periodic();
  });
}

RedisClusterStore::~RedisClusterStore() {
  core_->shutdown();
}

uint64_t RedisClusterStore::refreshes() const {
  return core_->refreshes.load(std::memory_order_relaxed);
}

uint64_t RedisClusterStore::redirects() const {
  return core_->redirects.load(std::memory_order_relaxed);
}

// ---- documents -----------------------------------------------------------------------------

void RedisClusterStore::get(std::string key, DocFn cb) {
  std::string k = cluster::map_key(key);
  core_->exec(k, {"GET", k}, [cb = std::move(cb)](Errc e, RedisReply&& r) {
    if (e != Errc::Ok) return cb(e, {});
    if (r.type == RedisReply::Type::Nil) return cb(Errc::NotFound, {});
    if (r.type != RedisReply::Type::String) return cb(Errc::Unavailable, {});
    Doc d;
    d.version = top_level_version(r.str).value_or(0);
    d.value = std::move(r.str);
    cb(Errc::Ok, std::move(d));
  });
}

void RedisClusterStore::create(std::string key, Doc doc, int ttl_s, DoneFn cb) {
  std::string k = cluster::map_key(key);
  core_->exec(k, {"SET", k, std::move(doc.value), "NX", "EX", ttl_arg(ttl_s)},
              [cb = std::move(cb)](Errc e, RedisReply&& r) { cb(set_nx_status(e, r)); });
}

void RedisClusterStore::cas(std::string key, uint64_t expected, Doc doc, int ttl_s,
                            std::vector<std::string> also_touch, DoneFn cb) {
  std::vector<std::string> keys{cluster::map_key(key)};
  for (const auto& k : also_touch) keys.push_back(cluster::map_key(k));
  auto groups = cluster::group_by_slot(keys);
  std::string ttl = ttl_arg(ttl_s);
  auto core = core_;
  std::vector<std::string> first = std::move(groups[0]);  // before `groups` moves into the lambda
  core_->eval(
      &lua::k_cas, std::move(first), {std::to_string(expected), std::move(doc.value), ttl},
      [core, groups = std::move(groups), ttl, cb = std::move(cb)](Errc e, RedisReply&& r) mutable {
        Errc rc = script_status(e, r);
        if (rc != Errc::Ok || groups.size() == 1) return cb(rc);
        // Keys in other slots: refresh their TTL too (best effort, done before cb).
        auto join =
            std::make_shared<Join>(groups.size() - 1, [rc, cb = std::move(cb)](Errc) { cb(rc); });
        for (std::size_t i = 1; i < groups.size(); ++i)
          core->eval(&lua::k_touch, std::move(groups[i]), {ttl},
                     [join](Errc x, RedisReply&&) { join->part(x); });
      });
}

void RedisClusterStore::remove(std::string key, uint64_t expected,
                               std::vector<std::string> also_delete, DoneFn cb) {
  std::vector<std::string> keys{cluster::map_key(key)};
  for (const auto& k : also_delete) keys.push_back(cluster::map_key(k));
  auto groups = cluster::group_by_slot(keys);
  auto core = core_;
  std::vector<std::string> first = std::move(groups[0]);  // before `groups` moves into the lambda
  core_->eval(
      &lua::k_remove, std::move(first), {std::to_string(expected)},
      [core, groups = std::move(groups), cb = std::move(cb)](Errc e, RedisReply&& r) mutable {
        Errc rc = script_status(e, r);
        if (rc != Errc::Ok || groups.size() == 1) return cb(rc);
        // Keys in other slots (a room's code mapping): deleted right after, before cb.
        auto join =
            std::make_shared<Join>(groups.size() - 1, [rc, cb = std::move(cb)](Errc) { cb(rc); });
        for (std::size_t i = 1; i < groups.size(); ++i) {
          std::vector<std::string> argv{"DEL"};
          for (auto& k : groups[i]) argv.push_back(std::move(k));
          std::string slot_key = argv[1];
          core->exec(std::move(slot_key), std::move(argv),
                     [join](Errc x, RedisReply&&) { join->part(x); });
        }
      });
}

// ---- plain strings ---------------------------------------------------------------------------

void RedisClusterStore::claim(std::string key, std::string value, int ttl_s, DoneFn cb) {
  std::string k = cluster::map_key(key);
  core_->exec(k, {"SET", k, std::move(value), "NX", "EX", ttl_arg(ttl_s)},
              [cb = std::move(cb)](Errc e, RedisReply&& r) { cb(set_nx_status(e, r)); });
}

void RedisClusterStore::get_string(std::string key, StringFn cb) {
  std::string k = cluster::map_key(key);
  core_->exec(k, {"GET", k}, [cb = std::move(cb)](Errc e, RedisReply&& r) {
    if (e != Errc::Ok) return cb(e, {});
    if (r.type == RedisReply::Type::Nil) return cb(Errc::NotFound, {});
    if (r.type != RedisReply::Type::String) return cb(Errc::Unavailable, {});
    cb(Errc::Ok, std::move(r.str));
  });
}

void RedisClusterStore::touch(std::vector<std::string> keys, int ttl_s, DoneFn cb) {
  if (keys.empty()) return cb(Errc::Ok);
  for (auto& k : keys) k = cluster::map_key(k);
  auto groups = cluster::group_by_slot(keys);
  auto join = std::make_shared<Join>(groups.size(), std::move(cb));
  for (auto& g : groups)
    core_->eval(&lua::k_touch, std::move(g), {ttl_arg(ttl_s)}, [join](Errc e, RedisReply&& r) {
      join->part(e == Errc::Ok && r.type != RedisReply::Type::Integer ? Errc::Unavailable : e);
    });
}

void RedisClusterStore::del(std::vector<std::string> keys, DoneFn cb) {
  if (keys.empty()) return cb(Errc::Ok);
  for (auto& k : keys) k = cluster::map_key(k);
  auto groups = cluster::group_by_slot(keys);
  auto join = std::make_shared<Join>(groups.size(), std::move(cb));
  for (auto& g : groups) {
    std::vector<std::string> argv{"DEL"};
    for (auto& k : g) argv.push_back(std::move(k));
    std::string first = argv[1];
    core_->exec(std::move(first), std::move(argv), [join](Errc e, RedisReply&& r) {
      join->part(e == Errc::Ok && r.type != RedisReply::Type::Integer ? Errc::Unavailable : e);
    });
  }
}

// ---- counters --------------------------------------------------------------------------------

void RedisClusterStore::incr_window(std::string key, int64_t window_ms, CountFn cb) {
  core_->eval(&lua::k_incr_window, {cluster::map_key(key)},
              {std::to_string(window_ms > 0 ? window_ms : 1)},
              [cb = std::move(cb)](Errc e, RedisReply&& r) {
                if (e != Errc::Ok) return cb(e, 0, 0);
                if (r.type != RedisReply::Type::Array || r.elements.size() != 2 ||
                    r.elements[0].type != RedisReply::Type::Integer ||
                    r.elements[1].type != RedisReply::Type::Integer)
                  return cb(Errc::Unavailable, 0, 0);
                cb(Errc::Ok, r.elements[0].integer, r.elements[1].integer);
              });
}

// ---- bus (sharded pub/sub) -------------------------------------------------------------------

void RedisClusterStore::publish(std::string channel, std::string payload) {
  std::string message;
  message.reserve(kInstanceIdLen + payload.size());
  message += core_->instance_id;
  message += payload;
  stats_->published.fetch_add(1, std::memory_order_relaxed);
  std::string slot_key = channel;
  core_->exec(std::move(slot_key), {"SPUBLISH", std::move(channel), std::move(message)},
              [](Errc, RedisReply&&) {});  // at-most-once
}

void RedisClusterStore::subscribe(const std::string& channel) {
  core_->loops.dispatch(kSubLoop, [core = core_, channel] {
    if (++core->channels[channel] == 1) core->place(channel);
  });
}

void RedisClusterStore::unsubscribe(const std::string& channel) {
  core_->loops.dispatch(kSubLoop, [core = core_, channel] {
    auto it = core->channels.find(channel);
    if (it == core->channels.end() || --it->second > 0) return;
    core->channels.erase(it);
    auto placed = core->channel_node.find(channel);
    if (placed == core->channel_node.end()) return;
    auto sub = core->subs.find(placed->second);
    core->channel_node.erase(placed);
    if (sub != core->subs.end() && sub->second->ready()) {
      std::string_view argv[] = {"SUNSUBSCRIBE", channel};
      sub->second->send_push(argv);
    }
  });
}

bool RedisClusterStore::on_subscribed(SubscribedFn fn) {
  core_->loops.dispatch(
      kSubLoop, [core = core_, fn = std::move(fn)] { core->on_subscribed = std::move(fn); });
  return true;
}

void RedisClusterStore::on_message(MessageFn fn) {
  core_->loops.dispatch(kSubLoop,
                        [core = core_, fn = std::move(fn)] { core->on_message = std::move(fn); });
}

// ---- health ----------------------------------------------------------------------------------

State RedisClusterStore::state() const {
  auto m = core_->current_map();
  if (!m) return State::Connecting;
  bool all_up = m->covered() == cluster::kSlots;
  std::lock_guard lock(core_->conns_mu);
  for (const auto& [loop, weak] : core_->all_conns) {
    auto c = weak.lock();
    if (!c) continue;
    State s = c->state();
    if (s == State::Down) return State::Down;
    if (s != State::Up) all_up = false;
  }
  return all_up ? State::Up : State::Connecting;
}

}  // namespace engage::store
