// libFuzzer target: the bus envelope decoder never crashes on any input, every envelope it
// accepts re-encodes to the same bytes, and the receiving channel logic never misbehaves.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/bus_codec.h"

namespace {

using namespace engage::store::bus;

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  Limits limits;
  limits.max_rooms = 64;
  limits.max_frames = 16;
  auto d = decode(in, limits);
  if (!d) {
    check(!error_name(d.error()).empty());
    return 0;
  }
  const Message& m = *d;
  check(!m.frames.empty() && m.rooms.size() <= 64 && m.frames.size() <= 16);
  check(encode(m) == in);  // canonical: one encoding per message
  auto again = decode(encode(m), limits);
  check(again && *again == m);
  for (const auto& room : m.rooms) {
    const std::string c = room_channel("engage:bus", m.nsp, room);
    check(is_room_channel(c, "engage:bus", m.nsp, room));
    check(!is_room_channel(c, "engage:bux", m.nsp, room));
  }
  return 0;
}
