// Socket.IO packet encoding/decoding for the server. Interim implementation until
// socketio/packet.h lands; then this delegates to it.
#include "socketio/wire.h"

#include <array>

#include "http/url.h"

namespace engage::sio::wire {

namespace {

bool is_reserved_event(std::string_view e) {
  static constexpr std::array<std::string_view, 6> reserved = {
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
  for (auto r : reserved)
    if (e == r) return true;
  return false;
}

bool valid_payload(Type t, const std::optional<json::Value>& d) {
  switch (t) {
    case Type::Connect:
      return !d || d->is_object();
    case Type::Disconnect:
      return !d;
    case Type::ConnectError:
      return d && (d->is_object() || d->is_string());
    case Type::Event:
    case Type::BinaryEvent: {
      if (!d || !d->is_array() || d->size() == 0) return false;
      const auto& first = d->as_array()[0];
      if (first.is_string()) return !is_reserved_event(first.as_string());
      return first.is_number();
    }
    case Type::Ack:
    case Type::BinaryAck:
      return d && d->is_array();
  }
  return false;
}

// Replaces {"_placeholder":true,"num":N} by the attachment; false on a bad index.
bool substitute(json::Value& v, std::vector<std::string>& atts, int depth) {
  if (depth > 64) return false;
  if (v.is_array()) {
    for (auto& e : v.as_array())
      if (!substitute(e, atts, depth + 1)) return false;
    return true;
  }
  if (!v.is_object()) return true;
  const json::Value* ph = v.find("_placeholder");
  const json::Value* num = v.find("num");
  if (ph && num && ph->is_bool() && ph->as_bool() && v.size() == 2) {
    auto n = num->as_int();
    if (!n || *n < 0 || static_cast<std::size_t>(*n) >= atts.size()) return false;
    v = json::Value::binary(std::move(atts[static_cast<std::size_t>(*n)]));
    return true;
  }
  for (auto& [k, e] : v.as_object())
    if (!substitute(e, atts, depth + 1)) return false;
  return true;
}

}  // namespace

Encoded encode(Type type, const std::string& nsp, std::optional<uint64_t> id,
               const json::Value* data) {
  Encoded e;
  std::string json;
  if (data) data->dump_to(json, &e.attachments);
  if (!e.attachments.empty()) {
    if (type == Type::Event) type = Type::BinaryEvent;
    if (type == Type::Ack) type = Type::BinaryAck;
  }
  e.text.reserve(json.size() + nsp.size() + 8);
  e.text.push_back(static_cast<char>('0' + static_cast<int>(type)));
  if (type == Type::BinaryEvent || type == Type::BinaryAck) {
    e.text += std::to_string(e.attachments.size());
    e.text.push_back('-');
  }
  if (nsp != "/") {
    e.text += nsp;
    e.text.push_back(',');
  }
  if (id) e.text += std::to_string(*id);
  e.text += json;
  return e;
}

DecodeStatus Decoder::feed_text(std::string_view s, Packet& out) {
  if (pending_) return DecodeStatus::Error;  // text while attachments are awaited
  if (s.empty() || s[0] < '0' || s[0] > '6') return DecodeStatus::Error;
  Packet p;
  p.type = static_cast<Type>(s[0] - '0');
  std::size_t i = 1;
  std::size_t attachments = 0;
  if (p.type == Type::BinaryEvent || p.type == Type::BinaryAck) {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      attachments = attachments * 10 + static_cast<std::size_t>(s[i] - '0');
      if (++i - start > 6) return DecodeStatus::Error;
    }
    if (i == start || i >= s.size() || s[i] != '-') return DecodeStatus::Error;
    ++i;
    if (attachments < 1 || attachments > max_attachments_) return DecodeStatus::Error;
  }
  if (i < s.size() && s[i] == '/') {
    auto comma = s.find(',', i);
    std::size_t end = comma == std::string_view::npos ? s.size() : comma;
    p.nsp = std::string(s.substr(i, end - i));
    i = comma == std::string_view::npos ? s.size() : comma + 1;
  }
  if (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    uint64_t id = 0;
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      id = id * 10 + static_cast<uint64_t>(s[i] - '0');
      if (++i - start > 15) return DecodeStatus::Error;
    }
    p.id = id;
  }
  if (i < s.size()) {
    auto parsed = json::parse(s.substr(i));
    if (!parsed) return DecodeStatus::Error;
    p.data = std::move(*parsed);
  }
  if (!valid_payload(p.type, p.data)) return DecodeStatus::Error;
  if (attachments > 0) {
    pending_ = std::make_unique<Pending>();
    pending_->packet = std::move(p);
    pending_->expected = attachments;
    pending_->attachments.reserve(attachments);
    return DecodeStatus::NeedMore;
  }
  out = std::move(p);
  return DecodeStatus::Packet;
}

DecodeStatus Decoder::feed_binary(std::string_view bytes, Packet& out) {
  if (!pending_) return DecodeStatus::Error;  // binary when none is awaited
  pending_->attachments.emplace_back(bytes);
  if (pending_->attachments.size() < pending_->expected) return DecodeStatus::NeedMore;
  auto pending = std::move(pending_);
  if (!pending->packet.data || !substitute(*pending->packet.data, pending->attachments, 0))
    return DecodeStatus::Error;
  out = std::move(pending->packet);
  return DecodeStatus::Packet;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view raw) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!raw.empty()) {
    auto amp = raw.find('&');
    std::string_view part = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string k, v;
    if (!http::percent_decode(part.substr(0, eq), k, true)) k = std::string(part.substr(0, eq));
    if (eq != std::string_view::npos && !http::percent_decode(part.substr(eq + 1), v, true))
      v = std::string(part.substr(eq + 1));
    out.emplace_back(std::move(k), std::move(v));
  }
  return out;
}

json::Value query_to_object(std::string_view query) {
  json::Value o = json::Value::object();
  for (auto& [k, v] : parse_query(query)) o.set(k, json::Value(std::move(v)));
  return o;
}

}  // namespace engage::sio::wire
