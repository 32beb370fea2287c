// Notation: UCI, SAN out and in (chess.js 1.4 forms), chess.js object moves, JSON quoting.
#include "chess/notation.h"

#include <gtest/gtest.h>

#include <string>

#include "chess/game.h"
#include "chess/position.h"

namespace engage::chess {
namespace {

class NotationTest : public ::testing::Test {
 protected:
  void SetUp() override { init(); }

  const Position& at(const std::string& fen) {
    EXPECT_FALSE(pos_.set(fen, &st_).has_value()) << fen;
    return pos_;
  }
  // SAN of a UCI move in `fen`.
  std::string san(const std::string& fen, const std::string& uci) {
    const Position& p = at(fen);
    const Move m = uci_to_move(p, uci);
    EXPECT_TRUE(m) << uci;
    return m ? move_to_san(p, m) : "";
  }
  // UCI of a SAN move in `fen`, "" if not recognised.
  std::string from_san(const std::string& fen, const std::string& s) {
    const Move m = san_to_move(at(fen), s);
    return m ? move_to_uci(m) : "";
  }

  StateInfo st_;
  Position pos_;
};

TEST_F(NotationTest, Squares) {
  EXPECT_EQ(square_name(SQ_A1), "a1");
  EXPECT_EQ(square_name(SQ_H8), "h8");
  EXPECT_EQ(parse_square("e4"), SQ_E4);
  EXPECT_FALSE(parse_square("E4"));
  EXPECT_FALSE(parse_square("e9"));
  EXPECT_FALSE(parse_square("e"));
  EXPECT_FALSE(parse_square("e44"));
}

TEST_F(NotationTest, Uci) {
  const std::string start(kStartFen);
  EXPECT_EQ(move_to_uci(uci_to_move(at(start), "g1f3")), "g1f3");
  EXPECT_FALSE(uci_to_move(at(start), "e2e5"));
  EXPECT_FALSE(uci_to_move(at(start), "E2E4"));
  EXPECT_FALSE(uci_to_move(at(start), "e2e4q"));
  EXPECT_FALSE(uci_to_move(at(start), ""));
  const std::string promo = "4k3/1P6/8/8/8/8/8/4K3 w - - 0 1";
  EXPECT_FALSE(uci_to_move(at(promo), "b7b8"));
  EXPECT_EQ(move_to_uci(uci_to_move(at(promo), "b7b8n")), "b7b8n");
  const std::string castle = "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1";
  EXPECT_EQ(uci_to_move(at(castle), "e1g1").type_of(), CASTLING);
  EXPECT_EQ(uci_to_move(at(castle), "e1c1").type_of(), CASTLING);
}

TEST_F(NotationTest, SanOutput) {
  const std::string start(kStartFen);
  EXPECT_EQ(san(start, "e2e4"), "e4");
  EXPECT_EQ(san(start, "g1f3"), "Nf3");
  // Disambiguation: by file, by rank, by square.
  EXPECT_EQ(san("4k3/8/8/8/8/5N2/8/1N2K3 w - - 0 1", "b1d2"), "Nbd2");
  EXPECT_EQ(san("4k3/8/8/8/8/5N2/8/1N2K3 w - - 0 1", "f3d2"), "Nfd2");
  EXPECT_EQ(san("4k3/8/8/R7/8/8/8/R3K3 w - - 0 1", "a1a3"), "R1a3");
  EXPECT_EQ(san("4k3/8/8/R7/8/8/8/R3K3 w - - 0 1", "a5a3"), "R5a3");
  EXPECT_EQ(san("4k3/8/8/8/8/Q7/8/Q1Q1K3 w - - 0 1", "a1b2"), "Qa1b2");
  // A pinned piece does not need disambiguating (only legal moves count).
  EXPECT_EQ(san("4k3/8/8/b7/8/6N1/3N4/4K3 w - - 0 1", "g3e4"), "Ne4");
  EXPECT_EQ(san("4k3/8/8/8/8/6N1/3N4/4K3 w - - 0 1", "g3e4"), "Nge4");
  // Captures, en passant, promotions, castling, check and mate.
  EXPECT_EQ(san("rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2", "e4d5"), "exd5");
  EXPECT_EQ(san("4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 1", "e5d6"), "exd6");
  EXPECT_EQ(san("4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b7b8q"), "b8=Q+");
  EXPECT_EQ(san("4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b7b8n"), "b8=N");
  EXPECT_EQ(san("2r1k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b7c8r"), "bxc8=R+");
  EXPECT_EQ(san("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1", "e1g1"), "O-O");
  EXPECT_EQ(san("r3k2r/8/8/8/8/8/8/R3K2R b KQkq - 0 1", "e8c8"), "O-O-O");
  EXPECT_EQ(san("5k2/8/8/8/8/8/8/4K2R w K - 0 1", "e1g1"), "O-O+");
  EXPECT_EQ(san("rnbqkbnr/pppp1ppp/8/4p3/6P1/5P2/PPPPP2P/RNBQKBNR b KQkq - 0 2", "d8h4"), "Qh4#");
  EXPECT_EQ(san("k7/8/1K6/8/8/8/8/7R w - - 0 1", "h1h8"), "Rh8#");
}

TEST_F(NotationTest, SanInput) {
  const std::string start(kStartFen);
  EXPECT_EQ(from_san(start, "e4"), "e2e4");
  EXPECT_EQ(from_san(start, "Nf3"), "g1f3");
  EXPECT_EQ(from_san(start, "Nf3+?!"), "g1f3");  // decorations are ignored
  EXPECT_EQ(from_san(start, "e2e4"), "e2e4");    // permissive forms
  EXPECT_EQ(from_san(start, "e2-e4"), "e2e4");
  EXPECT_EQ(from_san(start, "Pe2-e4"), "e2e4");
  EXPECT_EQ(from_san(start, "Ng1f3"), "g1f3");
  EXPECT_EQ(from_san(start, "b1c3"), "b1c3");
  EXPECT_EQ(from_san(start, "Ngf3"), "g1f3");  // over-disambiguated
  EXPECT_EQ(from_san(start, "N1f3"), "g1f3");
  EXPECT_EQ(from_san(start, "nf3"), "");  // SAN is case-sensitive
  EXPECT_EQ(from_san(start, "e5"), "");
  EXPECT_EQ(from_san(start, "Ke2"), "");
  EXPECT_EQ(from_san(start, ""), "");
  EXPECT_EQ(from_san(start, "xe4 junk"), "");
  const std::string castle = "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1";
  EXPECT_EQ(from_san(castle, "O-O"), "e1g1");
  EXPECT_EQ(from_san(castle, "0-0-0"), "e1c1");
  const std::string promo = "2r1k3/1P6/8/8/8/8/8/4K3 w - - 0 1";
  EXPECT_EQ(from_san(promo, "b8=Q"), "b7b8q");
  EXPECT_EQ(from_san(promo, "b8Q"), "b7b8q");
  EXPECT_EQ(from_san(promo, "bxc8=N"), "b7c8n");
  EXPECT_EQ(from_san(promo, "b7c8r"), "b7c8r");
  EXPECT_EQ(from_san(promo, "b8"), "");  // a promotion needs its piece
  const std::string capture = "rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2";
  EXPECT_EQ(from_san(capture, "exd5"), "e4d5");
  EXPECT_EQ(from_san(capture, "ed5"), "e4d5");                          // the 'x' may be left out
  EXPECT_EQ(from_san("4k3/8/8/8/8/5N2/8/1N2K3 w - - 0 1", "Nd2"), "");  // ambiguous
  EXPECT_EQ(from_san("4k3/8/8/8/8/5N2/8/1N2K3 w - - 0 1", "Nbd2"), "b1d2");
  // Every legal move's own SAN parses back to it.
  for (const std::string& fen :
       {std::string("r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1"),
        std::string("r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1")}) {
    const Position& p = at(fen);
    for (Move m : MoveList<LEGAL>(p)) EXPECT_EQ(san_to_move(p, move_to_san(p, m)), m);
  }
}

TEST_F(NotationTest, ObjectMovesFollowChessJs) {
  const std::string start(kStartFen);
  EXPECT_EQ(move_to_uci(object_to_move(at(start), "e2", "e4", "")), "e2e4");
  EXPECT_EQ(move_to_uci(object_to_move(at(start), "e2", "e4", "q")), "e2e4");  // ignored
  EXPECT_EQ(move_to_uci(object_to_move(at(start), "e2", "e4", "xyz")), "e2e4");
  EXPECT_FALSE(object_to_move(at(start), "E2", "e4", ""));  // case-sensitive
  EXPECT_FALSE(object_to_move(at(start), "e2", "e4 ", ""));
  EXPECT_FALSE(object_to_move(at(start), "e2", "e5", ""));
  const std::string promo = "4k3/1P6/8/8/8/8/8/4K3 w - - 0 1";
  EXPECT_FALSE(object_to_move(at(promo), "b7", "b8", ""));  // a promotion needs its piece
  EXPECT_FALSE(object_to_move(at(promo), "b7", "b8", "Q"));
  EXPECT_FALSE(object_to_move(at(promo), "b7", "b8", "x"));
  EXPECT_FALSE(object_to_move(at(promo), "b7", "b8", "qq"));
  EXPECT_EQ(move_to_uci(object_to_move(at(promo), "b7", "b8", "r")), "b7b8r");
}

TEST_F(NotationTest, JsonQuoteMatchesJsonStringify) {
  EXPECT_EQ(json_quote("e2"), "\"e2\"");
  EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_quote("\n\t\r\b\f"), "\"\\n\\t\\r\\b\\f\"");
  EXPECT_EQ(json_quote(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(json_quote("é/"), "\"é/\"");
}

}  // namespace
}  // namespace engage::chess
