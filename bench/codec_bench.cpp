// Per-message cost of the Engine.IO and Socket.IO codecs on a chess move broadcast.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "engineio/packet.h"
#include "engineio/payload.h"
#include "socketio/packet.h"

namespace {

// A move_update event as a client would send it (Socket.IO text, without the Engine.IO "4").
const std::string kEvent =
    R"(2["move_update",{"roomId":"9f1c2e4a-6b3d-4e8f-a1b2-c3d4e5f60718","move":{"color":"w","piece":"p","from":"e2","to":"e4","san":"e4","lan":"e2e4","flags":"b"},"fen":"rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1","turn":"b","status":"active","winner":null,"moveNumber":1}])";

// WebSocket text frame in → Engine.IO packet view → Socket.IO packet (validated JSON).
void BM_DecodeWsEvent(benchmark::State& state) {
  const std::string frame = "4" + kEvent;
  engage::sio::Decoder decoder;
  for (auto _ : state) {
    auto eio = engage::eio::decode_text_view(frame);
    auto sio = decoder.add_text(eio->data);
    benchmark::DoNotOptimize(sio);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(frame.size()));
}

// Socket.IO packet → text frame, as a broadcast is encoded once.
void BM_EncodeEvent(benchmark::State& state) {
  auto packet = engage::sio::decode_text(kEvent);
  for (auto _ : state) {
    std::string frame = "4";
    std::vector<std::string> attachments;
    engage::sio::encode_to(frame, attachments, *packet);
    benchmark::DoNotOptimize(frame.data());
  }
}

// A polling GET answering 8 queued broadcasts (v4 and v3 framing).
void BM_EncodePollingPayload(benchmark::State& state) {
  const std::string text = "4" + kEvent;
  const std::vector<engage::eio::WirePacket> wire(8, engage::eio::WirePacket{text, false});
  const bool v3 = state.range(0) == 3;
  for (auto _ : state) {
    if (v3) {
      auto body = engage::eio::encode_payload_v3(wire, false);
      benchmark::DoNotOptimize(body.body.data());
    } else {
      auto body = engage::eio::encode_payload_v4(wire);
      benchmark::DoNotOptimize(body.data());
    }
  }
}

// A polling POST of 8 events, decoded into packets.
void BM_DecodePollingPayload(benchmark::State& state) {
  const std::string text = "4" + kEvent;
  const std::vector<engage::eio::WirePacket> wire(8, engage::eio::WirePacket{text, false});
  const bool v3 = state.range(0) == 3;
  const std::string body =
      v3 ? engage::eio::encode_payload_v3(wire, false).body : engage::eio::encode_payload_v4(wire);
  for (auto _ : state) {
    auto packets =
        v3 ? engage::eio::decode_payload_v3(body, false) : engage::eio::decode_payload_v4(body);
    benchmark::DoNotOptimize(packets);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

BENCHMARK(BM_DecodeWsEvent);
BENCHMARK(BM_EncodeEvent);
BENCHMARK(BM_EncodePollingPayload)->Arg(4)->Arg(3);
BENCHMARK(BM_DecodePollingPayload)->Arg(4)->Arg(3);

}  // namespace

BENCHMARK_MAIN();
