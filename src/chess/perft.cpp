// Perft with bulk counting at the last ply, as in Stockfish's search.cpp perft().
#include "chess/perft.h"

#include "chess/movegen.h"
#include "chess/position.h"

namespace engage::chess {

uint64_t perft(Position& pos, int depth) {
  if (depth <= 0) return 1;
  const MoveList<LEGAL> moves(pos);
  if (depth == 1) return moves.size();
  uint64_t nodes = 0;
  StateInfo st;
  for (Move m : moves) {
    pos.do_move(m, st);
    nodes += perft(pos, depth - 1);
    pos.undo_move(m);
  }
  return nodes;
}

std::vector<std::pair<Move, uint64_t>> perft_divide(Position& pos, int depth) {
  std::vector<std::pair<Move, uint64_t>> out;
  StateInfo st;
  for (Move m : MoveList<LEGAL>(pos)) {
    pos.do_move(m, st);
    out.emplace_back(m, perft(pos, depth - 1));
    pos.undo_move(m);
  }
  return out;
}

}  // namespace engage::chess
