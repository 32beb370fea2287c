// redis-store-bench: move commits (cas.lua through RedisStore, EVALSHA, pipelined) per second and
// their latency percentiles, from several event loops against one redis-server.
//
// Usage: redis-store-bench --url redis://127.0.0.1:6379 [--loops 2] [--inflight 64]
//                          [--seconds 5] [--doc-bytes 400]
// Each loop runs `inflight` independent games; a game commits move after move (read-free: it
// knows its version), so `inflight` commands per loop are in the pipeline at any time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/random.h"
#include "net/loops.h"
#include "store/redis_config.h"
#include "store/redis_store.h"

namespace {

using Clock = std::chrono::steady_clock;
using engage::store::Doc;
using engage::store::Errc;

// Builds a chess-room-like document of about `bytes` bytes at `version`.
std::string room_json(const std::string& id, uint64_t version, std::size_t bytes) {
  std::string s =
      R"({"roomId":")" + id +
      R"(","roomCode":"123456","whitePlayer":"user_white","blackPlayer":"user_black",)"
      R"("fen":"rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1",)"
      R"("turn":"b","status":"active","winner":null,"createdAt":"2026-01-01T00:00:00.000Z",)"
      R"("moves":")";
  while (s.size() + 40 < bytes) s += "e2e4 ";
  s += R"(","version":)" + std::to_string(version) + "}";
  return s;
}

struct LoopResult {
  std::vector<uint32_t> latency_us;
  uint64_t ok = 0, failed = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string url = "redis://127.0.0.1:6379";
  std::size_t loops_n = 2, inflight = 64, doc_bytes = 400;
  int seconds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--url")
      url = v;
    else if (k == "--loops")
      loops_n = std::strtoul(v.c_str(), nullptr, 10);
    else if (k == "--inflight")
      inflight = std::strtoul(v.c_str(), nullptr, 10);
    else if (k == "--seconds")
      seconds = std::atoi(v.c_str());
    else if (k == "--doc-bytes")
      doc_bytes = std::strtoul(v.c_str(), nullptr, 10);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  auto cfg = engage::store::parse_redis_url(url);
  if (!cfg) {
    std::fprintf(stderr, "%s\n", cfg.error().c_str());
    return 2;
  }
  engage::net::Loops loops(loops_n);
  loops.start();
  auto store = std::make_unique<engage::store::RedisStore>(*cfg, loops);
  for (int i = 0; i < 500 && store->state() != engage::store::State::Up; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (store->state() != engage::store::State::Up) {
    std::fprintf(stderr, "redis store did not come up at %s\n", url.c_str());
    return 1;
  }

  std::vector<LoopResult> results(loops_n);
  std::atomic<bool> measuring{false}, running{true};
  std::atomic<std::size_t> live{0};
  auto* st = store.get();

  // One game: create its room, then commit moves back to back.
  struct Game {
    std::string key;
    uint64_t version = 1;
  };
  std::function<void(std::size_t, std::shared_ptr<Game>)> commit;
  commit = [&](std::size_t loop, std::shared_ptr<Game> g) {
    if (!running) {
      live--;
      return;
    }
    auto t0 = Clock::now();
    uint64_t next = g->version + 1;
    st->cas(g->key, g->version, Doc{room_json(g->key, next, doc_bytes), next}, 3600, {},
            [&, loop, g, t0, next](Errc e) {
              auto& r = results[loop];
              if (measuring) {
                if (e == Errc::Ok) {
                  ++r.ok;
                  r.latency_us.push_back(static_cast<uint32_t>(
                      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0)
                          .count()));
                } else {
                  ++r.failed;
                }
              }
              if (e == Errc::Ok) g->version = next;
              commit(loop, g);
            });
  };
  for (std::size_t l = 0; l < loops_n; ++l)
    for (std::size_t i = 0; i < inflight; ++i) {
      live++;
      loops.post(l, [&, l] {
        auto g = std::make_shared<Game>();
        g->key = "bench:chess:room:" + engage::random_id(12);
        st->create(g->key, Doc{room_json(g->key, 1, doc_bytes), 1}, 3600,
                   [&, l, g](Errc) { commit(l, g); });
      });
    }

  std::this_thread::sleep_for(std::chrono::seconds(1));  // warm-up
  measuring = true;
  auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  measuring = false;
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  running = false;
  for (int i = 0; i < 500 && live.load() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  std::vector<uint32_t> all;
  uint64_t ok = 0, failed = 0;
  for (auto& r : results) {
    all.insert(all.end(), r.latency_us.begin(), r.latency_us.end());
    ok += r.ok;
    failed += r.failed;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) -> double {
    if (all.empty()) return 0;
    auto i = static_cast<std::size_t>(p * static_cast<double>(all.size() - 1));
    return all[i] / 1000.0;
  };
  std::printf(
      "redis-store-bench loops=%zu inflight/loop=%zu doc=%zuB: %.0f commits/s "
      "(ok %llu, failed %llu) latency ms p50 %.3f p99 %.3f p99.9 %.3f max %.3f\n",
      loops_n, inflight, doc_bytes, static_cast<double>(ok) / elapsed,
      static_cast<unsigned long long>(ok), static_cast<unsigned long long>(failed), pct(0.50),
      pct(0.99), pct(0.999), pct(1.0));
  loops.stop();
  loops.join();
  return failed == 0 ? 0 : 1;
}
