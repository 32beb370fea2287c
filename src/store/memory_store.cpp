// MemoryStore implementation: sharded hash maps with lazy + incremental expiry, and an
// in-process bus between MemoryStore instances that share one backend.
#include "store/memory_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace engage::store {

namespace {

enum class Kind : uint8_t { Doc, String, Counter };

struct Entry {
  Kind kind = Kind::String;
  std::string value;
  uint64_t version = 0;
  int64_t count = 0;
  int64_t expires_ms = 0;  // steady ms; 0 = never
};

struct Shard {
  std::mutex mu;
  std::unordered_map<std::string, Entry> map;
};

}  // namespace

struct MemoryStore::Subscriber {
  std::mutex mu;
  std::unordered_map<std::string, int> channels;  // channel → outstanding subscribe() count
  std::shared_ptr<MessageFn> fn;
  std::shared_ptr<SubscribedFn> subscribed_fn;
};

class MemoryBackend {
 public:
  explicit MemoryBackend(const MemoryStoreOptions& o)
      : shards_(std::max<std::size_t>(1, o.shards)),
        sweep_every_(std::max<std::size_t>(1, o.sweep_every)),
        clock_(o.clock) {}

  int64_t now() const {
    const Clock& c = clock_ ? *clock_ : Clock::get();
    return std::chrono::duration_cast<std::chrono::milliseconds>(c.steady().time_since_epoch())
        .count();
  }
  int64_t deadline(int ttl_s) const {
    return ttl_s > 0 ? now() + static_cast<int64_t>(ttl_s) * 1000 : 0;
  }
  static bool expired(const Entry& e, int64_t now) {
    return e.expires_ms != 0 && e.expires_ms <= now;
  }

  Shard& shard(const std::string& key) {
    return shards_[std::hash<std::string>{}(key) % shards_.size()];
  }

  // Returns the live entry for key (erasing it when expired) or nullptr. Shard lock held.
  static Entry* live(Shard& s, const std::string& key, int64_t now) {
    auto it = s.map.find(key);
    if (it == s.map.end()) return nullptr;
    if (expired(it->second, now)) {
      s.map.erase(it);
      return nullptr;
    }
    return &it->second;
  }

  // Counts one operation and sweeps one shard every sweep_every_ operations.
  void tick() {
    uint64_t n = ops_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n % sweep_every_ != 0) return;
    std::size_t i = (n / sweep_every_) % shards_.size();
    sweep_shard(shards_[i]);
  }
  void sweep_shard(Shard& s) {
    const int64_t t = now();
    std::lock_guard lock(s.mu);
    std::erase_if(s.map, [t](const auto& kv) { return expired(kv.second, t); });
  }
  void sweep_all() {
    for (auto& s : shards_) sweep_shard(s);
  }
  std::size_t size() {
    const int64_t t = now();
    std::size_t n = 0;
    for (auto& s : shards_) {
      std::lock_guard lock(s.mu);
      for (const auto& kv : s.map)
        if (!expired(kv.second, t)) ++n;
    }
    return n;
  }

  // Refreshes the TTL of every live key in keys (absent keys are ignored).
  void touch_keys(const std::vector<std::string>& keys, int ttl_s) {
    const int64_t t = now();
    for (const auto& k : keys) {
      Shard& s = shard(k);
      std::lock_guard lock(s.mu);
      if (Entry* e = live(s, k, t)) e->expires_ms = deadline(ttl_s);
    }
  }

  void add_subscriber(const std::shared_ptr<MemoryStore::Subscriber>& sub) {
    std::lock_guard lock(bus_mu_);
    std::erase_if(subs_, [](const auto& w) { return w.expired(); });
    subs_.push_back(sub);
  }
  // Delivers payload to every subscriber of channel except `self`, outside every lock.
  void publish(const MemoryStore::Subscriber* self, const std::string& channel,
               const std::string& payload) {
    std::vector<std::shared_ptr<MemoryStore::Subscriber>> targets;
    {
      std::lock_guard lock(bus_mu_);
      for (const auto& w : subs_)
        if (auto s = w.lock(); s && s.get() != self) targets.push_back(std::move(s));
    }
    for (const auto& s : targets) {
      std::shared_ptr<MessageFn> fn;
      {
        std::lock_guard lock(s->mu);
        auto it = s->channels.find(channel);
        if (it == s->channels.end() || it->second <= 0) continue;
        fn = s->fn;
      }
      if (fn && *fn) (*fn)(channel, payload);
    }
  }

 private:
  std::vector<Shard> shards_;
  std::size_t sweep_every_;
  const Clock* clock_;
  std::atomic<uint64_t> ops_{0};
  std::mutex bus_mu_;
  std::vector<std::weak_ptr<MemoryStore::Subscriber>> subs_;
};

