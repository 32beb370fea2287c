// Engine.IO session state machine: heartbeat, polling, websocket, upgrade, close.
#include "engineio/session.h"

#include <boost/asio/post.hpp>
#include <utility>

#include "core/metrics.h"
#include "engineio/codec_bridge.h"
#include "net/loops.h"

namespace engage::eio {

namespace {

// Shared immutable control packets: queuing them allocates nothing.
const std::shared_ptr<const std::string>& packet_of(char type) {
  static const std::shared_ptr<const std::string> packets[7] = {
      std::make_shared<const std::string>("0"), std::make_shared<const std::string>("1"),
      std::make_shared<const std::string>("2"), std::make_shared<const std::string>("3"),
      std::make_shared<const std::string>("4"), std::make_shared<const std::string>("5"),
      std::make_shared<const std::string>("6")};
  return packets[type - '0'];
}

// Returns the engage_connections series of a transport (looked up once; lock-free after).
metrics::Gauge& connections_gauge(Session::Transport t) {
  static metrics::Gauge& polling = metrics::ops().connections.with({"polling"});
  static metrics::Gauge& websocket = metrics::ops().connections.with({"websocket"});
  return t == Session::Transport::WebSocket ? websocket : polling;
}

}  // namespace

Session::Session(Server& server, std::size_t loop, std::string sid, int protocol,
                 Transport transport, bool b64)
    : server_(server),
      sid_(std::move(sid)),
      heartbeat_(server.loops().context(loop).get_executor()),
      loop_(static_cast<uint32_t>(loop)),
      protocol_(static_cast<uint8_t>(protocol)),
      transport_(transport),
      b64_(b64) {
  server_.session_opened();
  connections_gauge(transport_).add();
}

Session::~Session() {
  if (state_ != State::Closed) connections_gauge(transport_).sub();  // never closed: still count
}

// ---------------------------------------------------------------------------------------------
// Start

namespace {

std::string open_packet_json(const Session& s, const Options& o, bool websocket_only) {
  std::string j = "{\"sid\":\"";
  j += s.sid();
  j += "\",\"upgrades\":";
  j += (!websocket_only && o.allow_upgrades) ? "[\"websocket\"]" : "[]";
  j += ",\"pingInterval\":" + std::to_string(o.ping_interval_ms);
  j += ",\"pingTimeout\":" + std::to_string(o.ping_timeout_ms);
  j += ",\"maxPayload\":" + std::to_string(o.max_payload);
  j += "}";
  return j;
}

}  // namespace

void Session::start_polling(http::Respond respond, const http::Request& req) {
  // Timers first: the suites measure expiry from the moment the handshake is received.
  if (protocol_ == 4)
    schedule_heartbeat(server_.options().ping_interval_ms, false);
  else
    schedule_heartbeat(server_.options().ping_interval_ms + server_.options().ping_timeout_ms,
                       false);
  std::vector<Out> packets;
  packets.push_back(Out{
      std::make_shared<const std::string>("0" + open_packet_json(*this, server_.options(), false)),
      false});
  // Anything the layer above queued on open (EIO3's implicit "40") waits for the next GET,
  // as Node does: the handshake response holds the open packet alone.
  auto body = bridge::encode_polling(protocol_, b64_, packets);
  http::Response res = text_response(std::move(body.body), req.header("origin"));
  if (body.binary) res.content_type = "application/octet-stream";
  respond(std::move(res));
}

void Session::start_websocket(const net::WebSocketPtr& ws) {
  ws_ = ws;
  install_ws_handlers(ws, false);
  if (protocol_ == 4)
    schedule_heartbeat(server_.options().ping_interval_ms, false);
  else
    schedule_heartbeat(server_.options().ping_interval_ms + server_.options().ping_timeout_ms,
                       false);
  ws->send(
      std::make_shared<const std::string>("0" + open_packet_json(*this, server_.options(), true)),
      false);
  flush();
}

// ---------------------------------------------------------------------------------------------
// Heartbeat: one timer. v4: interval → PING, then timeout → close unless a PONG re-armed it.
// v3: the client pings; each PING re-arms interval+timeout.

void Session::schedule_heartbeat(uint32_t ms, bool awaiting_pong, bool after_previous) {
  awaiting_pong_ = awaiting_pong;
  if (after_previous) {
    // Counted from when the ping was due, not from when a busy loop got to it: the client's
    // deadline is pingInterval+pingTimeout after the handshake, exactly.
    heartbeat_.expires_at(heartbeat_.expiry() + std::chrono::milliseconds(ms));
  } else {
    heartbeat_.expires_after(std::chrono::milliseconds(ms));
  }
  heartbeat_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed or cancelled
    self->on_heartbeat();
  });
}

