// Handshake: the compact record of a client's Engine.IO handshake request.
#include <algorithm>

#include "socketio/server.h"
#include "socketio/wire.h"

namespace engage::sio {

namespace {

// Returns true for the WebSocket handshake headers the application never needs.
bool plumbing(std::string_view name) {
  return name.starts_with("sec-websocket-") || name == "upgrade" || name == "connection";
}

std::size_t varint_size(std::size_t n) {
  std::size_t k = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++k;
  }
  return k;
}

char* put_field(char* out, std::string_view field) {
  std::size_t n = field.size();
  while (n >= 0x80) {
    *out++ = static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  *out++ = static_cast<char>(n);
  return std::copy(field.begin(), field.end(), out);
}

// Reads the field at `pos` of `data` and moves `pos` past it.
std::string_view get_field(std::string_view data, std::size_t& pos) {
  std::size_t n = 0;
  int shift = 0;
  while (pos < data.size()) {
    auto byte = static_cast<unsigned char>(data[pos++]);
    n |= static_cast<std::size_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) break;
    shift += 7;
  }
  n = std::min(n, data.size() - pos);
  std::string_view field = data.substr(pos, n);
  pos += n;
  return field;
}

}  // namespace

Handshake::Handshake(std::string_view address, std::string_view url,
                     const std::vector<std::pair<std::string, std::string>>& headers) {
  std::size_t size =
      varint_size(address.size()) + address.size() + varint_size(url.size()) + url.size();
  for (const auto& [name, value] : headers)
    if (!plumbing(name))
      size += varint_size(name.size()) + name.size() + varint_size(value.size()) + value.size();
  data_ = std::string(size, '\0');  // exactly `size` bytes: no growth slack
  char* out = data_.data();
  out = put_field(out, address);
  out = put_field(out, url);
  for (const auto& [name, value] : headers) {
    if (plumbing(name)) continue;
    out = put_field(out, name);
    out = put_field(out, value);
  }
}

std::string_view Handshake::address() const {
  std::size_t pos = 0;
  return get_field(data_, pos);
}

std::string_view Handshake::url() const {
  std::size_t pos = 0;
  get_field(data_, pos);
  return get_field(data_, pos);
}

std::vector<std::pair<std::string_view, std::string_view>> Handshake::headers() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  std::size_t pos = 0;
  get_field(data_, pos);
  get_field(data_, pos);
  while (pos < data_.size()) {
    std::string_view name = get_field(data_, pos);
    std::string_view value = get_field(data_, pos);
    out.emplace_back(name, value);
  }
  return out;
}

std::string_view Handshake::header(std::string_view lower_name) const {
  std::size_t pos = 0;
  get_field(data_, pos);
  get_field(data_, pos);
  while (pos < data_.size()) {
    std::string_view name = get_field(data_, pos);
    std::string_view value = get_field(data_, pos);
    if (name == lower_name) return value;
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> Handshake::query() const {
  std::string_view target = url();
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  return wire::parse_query(target.substr(q + 1));
}

}  // namespace engage::sio
