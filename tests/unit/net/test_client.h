// A blocking loopback test client: raw bytes, HTTP responses and WebSocket frames.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace engage::net::testing {

struct HttpReply {
  int status = 0;  // 0: no (complete) response before the connection closed or timed out
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string header(std::string_view lower_name) const;
};

struct WsFrame {
  int opcode = -1;  // -1: none (closed or timed out)
  bool fin = true;
  std::string payload;
};

class TestClient {
 public:
  // Connects to 127.0.0.1:port; reads time out after timeout_ms.
  explicit TestClient(uint16_t port, int timeout_ms = 3000);
  ~TestClient();
  bool connected() const { return fd_ >= 0; }

  bool send(std::string_view bytes);
  // Reads one HTTP response (Content-Length framed).
  HttpReply read_response();
  // Returns true when the server closed the connection (EOF or reset) within the timeout.
  bool wait_closed();
  // Sends a GET with Upgrade: websocket and returns the reply (101 on success).
  HttpReply upgrade(std::string_view path = "/ws");
  // Reads one server frame (unmasked).
  WsFrame read_frame();
  // Sends a masked client frame.
  bool send_frame(int opcode, std::string_view payload, bool fin = true);
  void close_socket();
  // Reads until `needle` is in the buffer; false on EOF or timeout.
  bool read_until(std::string_view needle);
  // Bytes received but not consumed yet.
  std::string& buffered() { return buf_; }

 private:
  bool fill();  // reads more bytes into buf_; false on EOF/error/timeout
  int fd_ = -1;
  std::string buf_;
  uint32_t mask_ = 0x12345678;
};

}  // namespace engage::net::testing
