// Client-side HTTP/1.1 requests and response-head parsing (RFC 9112), no I/O.
#include "http_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace engage::load {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool contains_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

void write_upgrade_request(std::string& out, std::string_view host, std::string_view target,
                           std::string_view key) {
  out += "GET ";
  out += target;
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
  out += key;
  out += "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

void write_get_request(std::string& out, std::string_view host, std::string_view target) {
  out += "GET ";
  out += target;
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out += "\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n";
}

void write_post_request(std::string& out, std::string_view host, std::string_view target,
                        std::string_view body) {
  out += "POST ";
  out += target;
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out += "\r\nConnection: keep-alive\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
}

HeadResult parse_response_head(std::string_view buf, ResponseHead& head, std::size_t max_head) {
  const std::size_t end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return buf.size() > max_head ? HeadResult::Bad : HeadResult::Incomplete;
  }
  if (end + 4 > max_head) return HeadResult::Bad;
  head = ResponseHead{};
  head.head_bytes = end + 4;
  std::string_view rest = buf.substr(0, end + 2);
  std::size_t eol = rest.find("\r\n");
  const std::string_view status_line = rest.substr(0, eol);
  rest.remove_prefix(eol + 2);
  // "HTTP/1.1 101 Switching Protocols"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ')
    return HeadResult::Bad;
  int status = 0;
  const auto digits = status_line.substr(9, 3);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), status);
  if (ec != std::errc{} || p != digits.data() + 3 || status < 100 || status > 999)
    return HeadResult::Bad;
  head.status = status;
  head.connection_close = status_line[7] == '0';  // HTTP/1.0 closes by default
  while (!rest.empty()) {
    eol = rest.find("\r\n");
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return HeadResult::Bad;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      int64_t n = -1;
      auto [q, e] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (e != std::errc{} || q != value.data() + value.size() || n < 0) return HeadResult::Bad;
      head.content_length = n;
    } else if (iequals(name, "transfer-encoding")) {
      head.chunked = contains_token(value, "chunked");
    } else if (iequals(name, "connection")) {
      if (contains_token(value, "close")) head.connection_close = true;
      if (contains_token(value, "keep-alive")) head.connection_close = false;
    } else if (iequals(name, "sec-websocket-accept")) {
      head.websocket_accept = std::string(value);
    }
  }
  return HeadResult::Ok;
}

}  // namespace engage::load
