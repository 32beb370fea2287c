// One Engine.IO session: handshake, heartbeat, polling and WebSocket transports, and the
// polling → websocket upgrade, as a state machine living on one loop (PROTOCOL.md §1, §3).
//
// States: Open (polling or websocket) → [probe WebSocket attached → Upgrading (after "2probe")
// → websocket after "5"] → Closed. Everything here runs on the session's loop.
#pragma once

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/server.h"
#include "http/message.h"
#include "net/http_server.h"

namespace engage::eio {

// One packet waiting to be sent. Text: the whole packet ("2", "42[..]"); binary: the bytes.
struct OutPacket {
  std::shared_ptr<const std::string> data;
  bool binary;
};

// A steady timer bound to a loop's io_context executor (no type-erased executor).
using Timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                boost::asio::wait_traits<std::chrono::steady_clock>,
                                                boost::asio::io_context::executor_type>;
using TimePoint = std::chrono::steady_clock::time_point;

class Session;

// The heartbeat deadlines of one loop's sessions, without a timer per session: one FIFO per
// duration (pingInterval, pingTimeout, their sum), each ordered by deadline and served by one
// timer armed for its head. A session is linked in at most one lane. Loop only.
class HeartbeatLanes {
 public:
  explicit HeartbeatLanes(boost::asio::io_context& io) : io_(io) {}
  ~HeartbeatLanes();  // unlinks every session still waiting (server teardown)
  HeartbeatLanes(const HeartbeatLanes&) = delete;
  HeartbeatLanes& operator=(const HeartbeatLanes&) = delete;

  // Moves `s` to the lane of `ms` with `deadline`; Session::on_heartbeat runs when it passes.
  void schedule(Session& s, uint32_t ms, TimePoint deadline);
  // Takes `s` out of its lane (no-op when not linked).
  static void unlink(Session& s);

  struct Lane {
    Lane(boost::asio::io_context& io, uint32_t lane_ms) : ms(lane_ms), timer(io.get_executor()) {}
    uint32_t ms;
    Session* head = nullptr;
    Session* tail = nullptr;
    Timer timer;
    bool armed = false;  // a wait is pending for `armed_for`
    TimePoint armed_for{};
  };

 private:
  static void arm(Lane& lane);
  static void on_timer(Lane& lane);

