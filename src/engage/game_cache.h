// VersionedCache: per-room values kept in memory, keyed by the room document's version — the
// chess::Game of each active room (GameCache: a move is one do_move instead of a replay of the
// whole history) and the parsed room document (DocCache: an update skips the read and parse).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "chess/game.h"
#include "core/json.h"

namespace engage::engage {

// A bounded, sharded LRU map room id → (version, T). Thread-safe: a shard's mutex is held only
// to take or put an entry (never across I/O or callbacks). A value is taken out (moved, not
// copied) to be worked on, and put back once the update is committed; a value that is not put
// back (a failed write, another instance's update) is simply rebuilt on the next miss.
// Instantiated for chess::Game and json::Value (game_cache.cpp).
template <typename T>
class VersionedCache {
 public:
  // `capacity` = most values kept (0 disables the cache); split evenly across `shards`.
  explicit VersionedCache(std::size_t capacity = 4096, std::size_t shards = 16);

  // Removes and returns the value of `room_id` if it is cached at exactly `version`; a cached
  // value of another version is dropped (it is stale). nullopt on a miss.
  std::optional<T> take(const std::string& room_id, uint64_t version);
  struct Versioned {
    uint64_t version = 0;
    T value;
  };
  // Removes and returns the value of `room_id` with its version, whatever the version (the
  // caller checks it against the store, e.g. with a compare-and-set). nullopt on a miss.
  std::optional<Versioned> take_any(const std::string& room_id);
  // Stores the value of `room_id` at `version` (replacing any), evicting the least recently
  // used value of the shard when it is full.
  void put(const std::string& room_id, uint64_t version, T value);
  // Forgets the value of `room_id` (finished, deleted or expired room).
  void erase(const std::string& room_id);
  // Returns how many values are cached.
  std::size_t size() const;

  struct Stats {
    uint64_t hits = 0, misses = 0, evictions = 0;
  };
  // Returns the hit/miss/eviction counters since construction.
  Stats stats() const;

 private:
  struct Entry {
    uint64_t version = 0;
    T value;
    std::list<std::string>::iterator lru;  // position in Shard::order (front = newest)
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry> map;
    std::list<std::string> order;
    Stats stats;
  };
  Shard& shard_of(const std::string& room_id);

  std::size_t per_shard_;
  std::vector<Shard> shards_;
};

extern template class VersionedCache<chess::Game>;
extern template class VersionedCache<json::Value>;
using GameCache = VersionedCache<chess::Game>;
using DocCache = VersionedCache<json::Value>;

}  // namespace engage::engage
