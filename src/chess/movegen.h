// Move generation: pseudo-legal evasions / non-evasions and fully legal move lists.
#pragma once

#include <algorithm>
#include <cstddef>

#include "chess/types.h"

namespace engage::chess {

class Position;

enum GenType {
  EVASIONS,      // pseudo-legal moves that may get the side to move out of check
  NON_EVASIONS,  // pseudo-legal moves when not in check (castling included)
  LEGAL          // legal moves only
};

// Writes the moves of type T to `move_list` (room for MAX_MOVES) and returns the end pointer.
// EVASIONS requires the side to move to be in check, NON_EVASIONS requires it not to be.
template <GenType T>
Move* generate(const Position& pos, Move* move_list);

// The legal (or pseudo-legal) moves of a position as a small fixed-size list, built on
// construction: `for (Move m : MoveList<LEGAL>(pos))`.
template <GenType T>
struct MoveList {
  explicit MoveList(const Position& pos) : last_(generate<T>(pos, moves_)) {}
  const Move* begin() const { return moves_; }
  const Move* end() const { return last_; }
  size_t size() const { return static_cast<size_t>(last_ - moves_); }
  bool contains(Move m) const { return std::find(begin(), end(), m) != end(); }

 private:
  Move moves_[MAX_MOVES];
  Move* last_;
};

}  // namespace engage::chess
