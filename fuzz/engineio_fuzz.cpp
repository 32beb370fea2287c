// libFuzzer target: Engine.IO packet and payload decoders never crash, and whatever they accept
// re-encodes to something that decodes to the same packets.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engineio/packet.h"
#include "engineio/payload.h"

namespace {

using namespace engage::eio;

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] % 6;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  PayloadLimits limits;
  limits.max_payload = 4096;
  switch (mode) {
    case 0: {  // v4 POST body
      auto d = decode_payload_v4(in, limits);
      if (!d) return 0;
      const std::string again = encode_payload_v4(*d);
      check(again == in);  // v4 has a single canonical form
      break;
    }
    case 1:    // v3 text body
    case 2: {  // v3 XHR2 binary body
      auto d = decode_payload_v3(in, mode == 2, limits);
      if (!d) return 0;
      for (bool b64 : {false, true}) {
        const EncodedPayload e = encode_payload_v3(*d, b64);
        auto back = decode_payload_v3(e.body, e.binary);
        check(back && *back == *d);
      }
      break;
    }
    case 3:
    case 4: {  // one WebSocket frame, v4 / v3
      const Version v = mode == 3 ? Version::V4 : Version::V3;
      for (bool binary : {false, true}) {
        auto p = decode_frame(in, binary, v);
        if (!p) continue;
        const Frame f = encode_frame(*p, v);
        auto back = decode_frame(f.bytes, f.binary, v);
        check(back && *back == *p);
      }
      break;
    }
    default: {  // text packet, both versions
      for (Version v : {Version::V4, Version::V3}) {
        auto p = decode_text(in, v);
        if (!p) continue;
        check(encode_text(*p, v) == in);
      }
      break;
    }
  }
  return 0;
}
