// Position: strict FEN parsing with reasons, FEN output (chess.js rules), make/unmake, keys.
#include "chess/position.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chess/game.h"
#include "chess/movegen.h"
#include "chess/notation.h"

namespace engage::chess {
namespace {

class PositionTest : public ::testing::Test {
 protected:
  void SetUp() override { init(); }

  std::optional<FenError> parse(const std::string& fen) { return pos_.set(fen, &st_); }

  StateInfo st_;
  Position pos_;
};

TEST_F(PositionTest, FenRoundTrips) {
  const std::vector<std::string> fens = {
      std::string(kStartFen),
      "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
      "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1",
      "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8",
      "rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3",  // legal ep kept
      "rnbqkbnr/pppp1ppp/8/8/3Pp3/8/PPP1PPPP/RNBQKBNR b Kq d3 0 3",
      "4k3/8/8/8/8/8/8/4K3 b - - 99 123456789",
      "r3k3/8/8/8/8/8/8/4K2R w Kq - 0 1",
  };
  for (const std::string& fen : fens) {
    ASSERT_FALSE(parse(fen).has_value()) << fen;
    EXPECT_EQ(pos_.fen(), fen);
  }
}

TEST_F(PositionTest, FenOmitsEnPassantSquareUnlessCaptureIsLegal) {
  // After 1. e4 there is no black pawn to capture: chess.js writes "-".
  ASSERT_FALSE(parse("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1"));
  EXPECT_EQ(pos_.fen(), "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1");
  EXPECT_EQ(pos_.ep_square(), SQ_NONE);
  // The capturing pawn is pinned along the rank (the discovered-check case): no ep square.
  ASSERT_FALSE(parse("8/8/8/K2pP2r/8/8/8/4k3 w - d6 0 1"));
  EXPECT_EQ(pos_.fen(), "8/8/8/K2pP2r/8/8/8/4k3 w - - 0 1");
  EXPECT_FALSE(MoveList<LEGAL>(pos_).contains(Move::make<EN_PASSANT>(SQ_E5, SQ_D6)));
  // A legal capture: kept, and generated.
  ASSERT_FALSE(parse("8/8/8/K2pP3/8/8/8/4k3 w - d6 0 1"));
  EXPECT_EQ(pos_.fen(), "8/8/8/K2pP3/8/8/8/4k3 w - d6 0 1");
  EXPECT_TRUE(MoveList<LEGAL>(pos_).contains(Move::make<EN_PASSANT>(SQ_E5, SQ_D6)));
}

TEST_F(PositionTest, DoubleStepSetsEnPassantOnlyWhenCapturable) {
  Game g;
  ASSERT_TRUE(g.replay({"e2e4", "d7d5", "e4e5", "f7f5"}));
  EXPECT_EQ(g.fen(), "rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3");
  ASSERT_TRUE(g.replay({"h2h3", "c7c5"}));  // c5 is not next to e5
  EXPECT_EQ(g.fen(), "rnbqkbnr/pp2p1pp/8/2ppPp2/8/7P/PPPP1PP1/RNBQKBNR w KQkq - 0 4");
}

struct BadFen {
  const char* fen;
  FenError error;
};

TEST_F(PositionTest, MalformedFensAreRejectedWithAReason) {
  const std::string start(kStartFen);
  const BadFen cases[] = {
      {"", FenError::FieldCount},
      {" ", FenError::FieldCount},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0", FenError::FieldCount},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 x", FenError::FieldCount},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR  w KQkq - 0 1", FenError::FieldCount},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 ", FenError::FieldCount},
      {" rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::FieldCount},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR\tw KQkq - 0 1", FenError::FieldCount},
      {"rnbqkbnr/pppppppp/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::RankCount},
      {"rnbqkbnr/pppppppp/8/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::RankCount},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNX w KQkq - 0 1", FenError::InvalidPiece},
      {"rnbqkbnr/pppppppp/8/8/8/9/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::InvalidPiece},
      {"rnbqkbnr/pppppppp/8/8/8/08/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::InvalidPiece},
      {"rnbqkbnr/pppppppp/44/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::ConsecutiveDigits},
      {"rnbqkbnr/ppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::RankLength},
      {"rnbqkbnr/ppppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::RankLength},
      {"rnbqkbnr/pppppppp/7/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::RankLength},
      {"rnbqkbnr/pppppppp/p8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", FenError::RankLength},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQ1BNR w kq - 0 1", FenError::MissingKing},
      {"rnbq1bnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQ - 0 1", FenError::MissingKing},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBKKBNR w kq - 0 1", FenError::TooManyKings},
      {"rnbqkbnP/pppppppp/8/8/8/8/1PPPPPPP/RNBQKBNR w KQq - 0 1", FenError::PawnOnBackRank},
      {"4k3/8/8/8/8/8/8/p3K3 w - - 0 1", FenError::PawnOnBackRank},
      {"4k3/8/8/8/P7/8/PPPPPPPP/4K3 w - - 0 1", FenError::TooManyPieces},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR x KQkq - 0 1", FenError::SideToMove},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR W KQkq - 0 1", FenError::SideToMove},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR wb KQkq - 0 1", FenError::SideToMove},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkqK - 0 1", FenError::CastlingSyntax},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w kqKQ - 0 1", FenError::CastlingSyntax},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w -K - 0 1", FenError::CastlingSyntax},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KX - 0 1", FenError::CastlingSyntax},
      {"4k3/8/8/8/8/8/8/4K3 w K - 0 1", FenError::CastlingRights},
      {"r3k2r/8/8/8/8/8/8/R2K3R w Q - 0 1", FenError::CastlingRights},
      {"r3k1r1/8/8/8/8/8/8/R3K2R w k - 0 1", FenError::CastlingRights},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e9 0 1", FenError::EnPassantSyntax},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e4 0 1", FenError::EnPassantSyntax},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq i6 0 1", FenError::EnPassantSyntax},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e66 0 1", FenError::EnPassantSyntax},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e3 0 1", FenError::EnPassantRank},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e6 0 1", FenError::EnPassantPawn},
      {"rnbqkbnr/pppp1ppp/8/4p3/8/8/PPPPPPPP/RNBQKBNR w KQkq d6 0 1", FenError::EnPassantPawn},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - -1 1", FenError::HalfmoveClock},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - x 1", FenError::HalfmoveClock},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 1.5 1", FenError::HalfmoveClock},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 1234567890 1",
       FenError::HalfmoveClock},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 0", FenError::FullmoveNumber},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1x", FenError::FullmoveNumber},
      {"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 +1", FenError::FullmoveNumber},
      {"4k3/8/8/8/8/8/4R3/4K3 w - - 0 1", FenError::OpponentInCheck},
      {"4k3/8/8/8/8/8/3p4/4K3 b - - 0 1", FenError::OpponentInCheck},
  };
  for (const BadFen& c : cases) {
    const auto err = parse(c.fen);
    ASSERT_TRUE(err.has_value()) << c.fen;
    EXPECT_EQ(*err, c.error) << c.fen << " -> " << fen_error_message(*err);
    EXPECT_TRUE(fen_error_message(*err).starts_with("Invalid FEN: "));
  }
  // A rejected FEN leaves the position as it was.
  ASSERT_FALSE(parse(start));
  EXPECT_TRUE(parse("garbage"));
  EXPECT_EQ(pos_.fen(), start);
}

