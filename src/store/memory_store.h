// MemoryStore: the embedded, in-process Store (one instance, no Redis), honouring every
// guarantee of store.h with sharded mutexes and TTLs measured on the injectable Clock.
//
// Limits (stated, as centrifuge's broker_memory.go does): state lives in this process only and
// is lost on exit; "other processes" exist only as other MemoryStore instances built on the same
// MemoryBackend (tests use this to play two instances). Expired keys are removed lazily on
// access and by a sweep of one shard every `sweep_every` operations, so memory held by
// untouched expired keys is bounded by that sweep, not freed at the exact deadline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/store.h"

namespace engage::store {

// The shared state behind one or more MemoryStore instances. Thread-safe.
class MemoryBackend;

struct MemoryStoreOptions {
  std::size_t shards = 16;        // independent mutexes; keys are spread by hash
  std::size_t sweep_every = 256;  // operations between incremental sweeps of one shard
  const Clock* clock = nullptr;   // nullptr = Clock::get() at every read (tests install theirs)
};

class MemoryStore final : public Store {
 public:
  // Creates a store with its own fresh backend.
  explicit MemoryStore(MemoryStoreOptions opts = {});
  // Creates another instance ("process") on an existing backend: documents are shared, bus
  // messages published here reach the other instances' subscriptions but not this one's.
  explicit MemoryStore(std::shared_ptr<MemoryBackend> backend);
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  const std::shared_ptr<MemoryBackend>& backend() const { return backend_; }

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
  // Confirms every subscribe() at once (inline, before it returns): the subscription is in
  // place as soon as the call has registered it.
  bool on_subscribed(SubscribedFn fn) override;
  State state() const override { return State::Up; }
  std::string_view kind() const override { return "memory"; }

  // Removes every expired key now (all shards). Any thread.
  void sweep();
  // Returns the number of live (unexpired) keys. Any thread; for tests and stats.
  std::size_t size() const;

 private:
  friend class MemoryBackend;
  struct Subscriber;
  std::shared_ptr<MemoryBackend> backend_;
  std::shared_ptr<Subscriber> sub_;
};

}  // namespace engage::store
