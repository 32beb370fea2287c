// Redis Cluster, the sans-I/O part (see redis_cluster.h).
#include "store/redis_cluster.h"

#include <charconv>

#include "store/redis_conn.h"

namespace engage::store::cluster {

uint16_t crc16(std::string_view data) {
  uint16_t crc = 0;
  for (char ch : data) {
    crc = static_cast<uint16_t>(crc ^ (static_cast<uint16_t>(static_cast<uint8_t>(ch)) << 8));
    for (int i = 0; i < 8; ++i)
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
  }
  return crc;
}

uint16_t key_slot(std::string_view key) {
  std::size_t open = key.find('{');
  if (open != std::string_view::npos) {
    std::size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1)
      key = key.substr(open + 1, close - open - 1);
  }
  return static_cast<uint16_t>(crc16(key) % kSlots);
}

std::string map_key(std::string_view key) {
  if (key.find('{') != std::string_view::npos) return std::string(key);
  for (std::string_view kind : {std::string_view(":room:"), std::string_view(":code:")}) {
    std::size_t at = key.find(kind);
    if (at == std::string_view::npos || at + kind.size() >= key.size()) continue;
    std::string out;
    out.reserve(key.size() + 2);
    out.append(key.substr(0, at + kind.size())).append("{");
    out.append(key.substr(at + kind.size())).append("}");
    return out;
  }
  return std::string(key);
}

uint16_t SlotMap::node_index(const Node& n) {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i] == n) return static_cast<uint16_t>(i);
  nodes.push_back(n);
  return static_cast<uint16_t>(nodes.size() - 1);
}

const Node* SlotMap::node_for(uint16_t slot) const {
  if (slot >= kSlots || owner[slot] == kNoNode) return nullptr;
  return &nodes[owner[slot]];
}

std::size_t SlotMap::covered() const {
  std::size_t n = 0;
  for (uint16_t o : owner) n += o != kNoNode;
  return n;
}

namespace {

bool parse_port(std::string_view s, uint16_t& port) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) return false;
  port = static_cast<uint16_t>(v);
  return true;
}

bool parse_host_port(std::string_view s, Node& n) {
  std::size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  n.host = std::string(s.substr(0, colon));
  return parse_port(s.substr(colon + 1), n.port);
}

}  // namespace

Expected<SlotMap, std::string> parse_slots(const RedisReply& reply,
                                           std::string_view fallback_host) {
  using T = RedisReply::Type;
  auto fail = [](std::string why) { return Unexpected<std::string>{"CLUSTER SLOTS: " + why}; };
  if (reply.type != T::Array) return fail("not an array");
  SlotMap map;
  for (const auto& range : reply.elements) {
    if (range.type != T::Array || range.elements.size() < 3) return fail("bad range entry");
    const auto& lo = range.elements[0];
    const auto& hi = range.elements[1];
    const auto& master = range.elements[2];
    if (lo.type != T::Integer || hi.type != T::Integer || lo.integer < 0 || hi.integer >= kSlots ||
        lo.integer > hi.integer)
      return fail("bad slot range");
    if (master.type != T::Array || master.elements.size() < 2 ||
        master.elements[0].type != T::String || master.elements[1].type != T::Integer)
      return fail("bad node entry");
    Node n;
    n.host = master.elements[0].str.empty() ? std::string(fallback_host) : master.elements[0].str;
    if (master.elements[1].integer <= 0 || master.elements[1].integer > 65535)
      return fail("bad port");
    n.port = static_cast<uint16_t>(master.elements[1].integer);
    uint16_t idx = map.node_index(n);
    for (int64_t s = lo.integer; s <= hi.integer; ++s) map.owner[static_cast<std::size_t>(s)] = idx;
  }
  return map;
}

std::optional<Redirect> parse_redirect(std::string_view error) {
  Redirect r;
  if (error.starts_with("MOVED ")) {
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    r.ask = true;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  std::size_t sp = error.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  unsigned slot = 0;
  auto [p, ec] = std::from_chars(error.data(), error.data() + sp, slot);
  if (ec != std::errc() || p != error.data() + sp || slot >= kSlots) return std::nullopt;
  r.slot = static_cast<uint16_t>(slot);
  if (!parse_host_port(error.substr(sp + 1), r.node)) return std::nullopt;
  return r;
}

Expected<std::vector<Node>, std::string> parse_node_list(std::string_view list) {
  std::vector<Node> out;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    Node n;
    if (!parse_host_port(item, n))
      return Unexpected<std::string>{"bad node \"" + std::string(item) + "\" (want host:port)"};
    out.push_back(std::move(n));
  }
  if (out.empty()) return Unexpected<std::string>{"no host:port given"};
  return out;
}

std::vector<std::vector<std::string>> group_by_slot(const std::vector<std::string>& keys) {
  std::vector<std::vector<std::string>> groups;
  std::vector<uint16_t> slots;
  for (const auto& k : keys) {
    uint16_t s = key_slot(k);
    std::size_t i = 0;
    while (i < slots.size() && slots[i] != s) ++i;
    if (i == slots.size()) {
      slots.push_back(s);
      groups.emplace_back();
    }
    groups[i].push_back(k);
  }
  return groups;
}

}  // namespace engage::store::cluster
