// Engine.IO session state machine: heartbeat, polling, websocket, upgrade, close.
#include "engineio/session.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstring>
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

Session::Session(Server& server, std::size_t loop, std::string_view sid, int protocol,
                 Transport transport, bool b64)
    : server_(server),
      loop_(static_cast<uint32_t>(loop)),
      protocol_(static_cast<uint8_t>(protocol)),
      transport_(transport),
      b64_(b64) {
  std::memset(sid_, 0, sizeof sid_);
  std::memcpy(sid_, sid.data(), std::min(sid.size(), kSidLength));
  if (transport_ == Transport::Polling) polling_ = std::make_unique<Polling>();
  server_.session_opened();
  connections_gauge(transport_).add();
}

Session::~Session() {
  HeartbeatLanes::unlink(*this);
  if (state_ != State::Closed) connections_gauge(transport_).sub();  // never closed: still count
}

// ---------------------------------------------------------------------------------------------
// Heartbeat lanes

HeartbeatLanes::~HeartbeatLanes() {
  for (auto& lane : lanes_) {
    while (lane->head) unlink(*lane->head);
  }
}

void HeartbeatLanes::schedule(Session& s, uint32_t ms, TimePoint deadline) {
  unlink(s);
  Lane* lane = nullptr;
  for (auto& l : lanes_)
    if (l->ms == ms) lane = l.get();
  if (!lane) {
    lanes_.push_back(std::make_unique<Lane>(io_, ms));
    lane = lanes_.back().get();
  }
  s.hb_lane_ = lane;
  s.hb_deadline_ = deadline;
  // Deadlines of one duration arrive in order, so this is the tail; walk back otherwise.
  Session* after = lane->tail;
  while (after && after->hb_deadline_ > deadline) after = after->hb_prev_;
  s.hb_prev_ = after;
  s.hb_next_ = after ? after->hb_next_ : lane->head;
  if (s.hb_next_)
    s.hb_next_->hb_prev_ = &s;
  else
    lane->tail = &s;
  if (after)
    after->hb_next_ = &s;
  else
    lane->head = &s;
  if (lane->head == &s) arm(*lane);
}

void HeartbeatLanes::unlink(Session& s) {
  Lane* lane = s.hb_lane_;
  if (!lane) return;
  if (s.hb_prev_)
    s.hb_prev_->hb_next_ = s.hb_next_;
  else
    lane->head = s.hb_next_;
  if (s.hb_next_)
    s.hb_next_->hb_prev_ = s.hb_prev_;
  else
    lane->tail = s.hb_prev_;
  s.hb_prev_ = s.hb_next_ = nullptr;
  s.hb_lane_ = nullptr;
  // The lane's timer may now fire early or for nobody: on_timer re-checks the head.
}

void HeartbeatLanes::arm(Lane& lane) {
  if (!lane.head) return;
  const TimePoint due = lane.head->hb_deadline_;
  if (lane.armed && lane.armed_for <= due) return;  // the pending wait comes first anyway
  lane.armed = true;
  lane.armed_for = due;
  lane.timer.expires_at(due);  // cancels an earlier wait (it completes as aborted)
  lane.timer.async_wait([&lane](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed, or the lane is gone
    lane.armed = false;
    on_timer(lane);
  });
}

void HeartbeatLanes::on_timer(Lane& lane) {
  const TimePoint now = std::chrono::steady_clock::now();
  while (lane.head && lane.head->hb_deadline_ <= now) {
    Session& s = *lane.head;
    unlink(s);
    auto keep = s.shared_from_this();  // linked sessions are open, hence owned by the table
    s.on_heartbeat();
  }
  arm(lane);
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
  install_ws_handlers(ws);
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
  // After a ping: counted from when the ping was due, not from when a busy loop got to it (the
  // client's deadline is pingInterval+pingTimeout after the handshake, exactly).
  const TimePoint base = after_previous ? hb_deadline_ : std::chrono::steady_clock::now();
  server_.heartbeats(loop_).schedule(*this, ms, base + std::chrono::milliseconds(ms));
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
  if (!polling_held()) return;
  std::vector<Out> packets;
  packets.swap(out_);  // releases the buffer: an idle session holds no packet storage
  out_bytes_ = 0;
  respond_poll(std::move(packets));
}

