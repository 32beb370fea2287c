// Polling payload bodies for the session, delegating to the Engine.IO payload codec.
#include "engineio/codec_bridge.h"

#include "engineio/packet.h"
#include "engineio/payload.h"

namespace engage::eio::bridge {

Encoded encode_polling(int protocol, bool b64, const std::vector<OutPacket>& packets) {
  std::vector<WirePacket> wire;
  wire.reserve(packets.size());
  for (const auto& p : packets) wire.push_back(WirePacket{*p.data, p.binary});
  Encoded e;
  if (protocol == 4) {
    e.body = encode_payload_v4(wire);
    return e;
  }
  auto v3 = encode_payload_v3(wire, b64);
  e.body = std::move(v3.body);
  e.binary = v3.binary;
  return e;
}

bool decode_polling(int protocol, bool binary_body, std::string_view body, std::size_t max_payload,
                    const std::function<bool(char, std::string_view, bool)>& on_packet) {
  PayloadLimits limits;
  limits.max_payload = max_payload;
  auto packets =
      decode_payload(protocol == 3 ? Version::V3 : Version::V4, body, binary_body, limits);
  if (!packets) return false;
  for (const auto& p : *packets)
    if (!on_packet(type_digit(p.type), p.data, p.binary)) break;
  return true;
}

}  // namespace engage::eio::bridge
