// A blocking loopback test client implementation (POSIX sockets, SO_RCVTIMEO).
#include "test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/ws_codec.h"

namespace engage::net::testing {

std::string HttpReply::header(std::string_view lower_name) const {
  for (auto& [n, v] : headers)
    if (n == lower_name) return v;
  return {};
}

TestClient::TestClient(uint16_t port, int timeout_ms) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  timeval tv{};
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = (timeout_ms % 1000) * 1000;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

TestClient::~TestClient() {
  close_socket();
}

void TestClient::close_socket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TestClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool TestClient::fill() {
  char tmp[65536];
  for (;;) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf_.append(tmp, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

HttpReply TestClient::read_response() {
  HttpReply r;
  std::size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return r;
  std::string head = buf_.substr(0, end + 2);
  buf_.erase(0, end + 4);
  std::size_t eol = head.find("\r\n");
  std::string status_line = head.substr(0, eol);
  if (status_line.size() < 12) return r;
  int status = std::atoi(status_line.c_str() + 9);
  std::size_t pos = eol + 2;
  std::size_t length = 0;
  while (pos < head.size()) {
    std::size_t e = head.find("\r\n", pos);
    std::string line = head.substr(pos, e - pos);
    pos = e + 2;
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "content-length") length = std::stoul(value);
    r.headers.emplace_back(name, value);
  }
  while (buf_.size() < length)
    if (!fill()) return r;
  r.body = buf_.substr(0, length);
  buf_.erase(0, length);
  r.status = status;
  return r;
}

bool TestClient::read_until(std::string_view needle) {
  while (buf_.find(needle) == std::string::npos)
    if (!fill()) return false;
  return true;
}

bool TestClient::wait_closed() {
  char tmp[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == ECONNRESET;  // EAGAIN: timed out with the connection still open
    }
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
}

HttpReply TestClient::upgrade(std::string_view path) {
  std::string req =
      "GET " + std::string(path) +
      " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  if (!send(req)) return {};
  // A 101 has no body: read only the head.
  HttpReply r;
  std::size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return r;
  std::string head = buf_.substr(0, end + 2);
  buf_.erase(0, end + 4);
  r.status = std::atoi(head.c_str() + 9);
  std::size_t pos = head.find("\r\n") + 2;
  while (pos < head.size()) {
    std::size_t e = head.find("\r\n", pos);
    std::string line = head.substr(pos, e - pos);
    pos = e + 2;
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.emplace_back(name, value);
  }
  if (r.status != 101) {
    // Refusals carry a body: read it so the connection state stays clean.
    std::size_t length = 0;
    for (auto& [n, v] : r.headers)
      if (n == "content-length") length = std::stoul(v);
    while (buf_.size() < length)
      if (!fill()) break;
    r.body = buf_.substr(0, std::min(length, buf_.size()));
    buf_.erase(0, r.body.size());
  }
  return r;
}

WsFrame TestClient::read_frame() {
  WsFrame f;
  while (buf_.size() < 2)
    if (!fill()) return f;
  auto b = [&](std::size_t i) { return static_cast<uint8_t>(buf_[i]); };
  std::size_t len7 = b(1) & 0x7f;
  std::size_t hdr = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
  while (buf_.size() < hdr)
    if (!fill()) return f;
  uint64_t len = len7;
  if (len7 == 126) len = (uint64_t{b(2)} << 8) | b(3);
  if (len7 == 127) {
    len = 0;
    for (int k = 0; k < 8; ++k) len = (len << 8) | b(2 + static_cast<std::size_t>(k));
  }
  while (buf_.size() < hdr + len)
    if (!fill()) return f;
  f.fin = (b(0) & 0x80) != 0;
  f.opcode = b(0) & 0x0f;
  f.payload = buf_.substr(hdr, len);
  buf_.erase(0, hdr + len);
  return f;
}

bool TestClient::send_frame(int opcode, std::string_view payload, bool fin) {
  mask_ = mask_ * 1103515245u + 12345u;
  return send(ws::encode_client_frame(static_cast<ws::Opcode>(opcode), payload, mask_, fin));
}

}  // namespace engage::net::testing