void Session::on_heartbeat() {
  if (state_ == State::Closed) return;
  if (protocol_ == 3 || awaiting_pong_) {
    close("ping timeout");
    return;
  }
  schedule_heartbeat(server_.options().ping_timeout_ms, true, true);
  queue(packet_of('2'), false);
}

// ---------------------------------------------------------------------------------------------
// Sending

void Session::send(std::shared_ptr<const std::string> packet, bool binary) {
  if (state_ == State::Closed) return;
  queue(std::move(packet), binary);
}

void Session::queue(std::shared_ptr<const std::string> packet, bool binary) {
  if (transport_ == Transport::WebSocket && ws_) {
    ws_send(Out{std::move(packet), binary});
    return;
  }
  out_bytes_ += packet->size();
  out_.push_back(Out{std::move(packet), binary});
  if (out_bytes_ > server_.options().max_polling_buffer_bytes) {
    close("transport error");  // a polling client that stopped fetching: drop, don't grow
    return;
  }
  flush();
}

void Session::ws_send(const Out& o) {
  if (o.binary && protocol_ == 3) {
    // v3 binary frames carry the packet type byte first.
    auto framed = std::make_shared<std::string>();
    framed->reserve(o.data->size() + 1);
    framed->push_back('\x04');
    framed->append(*o.data);
    ws_->send(std::move(framed), true);
    return;
  }
  ws_->send(o.data, o.binary);
}

void Session::flush() {
  if (out_.empty()) return;
  if (transport_ == Transport::WebSocket) {
    if (!ws_) return;
    for (const auto& o : out_) ws_send(o);
    std::vector<Out>().swap(out_);
    out_bytes_ = 0;
    return;
  }
  if (!poll_) return;
  std::vector<Out> packets;
  packets.swap(out_);  // releases the buffer: an idle session holds no packet storage
  out_bytes_ = 0;
  respond_poll(std::move(packets));
}

void Session::respond_poll(std::vector<Out> packets) {
  auto body = bridge::encode_polling(protocol_, b64_, packets);
  http::Response res = text_response(std::move(body.body), poll_origin_);
  if (body.binary) res.content_type = "application/octet-stream";
  auto respond = std::move(poll_);
  poll_ = nullptr;
  std::string().swap(poll_origin_);
  respond(std::move(res));
}

void Session::respond_poll_single(char type) {
  std::vector<Out> packets;
  packets.push_back(Out{packet_of(type), false});
  respond_poll(std::move(packets));
}

http::Response Session::text_response(std::string body, std::string_view origin) const {
  http::Response res;
  res.status = 200;
  res.content_type = "text/plain; charset=UTF-8";
  res.body = std::move(body);
  server_.add_cors_headers(origin, res);
  return res;
}

// ---------------------------------------------------------------------------------------------
// Polling requests

void Session::on_poll(const http::Request& req, http::Respond respond, net::ClientGonePtr gone) {
  if (transport_ != Transport::Polling) {
    auto res = error_response(3);
    server_.add_cors_headers(req.header("origin"), res);
    respond(std::move(res));
    return;
  }
  if (poll_) {
    // Two concurrent GETs: the newcomer gets 400, the session closes, the held GET gets "1".
    auto res = error_response(3);
    server_.add_cors_headers(req.header("origin"), res);
    respond(std::move(res));
    close("transport error");
    return;
  }
  poll_ = std::move(respond);
  poll_origin_ = std::string(req.header("origin"));
  const uint32_t seq = ++poll_seq_;
  if (!out_.empty()) {
    flush();
    if (state_ == State::Upgrading) noop_owed_ = false;
    return;
  }
  if (state_ == State::Upgrading) {
    // While upgrading, every GET is ended at once so the client can switch transports.
    noop_owed_ = false;
    respond_poll_single('6');
    return;
  }
  if (gone) {
    // The client of the held GET left (closed tab, dead link): like Node, end the session.
    std::weak_ptr<Session> weak = shared_from_this();
    net::Loops* loops = &server_.loops();
    std::size_t owner = loop_;
    gone->on_gone([weak, loops, owner, seq] {
      loops->dispatch(owner, [weak, seq] {
        auto s = weak.lock();
        if (!s || !s->poll_ || s->poll_seq_ != seq) return;
        s->poll_ = nullptr;
        s->close("transport close");
      });
    });
  }
}

