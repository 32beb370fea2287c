// Client: one simulated socket.io-client — an Engine.IO v4 session over WebSocket or HTTP
// long-polling, joined to one Socket.IO namespace with `auth {userId}`.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/ws_codec.h"

namespace engage::load {

class Worker;

// Where a client connects: "host:port" for the Host header, the resolved endpoint, the path.
struct Target {
  std::string host_header;
  boost::asio::ip::tcp::endpoint endpoint;
  std::string path;  // "/socket.io/"
};

enum class Role : uint8_t { White, Black, Host, Member, Idle };

class Client final : private net::ws::FrameSink {
 public:
  Client(Worker& worker, Role role, uint32_t group, std::string user_id, const Target& target,
         std::string nsp, bool polling);
  ~Client() override;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts the TCP connection; the worker hears on_connected() or on_failed().
  void start();
  // Emits a Socket.IO event with one JSON argument (or none when `payload_json` is empty).
  void emit(std::string_view event, std::string_view payload_json);
  // Closes every socket and timer; no callback follows.
  void close();
  // Leaves like socket.io-client's disconnect(): a Socket.IO DISCONNECT (`41<nsp>,`) and, on
  // WebSocket, a close frame are written (when the socket takes them at once), then close().
  void disconnect();

  bool connected() const { return state_ == State::Connected; }
  bool closed() const { return state_ == State::Closed; }
  Role role() const { return role_; }
  uint32_t group() const { return group_; }
  const std::string& user_id() const { return user_id_; }
  // Returns this client's timer (created on first use).
  boost::asio::steady_timer& timer();

  // Scenario state, owned by the worker.
  uint32_t updates_seen = 0;    // move_update events in the current game
  uint32_t pending_ply = 0;     // ply of this player's unacknowledged move, 0 = none
  int64_t pending_sent_ns = 0;  // when it was sent (steady clock)
  int64_t started_ns = 0;       // when start() ran

 private:
  enum class State : uint8_t { Idle, Connecting, Handshake, EioOpen, Connected, Closed };
  struct Channel;  // one TCP connection (WebSocket, or one of the two polling connections)

  void on_tcp_connected(Channel& ch);
  void arm_read(Channel& ch);
  void on_readable(Channel& ch);
  void on_bytes(Channel& ch, char* data, std::size_t n);
  void on_ws_handshake(Channel& ch);
  void on_http_response(Channel& ch);
  void write(Channel& ch, std::string_view bytes);
  void start_async_write(Channel& ch);
  void send_eio(std::string_view packet);
  void flush_polling();
  void send_poll_get();
  void handle_eio(std::string_view packet);
  void handle_sio(std::string_view packet);
  void fail(std::string_view reason);

  // FrameSink (server frames).
  void on_message(std::string_view data, bool binary) override;
  void on_ping(std::string_view payload) override;
  void on_pong(std::string_view payload) override;
  void on_close(uint16_t code, std::string_view reason) override;

  Worker& worker_;
  const Target& target_;
  std::string user_id_;
  std::string nsp_;
  std::string sid_;  // Engine.IO session id (polling)
  std::unique_ptr<Channel> main_;
  std::unique_ptr<Channel> post_;  // polling: the POST connection
  std::unique_ptr<net::ws::FrameParser> ws_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  std::string post_queue_;  // polling: packets waiting for the next POST, \x1e-separated
  std::string ws_key_;
  uint32_t group_;
  Role role_;
  State state_ = State::Idle;
  bool polling_;
  bool post_in_flight_ = false;
};

}  // namespace engage::load