  boost::asio::io_context& io_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

class Session final : public net::WebSocket::Listener,
                      public std::enable_shared_from_this<Session> {
 public:
  enum class Transport : uint8_t { Polling, WebSocket };

  static constexpr std::size_t kSidLength = 20;

  // `sid` has kSidLength characters.
  Session(Server& server, std::size_t loop, std::string_view sid, int protocol, Transport transport,
          bool b64);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  std::string_view sid() const { return std::string_view(sid_, kSidLength); }
  int protocol() const { return protocol_; }  // 3 or 4
  std::size_t loop() const { return loop_; }
  bool is_open() const { return state_ != State::Closed; }
  Transport transport() const { return transport_; }
  std::size_t buffered_packets() const { return out_.size(); }
  // Returns true when the heartbeat deadline has passed (the timer may not have run yet on a
  // busy loop): the session is then closed as "ping timeout" before a request is served.
  bool heartbeat_expired() const {
    return state_ != State::Closed && (protocol_ == 3 || awaiting_pong_) &&
           std::chrono::steady_clock::now() >= hb_deadline_;
  }
  // Makes v3 polling responses carry binary as "b4"+base64 text (the client sent b64=1).
  void set_b64() { b64_ = true; }

  // Attaches the layer above (Socket.IO client, echo). Loop only.
  void set_handler(std::shared_ptr<SessionHandler> handler) { handler_ = std::move(handler); }

  // Queues one message packet. Text: `packet` is the whole Engine.IO packet text including its
  // "4" type ("42[\"a\"]"), so a broadcast frame is shared as is. Binary: the raw bytes. Does
  // nothing once closed. Loop only.
  void send(std::shared_ptr<const std::string> packet, bool binary);
  // Closes the session from the server side (flushes what is queued first). Loop only.
  void close(std::string_view reason = "forced close");

  // ---- Driven by eio::Server (loop only) ----
  // Starts the heartbeat and answers the handshake request (polling) or sends the open packet
  // on `ws` (websocket-only session).
  void start_polling(http::Respond respond, const http::Request& req);
  void start_websocket(const net::WebSocketPtr& ws);
  // A GET: answered now (queued packets, or a noop while upgrading) or held. When `gone` fires
  // before the held GET is answered, the session closes ("transport close").
  void on_poll(const http::Request& req, http::Respond respond, net::ClientGonePtr gone = nullptr);
  void on_post(const http::Request& req, http::Respond respond);
  // A WebSocket with this sid arrived: becomes the probe transport, or is closed when the
  // session cannot upgrade (already on websocket, already upgrading, upgrades disabled).
  void on_upgrade_socket(const net::WebSocketPtr& ws);

 private:
  friend class HeartbeatLanes;
  enum class State : uint8_t { Open, Upgrading, Closed };
  using Out = OutPacket;
  // What only a polling session needs (the held GET, the upgrade probe); allocated for polling
  // sessions and freed once they upgraded, so a WebSocket session does not carry it.
  struct Polling {
    http::Respond poll;              // the held GET, if any
    std::string poll_origin;         // Origin header of the held GET, for its CORS headers
    uint32_t poll_seq = 0;           // which GET is held (a gone notice for an older one is stale)
    net::WebSocketPtr probe_ws;      // the WebSocket being probed during an upgrade
    std::unique_ptr<Timer> upgrade;  // only while a probe is attached
  };

  void on_packet(char type, std::string_view data, bool binary);
  // net::WebSocket::Listener: messages and closes of the transport and of a probe.
  void on_ws_message(net::WebSocket& ws, std::string_view data, bool binary) override;
  void on_ws_close(net::WebSocket& ws, uint16_t code) override;
  void route_ws_message(net::WebSocket* ws, std::string_view data, bool binary);
  void handle_ws_message(std::string_view data, bool binary);
  void on_probe_message(std::string_view data, bool binary);
  void finish_upgrade();
  void cancel_upgrade();
  void install_ws_handlers(const net::WebSocketPtr& ws);
  void queue(std::shared_ptr<const std::string> packet, bool binary);
  void flush();
  void ws_send(const Out& o);
  void respond_poll(std::vector<Out> packets);
  void respond_poll_single(char type);
  void schedule_heartbeat(uint32_t ms, bool awaiting_pong, bool after_previous = false);
  void on_heartbeat();
  void on_closed(std::string_view reason, bool client_initiated);
  http::Response text_response(std::string body, std::string_view origin) const;

  bool polling_held() const { return polling_ && polling_->poll; }
  bool probing() const { return polling_ && polling_->probe_ws; }

  Server& server_;
  std::vector<Out> out_;  // packets waiting for a GET (polling) or for the upgrade to finish
  std::size_t out_bytes_ = 0;
  std::unique_ptr<Polling> polling_;  // polling sessions until they upgraded
  net::WebSocketPtr ws_;              // the websocket transport (after upgrade or websocket-only)
  std::shared_ptr<SessionHandler> handler_;
  // Heartbeat: this session's entry in its loop's HeartbeatLanes.
  Session* hb_prev_ = nullptr;
  Session* hb_next_ = nullptr;
  HeartbeatLanes::Lane* hb_lane_ = nullptr;
  TimePoint hb_deadline_{};
  uint32_t loop_;
  char sid_[kSidLength];
  uint8_t protocol_;
  Transport transport_;
  State state_ = State::Open;
  bool b64_ = false;            // v3 client asked for base64 binary in polling payloads
  bool awaiting_pong_ = false;  // v4: a PING is out
  bool noop_owed_ = false;      // v3: the upgrade noop not yet delivered to a GET
};

}  // namespace engage::eio
