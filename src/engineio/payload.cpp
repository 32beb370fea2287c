// Engine.IO polling payload encoders and decoders (v4 and v3, text and XHR2 binary forms).
#include "engineio/payload.h"

#include <charconv>
#include <cstdint>
#include <cstring>

#include "core/base64.h"
#include "core/utf8.h"

namespace engage::eio {

namespace {

constexpr char kSeparator = '\x1e';
// Longest decimal length accepted in a v3 payload: 10 digits covers any sane maxPayload.
constexpr std::size_t kMaxLengthDigits = 10;

Unexpected<DecodeError> error(std::size_t offset, std::string message) {
  return Unexpected{DecodeError{offset, std::move(message)}};
}

// Shifts an error from a packet decoder by the packet's offset in the body.
Unexpected<DecodeError> shifted(const DecodeError& e, std::size_t base) {
  return Unexpected{DecodeError{base + e.offset, e.message}};
}

Expected<bool, DecodeError> check_body(std::string_view body, const PayloadLimits& limits,
                                       bool text) {
  if (body.size() > limits.max_payload)
    return error(limits.max_payload,
                 "payload larger than maxPayload (" + std::to_string(limits.max_payload) + ")");
  if (text) {
    const std::size_t bad = utf8::invalid_offset(body);
    if (bad != body.size()) return error(bad, "invalid UTF-8");
  }
  return true;
}

void append_decimal(std::string& out, std::size_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

// Appends n as one byte per decimal digit (the XHR2 length form).
void append_digit_bytes(std::string& out, std::size_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  for (char* p = buf; p != r.ptr; ++p) out.push_back(static_cast<char>(*p - '0'));
}

std::vector<std::string> text_forms(const std::vector<Packet>& packets,
                                    std::vector<WirePacket>& wire) {
  std::vector<std::string> texts;
  texts.reserve(packets.size());
  wire.reserve(packets.size());
  for (const Packet& p : packets)
    if (!p.binary) texts.push_back(encode_text(p));
  std::size_t t = 0;
  for (const Packet& p : packets) {
    if (p.binary) {
      wire.push_back({p.data, true});
    } else {
      wire.push_back({texts[t++], false});
    }
  }
  return texts;
}

}  // namespace

std::string encode_payload_v4(std::span<const WirePacket> packets) {
  std::size_t size = packets.size();
  for (const auto& p : packets)
    size += p.binary ? 1 + base64::encoded_size(p.bytes.size()) : p.bytes.size();
  std::string out;
  out.reserve(size);
  bool first = true;
  for (const auto& p : packets) {
    if (!first) out.push_back(kSeparator);
    first = false;
    if (p.binary) {
      out.push_back('b');
      base64::encode_to(out, p.bytes);
    } else {
      out.append(p.bytes);
    }
  }
  return out;
}

std::string encode_payload_v4(const std::vector<Packet>& packets) {
  std::vector<WirePacket> wire;
  const auto texts = text_forms(packets, wire);
  return encode_payload_v4(wire);
}

EncodedPayload encode_payload_v3(std::span<const WirePacket> packets, bool b64) {
  EncodedPayload out;
  bool any_binary = false;
  for (const auto& p : packets) any_binary |= p.binary;
  if (b64 || !any_binary) {
    if (packets.empty()) {
      out.body = "0:";
      return out;
    }
    for (const auto& p : packets) {
      if (p.binary) {
        append_decimal(out.body, 2 + base64::encoded_size(p.bytes.size()));
        out.body.append(":b4");
        base64::encode_to(out.body, p.bytes);
      } else {
        append_decimal(out.body, utf8::utf16_length(p.bytes));
        out.body.push_back(':');
        out.body.append(p.bytes);
      }
    }
    return out;
  }
  out.binary = true;
  for (const auto& p : packets) {
    if (p.binary) {
      out.body.push_back('\x01');
      append_digit_bytes(out.body, p.bytes.size() + 1);
      out.body.push_back('\xFF');
      out.body.push_back(static_cast<char>(PacketType::Message));
    } else {
      out.body.push_back('\x00');
      append_digit_bytes(out.body, p.bytes.size());
      out.body.push_back('\xFF');
    }
    out.body.append(p.bytes);
  }
  return out;
}

EncodedPayload encode_payload_v3(const std::vector<Packet>& packets, bool b64) {
  std::vector<WirePacket> wire;
  const auto texts = text_forms(packets, wire);
  return encode_payload_v3(wire, b64);
}

Expected<std::vector<Packet>, DecodeError> decode_payload_v4(std::string_view body,
                                                             const PayloadLimits& limits) {
  if (auto ok = check_body(body, limits, true); !ok) return Unexpected{ok.error()};
  std::vector<Packet> packets;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = body.find(kSeparator, start);
    if (end == std::string_view::npos) end = body.size();
    if (packets.size() >= limits.max_packets)
      return error(start, "more than " + std::to_string(limits.max_packets) + " packets");
    auto p = decode_text(body.substr(start, end - start), Version::V4);
    if (!p) return shifted(p.error(), start);
    packets.push_back(std::move(*p));
    if (end == body.size()) break;
    start = end + 1;
  }
  return packets;
}

namespace {

// Reads the decimal length of the v3 text form at body[i..] up to ':'; moves i past the ':'.
Expected<std::size_t, DecodeError> read_text_length(std::string_view body, std::size_t& i) {
  const std::size_t start = i;
  std::size_t len = 0;
  while (i < body.size() && body[i] != ':') {
    const char c = body[i];
    if (c < '0' || c > '9') return error(i, "invalid length");
    if (i - start >= kMaxLengthDigits) return error(i, "length too long");
    len = len * 10 + static_cast<std::size_t>(c - '0');
    ++i;
  }
  if (i == body.size()) return error(i, "truncated length");
  if (i == start) return error(i, "missing length");
  ++i;  // ':'
  return len;
}

Expected<std::vector<Packet>, DecodeError> decode_v3_text(std::string_view body,
                                                          const PayloadLimits& limits) {
  std::vector<Packet> packets;
  std::size_t i = 0;
  while (i < body.size()) {
    auto len = read_text_length(body, i);
    if (!len) return Unexpected{len.error()};
    // Walk `*len` UTF-16 code units of (already validated) UTF-8.
    const std::size_t start = i;
    std::size_t units = 0;
    while (units < *len) {
      if (i == body.size()) return error(i, "truncated packet");
      if (*len - units >= 8 && body.size() - i >= 8) {  // 8 ASCII characters at a time
        uint64_t w;
        std::memcpy(&w, body.data() + i, 8);
        if ((w & 0x8080808080808080ull) == 0) {
          i += 8;
          units += 8;
          continue;
        }
      }
      if (static_cast<uint8_t>(body[i]) < 0x80) {
        ++i;
        ++units;
        continue;
      }
      const std::size_t n = utf8::sequence_length(body.substr(i));
      units += n == 4 ? 2 : 1;
      i += n;
    }
    if (units != *len) return error(i, "length splits a character");
    if (*len == 0) continue;  // Node skips empty packets
    if (packets.size() >= limits.max_packets)
      return error(start, "more than " + std::to_string(limits.max_packets) + " packets");
    auto p = decode_text(body.substr(start, i - start), Version::V3);
    if (!p) return shifted(p.error(), start);
    packets.push_back(std::move(*p));
  }
  return packets;
}

Expected<std::vector<Packet>, DecodeError> decode_v3_binary(std::string_view body,
                                                            const PayloadLimits& limits) {
  std::vector<Packet> packets;
  std::size_t i = 0;
  while (i < body.size()) {
    const auto kind = static_cast<uint8_t>(body[i]);
    if (kind > 1) return error(i, "invalid packet kind");
    ++i;
    const std::size_t digits_start = i;
    std::size_t len = 0;
    while (i < body.size() && static_cast<uint8_t>(body[i]) != 0xFF) {
      const auto d = static_cast<uint8_t>(body[i]);
      if (d > 9) return error(i, "invalid length");
      if (i - digits_start >= kMaxLengthDigits) return error(i, "length too long");
      len = len * 10 + d;
      ++i;
    }
    if (i == body.size()) return error(i, "truncated length");
    if (i == digits_start) return error(i, "missing length");
    ++i;  // 0xFF
    if (len > body.size() - i) return error(body.size(), "truncated packet");
    if (packets.size() >= limits.max_packets)
      return error(i, "more than " + std::to_string(limits.max_packets) + " packets");
    const std::string_view msg = body.substr(i, len);
    if (kind == 0) {
      const std::size_t bad = utf8::invalid_offset(msg);
      if (bad != msg.size()) return error(i + bad, "invalid UTF-8");
      auto p = decode_text(msg, Version::V3);
      if (!p) return shifted(p.error(), i);
      packets.push_back(std::move(*p));
    } else {
      auto p = decode_frame(msg, true, Version::V3);
      if (!p) return shifted(p.error(), i);
      packets.push_back(std::move(*p));
    }
    i += len;
  }
  return packets;
}

}  // namespace

Expected<std::vector<Packet>, DecodeError> decode_payload_v3(std::string_view body,
                                                             bool binary_body,
                                                             const PayloadLimits& limits) {
  if (auto ok = check_body(body, limits, !binary_body); !ok) return Unexpected{ok.error()};
  return binary_body ? decode_v3_binary(body, limits) : decode_v3_text(body, limits);
}

Expected<std::vector<Packet>, DecodeError> decode_payload(Version v, std::string_view body,
                                                          bool binary_body,
                                                          const PayloadLimits& limits) {
  return v == Version::V4 ? decode_payload_v4(body, limits)
                          : decode_payload_v3(body, binary_body, limits);
}

}  // namespace engage::eio
