// Socket.IO v5 text packet framing for the load generator's client side.
#include "sio_text.h"

#include "core/json.h"

namespace engage::load {

namespace {
void append_nsp(std::string& out, std::string_view nsp) {
  if (!nsp.empty() && nsp != "/") {
    out += nsp;
    out += ',';
  }
}
}  // namespace

void append_event(std::string& out, std::string_view nsp, std::string_view event,
                  std::string_view payload_json) {
  out += "42";
  append_nsp(out, nsp);
  out += '[';
  json::write_string(out, event);
  if (!payload_json.empty()) {
    out += ',';
    out += payload_json;
  }
  out += ']';
}

void append_connect(std::string& out, std::string_view nsp, std::string_view auth_json) {
  out += "40";
  append_nsp(out, nsp);
  out += auth_json;
}

bool split_packet(std::string_view text, SioPacket& out) {
  if (text.empty() || text[0] < '0' || text[0] > '6') return false;
  out.type = text[0];
  if (out.type == '5' || out.type == '6') return false;
  text.remove_prefix(1);
  out.nsp = "/";
  if (!text.empty() && text[0] == '/') {
    const std::size_t comma = text.find(',');
    out.nsp = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;  // ack id
  out.data = text.substr(i);
  return true;
}

std::string_view event_name(std::string_view data) {
  if (data.size() < 4 || data[0] != '[' || data[1] != '"') return {};
  for (std::size_t i = 2; i < data.size(); ++i) {
    if (data[i] == '\\') return {};
    if (data[i] == '"') return data.substr(2, i - 2);
  }
  return {};
}

}  // namespace engage::load
