// The Socket.IO server's adapter over socketio/packet.h: packets in and out, query helpers.
#include "socketio/wire.h"

#include <algorithm>
#include <cstdint>

#include "http/url.h"
#include "socketio/packet.h"

namespace engage::sio::wire {

Encoded encode(Type type, const std::string& nsp, std::optional<uint64_t> id, json::Value* data) {
  sio::Packet p;
  p.type = static_cast<PacketType>(type);
  p.nsp = nsp;
  p.id = id;
  if (data) {
    p.has_data = true;
    p.data = std::move(*data);
  }
  Encoded e;
  encode_to(e.text, e.attachments, p);
  return e;
}

struct Decoder::Impl {
  explicit Impl(DecoderOptions o) : decoder(std::move(o)) {}
  sio::Decoder decoder;
};

Decoder::Decoder(std::size_t max_attachments, bool eio3)
    : max_attachments_(static_cast<uint32_t>(std::min<std::size_t>(max_attachments, UINT32_MAX))),
      eio3_(eio3) {}
Decoder::~Decoder() = default;

namespace {

DecodeStatus convert(Expected<std::optional<sio::Packet>, DecodeError>&& r, Packet& out) {
  if (!r) return DecodeStatus::Error;
  if (!r->has_value()) return DecodeStatus::NeedMore;
  sio::Packet& p = **r;
  out.type = static_cast<Type>(p.type);
  out.nsp = std::move(p.nsp);
  out.id = p.id;
  if (p.has_data)
    out.data = std::move(p.data);
  else
    out.data.reset();
  out.query = std::move(p.query);
  return DecodeStatus::Packet;
}

}  // namespace

DecodeStatus Decoder::feed_text(std::string_view text, Packet& out) {
  DecoderOptions o;
  o.max_attachments = max_attachments_;
  o.connect_query = eio3_;
  if (impl_) {
    // Only binary packets keep a decoder; text arriving while attachments are awaited is an
    // error that add_text reports.
    auto st = convert(impl_->decoder.add_text(text), out);
    if (st != DecodeStatus::NeedMore) impl_.reset();
    return st;
  }
  auto p = decode_text(text, o);
  if (!p) return DecodeStatus::Error;
  if (p->type == PacketType::BinaryEvent || p->type == PacketType::BinaryAck) {
    impl_ = std::make_unique<Impl>(o);  // held only until the attachments are in
    auto st = convert(impl_->decoder.add_text(text), out);
    if (st != DecodeStatus::NeedMore) impl_.reset();
    return st;
  }
  return convert(
      Expected<std::optional<sio::Packet>, DecodeError>(std::optional<sio::Packet>(std::move(*p))),
      out);
}

DecodeStatus Decoder::feed_binary(std::string_view bytes, Packet& out) {
  if (!impl_ || !impl_->decoder.awaiting_attachments()) return DecodeStatus::Error;
  auto st = convert(impl_->decoder.add_binary(std::string(bytes)), out);
  if (st != DecodeStatus::NeedMore) impl_.reset();
  return st;
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
