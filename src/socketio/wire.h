// The Socket.IO server's view of the packet codec: encode one packet, decode text + binary
// messages into packets with the validation rules of PROTOCOL.md §2, and query helpers.
//
//   <type>[<#attachments>-][<nsp>,][<ack id>][<JSON payload>]   (+ one binary per attachment)
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"

namespace engage::sio::wire {

enum class Type : uint8_t {
  Connect = 0,
  Disconnect,
  Event,
  Ack,
  ConnectError,
  BinaryEvent,
  BinaryAck
};

struct Packet {
  Type type = Type::Connect;
  std::string nsp = "/";
  std::optional<uint64_t> id;
  std::optional<json::Value> data;  // attachments already substituted as Binary values
  std::string query;                // EIO3 CONNECT: the namespace's query string ("token=1")
};

struct Encoded {
  std::string text;                      // without the Engine.IO "4"
  std::vector<std::string> attachments;  // binary messages that follow
};

// Encodes a packet; Event/Ack become BinaryEvent/BinaryAck when `data` holds Binary values.
Encoded encode(Type type, const std::string& nsp, std::optional<uint64_t> id, json::Value* data);

enum class DecodeStatus : uint8_t { Packet, NeedMore, Error };

// Reassembles packets from Engine.IO messages (socketio/packet.h's Decoder). Feed each message;
// Packet fills `out`.
class Decoder {
 public:
  Decoder(std::size_t max_attachments, bool eio3);
  ~Decoder();
  DecodeStatus feed_text(std::string_view text, Packet& out);
  DecodeStatus feed_binary(std::string_view bytes, Packet& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // allocated on the first message only (idle clients hold none)
  uint32_t max_attachments_;    // 32 bits: one decoder per connection
  bool eio3_;
};

// Decodes "a=1&b=x%20y" into an object of strings (v4 protocol namespace auth).
json::Value query_to_object(std::string_view query);
// Decodes a query string into (name, value) pairs.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace engage::sio::wire
