// Perft: counts the leaf nodes of the legal move tree, the correctness oracle for movegen.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "chess/types.h"

namespace engage::chess {

class Position;

// Returns the number of leaf nodes at `depth` plies (1 at depth 0). Counts the last ply in
// bulk (the size of the legal move list). The position is restored before returning.
uint64_t perft(Position& pos, int depth);

// Returns, for each legal root move, the perft count of depth - 1 below it (depth >= 1), in
// move generation order ("divide", Stockfish's `go perft` output).
std::vector<std::pair<Move, uint64_t>> perft_divide(Position& pos, int depth);

}  // namespace engage::chess
