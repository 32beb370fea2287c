// Client: Engine.IO v4 client transports (WebSocket; long-polling with a GET and a POST
// connection) and the Socket.IO v5 client handshake, driven by non-blocking Asio sockets.
#include "client.h"

#include <boost/asio/write.hpp>
#include <cstring>

#include "core/base64.h"
#include "http_client.h"
#include "sio_text.h"
#include "socketio/packet.h"
#include "worker.h"

namespace engage::load {

namespace asio = boost::asio;
using boost::system::error_code;

struct Client::Channel {
  explicit Channel(asio::io_context& io) : sock(io) {}
  asio::ip::tcp::socket sock;
  std::string rbuf;      // unparsed input (handshake / HTTP responses)
  std::string wbuf;      // bytes waiting for the write in flight
  std::string inflight;  // bytes of the write in flight
  bool writing = false;
  bool reading = false;
  bool is_post = false;
  bool connected = false;
  std::string pending;  // polling POST: request to write once connected
};

Client::Client(Worker& worker, Role role, uint32_t group, std::string user_id, const Target& target,
               std::string nsp, bool polling)
    : worker_(worker),
      target_(target),
      user_id_(std::move(user_id)),
      nsp_(std::move(nsp)),
      group_(group),
      role_(role),
      polling_(polling) {}

Client::~Client() = default;

asio::steady_timer& Client::timer() {
  if (!timer_) timer_ = std::make_unique<asio::steady_timer>(worker_.io());
  return *timer_;
}

void Client::start() {
  state_ = State::Connecting;
  started_ns = now_ns();
  main_ = std::make_unique<Channel>(worker_.io());
  Channel& ch = *main_;
  ch.sock.async_connect(target_.endpoint, [this, &ch](const error_code& ec) {
    if (ec == asio::error::operation_aborted || state_ == State::Closed) return;
    if (ec) return fail("connect: " + ec.message());
    on_tcp_connected(ch);
  });
}

void Client::on_tcp_connected(Channel& ch) {
  error_code ec;
  ch.connected = true;
  ch.sock.set_option(asio::ip::tcp::no_delay(true), ec);
  ch.sock.non_blocking(true, ec);
  if (ch.is_post) {
    std::string req;
    req.swap(ch.pending);
    write(ch, req);
    arm_read(ch);
    return;
  }
  state_ = State::Handshake;
  std::string req;
  if (polling_) {
    write_get_request(req, target_.host_header, target_.path + "?EIO=4&transport=polling");
  } else {
    unsigned char key[16];
    for (int i = 0; i < 16; i += 4) {
      const uint32_t r = worker_.mask_key();
      std::memcpy(key + i, &r, 4);
    }
    ws_key_ = base64::encode(std::string_view(reinterpret_cast<const char*>(key), sizeof key));
    write_upgrade_request(req, target_.host_header, target_.path + "?EIO=4&transport=websocket",
                          ws_key_);
  }
  write(ch, req);
  arm_read(ch);
}

void Client::arm_read(Channel& ch) {
  if (ch.reading || state_ == State::Closed) return;
  ch.reading = true;
  ch.sock.async_wait(asio::ip::tcp::socket::wait_read, [this, &ch](const error_code& ec) {
    ch.reading = false;
    if (ec == asio::error::operation_aborted || state_ == State::Closed) return;
    if (ec) return fail("read: " + ec.message());
    on_readable(ch);
  });
}

void Client::on_readable(Channel& ch) {
  char* buf = worker_.scratch();
  const std::size_t cap = worker_.scratch_size();
  for (;;) {
    error_code ec;
    const std::size_t n = ch.sock.read_some(asio::buffer(buf, cap), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec == asio::error::eof)
      return fail(ch.is_post ? "post connection closed" : "server closed the connection");
    if (ec) return fail("read: " + ec.message());
    on_bytes(ch, buf, n);
    if (state_ == State::Closed) return;
    if (n < cap) break;
  }
  arm_read(ch);
}

void Client::on_bytes(Channel& ch, char* data, std::size_t n) {
  if (ws_ && !ch.is_post) {  // WebSocket open: frames straight from the scratch buffer
    const uint16_t code = ws_->feed(data, n, *this);
    if (code != 0) fail("websocket protocol error " + std::to_string(code));
    return;
  }
  ch.rbuf.append(data, n);
  if (polling_) {
    on_http_response(ch);
  } else {
    on_ws_handshake(ch);
  }
}

void Client::on_ws_handshake(Channel& ch) {
  ResponseHead head;
  const HeadResult r = parse_response_head(ch.rbuf, head);
  if (r == HeadResult::Incomplete) return;
  if (r == HeadResult::Bad) return fail("bad HTTP response to the upgrade");
  if (head.status != 101) return fail("upgrade refused: HTTP " + std::to_string(head.status));
  if (head.websocket_accept != net::ws::accept_key(ws_key_))
    return fail("bad Sec-WebSocket-Accept");
  std::string rest = ch.rbuf.substr(head.head_bytes);
  ch.rbuf.clear();
  ch.rbuf.shrink_to_fit();
  ws_key_.clear();
  ws_key_.shrink_to_fit();
  ws_ = std::make_unique<net::ws::FrameParser>(worker_.max_message(), net::ws::Role::Client);
  if (!rest.empty()) on_bytes(ch, rest.data(), rest.size());
}

void Client::on_http_response(Channel& ch) {
  while (state_ != State::Closed) {
    ResponseHead head;
    const HeadResult r = parse_response_head(ch.rbuf, head);
    if (r == HeadResult::Incomplete) return;
    if (r == HeadResult::Bad) return fail("bad HTTP response");
    if (head.chunked || head.content_length < 0)
      return fail("polling response without Content-Length");
    const auto body_len = static_cast<std::size_t>(head.content_length);
    if (ch.rbuf.size() < head.head_bytes + body_len) return;
    std::string body = ch.rbuf.substr(head.head_bytes, body_len);
    ch.rbuf.erase(0, head.head_bytes + body_len);
    if (head.status != 200) return fail("polling: HTTP " + std::to_string(head.status));
    if (ch.is_post) {
      post_in_flight_ = false;
      if (!post_queue_.empty()) flush_polling();
      continue;
    }
    // A GET: the body is packets separated by \x1e.
    std::string_view rest = body;
    while (!rest.empty() && state_ != State::Closed) {
      const std::size_t sep = rest.find('\x1e');
      handle_eio(rest.substr(0, sep));
      if (sep == std::string_view::npos) break;
      rest.remove_prefix(sep + 1);
    }
    if (state_ != State::Closed) send_poll_get();
  }
}

void Client::send_poll_get() {
  std::string req;
  write_get_request(req, target_.host_header,
                    target_.path + "?EIO=4&transport=polling&sid=" + sid_);
  write(*main_, req);
}

void Client::write(Channel& ch, std::string_view bytes) {
  if (state_ == State::Closed) return;
  if (!ch.writing && ch.wbuf.empty()) {
    error_code ec;
    const std::size_t n = ch.sock.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      return fail("write: " + ec.message());
    }
    if (n == bytes.size()) return;
    bytes.remove_prefix(ec ? 0 : n);
  }
  ch.wbuf.append(bytes);
  if (!ch.writing) start_async_write(ch);
}

