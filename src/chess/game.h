// Game: a chess game from a start position, with history, status (mate, draws) and PGN.
// This is the API the server calls; it never throws on bad input (errors are values).
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chess/movegen.h"
#include "chess/position.h"
#include "chess/types.h"
#include "core/expected.h"

namespace engage::chess {

// Builds the attack tables and Zobrist keys. Idempotent and thread-safe (std::call_once):
// call it once from main, or from anywhere before the first Position/Game is used.
void init();

// The state of a game after the last move. When several apply, the first in this order is
// reported: checkmate > stalemate > insufficient material > threefold repetition > fifty
// moves. Checkmate first as the original server did (isCheckmate() before isDraw()); the draw
// rules are one OR in chess.js's isDraw(), so any order agrees with it; we report first the
// rules that end a game by themselves under FIDE rules (stalemate, dead position), then the
// claimable ones.
enum class Status {
  Ongoing,
  Checkmate,
  Stalemate,
  InsufficientMaterial,
  ThreefoldRepetition,
  FiftyMoves
};

// Returns "ongoing", "checkmate", "stalemate", "insufficient_material",
// "threefold_repetition" or "fifty_moves".
std::string_view status_name(Status s);

struct MoveResult {
  std::string uci;  // "e2e4", "e7e8q", castling "e1g1"
  std::string san;  // chess.js SAN: "e4", "exd8=Q#", "O-O"
};

class Game {
 public:
  // Starts from the standard position.
  Game();
  // Starts from a FEN, validated strictly; the error is "Invalid FEN: <reason>".
  static Expected<Game, std::string> from_fen(std::string_view fen);

  Game(const Game& other);
  Game& operator=(const Game& other);
  Game(Game&&) noexcept = default;
  Game& operator=(Game&&) noexcept = default;
  ~Game() = default;

  // Replays UCI moves (e.g. the stored history of a room). All or nothing: on the first bad
  // move the game is left as it was and the error names it ("Invalid move: e2e5 (ply 3)").
  Expected<bool, std::string> replay(const std::vector<std::string>& uci_moves);

  // Applies a client move {from, to, promotion} with chess.js 1.x's matching rules (see
  // object_to_move). `promotion` may be empty (absent). On failure returns chess.js 1.4's
  // message, e.g. Invalid move: {"from":"e2","to":"e5"} (promotion included only when
  // non-empty; keys in the order from, to, promotion).
  Expected<MoveResult, std::string> play(std::string_view from, std::string_view to,
                                         std::string_view promotion);
  // Applies a UCI move ("e2e4", "e7e8q"); error "Invalid move: <uci>".
  Expected<MoveResult, std::string> play_uci(std::string_view uci);
  // Applies a SAN move (chess.js's non-strict parser, see san_to_move); error
  // "Invalid move: <san>".
  Expected<MoveResult, std::string> play_san(std::string_view san);
  // Applies a legal move (from MoveList<LEGAL>(position())).
  MoveResult play_move(Move m);
  // Same, with the legal moves of the current position already generated.
  MoveResult play_move(Move m, const MoveList<LEGAL>& legal);
  // Takes back the last move; returns false if there is none.
  bool undo();

  std::string fen() const { return pos_.fen(); }  // byte-identical to chess.js 1.4 fen()
  char turn() const { return pos_.side_to_move() == WHITE ? 'w' : 'b'; }
  bool in_check() const { return pos_.checkers() != 0; }
  Status status() const;
  bool is_over() const { return status() != Status::Ongoing; }
  int ply() const { return static_cast<int>(moves_.size()); }  // half-moves since the start
  int fullmove_number() const { return pos_.fullmove_number(); }
  const std::vector<std::string>& history_uci() const { return uci_; }
  const std::vector<std::string>& history_san() const { return san_; }
  const std::vector<Move>& history() const { return moves_; }
  std::vector<std::string> legal_moves_uci() const;  // sorted
  const Position& position() const { return pos_; }
  const std::string& start_fen() const { return start_fen_; }

  // Returns the game in PGN: the Seven Tag Roster (Event, Site, Date, Round, White, Black,
  // Result, with chess.js's "?" defaults and a Result from status()), then SetUp "1" and FEN
  // when the game did not start from the standard position, then `extra_tags` (a tag of the
  // roster given there replaces its value instead), a blank line if there are moves, and the
  // movetext like chess.js pgn(): "1. e4 e5 2. Nf3 *", "12. ... Kf8" when black starts,
  // " *" after the tags when there are no moves.
  // Tag values are escaped (\" and \\) as the PGN standard requires.
  std::string pgn(const std::vector<std::pair<std::string, std::string>>& extra_tags = {}) const;

 private:
  void rebuild_from(const Game& other);

  Position pos_;
  std::deque<StateInfo> states_;  // states_[0] is the root; deque keeps addresses stable
  std::string start_fen_;
  std::vector<Move> moves_;
  std::vector<std::string> uci_;
  std::vector<std::string> san_;
};

}  // namespace engage::chess
