// libFuzzer target for net::ws::FrameParser: any bytes, whole or in pieces, give the same events
// and the same close code, and never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/ws_codec.h"

namespace {

class Recorder : public engage::net::ws::FrameSink {
 public:
  void on_message(std::string_view d, bool binary) override {
    events.push_back((binary ? "b" : "t") + std::string(d));
  }
  void on_ping(std::string_view p) override { events.push_back("i" + std::string(p)); }
  void on_pong(std::string_view p) override { events.push_back("o" + std::string(p)); }
  void on_close(uint16_t code, std::string_view r) override {
    events.push_back("c" + std::to_string(code) + std::string(r));
  }
  std::vector<std::string> events;
};

std::pair<std::vector<std::string>, uint16_t> run(std::string input, std::size_t step,
                                                  engage::net::ws::Role role) {
  engage::net::ws::FrameParser p(1024, role);
  Recorder rec;
  uint16_t err = 0;
  std::size_t pos = 0;
  while (pos < input.size() && err == 0) {
    std::size_t n = step == 0 ? input.size() - pos : std::min(step, input.size() - pos);
    err = p.feed(input.data() + pos, n, rec);
    pos += n;
  }
  if (err != 0 && err != 1002 && err != 1007 && err != 1009) std::abort();
  return {rec.events, err};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t step = data[0] % 13 + 1;
  auto role = data[0] & 0x80 ? engage::net::ws::Role::Client : engage::net::ws::Role::Server;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (run(input, 0, role) != run(input, step, role)) std::abort();
  return 0;
}
