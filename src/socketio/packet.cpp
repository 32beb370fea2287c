// Socket.IO packet encoder and the reassembling decoder (socket.io-parser 4.2 rules).
#include "socketio/packet.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace engage::sio {

namespace {

// Largest ack id accepted: 2^53 - 1, the largest integer a JavaScript client keeps exactly.
constexpr uint64_t kMaxAckId = 9007199254740991ull;

Unexpected<DecodeError> error(std::size_t offset, std::string message) {
  return Unexpected{DecodeError{offset, std::move(message)}};
}

bool is_binary_type(PacketType t) {
  return t == PacketType::BinaryEvent || t == PacketType::BinaryAck;
}

void append_uint(std::string& out, uint64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

// Checks the payload rules of socket.io-parser's isPayloadValid (absent payloads included).
bool payload_valid(PacketType t, const Packet& p) {
  switch (t) {
    case PacketType::Connect:
      return !p.has_data || p.data.is_object();
    case PacketType::Disconnect:
      return !p.has_data;
    case PacketType::ConnectError:
      return p.has_data && (p.data.is_object() || p.data.is_string());
    case PacketType::Event:
    case PacketType::BinaryEvent: {
      if (!p.has_data || !p.data.is_array() || p.data.size() == 0) return false;
      const json::Value& first = p.data.as_array()[0];
      if (first.is_number()) return true;
      return first.is_string() && !is_reserved_event(first.as_string());
    }
    case PacketType::Ack:
    case PacketType::BinaryAck:
      return p.has_data && p.data.is_array();
  }
  return false;
}

// Replaces each {"_placeholder":true,"num":N} in `v` by a Binary copy of buffers[N].
bool substitute(json::Value& v, const std::vector<std::string>& buffers) {
  if (v.is_array()) {
    for (auto& e : v.as_array())
      if (!substitute(e, buffers)) return false;
    return true;
  }
  if (!v.is_object()) return true;
  const json::Value* ph = v.find("_placeholder");
  if (ph && ph->is_bool() && ph->as_bool()) {
    const json::Value* num = v.find("num");
    const std::optional<int64_t> n =
        num && num->is_number() ? num->as_int() : std::optional<int64_t>{};
    if (!n || *n < 0 || static_cast<uint64_t>(*n) >= buffers.size()) return false;
    v = json::Value::binary(buffers[static_cast<std::size_t>(*n)]);
    return true;
  }
  for (auto& m : v.as_object())
    if (!substitute(m.second, buffers)) return false;
  return true;
}

}  // namespace

bool is_reserved_event(std::string_view name) {
  static constexpr std::array<std::string_view, 6> kReserved = {
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
  for (auto r : kReserved)
    if (name == r) return true;
  return false;
}

void encode_to(std::string& text, std::vector<std::string>& attachments, const Packet& p) {
  const bool write_data = p.has_data && !p.data.is_null();
  PacketType type = p.type;
  const bool binary = write_data && p.data.has_binary();
  if (binary && type == PacketType::Event) type = PacketType::BinaryEvent;
  if (binary && type == PacketType::Ack) type = PacketType::BinaryAck;
  text.push_back(static_cast<char>('0' + static_cast<int>(type)));
  // The data is written first into a scratch string so that the attachment count is known.
  std::string json;
  const std::size_t first_attachment = attachments.size();
  if (write_data) {
    std::vector<std::string> own;
    p.data.dump_to(json, &own);
    for (auto& a : own) attachments.push_back(std::move(a));
  }
  if (is_binary_type(type)) {
    // A header-only packet (from decode_text, placeholders still in) keeps its announced count.
    const std::size_t n = binary ? attachments.size() - first_attachment
                                 : static_cast<std::size_t>(std::max(p.attachments, 0));
    append_uint(text, n);
    text.push_back('-');
  }
  if ((!p.nsp.empty() && p.nsp != "/") || !p.query.empty()) {
    text.append(p.nsp);
    if (!p.query.empty()) {
      text.push_back('?');
      text.append(p.query);
    }
    text.push_back(',');
  }
  if (p.id) append_uint(text, *p.id);
  text.append(json);
}

std::vector<std::string> encode(const Packet& p) {
  std::vector<std::string> out(1);
  std::vector<std::string> attachments;
  encode_to(out[0], attachments, p);
  for (auto& a : attachments) out.push_back(std::move(a));
  return out;
}

Expected<Packet, DecodeError> decode_text(std::string_view s, const DecoderOptions& options) {
  if (s.empty()) return error(0, "empty packet");
  if (s[0] < '0' || s[0] > '6') return error(0, "unknown packet type");
  Packet p;
  p.type = static_cast<PacketType>(s[0] - '0');
  std::size_t i = 1;
  if (is_binary_type(p.type)) {
    const std::size_t start = i;
    uint64_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start >= 6) return error(i, "illegal attachments");
      n = n * 10 + static_cast<uint64_t>(s[i] - '0');
      ++i;
    }
    if (i == start || i == s.size() || s[i] != '-') return error(i, "illegal attachments");
    if (n == 0 || n > options.max_attachments)
      return error(start, "illegal attachments: " + std::to_string(n) + " (1.." +
                              std::to_string(options.max_attachments) + ")");
    p.attachments = static_cast<int>(n);
    ++i;  // '-'
  }
  if (i < s.size() && s[i] == '/') {
    const std::size_t start = i;
    while (i < s.size() && s[i] != ',') ++i;
    std::string_view nsp = s.substr(start, i - start);
    if (i < s.size()) ++i;  // ','
    if (options.connect_query && p.type == PacketType::Connect) {
      const std::size_t q = nsp.find('?');
      if (q != std::string_view::npos) {
        p.query = std::string(nsp.substr(q + 1));
        nsp = nsp.substr(0, q);
      }
    }
    p.nsp = std::string(nsp);
  }
  if (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    const std::size_t start = i;
    uint64_t id = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start >= 16) return error(start, "ack id too large");
      id = id * 10 + static_cast<uint64_t>(s[i] - '0');
      ++i;
    }
    if (id > kMaxAckId) return error(start, "ack id too large");
    p.id = id;
  }
  if (i < s.size()) {
    auto v = json::parse(s.substr(i), options.json);
    if (!v) return error(i + v.error().offset, "invalid JSON: " + v.error().message);
    p.data = std::move(*v);
    p.has_data = true;
  }
  if (!payload_valid(p.type, p)) return error(i, "invalid payload");
  return p;
}

