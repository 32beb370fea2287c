// Micro-benchmarks of the network edge codecs: a polling GET through HttpParser, a batch of
// small masked frames through FrameParser (unmask + UTF-8 check), frame headers.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "net/http_parser.h"
#include "net/ws_codec.h"

namespace {

using namespace engage::net;

void BM_HttpParsePollingGet(benchmark::State& state) {
  const std::string req =
      "GET /socket.io/?EIO=4&transport=polling&t=OkXz1a2&sid=AbCdEfGhIjKlMnOpQrSt HTTP/1.1\r\n"
      "Host: localhost:3002\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0\r\n"
      "Accept: */*\r\nAccept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\n"
      "Origin: http://localhost:5173\r\nConnection: keep-alive\r\nCookie: io=AbCdEf\r\n\r\n";
  HttpParser p({});
  for (auto _ : state) {
    std::size_t used = 0;
    auto st = p.feed(req, used);
    benchmark::DoNotOptimize(st);
    auto r = p.take();
    benchmark::DoNotOptimize(r.request.path.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(req.size()));
}
BENCHMARK(BM_HttpParsePollingGet);

class NullSink : public ws::FrameSink {
 public:
  void on_message(std::string_view d, bool) override { bytes += d.size(); }
  void on_ping(std::string_view) override {}
  void on_pong(std::string_view) override {}
  void on_close(uint16_t, std::string_view) override {}
  std::size_t bytes = 0;
};

// 100 Socket.IO-sized masked text frames (a chess move event) per buffer, as read in one go.
void BM_WsParseMoveFrames(benchmark::State& state) {
  const std::string msg =
      "42/play-along,[\"make_move\",{\"roomId\":\"r_8f3a2c\",\"from\":\"e2\","
      "\"to\":\"e4\",\"promotion\":\"q\"}]";
  std::string stream;
  for (int i = 0; i < 100; ++i)
    stream +=
        ws::encode_client_frame(ws::Opcode::Text, msg, 0x9e3779b9u + static_cast<uint32_t>(i));
  std::string buf;
  NullSink sink;
  for (auto _ : state) {
    buf = stream;  // the parser unmasks in place
    ws::FrameParser p(1 << 20);
    benchmark::DoNotOptimize(p.feed(buf.data(), buf.size(), sink));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 100));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(stream.size()));
}
BENCHMARK(BM_WsParseMoveFrames);

void BM_WsParseLargeBinary(benchmark::State& state) {
  std::string stream = ws::encode_client_frame(ws::Opcode::Binary, std::string(256 * 1024, 'x'), 7);
  std::string buf;
  NullSink sink;
  for (auto _ : state) {
    buf = stream;
    ws::FrameParser p(1 << 20);
    benchmark::DoNotOptimize(p.feed(buf.data(), buf.size(), sink));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(stream.size()));
}
BENCHMARK(BM_WsParseLargeBinary);

void BM_WsEncodeHeader(benchmark::State& state) {
  char hdr[10];
  uint64_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ws::encode_header(hdr, ws::Opcode::Text, (n++ & 0xffff) + 100));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_WsEncodeHeader);

}  // namespace

BENCHMARK_MAIN();
