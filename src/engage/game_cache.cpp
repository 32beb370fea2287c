// VersionedCache: sharded LRU of per-room values keyed by room id and document version.
#include "engage/game_cache.h"

#include <functional>
#include <utility>

namespace engage::engage {

template <typename T>
VersionedCache<T>::VersionedCache(std::size_t capacity, std::size_t shards)
    : per_shard_(shards == 0 ? 0 : (capacity + shards - 1) / shards),
      shards_(shards == 0 ? 1 : shards) {
  if (capacity == 0) per_shard_ = 0;
}

template <typename T>
typename VersionedCache<T>::Shard& VersionedCache<T>::shard_of(const std::string& room_id) {
  return shards_[std::hash<std::string>{}(room_id) % shards_.size()];
}

template <typename T>
std::optional<T> VersionedCache<T>::take(const std::string& room_id, uint64_t version) {
  Shard& s = shard_of(room_id);
  std::optional<T> out;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.map.find(room_id);
    if (it == s.map.end()) {
      ++s.stats.misses;
      return out;
    }
    if (it->second.version == version) {
      out.emplace(std::move(it->second.value));
      ++s.stats.hits;
    } else {
      ++s.stats.misses;
    }
    s.order.erase(it->second.lru);
    s.map.erase(it);
  }
  return out;
}

template <typename T>
std::optional<typename VersionedCache<T>::Versioned> VersionedCache<T>::take_any(
    const std::string& room_id) {
  Shard& s = shard_of(room_id);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(room_id);
  if (it == s.map.end()) {
    ++s.stats.misses;
    return std::nullopt;
  }
  ++s.stats.hits;
  std::optional<Versioned> out(Versioned{it->second.version, std::move(it->second.value)});
  s.order.erase(it->second.lru);
  s.map.erase(it);
  return out;
}

template <typename T>
void VersionedCache<T>::put(const std::string& room_id, uint64_t version, T value) {
  if (per_shard_ == 0) return;
  Shard& s = shard_of(room_id);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(room_id);
  if (it != s.map.end()) {
    it->second.version = version;
    it->second.value = std::move(value);
    s.order.splice(s.order.begin(), s.order, it->second.lru);
    return;
  }
  while (s.map.size() >= per_shard_ && !s.order.empty()) {
    s.map.erase(s.order.back());
    s.order.pop_back();
    ++s.stats.evictions;
  }
  s.order.push_front(room_id);
  s.map.emplace(room_id, Entry{version, std::move(value), s.order.begin()});
}

template <typename T>
void VersionedCache<T>::erase(const std::string& room_id) {
  Shard& s = shard_of(room_id);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(room_id);
  if (it == s.map.end()) return;
  s.order.erase(it->second.lru);
  s.map.erase(it);
}

template <typename T>
std::size_t VersionedCache<T>::size() const {
  std::size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += s.map.size();
  }
  return n;
}

template <typename T>
typename VersionedCache<T>::Stats VersionedCache<T>::stats() const {
  Stats t;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    t.hits += s.stats.hits;
    t.misses += s.stats.misses;
    t.evictions += s.stats.evictions;
  }
  return t;
}

template class VersionedCache<chess::Game>;
template class VersionedCache<json::Value>;

}  // namespace engage::engage
