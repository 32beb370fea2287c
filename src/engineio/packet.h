// Engine.IO packets (v4 and v3): the text form "<type digit><data>", the base64 form of binary
// packets inside text, and WebSocket frames (PROTOCOL.md §1, §3). Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.h"

namespace engage::eio {

enum class PacketType : uint8_t { Open, Close, Ping, Pong, Message, Upgrade, Noop };

// Engine.IO protocol revision: 4 (socket.io-client 3.x/4.x) or 3 (1.x/2.x, EIO=3).
enum class Version : uint8_t { V3 = 3, V4 = 4 };

// One Engine.IO packet. `binary` packets carry raw bytes in `data` and are always messages
// (the decoders reject anything else; the encoders write binary packets as messages).
struct Packet {
  PacketType type = PacketType::Message;
  bool binary = false;
  std::string data;
  friend bool operator==(const Packet&, const Packet&) = default;
};

// A decoded text packet whose data points into the decoder's input.
struct PacketView {
  PacketType type = PacketType::Message;
  std::string_view data;
};

// Why a packet or payload was rejected, and where (byte offset into the input).
struct DecodeError {
  std::size_t offset = 0;
  std::string message;
};

// Returns the digit of `t` ('0'..'6').
char type_digit(PacketType t);
// Returns the type of digit `c`, or nullopt when `c` is not '0'..'6'.
std::optional<PacketType> type_from_digit(char c);

// Appends the text form of `p`: "<digit><data>" for text packets; for binary packets the base64
// form used inside text payloads: "b<base64>" (v4) or "b<digit><base64>" (v3).
void encode_text_to(std::string& out, const Packet& p, Version v = Version::V4);
std::string encode_text(const Packet& p, Version v = Version::V4);

// Decodes a text packet: "<digit><data>", or the base64 form of a binary packet (see
// encode_text_to). Errors: empty input, unknown type digit, bad base64, a binary packet whose
// type is not message (v3 "b<digit>"; binary packets are always messages). The text is not
// checked for UTF-8 (the WebSocket layer and the payload decoders do that).
Expected<Packet, DecodeError> decode_text(std::string_view text, Version v = Version::V4);
// Decodes a "<digit><data>" packet without copying; the base64 form is an error here.
Expected<PacketView, DecodeError> decode_text_view(std::string_view text);

// A WebSocket frame carrying one packet.
struct Frame {
  std::string bytes;
  bool binary = false;  // binary frame (else text)
};

// Returns the frame for `p`: text packets as text frames "<digit><data>"; binary packets as
// binary frames holding only the data (v4) or the type byte 0x04 then the data (v3).
Frame encode_frame(const Packet& p, Version v);
// Appends the binary frame payload of binary message `data` (v3 prefixes the byte 0x04).
void encode_binary_frame_to(std::string& out, std::string_view data, Version v);

// Decodes one WebSocket frame (`binary` = the frame opcode was binary). v4 binary frames are
// binary messages; v3 binary frames start with the type byte, which must be 0x04 (message).
// Text frames as decode_text.
Expected<Packet, DecodeError> decode_frame(std::string_view bytes, bool binary, Version v);

}  // namespace engage::eio
