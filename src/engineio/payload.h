// Engine.IO long-polling payloads: the bodies of GET responses and POST requests, v4 ("\x1e"
// separated, binary as "b"+base64) and v3 (length-prefixed text, or the XHR2 binary form).
// Pure functions; every decoder checks its limits before allocating (PROTOCOL.md §1.3, §3).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "engineio/packet.h"

namespace engage::eio {

struct PayloadLimits {
  // Largest body accepted, in bytes (Engine.IO maxPayload / Node's maxHttpBufferSize).
  std::size_t max_payload = 1000000;
  // Most packets in one body; a body of tiny packets cannot make us build millions of them.
  std::size_t max_packets = 65536;
};

// One packet as it goes into a response body, without copying: for a text packet `bytes` is
// its whole text form ("4hello", "2", "42[...]"); for a binary packet (a message) the raw bytes.
struct WirePacket {
  std::string_view bytes;
  bool binary = false;
};

// Returns the v4 GET body: packets joined by "\x1e", binary packets as "b"+base64.
std::string encode_payload_v4(std::span<const WirePacket> packets);
std::string encode_payload_v4(const std::vector<Packet>& packets);

// A v3 GET body and its kind: `binary` bodies are the XHR2 form and must be sent as
// `Content-Type: application/octet-stream`; text bodies as text/plain; charset=UTF-8.
struct EncodedPayload {
  std::string body;
  bool binary = false;
};

// Returns the v3 GET body. Text form "<len>:<packet>..." (len in UTF-16 code units; binary
// packets as "b4"+base64) when `b64` is set or no packet is binary; "0:" for no packets.
// Otherwise the XHR2 binary form: per packet 0x00 (text) / 0x01 (binary), the length one byte
// per decimal digit, 0xFF, then the UTF-8 text or 0x04 + the bytes.
EncodedPayload encode_payload_v3(std::span<const WirePacket> packets, bool b64);
EncodedPayload encode_payload_v3(const std::vector<Packet>& packets, bool b64);

// Decodes a v4 POST body into its packets (in order). Errors: body over max_payload, invalid
// UTF-8, an empty packet, an unknown type digit, bad base64, more than max_packets packets.
Expected<std::vector<Packet>, DecodeError> decode_payload_v4(std::string_view body,
                                                             const PayloadLimits& limits = {});

// Decodes a v3 POST body: the text form, or the XHR2 binary form when `binary_body` (the
// request's Content-Type was application/octet-stream). Errors: as v4, plus a missing,
// non-decimal, oversized or truncated length, a length that splits a character, a bad kind byte.
// Zero-length text packets ("0:") are skipped, as Node does.
Expected<std::vector<Packet>, DecodeError> decode_payload_v3(std::string_view body,
                                                             bool binary_body,
                                                             const PayloadLimits& limits = {});

// Dispatches to the v3 or v4 decoder (`binary_body` only matters for v3).
Expected<std::vector<Packet>, DecodeError> decode_payload(Version v, std::string_view body,
                                                          bool binary_body,
                                                          const PayloadLimits& limits = {});

}  // namespace engage::eio
