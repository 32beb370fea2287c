// GameCache: the chess::Game of each active room kept in memory, keyed by the room document's
// version, so a move is one do_move instead of a replay of the whole history.
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

namespace engage::engage {

// A bounded, sharded LRU map room id → (version, Game). Thread-safe: a shard's mutex is held
// only to take or put an entry (never across I/O or callbacks). A game is taken out (moved,
// not copied) to be played on, and put back once the move is committed; a game that is not
// put back (a failed write, another instance's move) is simply rebuilt on the next miss.
class GameCache {
 public:
  // `capacity` = most games kept (0 disables the cache); split evenly across `shards`.
  explicit GameCache(std::size_t capacity = 4096, std::size_t shards = 16);

  // Removes and returns the game of `room_id` if it is cached at exactly `version`; a cached
  // game of another version is dropped (it is stale). nullopt on a miss.
  std::optional<chess::Game> take(const std::string& room_id, uint64_t version);
  // Stores the game of `room_id` at `version` (replacing any), evicting the least recently
  // used game of the shard when it is full.
  void put(const std::string& room_id, uint64_t version, chess::Game game);
  // Forgets the game of `room_id` (finished or expired room).
  void erase(const std::string& room_id);
  // Returns how many games are cached.
  std::size_t size() const;

  struct Stats {
    uint64_t hits = 0, misses = 0, evictions = 0;
  };
  // Returns the hit/miss/eviction counters since construction.
  Stats stats() const;

 private:
  struct Entry {
    uint64_t version = 0;
    chess::Game game;
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

}  // namespace engage::engage