TEST_F(PositionTest, MutatedFensEitherFailOrRoundTrip) {
  const std::string start(kStartFen);
  int accepted = 0;
  for (size_t i = 0; i < start.size(); ++i)
    for (int c : {0, 32, 47, 57, 75, 112, 255, 45, 49, 98}) {
      std::string t = start;
      t[i] = static_cast<char>(c);
      for (const std::string& s : {t, t.substr(0, i)}) {
        StateInfo st, st2;
        Position p, q;
        if (p.set(s, &st)) continue;
        ++accepted;
        ASSERT_FALSE(q.set(p.fen(), &st2)) << s;  // what we print, we read back
        EXPECT_EQ(q.fen(), p.fen());
        EXPECT_EQ(q.key(), p.key());
      }
    }
  EXPECT_GT(accepted, 0);
}

TEST_F(PositionTest, DoUndoRestoresEverythingAndKeysAreIncremental) {
  // Walk all legal moves two plies deep from positions rich in special moves; after each
  // do_move the incremental key must equal the key of the same position set from its FEN.
  const std::vector<std::string> fens = {
      "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
      "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1",
      "rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3",
  };
  for (const std::string& fen : fens) {
    ASSERT_FALSE(parse(fen));
    for (Move m : MoveList<LEGAL>(pos_)) {
      StateInfo st1;
      pos_.do_move(m, st1);
      StateInfo fresh_st;
      Position fresh;
      ASSERT_FALSE(fresh.set(pos_.fen(), &fresh_st)) << pos_.fen();
      EXPECT_EQ(fresh.key(), pos_.key()) << fen << " " << move_to_uci(m);
      for (Move m2 : MoveList<LEGAL>(pos_)) {
        StateInfo st2;
        const std::string before = pos_.fen();
        pos_.do_move(m2, st2);
        StateInfo st3;
        Position fresh2;
        ASSERT_FALSE(fresh2.set(pos_.fen(), &st3));
        EXPECT_EQ(fresh2.key(), pos_.key());
        pos_.undo_move(m2);
        EXPECT_EQ(pos_.fen(), before);
      }
      pos_.undo_move(m);
      EXPECT_EQ(pos_.fen(), fen);
    }
  }
}

TEST_F(PositionTest, InsufficientMaterialAsChessJsDefinesIt) {
  const std::pair<const char*, bool> cases[] = {
      {"4k3/8/8/8/8/8/8/4K3 w - - 0 1", true},       // K v K
      {"4k3/8/8/8/8/8/8/3BK3 w - - 0 1", true},      // K+B v K
      {"4k3/8/8/8/8/8/8/3NK3 b - - 0 1", true},      // K+N v K
      {"4k3/8/8/8/8/4B3/8/2B1K3 w - - 0 1", true},   // bishops all on dark squares
      {"3bk3/8/8/8/8/8/8/2B1K3 w - - 0 1", true},    // c1 and d8: both dark
      {"2b1k3/8/8/8/8/8/8/2B1K3 w - - 0 1", false},  // c1 dark, c8 light
      {"4k3/8/8/8/8/8/8/2NNK3 w - - 0 1", false},    // two knights
      {"4k3/8/8/8/8/8/8/2BNK3 w - - 0 1", false},    // bishop and knight
      {"4k3/8/8/8/8/8/4P3/4K3 w - - 0 1", false},    // a pawn
      {"4k3/8/8/8/8/8/8/3RK3 w - - 0 1", false},     // a rook
  };
  for (const auto& [fen, expected] : cases) {
    ASSERT_FALSE(parse(fen)) << fen;
    EXPECT_EQ(pos_.insufficient_material(), expected) << fen;
  }
}

}  // namespace
}  // namespace engage::chess
