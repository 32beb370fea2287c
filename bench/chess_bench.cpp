// Chess micro-benchmarks: the cost of validating and applying one client move (Game::play,
// target < 1 us), plus move generation, perft, FEN and SAN throughput.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "chess/game.h"
#include "chess/movegen.h"
#include "chess/notation.h"
#include "chess/perft.h"
#include "chess/position.h"

namespace {

using namespace engage::chess;

constexpr const char* kKiwipete =
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1";

// Morphy's Opera Game (33 plies, ends in mate): captures, checks, O-O-O, disambiguation.
const std::vector<std::string> kOperaGame = {
    "e4",    "e5",  "Nf3",  "d6",   "d4",  "Bg4", "dxe5",  "Bxf3", "Qxf3", "dxe5",  "Bc4",
    "Nf6",   "Qb3", "Qe7",  "Nc3",  "c6",  "Bg5", "b5",    "Nxb5", "cxb5", "Bxb5+", "Nbd7",
    "O-O-O", "Rd8", "Rxd7", "Rxd7", "Rd1", "Qe6", "Bxd7+", "Nxd7", "Qb8+", "Nxb8",  "Rd8#"};

struct ClientMove {
  std::string from, to, promotion;
};

// The Opera Game as the client sends it: {from, to} objects.
const std::vector<ClientMove>& opera_moves() {
  static const std::vector<ClientMove> moves = [] {
    init();
    std::vector<ClientMove> out;
    Game g;
    for (const std::string& san : kOperaGame) {
      auto r = g.play_san(san);
      if (!r) std::abort();
      out.push_back({r->uci.substr(0, 2), r->uci.substr(2, 2), r->uci.substr(4)});
    }
    return out;
  }();
  return moves;
}

// One iteration = a fresh Game + the 33 moves of the game through Game::play (validation
// against the legal moves, SAN, make). The "per_move" counter is the cost of one move.
void BM_GamePlay(benchmark::State& state) {
  const auto& moves = opera_moves();
  for (auto _ : state) {
    Game g;
    for (const ClientMove& m : moves) {
      auto r = g.play(m.from, m.to, m.promotion);
      benchmark::DoNotOptimize(r);
    }
  }
  state.counters["per_move"] = benchmark::Counter(
      static_cast<double>(moves.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_GamePlay);

// Same, plus Game::status() after every move, as a room does to detect the end of the game.
void BM_GamePlayAndStatus(benchmark::State& state) {
  const auto& moves = opera_moves();
  for (auto _ : state) {
    Game g;
    for (const ClientMove& m : moves) {
      auto r = g.play(m.from, m.to, m.promotion);
      benchmark::DoNotOptimize(r);
      benchmark::DoNotOptimize(g.status());
    }
  }
  state.counters["per_move"] = benchmark::Counter(
      static_cast<double>(moves.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_GamePlayAndStatus);

// The fixed part of the above: constructing a Game.
void BM_GameConstruct(benchmark::State& state) {
  init();
  for (auto _ : state) {
    Game g;
    benchmark::DoNotOptimize(g);
  }
}
BENCHMARK(BM_GameConstruct);

// Rebuilding a game from its FEN plus the validation of one move, as the original did.
void BM_FromFenAndPlay(benchmark::State& state) {
  init();
  const std::string fen = "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3";
  for (auto _ : state) {
    auto g = Game::from_fen(fen);
    auto r = g->play("f1", "b5", "");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_FromFenAndPlay);

void BM_LegalMovesKiwipete(benchmark::State& state) {
  init();
  StateInfo st;
  Position pos;
  (void)pos.set(kKiwipete, &st);
  for (auto _ : state) {
    MoveList<LEGAL> ml(pos);
    benchmark::DoNotOptimize(ml.size());
  }
}
BENCHMARK(BM_LegalMovesKiwipete);

void BM_PerftStart5(benchmark::State& state) {
  init();
  StateInfo st;
  Position pos;
  (void)pos.set(kStartFen, &st);
  uint64_t nodes = 0;
  for (auto _ : state) nodes += perft(pos, 5);
  state.counters["nodes"] =
      benchmark::Counter(static_cast<double>(nodes), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PerftStart5)->Unit(benchmark::kMillisecond);

void BM_FenParse(benchmark::State& state) {
  init();
  for (auto _ : state) {
    StateInfo st;
    Position pos;
    benchmark::DoNotOptimize(pos.set(kKiwipete, &st));
  }
}
BENCHMARK(BM_FenParse);

void BM_FenOutput(benchmark::State& state) {
  init();
  StateInfo st;
  Position pos;
  (void)pos.set(kKiwipete, &st);
  for (auto _ : state) benchmark::DoNotOptimize(pos.fen());
}
BENCHMARK(BM_FenOutput);

void BM_SanAllMovesKiwipete(benchmark::State& state) {
  init();
  StateInfo st;
  Position pos;
  (void)pos.set(kKiwipete, &st);
  const MoveList<LEGAL> ml(pos);
  for (auto _ : state)
    for (Move m : ml) benchmark::DoNotOptimize(move_to_san(pos, m, ml));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(ml.size()));
}
BENCHMARK(BM_SanAllMovesKiwipete);

}  // namespace

BENCHMARK_MAIN();
