// Parse+dump of Socket.IO-sized JSON messages: engage::json vs RapidJSON (DOM and SAX).
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

#include "core/json.h"

namespace {

// Messages the way they travel in Socket.IO events (the Engine.IO/Socket.IO prefix removed).
const char* const kMessages[] = {
    // 1: the protocol suite's echo (31 bytes)
    R"(["message",1,"2",{"3":[true]}])",
    // 2: a chess move broadcast (~330 bytes)
    R"(["move_update",{"roomId":"9f1c2e4a-6b3d-4e8f-a1b2-c3d4e5f60718","move":{"color":"w","piece":"p","from":"e2","to":"e4","san":"e4","lan":"e2e4","flags":"b"},"fen":"rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1","turn":"b","status":"active","winner":null,"whitePlayer":"user-1234","blackPlayer":"user-5678","moveNumber":1,"isCheck":false}])",
    // 3: a watch-along sync with floats and unicode (~170 bytes)
    R"(["sync_state",{"roomId":"r-42","videoId":"dQw4w9WgXcQ","isPlaying":true,"currentTime":123.456,"updatedAt":1718000000123,"title":"Caf\u00e9 \u20ac \ud83d\ude00 \"live\"","participants":["a","b","c"]}])",
};

void BM_Engage(benchmark::State& state) {
  const std::string_view msg = kMessages[static_cast<std::size_t>(state.range(0))];
  std::string out;
  for (auto _ : state) {
    auto v = engage::json::parse(msg);
    out.clear();
    v->dump_to(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(msg.size()));
}

void BM_EngageParseOnly(benchmark::State& state) {
  const std::string_view msg = kMessages[static_cast<std::size_t>(state.range(0))];
  for (auto _ : state) {
    auto v = engage::json::parse(msg);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(msg.size()));
}

void BM_EngageDumpOnly(benchmark::State& state) {
  const std::string_view msg = kMessages[static_cast<std::size_t>(state.range(0))];
  auto v = engage::json::parse(msg);
  std::string out;
  for (auto _ : state) {
    out.clear();
    v->dump_to(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(msg.size()));
}

// RapidJSON DOM with full-precision numbers (what a server would keep around).
void BM_RapidJsonDom(benchmark::State& state) {
  const std::string msg = kMessages[static_cast<std::size_t>(state.range(0))];
  for (auto _ : state) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseFullPrecisionFlag>(msg.data(), msg.size());
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d.Accept(w);
    benchmark::DoNotOptimize(sb.GetString());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(msg.size()));
}

void BM_RapidJsonDomParseOnly(benchmark::State& state) {
  const std::string msg = kMessages[static_cast<std::size_t>(state.range(0))];
  for (auto _ : state) {
    rapidjson::Document d;
    d.Parse<rapidjson::kParseFullPrecisionFlag>(msg.data(), msg.size());
    benchmark::DoNotOptimize(d.IsArray());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(msg.size()));
}

void BM_RapidJsonDomDumpOnly(benchmark::State& state) {
  const std::string msg = kMessages[static_cast<std::size_t>(state.range(0))];
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(msg.data(), msg.size());
  rapidjson::StringBuffer sb;
  for (auto _ : state) {
    sb.Clear();
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d.Accept(w);
    benchmark::DoNotOptimize(sb.GetString());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(msg.size()));
}

// RapidJSON SAX reader straight into its writer, numbers kept as text: no DOM at all, the
// lower bound for a validate+rewrite pass.
void BM_RapidJsonSax(benchmark::State& state) {
  const std::string msg = kMessages[static_cast<std::size_t>(state.range(0))];
  rapidjson::StringBuffer sb;
  for (auto _ : state) {
    sb.Clear();
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    rapidjson::Reader reader;
    rapidjson::StringStream ss(msg.c_str());
    reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag>(ss,
                                                                                                w);
    benchmark::DoNotOptimize(sb.GetString());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(msg.size()));
}

BENCHMARK(BM_Engage)->DenseRange(0, 2);
BENCHMARK(BM_EngageParseOnly)->DenseRange(0, 2);
BENCHMARK(BM_EngageDumpOnly)->DenseRange(0, 2);
BENCHMARK(BM_RapidJsonDom)->DenseRange(0, 2);
BENCHMARK(BM_RapidJsonDomParseOnly)->DenseRange(0, 2);
BENCHMARK(BM_RapidJsonDomDumpOnly)->DenseRange(0, 2);
BENCHMARK(BM_RapidJsonSax)->DenseRange(0, 2);

}  // namespace

BENCHMARK_MAIN();
