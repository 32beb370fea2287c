// Notation: square names, UCI and SAN moves (chess.js 1.4-compatible), chess.js object moves.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "chess/movegen.h"
#include "chess/types.h"

namespace engage::chess {

class Position;

// Returns "a1".."h8".
std::string square_name(Square s);
// Parses exactly two bytes "a1".."h8" (lower-case file, as chess.js requires); else nullopt.
std::optional<Square> parse_square(std::string_view s);

// Returns the UCI form of a move: "e2e4", "e7e8q", castling as "e1g1".
std::string move_to_uci(Move m);
// Returns the legal move whose UCI form is exactly `uci` (lower case), or Move::none().
Move uci_to_move(const Position& pos, std::string_view uci);

// Returns the SAN of a legal move exactly as chess.js 1.4 writes it: piece letter,
// disambiguation (file, else rank, else square), 'x', destination, "=Q", "O-O"/"O-O-O",
// then '+' or '#'. `legal` must be MoveList<LEGAL>(pos).
std::string move_to_san(const Position& pos, Move m, const MoveList<LEGAL>& legal);
std::string move_to_san(const Position& pos, Move m);

// Returns the legal move named by `san`, or Move::none(). Mirrors chess.js 1.4's (non-strict)
// move(string): decorations (+ # ! ?) and '=' are ignored, "0-0"/"0-0-0" are accepted, and
// after an exact SAN match it accepts the permissive forms "Nge7" (over-disambiguated),
// "Rc1c4", "Qf3xf7", "Pe2-e4", "e7e8q", "b1c3" and a capture without 'x' ("Nf7" for "Nxf7").
// Unlike chess.js the permissive forms must match the whole string (no leading/trailing junk).
Move san_to_move(const Position& pos, std::string_view san);

// Returns the legal move matching a chess.js 1.x move object {from, to, promotion}:
// from/to must equal the lower-case square names exactly; for a promotion the promotion
// must be exactly "q", "r", "b" or "n"; for any other move the promotion is ignored. An empty
// promotion stands for an absent one. Returns Move::none() if nothing matches.
Move object_to_move(const Position& pos, std::string_view from, std::string_view to,
                    std::string_view promotion);
// Same, matching against an already generated MoveList<LEGAL>(pos).
Move object_to_move(const MoveList<LEGAL>& legal, std::string_view from, std::string_view to,
                    std::string_view promotion);
// Returns the legal move whose UCI form is `uci`, from an already generated list.
Move uci_to_move(const MoveList<LEGAL>& legal, std::string_view uci);

// Returns s as a JSON string literal, escaped like JavaScript's JSON.stringify.
std::string json_quote(std::string_view s);

}  // namespace engage::chess