void Session::on_post(const http::Request& req, http::Respond respond) {
  auto origin = req.header("origin");
  if (transport_ != Transport::Polling) {
    auto res = error_response(3);
    server_.add_cors_headers(origin, res);
    respond(std::move(res));
    return;
  }
  if (req.body.size() > server_.options().max_payload) {
    http::Response res = http::Response::json(413, R"({"code":3,"message":"Payload too large"})");
    server_.add_cors_headers(origin, res);
    respond(std::move(res));
    return;
  }
  bool binary_body = req.header("content-type").starts_with("application/octet-stream");
  auto self = shared_from_this();  // packets may close the session while we iterate
  bool ok = bridge::decode_polling(protocol_, binary_body, req.body, server_.options().max_payload,
                                   [&](char type, std::string_view data, bool binary) {
                                     if (state_ == State::Closed) return false;
                                     on_packet(type, data, binary);
                                     return state_ != State::Closed;
                                   });
  if (!ok) {
    auto res = error_response(3);
    server_.add_cors_headers(origin, res);
    respond(std::move(res));
    close("parse error");
    return;
  }
  http::Response res;
  res.status = 200;
  res.content_type = "text/html";
  res.body = "ok";
  server_.add_cors_headers(origin, res);
  respond(std::move(res));
}

// ---------------------------------------------------------------------------------------------
// Packets from the client (any transport)

void Session::on_packet(char type, std::string_view data, bool binary) {
  switch (type) {
    case '4':
      if (handler_) handler_->on_message(data, binary);
      return;
    case '2':
      if (protocol_ == 3) {
        schedule_heartbeat(server_.options().ping_interval_ms + server_.options().ping_timeout_ms,
                           false);
        if (data.empty()) {
          queue(packet_of('3'), false);
        } else {
          auto pong = std::make_shared<std::string>("3");
          pong->append(data);
          queue(std::move(pong), false);
        }
        return;
      }
      close("transport error");  // v4: the server pings, never the client
      return;
    case '3':
      if (protocol_ == 4 && awaiting_pong_)
        schedule_heartbeat(server_.options().ping_interval_ms, false);
      return;
    case '1':
      on_closed("transport close", true);
      return;
    default:
      return;  // open, upgrade and noop from the client carry nothing to do
  }
}

// ---------------------------------------------------------------------------------------------
// WebSocket transport and upgrade

void Session::install_ws_handlers(const net::WebSocketPtr& ws, bool probe) {
  std::weak_ptr<Session> weak = shared_from_this();
  std::size_t owner = loop_;
  net::Loops* loops = &server_.loops();
  const bool same_loop = ws->loop() == owner;
  net::WebSocket* raw = ws.get();
  net::WebSocket::Handlers h;
  h.on_message = [weak, owner, loops, same_loop, probe, raw](std::string_view data, bool binary) {
    if (same_loop) {
      if (auto s = weak.lock()) {
        if (probe && s->probe_ws_.get() == raw)
          s->on_probe_message(data, binary);
        else if (s->ws_.get() == raw)
          s->on_ws_message(data, binary);
      }
      return;
    }
    loops->post(owner, [weak, probe, raw, d = std::string(data), binary] {
      if (auto s = weak.lock()) {
        if (probe && s->probe_ws_.get() == raw)
          s->on_probe_message(d, binary);
        else if (s->ws_.get() == raw)
          s->on_ws_message(d, binary);
      }
    });
  };
  h.on_close = [weak, owner, loops, raw](uint16_t) {
    loops->dispatch(owner, [weak, raw] {
      auto s = weak.lock();
      if (!s) return;
      if (s->probe_ws_.get() == raw)
        s->cancel_upgrade();
      else if (s->ws_.get() == raw)
        s->on_closed("transport close", false);
    });
  };
  ws->set_handlers(std::move(h));
}

