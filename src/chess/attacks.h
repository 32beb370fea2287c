// Attack tables: pawn, knight and king steps, and magic-bitboard slider attacks.
#pragma once

#include "chess/bitboard.h"
#include "chess/types.h"

namespace engage::chess {

namespace attacks {

// Builds every table (attacks, lines, between squares). Idempotent and thread-safe; the public
// engage::chess::init() calls it before anything else.
void init();

}  // namespace attacks

namespace detail {

// A "fancy" magic entry for one square and one slider type (Stockfish's layout).
struct Magic {
  Bitboard mask;
  Bitboard magic;
  Bitboard* attacks;
  unsigned shift;

  unsigned index(Bitboard occupied) const {
    return static_cast<unsigned>(((occupied & mask) * magic) >> shift);
  }
};

extern Magic RookMagics[SQUARE_NB];
extern Magic BishopMagics[SQUARE_NB];
extern Bitboard PseudoAttacks[PIECE_TYPE_NB][SQUARE_NB];
extern Bitboard PawnAttacks[COLOR_NB][SQUARE_NB];

}  // namespace detail

inline Bitboard pawn_attacks_bb(Color c, Square s) {
  return detail::PawnAttacks[c][s];
}

// Returns the attacks of a piece of type Pt (not a pawn) on s, given the occupancy.
template <PieceType Pt>
inline Bitboard attacks_bb(Square s, Bitboard occupied) {
  static_assert(Pt != PAWN, "use pawn_attacks_bb");
  if constexpr (Pt == BISHOP)
    return detail::BishopMagics[s].attacks[detail::BishopMagics[s].index(occupied)];
  else if constexpr (Pt == ROOK)
    return detail::RookMagics[s].attacks[detail::RookMagics[s].index(occupied)];
  else if constexpr (Pt == QUEEN)
    return attacks_bb<BISHOP>(s, occupied) | attacks_bb<ROOK>(s, occupied);
  else
    return detail::PseudoAttacks[Pt][s];
}

// Returns the attacks of Pt (not a pawn) on an empty board.
template <PieceType Pt>
inline Bitboard attacks_bb(Square s) {
  static_assert(Pt != PAWN, "use pawn_attacks_bb");
  return detail::PseudoAttacks[Pt][s];
}

// Runtime-typed version of attacks_bb<Pt>(s, occupied), for non-pawn pieces.
inline Bitboard attacks_bb(PieceType pt, Square s, Bitboard occupied) {
  switch (pt) {
    case BISHOP:
      return attacks_bb<BISHOP>(s, occupied);
    case ROOK:
      return attacks_bb<ROOK>(s, occupied);
    case QUEEN:
      return attacks_bb<QUEEN>(s, occupied);
    default:
      return detail::PseudoAttacks[pt][s];
  }
}

}  // namespace engage::chess
