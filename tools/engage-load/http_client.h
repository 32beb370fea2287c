// Client side of HTTP/1.1 as a load generator needs it, sans-I/O: the WebSocket upgrade and
// polling requests, and response-head parsing (frames use net/ws_codec in its Client role).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace engage::load {

// Appends a GET upgrade request for `target` (path + query) to `out`.
void write_upgrade_request(std::string& out, std::string_view host, std::string_view target,
                           std::string_view key);
// Appends a keep-alive GET (body empty) or POST (text/plain body) request to `out`.
void write_get_request(std::string& out, std::string_view host, std::string_view target);
void write_post_request(std::string& out, std::string_view host, std::string_view target,
                        std::string_view body);

// The parts of an HTTP/1.1 response head that the client checks.
struct ResponseHead {
  int status = 0;
  std::size_t head_bytes = 0;   // bytes up to and including the blank line
  int64_t content_length = -1;  // -1 when absent
  bool chunked = false;
  bool connection_close = false;
  std::string websocket_accept;  // Sec-WebSocket-Accept
};

enum class HeadResult { Incomplete, Ok, Bad };

// Parses a response head at the start of `buf`. Incomplete until "\r\n\r\n" is present; Bad
// for a malformed status line or a head larger than `max_head` bytes.
HeadResult parse_response_head(std::string_view buf, ResponseHead& head,
                               std::size_t max_head = 16384);

}  // namespace engage::load