MemoryStore::MemoryStore(MemoryStoreOptions opts)
    : MemoryStore(std::make_shared<MemoryBackend>(opts)) {}

MemoryStore::MemoryStore(std::shared_ptr<MemoryBackend> backend)
    : backend_(std::move(backend)), sub_(std::make_shared<Subscriber>()) {
  backend_->add_subscriber(sub_);
}

MemoryStore::~MemoryStore() = default;

void MemoryStore::get(std::string key, DocFn cb) {
  backend_->tick();
  Errc rc = Errc::NotFound;
  Doc out;
  {
    Shard& s = backend_->shard(key);
    std::lock_guard lock(s.mu);
    if (Entry* e = MemoryBackend::live(s, key, backend_->now())) {
      rc = Errc::Ok;
      out.value = e->value;
      out.version = e->version;
    }
  }
  cb(rc, std::move(out));
}

void MemoryStore::create(std::string key, Doc doc, int ttl_s, DoneFn cb) {
  backend_->tick();
  Errc rc = Errc::Conflict;
  {
    Shard& s = backend_->shard(key);
    std::lock_guard lock(s.mu);
    if (!MemoryBackend::live(s, key, backend_->now())) {
      Entry e;
      e.kind = Kind::Doc;
      e.value = std::move(doc.value);
      e.version = doc.version;
      e.expires_ms = backend_->deadline(ttl_s);
      s.map.insert_or_assign(std::move(key), std::move(e));
      rc = Errc::Ok;
    }
  }
  cb(rc);
}

void MemoryStore::cas(std::string key, uint64_t expected, Doc doc, int ttl_s,
                      std::vector<std::string> also_touch, DoneFn cb) {
  backend_->tick();
  Errc rc = Errc::NotFound;
  {
    Shard& s = backend_->shard(key);
    std::lock_guard lock(s.mu);
    if (Entry* e = MemoryBackend::live(s, key, backend_->now())) {
      if (e->kind != Kind::Doc || e->version != expected) {
        rc = Errc::Conflict;
      } else {
        e->value = std::move(doc.value);
        e->version = doc.version;
        e->expires_ms = backend_->deadline(ttl_s);
        rc = Errc::Ok;
      }
    }
  }
  if (rc == Errc::Ok) backend_->touch_keys(also_touch, ttl_s);
  cb(rc);
}

void MemoryStore::remove(std::string key, uint64_t expected, std::vector<std::string> also_delete,
                         DoneFn cb) {
  backend_->tick();
  Errc rc = Errc::NotFound;
  {
    Shard& s = backend_->shard(key);
    std::lock_guard lock(s.mu);
    if (Entry* e = MemoryBackend::live(s, key, backend_->now())) {
      if (expected != 0 && e->version != expected) {
        rc = Errc::Conflict;
      } else {
        s.map.erase(key);
        rc = Errc::Ok;
      }
    }
  }
  if (rc == Errc::Ok) {
    for (const auto& k : also_delete) {
      Shard& s = backend_->shard(k);
      std::lock_guard lock(s.mu);
      s.map.erase(k);
    }
  }
  cb(rc);
}

