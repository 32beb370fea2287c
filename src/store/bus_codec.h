// The cross-instance bus envelope: a compact, binary-safe, sans-I/O codec for one Socket.IO
// broadcast (target + encoded Engine.IO frames + sender instance id) and the channel names.
//
// Wire format (version 1), all lengths and counts as canonical LEB128 varints:
//   u8   magic 0xE5
//   u8   flags (bit 0: has_binary; the other bits are zero)
//   u64  sender instance id, little-endian
//   str  nsp                      (varint length + bytes)
//   vec  rooms                    (varint count + str each)
//   vec  except                   (varint count + str each)
//   vec  frames                   (varint count >= 1 + str each; frame 0 is the text frame)
// and nothing after. Every string is arbitrary bytes. decode(encode(m)) == m and, because
// varints must be minimal, encode(decode(b)) == b for every accepted b.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace engage::store::bus {

inline constexpr uint8_t kMagic = 0xE5;

// One broadcast crossing the process boundary.
struct Message {
  uint64_t sender = 0;             // the publishing instance (receivers drop their own)
  std::string nsp;                 // "/play-along"
  std::vector<std::string> rooms;  // empty = the whole namespace
  std::vector<std::string> except;
  std::vector<std::string> frames;  // Engine.IO message frames: text first, then attachments
  bool has_binary = false;

  bool operator==(const Message&) const = default;
};

// Bounds a decoder enforces on untrusted input (the message length bounds everything else).
struct Limits {
  std::size_t max_rooms = 1024;   // rooms and except entries, each list
  std::size_t max_frames = 1025;  // text frame + attachments
  std::size_t max_string = 64u << 20;
};

enum class Error : uint8_t {
  Truncated,     // the input ends inside a field
  BadMagic,      // not a bus envelope (or another version)
  BadFlags,      // reserved flag bits set
  BadVarint,     // overlong, non-minimal or > 32 bits
  TooMany,       // a count or string length above Limits
  NoFrames,      // a broadcast without its text frame
  TrailingBytes  // bytes after the last frame
};
std::string_view error_name(Error e);

// Appends the encoding of `m` to `out`.
void encode_to(std::string& out, const Message& m);
// Returns the encoding of `m`.
std::string encode(const Message& m);
// Parses one envelope; never reads past `in`, never throws, never allocates more than the
// input's size (plus container overhead) allows.
Expected<Message, Error> decode(std::string_view in, const Limits& limits = {});

// Channel that carries broadcasts to `room` of `nsp`: "<prefix>:{<room>}<nsp>". The room is the
// Redis Cluster hash tag, so a room's channel lives in the slot of keys tagged with its id.
std::string room_channel(std::string_view prefix, std::string_view nsp, std::string_view room);
// Returns whether `channel` == room_channel(prefix, nsp, room), without allocating.
bool is_room_channel(std::string_view channel, std::string_view prefix, std::string_view nsp,
                     std::string_view room);
// Channel that carries broadcasts to a whole namespace: "<prefix>:<nsp>".
std::string nsp_channel(std::string_view prefix, std::string_view nsp);

}  // namespace engage::store::bus
