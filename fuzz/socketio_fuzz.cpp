// libFuzzer target: the Socket.IO decoder never crashes on any sequence of text and binary
// messages, and every packet it yields re-encodes to messages that decode to the same packet
// and encode to the same bytes again.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "socketio/packet.h"

namespace {

using namespace engage::sio;

void check(bool ok) {
  if (!ok) std::abort();
}

// True when `v` holds a number JSON cannot carry (1e400 parses to Infinity, which is written as
// null, exactly as JSON.stringify does): such packets legitimately do not round-trip.
bool has_non_finite(const engage::json::Value& v) {
  if (v.is_number()) return !std::isfinite(v.as_double());
  if (v.is_array()) {
    for (const auto& e : v.as_array())
      if (has_non_finite(e)) return true;
  }
  if (v.is_object()) {
    for (const auto& m : v.as_object())
      if (has_non_finite(m.second)) return true;
  }
  return false;
}

void check_round_trip(const Packet& p, const DecoderOptions& options) {
  if (has_non_finite(p.data)) return;
  const std::vector<std::string> wire = encode(p);
  // A placeholder may be referenced more than once; re-encoding gives each reference its own
  // attachment, so the re-decode may need more attachments than the original limit allowed.
  DecoderOptions rt = options;
  rt.max_attachments = wire.size();
  Decoder d(rt);
  auto r = d.add_text(wire[0]);
  check(static_cast<bool>(r));
  for (std::size_t i = 1; i < wire.size(); ++i) {
    check(r && !r->has_value());
    r = d.add_binary(wire[i]);
    check(static_cast<bool>(r));
  }
  check(r && r->has_value());
  const Packet& q = **r;
  check(q.type == p.type && q.nsp == p.nsp && q.id == p.id && q.query == p.query);
  check(q.has_data == p.has_data && q.data == p.data);
  check(encode(q) == wire);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  DecoderOptions options;
  options.connect_query = (data[0] & 1) != 0;
  options.max_attachments = 1 + (data[0] >> 1) % 10;
  Decoder decoder(options);
  // Messages: <kind byte: even = text, odd = binary><length byte><bytes>...
  std::size_t i = 1;
  while (i + 2 <= size) {
    const bool binary = (data[i] & 1) != 0;
    const std::size_t len = std::min<std::size_t>(data[i + 1], size - i - 2);
    const std::string_view msg(reinterpret_cast<const char*>(data) + i + 2, len);
    i += 2 + len;
    auto r = binary ? decoder.add_binary(std::string(msg)) : decoder.add_text(msg);
    if (!r) {
      check(!decoder.awaiting_attachments());
      continue;
    }
    if (r->has_value()) check_round_trip(**r, options);
  }
  // The last bytes, if any, as one text message on their own.
  if (i < size) {
    const std::string_view rest(reinterpret_cast<const char*>(data) + i, size - i);
    auto p = decode_text(rest, options);
    if (p && p->attachments == 0) check_round_trip(*p, options);
  }
  return 0;
}
