// Engine.IO packet text form, base64 form and WebSocket frames.
#include "engineio/packet.h"

#include "core/base64.h"

namespace engage::eio {

namespace {

Unexpected<DecodeError> error(std::size_t offset, std::string message) {
  return Unexpected{DecodeError{offset, std::move(message)}};
}

}  // namespace

char type_digit(PacketType t) {
  return static_cast<char>('0' + static_cast<int>(t));
}

std::optional<PacketType> type_from_digit(char c) {
  if (c < '0' || c > '6') return std::nullopt;
  return static_cast<PacketType>(c - '0');
}

void encode_text_to(std::string& out, const Packet& p, Version v) {
  if (p.binary) {
    out.push_back('b');
    if (v == Version::V3) out.push_back(type_digit(PacketType::Message));
    base64::encode_to(out, p.data);
    return;
  }
  out.push_back(type_digit(p.type));
  out.append(p.data);
}

std::string encode_text(const Packet& p, Version v) {
  std::string out;
  encode_text_to(out, p, v);
  return out;
}

Expected<Packet, DecodeError> decode_text(std::string_view text, Version v) {
  if (text.empty()) return error(0, "empty packet");
  if (text[0] == 'b') {
    Packet p;
    p.binary = true;
    std::size_t start = 1;
    if (v == Version::V3) {
      if (text.size() < 2) return error(1, "missing packet type");
      auto t = type_from_digit(text[1]);
      if (!t) return error(1, "unknown packet type");
      if (*t != PacketType::Message) return error(1, "binary packet that is not a message");
      start = 2;
    }
    if (!base64::decode_to(p.data, text.substr(start))) return error(start, "invalid base64");
    return p;
  }
  auto t = type_from_digit(text[0]);
  if (!t) return error(0, "unknown packet type");
  return Packet{*t, false, std::string(text.substr(1))};
}

Expected<PacketView, DecodeError> decode_text_view(std::string_view text) {
  if (text.empty()) return error(0, "empty packet");
  auto t = type_from_digit(text[0]);
  if (!t) return error(0, "unknown packet type");
  return PacketView{*t, text.substr(1)};
}

Frame encode_frame(const Packet& p, Version v) {
  Frame f;
  f.binary = p.binary;
  if (p.binary) {
    if (v == Version::V3) {
      f.bytes.reserve(p.data.size() + 1);
      f.bytes.push_back(static_cast<char>(PacketType::Message));
    }
    f.bytes.append(p.data);
  } else {
    f.bytes.reserve(p.data.size() + 1);
    encode_text_to(f.bytes, p, v);
  }
  return f;
}

void encode_binary_frame_to(std::string& out, std::string_view data, Version v) {
  if (v == Version::V3) out.push_back(static_cast<char>(PacketType::Message));
  out.append(data);
}

Expected<Packet, DecodeError> decode_frame(std::string_view bytes, bool binary, Version v) {
  if (!binary) return decode_text(bytes, v);
  if (v == Version::V4) return Packet{PacketType::Message, true, std::string(bytes)};
  if (bytes.empty()) return error(0, "empty packet");
  const auto type = static_cast<uint8_t>(bytes[0]);
  if (type > 6) return error(0, "unknown packet type");
  if (type != static_cast<uint8_t>(PacketType::Message))
    return error(0, "binary packet that is not a message");
  return Packet{PacketType::Message, true, std::string(bytes.substr(1))};
}

}  // namespace engage::eio
