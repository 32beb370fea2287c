// Perft against the published node counts (chessprogramming wiki "Perft Results").
#include "chess/perft.h"

#include <gtest/gtest.h>

#include <string>

#include "chess/game.h"
#include "chess/position.h"

namespace engage::chess {
namespace {

uint64_t perft_of(const std::string& fen, int depth) {
  init();
  StateInfo st;
  Position pos;
  EXPECT_FALSE(pos.set(fen, &st).has_value()) << fen;
  const std::string before = pos.fen();
  const Key key = pos.key();
  const uint64_t n = perft(pos, depth);
  EXPECT_EQ(pos.fen(), before) << "perft must restore the position";
  EXPECT_EQ(pos.key(), key);
  return n;
}

constexpr const char* kKiwipete =
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1";

TEST(Perft, StartPosition) {
  const std::string fen(kStartFen);
  EXPECT_EQ(perft_of(fen, 0), 1u);
  EXPECT_EQ(perft_of(fen, 1), 20u);
  EXPECT_EQ(perft_of(fen, 2), 400u);
  EXPECT_EQ(perft_of(fen, 3), 8902u);
  EXPECT_EQ(perft_of(fen, 4), 197281u);
  EXPECT_EQ(perft_of(fen, 5), 4865609u);
}

TEST(Perft, Kiwipete) {
  EXPECT_EQ(perft_of(kKiwipete, 1), 48u);
  EXPECT_EQ(perft_of(kKiwipete, 2), 2039u);
  EXPECT_EQ(perft_of(kKiwipete, 3), 97862u);
  EXPECT_EQ(perft_of(kKiwipete, 4), 4085603u);
}

TEST(Perft, Position3EnPassantAndPins) {
  const std::string fen = "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1";
  EXPECT_EQ(perft_of(fen, 1), 14u);
  EXPECT_EQ(perft_of(fen, 2), 191u);
  EXPECT_EQ(perft_of(fen, 3), 2812u);
  EXPECT_EQ(perft_of(fen, 4), 43238u);
  EXPECT_EQ(perft_of(fen, 5), 674624u);
}

TEST(Perft, Position4Promotions) {
  const std::string fen = "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1";
  EXPECT_EQ(perft_of(fen, 1), 6u);
  EXPECT_EQ(perft_of(fen, 2), 264u);
  EXPECT_EQ(perft_of(fen, 3), 9467u);
  EXPECT_EQ(perft_of(fen, 4), 422333u);
  // The same position with colours swapped.
  EXPECT_EQ(perft_of("r2q1rk1/pP1p2pp/Q4n2/bbp1p3/Np6/1B3NBn/pPPP1PPP/R3K2R b KQ - 0 1", 4),
            422333u);
}

TEST(Perft, Position5) {
  const std::string fen = "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8";
  EXPECT_EQ(perft_of(fen, 1), 44u);
  EXPECT_EQ(perft_of(fen, 2), 1486u);
  EXPECT_EQ(perft_of(fen, 3), 62379u);
}

TEST(Perft, Position6) {
  const std::string fen =
      "r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10";
  EXPECT_EQ(perft_of(fen, 1), 46u);
  EXPECT_EQ(perft_of(fen, 2), 2079u);
  EXPECT_EQ(perft_of(fen, 3), 89890u);
}

// Small positions from the "talkchess" perft suite that each target one rule.
TEST(Perft, SpecialRules) {
  EXPECT_EQ(perft_of("3k4/3p4/8/K1P4r/8/8/8/8 b - - 0 1", 6), 1134888u);    // ep discovered check
  EXPECT_EQ(perft_of("8/8/4k3/8/2p5/8/B2P2K1/8 w - - 0 1", 6), 1015133u);   // ep with pin
  EXPECT_EQ(perft_of("8/8/1k6/2b5/2pP4/8/5K2/8 b - d3 0 1", 6), 1440467u);  // ep capture
  EXPECT_EQ(perft_of("5k2/8/8/8/8/8/8/4K2R w K - 0 1", 6), 661072u);        // short castle check
  EXPECT_EQ(perft_of("3k4/8/8/8/8/8/8/R3K3 w Q - 0 1", 6), 803711u);        // long castle check
  EXPECT_EQ(perft_of("r3k2r/1b4bq/8/8/8/8/7B/R3K2R w KQkq - 0 1", 4), 1274206u);  // castling
  EXPECT_EQ(perft_of("r3k2r/8/3Q4/8/8/5q2/8/R3K2R b KQkq - 0 1", 4), 1720476u);   // castle prev
  EXPECT_EQ(perft_of("2K2r2/4P3/8/8/8/8/8/3k4 w - - 0 1", 6), 3821001u);    // promote out of check
  EXPECT_EQ(perft_of("8/8/1P2K3/8/2n5/1q6/8/5k2 b - - 0 1", 5), 1004658u);  // discovered check
  EXPECT_EQ(perft_of("4k3/1P6/8/8/8/8/K7/8 w - - 0 1", 6), 217342u);        // promote to check
  EXPECT_EQ(perft_of("8/P1k5/K7/8/8/8/8/8 w - - 0 1", 6), 92683u);          // underpromotion
  EXPECT_EQ(perft_of("K1k5/8/P7/8/8/8/8/8 w - - 0 1", 6), 2217u);           // self stalemate
  EXPECT_EQ(perft_of("8/k1P5/8/1K6/8/8/8/8 w - - 0 1", 7), 567584u);        // stalemate/mate
  EXPECT_EQ(perft_of("8/8/2k5/5q2/5n2/8/5K2/8 b - - 0 1", 4), 23527u);      // double check
}

TEST(Perft, DivideSumsToPerft) {
  init();
  StateInfo st;
  Position pos;
  ASSERT_FALSE(pos.set(kKiwipete, &st));
  uint64_t sum = 0;
  const auto rows = perft_divide(pos, 3);
  EXPECT_EQ(rows.size(), 48u);
  for (const auto& row : rows) sum += row.second;
  EXPECT_EQ(sum, 97862u);
}

}  // namespace
}  // namespace engage::chess