Expected<std::optional<Packet>, DecodeError> Decoder::add_text(std::string_view text) {
  if (pending_) {
    reset();
    return error(0, "text message while binary attachments are awaited");
  }
  auto p = decode_text(text, options_);
  if (!p) return Unexpected{p.error()};
  if (!is_binary_type(p->type)) return std::optional<Packet>(std::move(*p));
  pending_ = std::move(*p);
  buffers_.clear();
  buffers_.reserve(static_cast<std::size_t>(pending_->attachments));
  return std::optional<Packet>();
}

Expected<std::optional<Packet>, DecodeError> Decoder::add_binary(std::string bytes) {
  if (!pending_) return error(0, "binary message while no attachment is awaited");
  buffers_.push_back(std::move(bytes));
  if (buffers_.size() < static_cast<std::size_t>(pending_->attachments))
    return std::optional<Packet>();
  Packet p = std::move(*pending_);
  std::vector<std::string> buffers = std::move(buffers_);
  reset();
  if (!substitute(p.data, buffers)) return error(0, "illegal attachments: bad placeholder");
  p.type = p.type == PacketType::BinaryEvent ? PacketType::Event : PacketType::Ack;
  return std::optional<Packet>(std::move(p));
}

void Decoder::reset() {
  pending_.reset();
  buffers_.clear();
}

}  // namespace engage::sio
