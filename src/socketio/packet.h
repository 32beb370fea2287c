// Socket.IO packets (protocol v5, and v4 for EIO3 clients) with socket.io-parser 4.2's
// validation rules: the text form
//   <type>[<#attachments>-][<nsp>,][<ack id>][<JSON payload>]
// plus one Engine.IO binary message per attachment (PROTOCOL.md §2, §3). Sans-I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"
#include "core/json.h"

namespace engage::sio {

enum class PacketType : uint8_t {
  Connect = 0,
  Disconnect = 1,
  Event = 2,
  Ack = 3,
  ConnectError = 4,
  BinaryEvent = 5,
  BinaryAck = 6
};

struct Packet {
  PacketType type = PacketType::Event;
  std::string nsp = "/";
  std::optional<uint64_t> id;  // ack id
  bool has_data = false;       // false: no payload on the wire (data is null)
  json::Value data;            // decoded: attachments already substituted as Binary values
  int attachments = 0;         // decoded binary packets: how many binary messages followed
  // EIO3 (protocol v4) CONNECT only: the query string after '?' in the namespace
  // ("40/admin?token=1," → nsp "/admin", query "token=1"), when DecoderOptions::connect_query.
  std::string query;
};

struct DecodeError {
  std::size_t offset = 0;  // byte offset in the text message (0 for binary-message errors)
  std::string message;
};

struct DecoderOptions {
  // Most binary attachments one packet may announce (socket.io-parser's server default: 10).
  std::size_t max_attachments = 10;
  // Split "/nsp?query" of CONNECT packets into nsp and query (set for EIO3 clients, whose
  // socket.io-client 2.x sends the namespace auth as a query string).
  bool connect_query = false;
  json::ParseLimits json;
};

// Returns the Engine.IO message text of `p` (without the Engine.IO "4") followed by one binary
// message per attachment, exactly as socket.io-parser 4.2 encodes it: EVENT/ACK whose data holds
// Binary values become BINARY_EVENT/BINARY_ACK "<type><n>-" with {"_placeholder":true,"num":i}
// in place of each Binary (numbered in JSON.stringify order); "<nsp>," only when nsp is not "/";
// the data only when has_data and not null. A BINARY_EVENT/BINARY_ACK without Binary values
// (a header from decode_text) is written with its `attachments` count.
std::vector<std::string> encode(const Packet& p);
// Appends the text of `p` to `text` and its attachments to `attachments` (as encode()).
void encode_to(std::string& text, std::vector<std::string>& attachments, const Packet& p);

// Decodes one text message on its own: the header, the JSON payload and its validity. Binary
// packets keep their placeholders and `attachments` holds the announced count.
Expected<Packet, DecodeError> decode_text(std::string_view text,
                                          const DecoderOptions& options = {});

// Reassembles packets from the Engine.IO messages of one connection: after a BINARY_EVENT or
// BINARY_ACK header it takes exactly `attachments` binary messages, then substitutes them for
// the placeholders and yields the packet (type Event/Ack, as socket.io-parser does). Text while
// attachments are awaited, binary when none are, or a bad placeholder is an error; after an
// error the decoder is reset (the caller closes the connection).
class Decoder {
 public:
  explicit Decoder(DecoderOptions options = {}) : options_(std::move(options)) {}

  // Feeds a text message. Returns a complete packet, nullopt while attachments are awaited, or
  // an error.
  Expected<std::optional<Packet>, DecodeError> add_text(std::string_view text);
  // Feeds a binary message (takes the bytes). Returns the packet when it was the last
  // attachment, nullopt while more are awaited, or an error.
  Expected<std::optional<Packet>, DecodeError> add_binary(std::string bytes);

  bool awaiting_attachments() const { return pending_.has_value(); }
  // Drops a partially received binary packet.
  void reset();

 private:
  DecoderOptions options_;
  std::optional<Packet> pending_;
  std::vector<std::string> buffers_;
};

// Returns true when `name` may not be used as an event name (connect, connect_error,
// disconnect, disconnecting, newListener, removeListener).
bool is_reserved_event(std::string_view name);

}  // namespace engage::sio
