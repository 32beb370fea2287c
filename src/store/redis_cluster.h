// Redis Cluster, the sans-I/O part: key → slot (CRC16 with hash tags), the store's key mapping
// (room keys tagged with their id), the CLUSTER SLOTS reply → slot map, MOVED/ASK redirections,
// and grouping of a multi-key call by slot. The connections that use them are RedisClusterStore.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace engage::store {

struct RedisReply;

namespace cluster {

inline constexpr uint16_t kSlots = 16384;

// CRC16-CCITT (XMODEM), the checksum Redis Cluster uses for key slots.
uint16_t crc16(std::string_view data);
// Returns the hash slot of `key`: CRC16 of its hash tag (the bytes between the first '{' and
// the next '}', when non-empty) or of the whole key, modulo 16384.
uint16_t key_slot(std::string_view key);

// Maps a store key to its cluster key: "<prefix>:room:<id>" → "<prefix>:room:{<id>}" (and the
// same for ":code:"), so that a room's document lives in the slot of its bus channel
// (bus::room_channel tags the room id). Other keys, and keys that already carry a '{', are
// unchanged.
std::string map_key(std::string_view key);

struct Node {
  std::string host;
  uint16_t port = 0;
  bool operator==(const Node&) const = default;
};

// Which node serves each slot. An unassigned slot has owner kNoNode.
struct SlotMap {
  static constexpr uint16_t kNoNode = 0xffff;
  std::vector<Node> nodes;  // masters, in first-seen order
  std::array<uint16_t, kSlots> owner;

  SlotMap() { owner.fill(kNoNode); }
  // Returns the index of `n` in nodes, adding it when new.
  uint16_t node_index(const Node& n);
  // Returns the node serving `slot`, or nullptr when unassigned.
  const Node* node_for(uint16_t slot) const;
  // Number of slots with an owner.
  std::size_t covered() const;
};

// Parses a CLUSTER SLOTS reply: [[start, end, [host, port, id…], replicas…]…]. An empty host
// (Redis 7's "unknown endpoint") is replaced by `fallback_host`. Errors name what is wrong.
Expected<SlotMap, std::string> parse_slots(const RedisReply& reply, std::string_view fallback_host);

// A -MOVED or -ASK error reply: "MOVED 3999 127.0.0.1:6381".
struct Redirect {
  bool ask = false;  // ASK: this command only, after ASKING; MOVED: the slot's new owner
  uint16_t slot = 0;
  Node node;
};
// Returns the redirection an error text carries, or nullopt for any other error.
std::optional<Redirect> parse_redirect(std::string_view error);

// Parses "host:port,host:port,…" (REDIS_CLUSTER, REDIS_SENTINELS). Errors name the bad item.
Expected<std::vector<Node>, std::string> parse_node_list(std::string_view list);

// Splits `keys` (already mapped) into groups of one slot each, in first-seen order; the first
// group holds keys[0]. A multi-key script runs atomically on the first group; other groups are
// best-effort follow-ups (TTL refresh, deletion of a code mapping in another slot).
std::vector<std::vector<std::string>> group_by_slot(const std::vector<std::string>& keys);

}  // namespace cluster
}  // namespace engage::store
