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

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class Transport : uint8_t { Polling, WebSocket };

  Session(Server& server, std::size_t loop, std::string sid, int protocol, Transport transport,
          bool b64);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& sid() const { return sid_; }
  int protocol() const { return protocol_; }  // 3 or 4
  std::size_t loop() const { return loop_; }
  bool is_open() const { return state_ != State::Closed; }
  Transport transport() const { return transport_; }
  std::size_t buffered_packets() const { return out_.size(); }
  // Returns true when the heartbeat deadline has passed (the timer may not have run yet on a
  // busy loop): the session is then closed as "ping timeout" before a request is served.
  bool heartbeat_expired() const {
    return state_ != State::Closed && (protocol_ == 3 || awaiting_pong_) &&
           std::chrono::steady_clock::now() >= heartbeat_.expiry();
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
  enum class State : uint8_t { Open, Upgrading, Closed };
  using Out = OutPacket;

  void on_packet(char type, std::string_view data, bool binary);
  void on_ws_message(std::string_view data, bool binary);
  void on_probe_message(std::string_view data, bool binary);
  void finish_upgrade();
  void cancel_upgrade();
  void install_ws_handlers(const net::WebSocketPtr& ws, bool probe);
  void queue(std::shared_ptr<const std::string> packet, bool binary);
  void flush();
  void ws_send(const Out& o);
  void respond_poll(std::vector<Out> packets);
  void respond_poll_single(char type);
  void schedule_heartbeat(uint32_t ms, bool awaiting_pong, bool after_previous = false);
  void on_heartbeat();
  void on_closed(std::string_view reason, bool client_initiated);
  http::Response text_response(std::string body, std::string_view origin) const;

  Server& server_;
  std::string sid_;
  std::vector<Out> out_;  // packets waiting for a GET (polling) or for the upgrade to finish
  std::size_t out_bytes_ = 0;
  http::Respond poll_;          // the held GET, if any
  std::string poll_origin_;     // Origin header of the held GET, for its CORS headers
  uint32_t poll_seq_ = 0;       // which GET is held (a gone notice for an older one is stale)
  net::WebSocketPtr ws_;        // the websocket transport (after upgrade or websocket-only)
  net::WebSocketPtr probe_ws_;  // the WebSocket being probed during an upgrade
  std::shared_ptr<SessionHandler> handler_;
  Timer heartbeat_;
  std::unique_ptr<Timer> upgrade_timer_;  // only while a probe is attached
  uint32_t loop_;
  uint8_t protocol_;
  Transport transport_;
  State state_ = State::Open;
  bool b64_ = false;            // v3 client asked for base64 binary in polling payloads
  bool awaiting_pong_ = false;  // v4: a PING is out
  bool noop_owed_ = false;      // v3: the upgrade noop not yet delivered to a GET
};

}  // namespace engage::eio