void Client::start_async_write(Channel& ch) {
  ch.writing = true;
  ch.inflight.swap(ch.wbuf);
  asio::async_write(ch.sock, asio::buffer(ch.inflight),
                    [this, &ch](const error_code& ec, std::size_t) {
                      ch.writing = false;
                      ch.inflight.clear();
                      if (ec == asio::error::operation_aborted || state_ == State::Closed) return;
                      if (ec) return fail("write: " + ec.message());
                      if (!ch.wbuf.empty()) start_async_write(ch);
                    });
}

void Client::send_eio(std::string_view packet) {
  if (state_ == State::Closed) return;
  if (!polling_) {
    write(*main_, net::ws::encode_client_frame(net::ws::Opcode::Text, packet, worker_.mask_key()));
    return;
  }
  if (!post_queue_.empty()) post_queue_ += '\x1e';
  post_queue_ += packet;
  if (!post_in_flight_) flush_polling();
}

void Client::flush_polling() {
  if (post_queue_.empty() || post_in_flight_) return;
  std::string req;
  write_post_request(req, target_.host_header,
                     target_.path + "?EIO=4&transport=polling&sid=" + sid_, post_queue_);
  post_queue_.clear();
  post_in_flight_ = true;
  if (!post_) {
    post_ = std::make_unique<Channel>(worker_.io());
    post_->is_post = true;
    post_->pending = std::move(req);
    Channel& ch = *post_;
    ch.sock.async_connect(target_.endpoint, [this, &ch](const error_code& ec) {
      if (ec == asio::error::operation_aborted || state_ == State::Closed) return;
      if (ec) return fail("connect (post): " + ec.message());
      on_tcp_connected(ch);
    });
    return;
  }
  if (!post_->connected) {
    post_->pending += req;
    return;
  }
  write(*post_, req);
}

