// libFuzzer target for net::HttpParser: any bytes, fed whole and in pieces, must give the same
// requests or the same error, and never crash or over-consume.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_parser.h"

namespace {

struct Outcome {
  int error = 0;
  std::string method, path, query, body;
  std::size_t headers = 0;
  bool keep_alive = false;
  bool operator==(const Outcome&) const = default;
};

// Parses `input` in pieces of `step` bytes (0 = whole) and returns the outcomes.
std::vector<Outcome> run(std::string_view input, std::size_t step) {
  engage::net::HttpParserLimits lim;
  lim.max_header_bytes = 512;
  lim.max_headers = 8;
  lim.max_uri_bytes = 128;
  lim.max_body_bytes = 256;
  engage::net::HttpParser p(lim);
  std::vector<Outcome> out;
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::size_t n = step == 0 ? input.size() - pos : std::min(step, input.size() - pos);
    std::string_view piece = input.substr(pos, n);
    pos += n;
    while (true) {
      std::size_t used = 0;
      auto st = p.feed(piece, used);
      if (used > piece.size()) std::abort();
      piece.remove_prefix(used);
      if (st == engage::net::ParseStatus::Error) {
        Outcome o;
        o.error = p.error_status();
        if (o.error < 400 || o.error > 599) std::abort();
        out.push_back(o);
        return out;
      }
      if (st == engage::net::ParseStatus::NeedMore) {
        if (!piece.empty()) std::abort();
        break;
      }
      auto r = p.take();
      if (r.request.body.size() > lim.max_body_bytes) std::abort();
      Outcome o;
      o.method = r.request.method;
      o.path = r.request.path;
      o.query = r.request.query;
      o.body = r.request.body;
      o.headers = r.request.headers.size();
      o.keep_alive = r.keep_alive;
      out.push_back(o);
      if (piece.empty()) break;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t step = data[0] % 17 + 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (run(input, 0) != run(input, step)) std::abort();
  return 0;
}
