// Connection: one accepted TCP connection (HTTP/1.1, then maybe a WebSocket), owned by one loop.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/http_parser.h"
#include "net/http_server.h"
#include "net/ws_codec.h"

namespace engage::net {

namespace asio = boost::asio;
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

struct ServerState;
class Connection;

// What one loop shares among its connections; touched only on that loop.
struct LoopState {
  std::size_t index = 0;
  std::vector<char> read_buf;  // every read of the loop lands here first
  Connection* head = nullptr;  // intrusive list of the loop's live connections
  int64_t date_second = -1;    // cached Date header value for this second
  char date[40] = {};
};

// Server-wide state shared by the listeners and the connections.
struct ServerState {
  ServerState(Loops& l, HttpOptions o, HttpHandler& h) : loops(l), opts(std::move(o)), handler(h) {}
  Loops& loops;
  HttpOptions opts;
  HttpHandler& handler;
  HttpParserLimits limits;
  std::vector<std::unique_ptr<LoopState>> loop_states;
  std::atomic<std::size_t> connections{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> slow_closed{0};
  std::atomic<bool> stopping{false};
};

// One connection. The object is the WebSocket handed to the layer above after an upgrade.
// Every member is touched only on the connection's loop, except buffered_ (atomic) and the
// entry points that post to the loop (send, close, respond).
class Connection final : public WebSocket,
                         private ws::FrameSink,
                         public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerState> srv, LoopState& loop, Socket socket);
  ~Connection() override;

  // Starts reading (on the loop).
  void start();
  // Closes at once (WebSocket: close frame 1001 first when `going_away`). Loop only.
  void shutdown_now(bool going_away);

  // WebSocket.
  void set_handlers(Handlers h) override;
  void set_listener(std::weak_ptr<Listener> listener) override;
  void send(std::shared_ptr<const std::string> data, bool binary) override;
  void close(uint16_t code) override;
  std::size_t loop() const override { return loop_.index; }
  std::size_t buffered_bytes() const override { return buffered_.load(std::memory_order_relaxed); }

  // Answers request `seq` (any thread).
  void respond(uint64_t seq, http::Response r);

  Connection* prev = nullptr;  // LoopState list links
  Connection* next = nullptr;

 private:
  enum class Mode : uint8_t { Http, WebSocket, Draining, Closed };
  enum class TimerPurpose : uint8_t { None, KeepAlive, Headers, OutbufSoft, Linger };

  struct OutItem {
    std::shared_ptr<const std::string> data;
    char hdr[10];
    uint8_t hdr_len = 0;
  };

  // Reading.
  void do_wait_read();
  void on_readable(const boost::system::error_code& ec);
  void read_now();
  void schedule_read();
  void on_bytes(char* data, std::size_t n);
  void on_eof();

  // HTTP.
  void process_http();
  void dispatch(ParsedRequest pr);
  void handle_upgrade(ParsedRequest& pr);
  void do_respond(uint64_t seq, http::Response r);
  void write_response(const http::Response& r, bool head_request, bool keep_alive);
  void fail_http(int status, std::string_view reason);
  void update_http_timer();

  // WebSocket.
  void on_message(std::string_view data, bool binary) override;
  void on_ping(std::string_view payload) override;
  void on_pong(std::string_view payload) override;
  void on_close(uint16_t code, std::string_view reason) override;
  void ws_fail(uint16_t code);
  void do_send(std::shared_ptr<const std::string> data, bool binary);
  void do_close(uint16_t code);
  void send_close_frame(uint16_t code);
  void resume_ws();
  void installed();  // after set_handlers/set_listener on the loop
  void report_close();

  // Writing and closing.
  void enqueue(std::shared_ptr<const std::string> data, const char* hdr, std::size_t hdr_len);
  void do_write();
  void on_write(const boost::system::error_code& ec);
  void after_flush();  // the queue is empty and nothing is being written
  void close_after_flush();
  void start_linger();
  void finish_close(uint16_t ws_code);
  void check_outbuf();

  // Timers.
  void arm_timer(TimerPurpose p, uint32_t ms);
  void cancel_timer();
  void on_timer(TimerPurpose p, uint64_t gen, const boost::system::error_code& ec);

  std::shared_ptr<ServerState> srv_;
  LoopState& loop_;
  Socket socket_;
  std::unique_ptr<Timer> timer_;
  std::unique_ptr<HttpParser> http_;
  std::unique_ptr<ws::FrameParser> ws_;
  // Bytes read but not parsed yet (a partial or pipelined request, or frames held before the
  // handlers are installed); allocated only while there are some.
  std::unique_ptr<std::string> pending_;
  bool has_pending() const { return pending_ && !pending_->empty(); }
  std::size_t pending_size() const { return pending_ ? pending_->size() : 0; }
  std::string& pending() {
    if (!pending_) pending_ = std::make_unique<std::string>();
    return *pending_;
  }
  std::vector<OutItem> queue_;    // waiting for the current write to finish
  std::vector<OutItem> writing_;  // being written
  std::atomic<std::size_t> buffered_{0};
  ClientGonePtr gone_;                                           // of the outstanding request
  std::unique_ptr<std::function<void(WebSocketPtr)>> accepted_;  // called after the 101 is written
  std::unique_ptr<Handlers> handlers_;  // set_handlers (absent until then, or with a listener)
  std::weak_ptr<Listener> listener_;    // set_listener
  uint32_t seq_ = 0;  // number of the outstanding (or last) request (wraps: compared for equality)
  uint32_t timer_gen_ = 0;  // invalidates stale timer completions (wraps: compared for equality)
  Mode mode_ = Mode::Http;
  TimerPurpose timer_purpose_ = TimerPurpose::None;
  uint16_t close_code_ = ws::kCloseAbnormal;  // reported to on_close
  bool outstanding_ = false;                  // a request waits for its respond
  bool keep_alive_ = true;                    // of the outstanding request
  bool head_request_ = false;                 // the outstanding request is HEAD
  bool reading_ = false;                      // an async_wait is pending
  bool paused_ = false;       // not reading on purpose (backlog full, handlers not set)
  bool processing_ = false;   // process_http is on the stack
  bool writing_now_ = false;  // an async_write is pending
  bool close_after_flush_ = false;
  bool close_sent_ = false;  // our close frame is queued
  bool handlers_set_ = false;
  bool on_close_called_ = false;
};

}  // namespace engage::net