void Client::emit(std::string_view event, std::string_view payload_json) {
  if (state_ != State::Connected) return;
  std::string packet;
  packet.reserve(32 + event.size() + nsp_.size() + payload_json.size());
  append_event(packet, nsp_, event, payload_json);
  send_eio(packet);
}

void Client::handle_eio(std::string_view packet) {
  if (packet.empty()) return fail("empty Engine.IO packet");
  switch (packet[0]) {
    case '0': {  // open
      if (state_ != State::Handshake) return fail("unexpected Engine.IO open");
      if (polling_) {
        auto v = json::parse(packet.substr(1));
        const json::Value* sid = v ? v->find("sid") : nullptr;
        if (!sid || !sid->is_string()) return fail("Engine.IO open without sid");
        sid_ = sid->as_string();
      }
      state_ = State::EioOpen;
      std::string auth = "{\"userId\":";
      json::write_string(auth, user_id_);
      auth += '}';
      std::string out;
      append_connect(out, nsp_, auth);
      send_eio(out);
      return;
    }
    case '2':  // ping → pong
      send_eio("3");
      return;
    case '4':
      return handle_sio(packet.substr(1));
    case '1':
      return fail("Engine.IO close from the server");
    case '6':
    case '3':
      return;
    default:
      return fail("unknown Engine.IO packet");
  }
}

void Client::handle_sio(std::string_view packet) {
  // Events: a header peek finds the name, and the worker decodes the payload (with the
  // Socket.IO codec) only for the events it acts on.
  if (!packet.empty() && packet[0] == '2') {
    SioPacket p;
    if (!split_packet(packet, p)) return fail("unparsable Socket.IO packet");
    if (p.nsp != std::string_view(nsp_.empty() ? "/" : nsp_)) return;
    if (state_ != State::Connected) return;
    std::string_view name = event_name(p.data);
    if (!name.empty()) return worker_.on_event(*this, name, packet);
    auto full = sio::decode_text(packet);  // an escaped name: decode it properly
    if (!full || !full->data.is_array() || full->data.size() == 0 ||
        !full->data.as_array()[0].is_string()) {
      return fail("invalid Socket.IO event from the server");
    }
    const std::string owned = full->data.as_array()[0].as_string();
    return worker_.on_event(*this, owned, packet);
  }
  auto decoded = sio::decode_text(packet);
  if (!decoded) return fail("invalid Socket.IO packet from the server: " + decoded.error().message);
  const sio::Packet& p = *decoded;
  if (p.nsp != (nsp_.empty() ? std::string("/") : nsp_)) return;
  switch (p.type) {
    case sio::PacketType::Connect:
      if (state_ != State::EioOpen) return;
      state_ = State::Connected;
      worker_.on_connected(*this);
      return;
    case sio::PacketType::ConnectError: {
      const json::Value* m = p.data.is_object() ? p.data.find("message") : nullptr;
      std::string why = "connect_error: ";
      why += (m && m->is_string()) ? m->as_string() : p.data.dump();
      return fail(why);
    }
    case sio::PacketType::Disconnect:
      return fail("Socket.IO disconnect from the server");
    default:
      return;  // acks and binary packets: no scenario uses them
  }
}

void Client::fail(std::string_view reason) {
  if (state_ == State::Closed) return;
  const bool was_connected = state_ == State::Connected;
  close();
  worker_.on_failed(*this, reason, was_connected);
}

void Client::disconnect() {
  if (state_ == State::Connected && !polling_ && main_) {
    std::string out = "41";
    if (!nsp_.empty() && nsp_ != "/") {
      out += nsp_;
      out += ',';
    }
    send_eio(out);
    write(*main_, net::ws::encode_client_frame(net::ws::Opcode::Close, net::ws::close_payload(1000),
                                               worker_.mask_key()));
  }
  close();
}

void Client::close() {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  error_code ec;
  for (Channel* ch : {main_.get(), post_.get()}) {
    if (!ch) continue;
    ch->sock.cancel(ec);
    ch->sock.close(ec);
  }
  if (timer_) timer_->cancel();
}

void Client::on_message(std::string_view data, bool binary) {
  if (binary) return;  // no scenario receives binary
  handle_eio(data);
}

void Client::on_ping(std::string_view payload) {
  write(*main_, net::ws::encode_client_frame(net::ws::Opcode::Pong, payload, worker_.mask_key()));
}

void Client::on_pong(std::string_view) {}

void Client::on_close(uint16_t code, std::string_view) {
  fail("websocket closed by the server (" + std::to_string(code) + ")");
}

}  // namespace engage::load
