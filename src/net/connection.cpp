// Connection implementation: readiness-driven reads into the loop's buffer, HTTP/1.1 requests
// one at a time, the WebSocket upgrade, frames, one write queue, timers, and closing.
#include "net/connection.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "net/loops.h"

namespace engage::net {

namespace {

using boost::system::error_code;

const char* reason_phrase(int status) {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view find_header(const http::Request& r, std::string_view lower_name) {
  for (auto& [n, v] : r.headers)
    if (n == lower_name) return v;
  return {};
}

// Returns true when the comma-separated header `name` contains `token` (case-insensitive),
// looking at every header line of that name.
bool header_has_token(const http::Request& r, std::string_view lower_name, std::string_view token) {
  for (auto& [n, v] : r.headers) {
    if (n != lower_name) continue;
    std::string_view list = v;
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (iequals(item, token)) return true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return false;
}

// A header name or value we may copy into a response: no CR, LF or NUL (response splitting).
bool safe_header_text(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

const char* date_header(LoopState& loop) {
  std::time_t now = std::time(nullptr);
  if (now != loop.date_second) {
    loop.date_second = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(loop.date, sizeof loop.date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return loop.date;
}

bool on_loop(std::size_t i) {
  return Loops::current() == static_cast<int>(i);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ClientGone

void ClientGone::on_gone(std::function<void()> fn) {
  std::unique_lock lock(mu_);
  if (disarmed_) return;
  if (gone_) {
    lock.unlock();
    if (fn) fn();
    return;
  }
  fn_ = std::move(fn);
}

bool ClientGone::gone() const {
  std::lock_guard lock(mu_);
  return gone_;
}

void ClientGone::fire() {
  std::function<void()> fn;
  {
    std::lock_guard lock(mu_);
    if (gone_ || disarmed_) return;
    gone_ = true;
    fn = std::move(fn_);
    fn_ = nullptr;
  }
  if (fn) fn();
}

void ClientGone::disarm() {
  std::lock_guard lock(mu_);
  disarmed_ = true;
  fn_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// WebSocket::set_listener's default: a listener behind two handlers.

void WebSocket::set_listener(std::weak_ptr<Listener> listener) {
  Handlers h;
  h.on_message = [this, listener](std::string_view data, bool binary) {
    if (auto l = listener.lock()) l->on_ws_message(*this, data, binary);
  };
  h.on_close = [this, listener](uint16_t code) {
    if (auto l = listener.lock()) l->on_ws_close(*this, code);
  };
  set_handlers(std::move(h));
}

// ---------------------------------------------------------------------------------------------
// Life cycle

Connection::Connection(std::shared_ptr<ServerState> srv, LoopState& loop, Socket socket)
    : srv_(std::move(srv)), loop_(loop), socket_(std::move(socket)) {
  srv_->connections.fetch_add(1, std::memory_order_relaxed);
  next = loop_.head;
  if (next) next->prev = this;
  loop_.head = this;
}

Connection::~Connection() {
  if (mode_ != Mode::Closed) {
    // Only reached when the loop is torn down with the connection still open.
    error_code ec;
    socket_.close(ec);
    if (prev) prev->next = next;
    if (next) next->prev = prev;
    if (loop_.head == this) loop_.head = next;
    srv_->connections.fetch_sub(1, std::memory_order_relaxed);
  }
}

void Connection::start() {
  error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);
  http_ = std::make_unique<HttpParser>(srv_->limits);
  update_http_timer();
  do_wait_read();
}

void Connection::shutdown_now(bool going_away) {
  if (mode_ == Mode::Closed) return;
  if (mode_ == Mode::WebSocket && going_away) {
    do_close(ws::kCloseGoingAway);
    return;
  }
  finish_close(ws::kCloseGoingAway);
}

// ---------------------------------------------------------------------------------------------
// Reading: wait for readability without a buffer, then read into the loop's shared buffer.

void Connection::do_wait_read() {
  if (reading_ || paused_ || mode_ == Mode::Closed) return;
  reading_ = true;
  socket_.async_wait(Socket::wait_read,
                     [self = shared_from_this()](const error_code& ec) { self->on_readable(ec); });
}

void Connection::on_readable(const error_code& ec) {
  reading_ = false;
  if (mode_ == Mode::Closed) return;
  if (ec) {
    finish_close(ws::kCloseAbnormal);
    return;
  }
  read_now();
}

void Connection::read_now() {
  // The reactor is edge-triggered: read until the socket would block before waiting again. A
  // connection may take at most kMaxReads buffers per turn; then it yields to the others.
  constexpr int kMaxReads = 4;
  std::vector<char>& buf = loop_.read_buf;
  for (int i = 0; i < kMaxReads; ++i) {
    if (mode_ == Mode::Closed || paused_) return;
    error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(buf.data(), buf.size()), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      do_wait_read();
      return;
    }
    if (ec == asio::error::eof) {
      on_eof();
      return;
    }
    if (ec) {
      finish_close(ws::kCloseAbnormal);
      return;
    }
    on_bytes(buf.data(), n);
  }
  // Still readable: continue after the other ready handlers of this loop.
  schedule_read();
}

void Connection::schedule_read() {
  // Reads posted, never nested: read_now may be on the stack (on_bytes → ... → here).
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    if (!self->reading_) self->read_now();
  });
}

void Connection::on_bytes(char* data, std::size_t n) {
  switch (mode_) {
    case Mode::Http:
      pending().append(data, n);
      process_http();
      break;
    case Mode::WebSocket:
      if (!handlers_set_ || has_pending()) {
        // Held until set_handlers (the layer above must see every message).
        pending().append(data, n);
        if (!handlers_set_) paused_ = true;
        break;
      }
      if (uint16_t code = ws_->feed(data, n, *this)) ws_fail(code);
      break;
    case Mode::Draining:
      // We sent our last bytes and wait for the peer to close. A WebSocket peer's close frame
      // ends the handshake: nothing follows it, so the socket can close at once.
      if (ws_ && !ws_->stopped()) ws_->feed(data, n, *this);
      if (ws_ && ws_->peer_closed()) finish_close(close_code_);
      break;
    case Mode::Closed:
      break;
  }
}

void Connection::on_eof() {
  if (mode_ == Mode::Draining) {
    finish_close(close_code_);
    return;
  }
  if (mode_ == Mode::WebSocket) {
    finish_close(close_sent_ ? close_code_ : ws::kCloseAbnormal);
    return;
  }
  // HTTP: the client is gone; a held request can no longer be answered.
  finish_close(ws::kCloseAbnormal);
}

// ---------------------------------------------------------------------------------------------
// HTTP

void Connection::process_http() {
  if (processing_) return;
  processing_ = true;
  std::size_t offset = 0;
  while (mode_ == Mode::Http && !outstanding_ && !close_after_flush_ && offset < pending_size()) {
    std::size_t used = 0;
    ParseStatus st = http_->feed(std::string_view(*pending_).substr(offset), used);
    offset += used;
    if (http_->take_continue()) {
      static const auto kContinue =
          std::make_shared<const std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      enqueue(kContinue, nullptr, 0);
    }
    if (st == ParseStatus::NeedMore) break;
    if (st == ParseStatus::Error) {
      fail_http(http_->error_status(), http_->error_reason());
      break;
    }
    dispatch(http_->take());
  }
  if (mode_ == Mode::Closed || mode_ == Mode::Draining) {
    processing_ = false;
    return;
  }
  if (pending_) pending_->erase(0, std::min(offset, pending_->size()));
  if (!has_pending()) {
    pending_.reset();  // an idle connection holds no input buffer
  } else if (mode_ == Mode::Http && pending_->size() > srv_->opts.max_header_bytes + 65536) {
    // Pipelined bytes behind a held request: stop reading until it is answered.
    paused_ = true;
  }
  processing_ = false;
  if (mode_ == Mode::Http) update_http_timer();
  if (mode_ == Mode::WebSocket && handlers_set_ && has_pending()) resume_ws();
}

void Connection::dispatch(ParsedRequest pr) {
  if (header_has_token(pr.request, "upgrade", "websocket")) {
    handle_upgrade(pr);
    return;
  }
  ++seq_;
  outstanding_ = true;
  keep_alive_ = pr.keep_alive;
  head_request_ = pr.request.method == "HEAD";
  gone_ = std::make_shared<ClientGone>();
  error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) pr.request.remote_address = ep.address().to_string();
  uint32_t seq = seq_;
  http::Respond respond = [self = shared_from_this(), seq](http::Response r) {
    self->respond(seq, std::move(r));
  };
  cancel_timer();
  srv_->handler.on_request_watched(std::move(pr.request), loop_.index, std::move(respond), gone_);
}

void Connection::handle_upgrade(ParsedRequest& pr) {
  const http::Request& req = pr.request;
  auto refuse = [&](int status, std::string body, bool version_hint) {
    ++seq_;
    outstanding_ = true;
    keep_alive_ = false;
    head_request_ = false;
    http::Response r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(body);
    if (version_hint) r.headers.emplace_back("Sec-WebSocket-Version", "13");
    do_respond(seq_, std::move(r));
  };
  if (req.method != "GET" || pr.http10) return refuse(400, "Bad upgrade method", false);
  if (!header_has_token(req, "connection", "upgrade"))
    return refuse(400, "Missing Connection: upgrade", false);
  if (find_header(req, "sec-websocket-version") != "13")
    return refuse(400, "Unsupported WebSocket version", true);
  std::string_view key = find_header(req, "sec-websocket-key");
  if (!ws::valid_client_key(key)) return refuse(400, "Bad Sec-WebSocket-Key", false);

  http::Request copy = pr.request;
  error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) copy.remote_address = ep.address().to_string();
  HttpHandler::UpgradeDecision d = srv_->handler.on_upgrade(copy, loop_.index);
  if (mode_ == Mode::Closed) return;
  if (d.status != 0) return refuse(d.status, std::move(d.body), false);

  std::string out;
  out.reserve(160);
  out.append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
  out.append("Sec-WebSocket-Accept: ").append(ws::accept_key(key)).append("\r\n\r\n");
  cancel_timer();
  timer_.reset();
  http_.reset();
  mode_ = Mode::WebSocket;
  ws_ = std::make_unique<ws::FrameParser>(srv_->opts.ws_max_message_bytes, ws::Role::Server);
  if (d.accepted)
    accepted_ = std::make_unique<std::function<void(WebSocketPtr)>>(std::move(d.accepted));
  enqueue(std::make_shared<const std::string>(std::move(out)), nullptr, 0);
}

void Connection::respond(uint64_t seq, http::Response r) {
  if (on_loop(loop_.index)) {
    do_respond(seq, std::move(r));
    return;
  }
  srv_->loops.post(loop_.index, [self = shared_from_this(), seq, r = std::move(r)]() mutable {
    self->do_respond(seq, std::move(r));
  });
}

void Connection::do_respond(uint64_t seq, http::Response r) {
  if (mode_ != Mode::Http || !outstanding_ || seq != seq_) return;  // gone, or a second call
  outstanding_ = false;
  if (gone_) {
    gone_->disarm();
    gone_.reset();
  }
  bool keep_alive = keep_alive_ && !srv_->stopping.load(std::memory_order_relaxed);
  write_response(r, head_request_, keep_alive);
  if (!keep_alive) {
    close_after_flush();
    return;
  }
  if (paused_) {
    paused_ = false;
    process_http();
    schedule_read();
  } else {
    process_http();
  }
}

void Connection::write_response(const http::Response& r, bool head_request, bool keep_alive) {
  std::string out;
  out.reserve(256 + r.body.size());
  int status = r.status >= 100 && r.status <= 999 ? r.status : 500;
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  out.append(reason_phrase(status)).append("\r\n");
  bool has_type = false, has_length = false;
  for (auto& [name, value] : r.headers) {
    if (name.empty() || !safe_header_text(name) || !safe_header_text(value)) continue;
    if (iequals(name, "connection") || iequals(name, "keep-alive") ||
        iequals(name, "transfer-encoding") || iequals(name, "date"))
      continue;  // framing is ours
    if (iequals(name, "content-type")) has_type = true;
    if (iequals(name, "content-length")) {
      has_length = true;
      continue;  // recomputed below from the body
    }
    out.append(name).append(": ").append(value).append("\r\n");
  }
  (void)has_length;
  bool no_body = status < 200 || status == 204 || status == 304;
  if (!has_type && !r.content_type.empty() && !no_body && safe_header_text(r.content_type))
    out.append("Content-Type: ").append(r.content_type).append("\r\n");
  if (status >= 200 && status != 204 && status != 304)
    out.append("Content-Length: ")
        .append(std::to_string(no_body ? 0 : r.body.size()))
        .append("\r\n");
  out.append("Date: ").append(date_header(loop_)).append("\r\n");
  if (keep_alive) {
    out.append("Connection: keep-alive\r\nKeep-Alive: timeout=")
        .append(std::to_string(srv_->opts.keep_alive_ms / 1000))
        .append("\r\n\r\n");
  } else {
    out.append("Connection: close\r\n\r\n");
  }
  if (!head_request && !no_body) out.append(r.body);
  enqueue(std::make_shared<const std::string>(std::move(out)), nullptr, 0);
}

void Connection::fail_http(int status, std::string_view reason) {
  // A malformed request: answer it and close (after letting the client read the answer).
  http::Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body.assign(reason);
  outstanding_ = false;
  write_response(r, false, false);
  close_after_flush();
}

void Connection::update_http_timer() {
  if (mode_ != Mode::Http || close_after_flush_) return;
  if (outstanding_) {
    cancel_timer();
  } else if (http_ && http_->in_progress()) {
    if (timer_purpose_ != TimerPurpose::Headers)
      arm_timer(TimerPurpose::Headers, srv_->opts.headers_timeout_ms);
  } else if (timer_purpose_ != TimerPurpose::KeepAlive) {
    arm_timer(TimerPurpose::KeepAlive, srv_->opts.keep_alive_ms);
  }
}

// ---------------------------------------------------------------------------------------------
// WebSocket

void Connection::set_handlers(Handlers h) {
  if (!on_loop(loop_.index)) {
    srv_->loops.post(loop_.index, [self = shared_from_this(), h = std::move(h)]() mutable {
      self->set_handlers(std::move(h));
    });
    return;
  }
  handlers_ = std::make_unique<Handlers>(std::move(h));
  listener_.reset();
  installed();
}

void Connection::set_listener(std::weak_ptr<Listener> listener) {
  if (!on_loop(loop_.index)) {
    srv_->loops.post(loop_.index, [self = shared_from_this(), l = std::move(listener)]() mutable {
      self->set_listener(std::move(l));
    });
    return;
  }
  listener_ = std::move(listener);
  handlers_.reset();
  installed();
}

void Connection::installed() {
  handlers_set_ = true;
  if (mode_ == Mode::Closed) {
    // The connection died before the handlers were installed: report it now, once.
    if (!on_close_called_) {
      on_close_called_ = true;
      asio::post(socket_.get_executor(), [self = shared_from_this()] { self->report_close(); });
    }
    return;
  }
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->resume_ws(); });
}

void Connection::report_close() {
  // Whoever is installed hears the close once, then is dropped. The handlers are destroyed
  // after the call, not under it (finish_close may run inside handlers_->on_message).
  auto handlers = std::move(handlers_);
  auto listener = std::move(listener_).lock();
  listener_.reset();
  if (handlers && handlers->on_close) handlers->on_close(close_code_);
  if (listener) listener->on_ws_close(*this, close_code_);
  if (handlers) asio::post(socket_.get_executor(), [h = std::move(handlers)] { (void)h; });
}

void Connection::resume_ws() {
  if (mode_ != Mode::WebSocket) return;
  if (has_pending()) {
    std::string held = std::move(*pending_);
    pending_.reset();
    if (uint16_t code = ws_->feed(held.data(), held.size(), *this)) {
      ws_fail(code);
      return;
    }
  }
  if (mode_ != Mode::WebSocket) return;
  if (paused_) {
    paused_ = false;
    schedule_read();
  } else {
    do_wait_read();
  }
}

void Connection::on_message(std::string_view data, bool binary) {
  if (close_sent_) return;
  if (handlers_) {
    if (handlers_->on_message) handlers_->on_message(data, binary);
  } else if (auto l = listener_.lock()) {
    l->on_ws_message(*this, data, binary);
  }
}

void Connection::on_ping(std::string_view payload) {
  if (close_sent_) return;
  char hdr[10];
  std::size_t h = ws::encode_header(hdr, ws::Opcode::Pong, payload.size());
  enqueue(std::make_shared<const std::string>(payload), hdr, h);
}

void Connection::on_pong(std::string_view) {}

void Connection::on_close(uint16_t code, std::string_view) {
  // The peer's close frame: echo it (if we have not sent ours) and close.
  if (!close_sent_) {
    close_code_ = code;
    send_close_frame(code == ws::kCloseNoStatus ? 0 : code);
  }
  close_after_flush();
}

void Connection::ws_fail(uint16_t code) {
  if (mode_ != Mode::WebSocket) return;
  if (!close_sent_) {
    close_code_ = code;
    send_close_frame(code);
  }
  close_after_flush();
}

void Connection::send(std::shared_ptr<const std::string> data, bool binary) {
  if (on_loop(loop_.index)) {
    do_send(std::move(data), binary);
    return;
  }
  srv_->loops.post(loop_.index, [self = shared_from_this(), data = std::move(data),
                                 binary]() mutable { self->do_send(std::move(data), binary); });
}

void Connection::do_send(std::shared_ptr<const std::string> data, bool binary) {
  if (mode_ != Mode::WebSocket || close_sent_ || !data) return;
  char hdr[10];
  std::size_t h =
      ws::encode_header(hdr, binary ? ws::Opcode::Binary : ws::Opcode::Text, data->size());
  enqueue(std::move(data), hdr, h);
  check_outbuf();
}

void Connection::check_outbuf() {
  std::size_t b = buffered_.load(std::memory_order_relaxed);
  const HttpOptions& o = srv_->opts;
  if (b > o.ws_outbuf_hard_bytes) {
    srv_->slow_closed.fetch_add(1, std::memory_order_relaxed);
    finish_close(ws::kClosePolicy);
  } else if (b > o.ws_outbuf_soft_bytes && timer_purpose_ != TimerPurpose::OutbufSoft) {
    arm_timer(TimerPurpose::OutbufSoft, o.ws_outbuf_soft_ms);
  }
}

void Connection::close(uint16_t code) {
  if (on_loop(loop_.index)) {
    do_close(code);
    return;
  }
  srv_->loops.post(loop_.index, [self = shared_from_this(), code] { self->do_close(code); });
}

void Connection::do_close(uint16_t code) {
  if (mode_ != Mode::WebSocket || close_sent_) return;
  close_code_ = code;
  send_close_frame(code);
  close_after_flush();
}

void Connection::send_close_frame(uint16_t code) {
  close_sent_ = true;
  std::string payload = code ? ws::close_payload(code) : std::string();
  char hdr[10];
  std::size_t h = ws::encode_header(hdr, ws::Opcode::Close, payload.size());
  enqueue(std::make_shared<const std::string>(std::move(payload)), hdr, h);
}

// ---------------------------------------------------------------------------------------------
// Writing: one queue; while a write is in flight new items wait in queue_ and go out together.

void Connection::enqueue(std::shared_ptr<const std::string> data, const char* hdr,
                         std::size_t hdr_len) {
  if (mode_ == Mode::Closed) return;
  OutItem item;
  item.data = std::move(data);
  if (hdr_len) std::memcpy(item.hdr, hdr, hdr_len);
  item.hdr_len = static_cast<uint8_t>(hdr_len);
  buffered_.fetch_add(hdr_len + (item.data ? item.data->size() : 0), std::memory_order_relaxed);
  queue_.push_back(std::move(item));
  if (!writing_now_) do_write();
}

void Connection::do_write() {
  if (queue_.empty() || mode_ == Mode::Closed) return;
  writing_now_ = true;
  writing_.swap(queue_);
  std::vector<asio::const_buffer> bufs;
  bufs.reserve(writing_.size() * 2);
  std::size_t total = 0;
  for (auto& it : writing_) {
    if (it.hdr_len) bufs.emplace_back(it.hdr, it.hdr_len);
    if (it.data && !it.data->empty()) bufs.emplace_back(it.data->data(), it.data->size());
    total += it.hdr_len + (it.data ? it.data->size() : 0);
  }
  // Try the kernel first (the socket is non-blocking): usually it takes everything and no
  // asynchronous operation is needed. Only the rest, if any, waits for writability.
  error_code ec;
  std::size_t n = socket_.write_some(bufs, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    n = 0;
  }
  if (!ec && n == total) {
    writing_now_ = false;
    buffered_.fetch_sub(total, std::memory_order_relaxed);
    std::vector<OutItem>().swap(writing_);  // release write buffers after each flush
    if (timer_purpose_ == TimerPurpose::OutbufSoft) cancel_timer();
    // What follows a flush (handing over the WebSocket, the lingering close) runs posted: we
    // may be inside a handler that is queueing data.
    if (accepted_ || close_after_flush_)
      asio::post(socket_.get_executor(), [self = shared_from_this()] { self->after_flush(); });
    return;
  }
  if (!ec) {
    // Skip what the kernel took; the rest goes out asynchronously.
    std::size_t i = 0;
    while (i < bufs.size() && n >= bufs[i].size()) n -= bufs[i++].size();
    if (i < bufs.size()) bufs[i] += n;
    bufs.erase(bufs.begin(), bufs.begin() + static_cast<std::ptrdiff_t>(i));
  }
  // On an error the asynchronous write reports it again, from the loop (not from inside the
  // caller of send).
  asio::async_write(socket_, bufs, [self = shared_from_this()](const error_code& e, std::size_t) {
    self->on_write(e);
  });
}

void Connection::on_write(const error_code& ec) {
  writing_now_ = false;
  std::size_t written = 0;
  for (auto& it : writing_) written += it.hdr_len + (it.data ? it.data->size() : 0);
  buffered_.fetch_sub(written, std::memory_order_relaxed);
  std::vector<OutItem>().swap(writing_);  // release write buffers after each flush
  if (mode_ == Mode::Closed) return;
  if (ec) {
    finish_close(ws::kCloseAbnormal);
    return;
  }
  if (timer_purpose_ == TimerPurpose::OutbufSoft &&
      buffered_.load(std::memory_order_relaxed) <= srv_->opts.ws_outbuf_soft_bytes)
    cancel_timer();
  after_flush();
}

void Connection::after_flush() {
  if (mode_ == Mode::Closed || writing_now_) return;
  if (accepted_ && mode_ == Mode::WebSocket) {
    // The 101 is out: hand the WebSocket to the layer above.
    auto fn = std::move(accepted_);
    (*fn)(shared_from_this());
    if (mode_ == Mode::Closed || writing_now_) return;
  }
  if (!queue_.empty()) {
    do_write();
    return;
  }
  std::vector<OutItem>().swap(queue_);
  if (close_after_flush_) start_linger();
}

void Connection::close_after_flush() {
  close_after_flush_ = true;
  if (gone_) {
    gone_->fire();
    gone_.reset();
  }
  if (!writing_now_ && queue_.empty()) start_linger();
}

void Connection::start_linger() {
  if (mode_ == Mode::Closed || mode_ == Mode::Draining) return;
  // Half-close and read until the peer closes: closing with unread input would send a reset
  // that can destroy our last bytes (an error response, a close frame) before the peer reads
  // them.
  error_code ec;
  socket_.shutdown(Socket::shutdown_send, ec);
  if (ec) {
    finish_close(close_code_);
    return;
  }
  if (ws_ && ws_->peer_closed()) {
    // The WebSocket close handshake is complete: the peer sends nothing after its close frame,
    // and the server closes the TCP connection first (RFC 6455 §7.1.1).
    finish_close(close_code_);
    return;
  }
  mode_ = Mode::Draining;
  paused_ = false;
  pending_.reset();
  arm_timer(TimerPurpose::Linger, srv_->opts.linger_ms);
  schedule_read();
}

void Connection::finish_close(uint16_t ws_code) {
  if (mode_ == Mode::Closed) return;
  bool was_ws = ws_ != nullptr;
  mode_ = Mode::Closed;
  error_code ec;
  socket_.close(ec);
  if (timer_) {
    timer_->cancel();
    timer_purpose_ = TimerPurpose::None;
  }
  if (prev) prev->next = next;
  if (next) next->prev = prev;
  if (loop_.head == this) loop_.head = next;
  prev = next = nullptr;
  srv_->connections.fetch_sub(1, std::memory_order_relaxed);
  // Every byte still queued is dropped.
  std::size_t dropped = 0;
  for (auto& it : queue_) dropped += it.hdr_len + (it.data ? it.data->size() : 0);
  buffered_.fetch_sub(dropped, std::memory_order_relaxed);
  std::vector<OutItem>().swap(queue_);
  pending_.reset();
  http_.reset();
  accepted_.reset();
  if (gone_) {
    auto g = std::move(gone_);
    g->fire();
  }
  if (was_ws) {
    if (!close_sent_ || close_code_ == ws::kCloseAbnormal) close_code_ = ws_code;
    if (handlers_set_ && !on_close_called_) {
      on_close_called_ = true;
      report_close();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Timers: one per connection, created on first use, for one purpose at a time.

void Connection::arm_timer(TimerPurpose p, uint32_t ms) {
  if (mode_ == Mode::Closed) return;
  if (!timer_) timer_ = std::make_unique<Timer>(socket_.get_executor());
  timer_purpose_ = p;
  uint32_t gen = ++timer_gen_;
  timer_->expires_after(std::chrono::milliseconds(ms));
  timer_->async_wait(
      [self = shared_from_this(), p, gen](const error_code& ec) { self->on_timer(p, gen, ec); });
}

void Connection::cancel_timer() {
  if (timer_purpose_ == TimerPurpose::None) return;
  timer_purpose_ = TimerPurpose::None;
  ++timer_gen_;
  if (timer_) timer_->cancel();
}

void Connection::on_timer(TimerPurpose p, uint64_t gen, const error_code& ec) {
  if (ec || gen != timer_gen_ || mode_ == Mode::Closed) return;
  timer_purpose_ = TimerPurpose::None;
  switch (p) {
    case TimerPurpose::KeepAlive:
      finish_close(ws::kCloseAbnormal);
      break;
    case TimerPurpose::Headers:
      fail_http(408, "request timeout");
      break;
    case TimerPurpose::OutbufSoft:
      if (buffered_.load(std::memory_order_relaxed) > srv_->opts.ws_outbuf_soft_bytes) {
        srv_->slow_closed.fetch_add(1, std::memory_order_relaxed);
        finish_close(ws::kClosePolicy);
      }
      break;
    case TimerPurpose::Linger:
      finish_close(close_code_);
      break;
    case TimerPurpose::None:
      break;
  }
}

}  // namespace engage::net