void Session::respond_poll(std::vector<Out> packets) {
  auto body = bridge::encode_polling(protocol_, b64_, packets);
  http::Response res = text_response(std::move(body.body), polling_->poll_origin);
  if (body.binary) res.content_type = "application/octet-stream";
  auto respond = std::move(polling_->poll);
  polling_->poll = nullptr;
  std::string().swap(polling_->poll_origin);
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
  if (polling_->poll) {
    // Two concurrent GETs: the newcomer gets 400, the session closes, the held GET gets "1".
    auto res = error_response(3);
    server_.add_cors_headers(req.header("origin"), res);
    respond(std::move(res));
    close("transport error");
    return;
  }
  polling_->poll = std::move(respond);
  polling_->poll_origin = std::string(req.header("origin"));
  const uint32_t seq = ++polling_->poll_seq;
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
        if (!s || !s->polling_held() || s->polling_->poll_seq != seq) return;
        s->polling_->poll = nullptr;
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

void Session::install_ws_handlers(const net::WebSocketPtr& ws) {
  ws->set_listener(std::weak_ptr<net::WebSocket::Listener>(shared_from_this()));
}

void Session::route_ws_message(net::WebSocket* ws, std::string_view data, bool binary) {
  if (probing() && polling_->probe_ws.get() == ws)
    on_probe_message(data, binary);
  else if (ws_.get() == ws)
    handle_ws_message(data, binary);
}

void Session::on_ws_message(net::WebSocket& ws, std::string_view data, bool binary) {
  if (ws.loop() == loop_) {
    route_ws_message(&ws, data, binary);  // the caller holds this session while it runs
    return;
  }
  // A probe that arrived on another loop: the session's state lives on its own loop.
  std::weak_ptr<Session> weak = shared_from_this();
  net::WebSocket* raw = &ws;
  server_.loops().post(loop_, [weak, raw, d = std::string(data), binary] {
    if (auto s = weak.lock()) s->route_ws_message(raw, d, binary);
  });
}

void Session::on_ws_close(net::WebSocket& ws, uint16_t) {
  std::weak_ptr<Session> weak = shared_from_this();
  net::WebSocket* raw = &ws;
  server_.loops().dispatch(loop_, [weak, raw] {
    auto s = weak.lock();
    if (!s) return;
    if (s->probing() && s->polling_->probe_ws.get() == raw)
      s->cancel_upgrade();
    else if (s->ws_.get() == raw)
      s->on_closed("transport close", false);
  });
}

void Session::handle_ws_message(std::string_view data, bool binary) {
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
  if (state_ != State::Open || transport_ != Transport::Polling || !polling_ ||
      polling_->probe_ws || !server_.options().allow_upgrades) {
    ws->close(1000);
    return;
  }
  polling_->probe_ws = ws;
  install_ws_handlers(ws);
  auto& timer = polling_->upgrade;
  timer = std::make_unique<Timer>(server_.loops().context(loop_).get_executor());
  timer->expires_after(std::chrono::milliseconds(server_.options().upgrade_timeout_ms));
  std::weak_ptr<Session> weak = shared_from_this();
  timer->async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto s = weak.lock()) s->cancel_upgrade();
  });
}

void Session::on_probe_message(std::string_view data, bool binary) {
  if (state_ == State::Closed) return;
  if (!binary && data == "2probe") {
    polling_->probe_ws->send(std::make_shared<const std::string>("3probe"), false);
    if (state_ == State::Open) {
      state_ = State::Upgrading;
      if (polling_->poll)
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
  if (polling_->upgrade) polling_->upgrade->cancel();
  polling_->upgrade.reset();
  if (polling_->poll) respond_poll_single('6');
  connections_gauge(transport_).sub();
  connections_gauge(Session::Transport::WebSocket).add();
  metrics::ops().upgrades.inc();
  transport_ = Transport::WebSocket;
  state_ = State::Open;
  ws_ = std::move(polling_->probe_ws);
  polling_.reset();  // a WebSocket session needs no polling state
  if (noop_owed_) {
    noop_owed_ = false;
    ws_send(Out{packet_of('6'), false});
  }
  flush();
}

void Session::cancel_upgrade() {
  if (polling_) {
    if (polling_->upgrade) polling_->upgrade->cancel();
    polling_->upgrade.reset();
    if (auto ws = std::move(polling_->probe_ws)) {
      polling_->probe_ws.reset();
      ws->close(1000);
    }
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
  if (transport_ == Transport::Polling && polling_held()) {
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
  HeartbeatLanes::unlink(*this);
  if (polling_) {
    if (polling_->upgrade) polling_->upgrade->cancel();
    polling_->upgrade.reset();
    if (auto ws = std::move(polling_->probe_ws)) {
      polling_->probe_ws.reset();
      ws->close(1000);
    }
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