void Session::on_ws_message(std::string_view data, bool binary) {
  if (state_ == State::Closed) return;
  if (binary) {
    if (protocol_ == 3) {
      // v3 binary frame: type byte, then the data.
      if (data.empty() || data[0] != '\x04') {
        close("parse error");
        return;
      }
      on_packet('4', data.substr(1), true);
      return;
    }
    on_packet('4', data, true);
    return;
  }
  if (data.empty() || data[0] < '0' || data[0] > '6') {
    close("parse error");
    return;
  }
  on_packet(data[0], data.substr(1), false);
}

void Session::on_upgrade_socket(const net::WebSocketPtr& ws) {
  if (state_ != State::Open || transport_ != Transport::Polling || probe_ws_ ||
      !server_.options().allow_upgrades) {
    ws->close(1000);
    return;
  }
  probe_ws_ = ws;
  install_ws_handlers(ws, true);
  upgrade_timer_ = std::make_unique<Timer>(server_.loops().context(loop_).get_executor());
  upgrade_timer_->expires_after(std::chrono::milliseconds(server_.options().upgrade_timeout_ms));
  std::weak_ptr<Session> weak = shared_from_this();
  upgrade_timer_->async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto s = weak.lock()) s->cancel_upgrade();
  });
}

void Session::on_probe_message(std::string_view data, bool binary) {
  if (state_ == State::Closed) return;
  if (!binary && data == "2probe") {
    probe_ws_->send(std::make_shared<const std::string>("3probe"), false);
    if (state_ == State::Open) {
      state_ = State::Upgrading;
      if (poll_)
        respond_poll_single('6');
      else if (protocol_ == 3)
        noop_owed_ = true;
    }
    return;
  }
  if (!binary && data == "5") {
    finish_upgrade();
    return;
  }
  cancel_upgrade();  // anything else on the probe transport aborts the upgrade
}

void Session::finish_upgrade() {
  if (upgrade_timer_) upgrade_timer_->cancel();
  upgrade_timer_.reset();
  if (poll_) respond_poll_single('6');
  connections_gauge(transport_).sub();
  connections_gauge(Session::Transport::WebSocket).add();
  metrics::ops().upgrades.inc();
  transport_ = Transport::WebSocket;
  state_ = State::Open;
  ws_ = std::move(probe_ws_);
  probe_ws_.reset();
  install_ws_handlers(ws_, false);
  if (noop_owed_) {
    noop_owed_ = false;
    ws_send(Out{packet_of('6'), false});
  }
  flush();
}

void Session::cancel_upgrade() {
  if (upgrade_timer_) upgrade_timer_->cancel();
  upgrade_timer_.reset();
  if (probe_ws_) {
    auto ws = std::move(probe_ws_);
    probe_ws_.reset();
    ws->close(1000);
  }
  if (state_ == State::Upgrading) state_ = State::Open;
  noop_owed_ = false;
}

// ---------------------------------------------------------------------------------------------
// Close

void Session::close(std::string_view reason) {
  on_closed(reason, false);
}

void Session::on_closed(std::string_view reason, bool client_initiated) {
  if (state_ == State::Closed) return;
  auto self = shared_from_this();
  if (transport_ == Transport::Polling && poll_) {
    // A client "1" ends the held GET with a noop; a server-side close tells the client "1".
    if (client_initiated) {
      respond_poll_single('6');
    } else {
      std::vector<Out> packets;
      packets.swap(out_);
      packets.push_back(Out{packet_of('1'), false});
      respond_poll(std::move(packets));
    }
  }
  state_ = State::Closed;
  connections_gauge(transport_).sub();
  heartbeat_.cancel();
  if (upgrade_timer_) upgrade_timer_->cancel();
  upgrade_timer_.reset();
  if (probe_ws_) {
    probe_ws_->close(1000);
    probe_ws_.reset();
  }
  if (ws_) {
    if (!client_initiated || reason != "transport close") {
      for (const auto& o : out_) ws_send(o);
    }
    ws_->close(1000);
    ws_.reset();
  }
  std::vector<Out>().swap(out_);
  out_bytes_ = 0;
  server_.session_closed(*this);
  if (auto h = std::move(handler_)) h->on_close(reason);
}

}  // namespace engage::eio