void MemoryStore::claim(std::string key, std::string value, int ttl_s, DoneFn cb) {
  backend_->tick();
  Errc rc = Errc::Conflict;
  {
    Shard& s = backend_->shard(key);
    std::lock_guard lock(s.mu);
    if (!MemoryBackend::live(s, key, backend_->now())) {
      Entry e;
      e.kind = Kind::String;
      e.value = std::move(value);
      e.expires_ms = backend_->deadline(ttl_s);
      s.map.insert_or_assign(std::move(key), std::move(e));
      rc = Errc::Ok;
    }
  }
  cb(rc);
}

void MemoryStore::get_string(std::string key, StringFn cb) {
  backend_->tick();
  Errc rc = Errc::NotFound;
  std::string out;
  {
    Shard& s = backend_->shard(key);
    std::lock_guard lock(s.mu);
    if (Entry* e = MemoryBackend::live(s, key, backend_->now())) {
      rc = Errc::Ok;
      out = e->kind == Kind::Counter ? std::to_string(e->count) : e->value;
    }
  }
  cb(rc, std::move(out));
}

void MemoryStore::touch(std::vector<std::string> keys, int ttl_s, DoneFn cb) {
  backend_->tick();
  backend_->touch_keys(keys, ttl_s);
  cb(Errc::Ok);
}

void MemoryStore::del(std::vector<std::string> keys, DoneFn cb) {
  backend_->tick();
  for (const auto& k : keys) {
    Shard& s = backend_->shard(k);
    std::lock_guard lock(s.mu);
    s.map.erase(k);
  }
  cb(Errc::Ok);
}

void MemoryStore::incr_window(std::string key, int64_t window_ms, CountFn cb) {
  backend_->tick();
  int64_t count = 0;
  int64_t ttl = 0;
  {
    Shard& s = backend_->shard(key);
    std::lock_guard lock(s.mu);
    const int64_t t = backend_->now();
    Entry* e = MemoryBackend::live(s, key, t);
    if (!e || e->kind != Kind::Counter) {
      Entry fresh;
      fresh.kind = Kind::Counter;
      fresh.expires_ms = t + std::max<int64_t>(1, window_ms);
      e = &s.map.insert_or_assign(key, std::move(fresh)).first->second;
    }
    count = ++e->count;
    ttl = e->expires_ms - t;
  }
  cb(Errc::Ok, count, ttl);
}

void MemoryStore::publish(std::string channel, std::string payload) {
  backend_->publish(sub_.get(), channel, payload);
}

void MemoryStore::subscribe(const std::string& channel) {
  std::shared_ptr<SubscribedFn> fn;
  {
    std::lock_guard lock(sub_->mu);
    ++sub_->channels[channel];
    fn = sub_->subscribed_fn;
  }
  if (fn && *fn) (*fn)(channel);  // outside the lock: the handler may call back into the store
}

void MemoryStore::unsubscribe(const std::string& channel) {
  std::lock_guard lock(sub_->mu);
  auto it = sub_->channels.find(channel);
  if (it != sub_->channels.end() && --it->second <= 0) sub_->channels.erase(it);
}

void MemoryStore::on_message(MessageFn fn) {
  auto p = std::make_shared<MessageFn>(std::move(fn));
  std::lock_guard lock(sub_->mu);
  sub_->fn = std::move(p);
}

bool MemoryStore::on_subscribed(SubscribedFn fn) {
  auto p = std::make_shared<SubscribedFn>(std::move(fn));
  std::lock_guard lock(sub_->mu);
  sub_->subscribed_fn = std::move(p);
  return true;
}

void MemoryStore::sweep() {
  backend_->sweep_all();
}

std::size_t MemoryStore::size() const {
  return backend_->size();
}

}  // namespace engage::store
