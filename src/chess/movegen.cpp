// Move generation, templated on colour and generation type (Stockfish's movegen.cpp).
#include "chess/movegen.h"

#include <cassert>

#include "chess/attacks.h"
#include "chess/bitboard.h"
#include "chess/position.h"

namespace engage::chess {

namespace {

template <Direction D>
Move* make_promotions(Move* move_list, Square to) {
  for (PieceType pt : {QUEEN, ROOK, BISHOP, KNIGHT})
    *move_list++ = Move::make<PROMOTION>(to - D, to, pt);
  return move_list;
}

template <Color Us, GenType Type>
Move* generate_pawn_moves(const Position& pos, Move* move_list, Bitboard target) {
  constexpr Color Them = ~Us;
  constexpr Bitboard TRank7BB = (Us == WHITE ? Rank7BB : Rank2BB);
  constexpr Bitboard TRank3BB = (Us == WHITE ? Rank3BB : Rank6BB);
  constexpr Direction Up = pawn_push(Us);
  constexpr Direction UpRight = (Us == WHITE ? NORTH_EAST : SOUTH_WEST);
  constexpr Direction UpLeft = (Us == WHITE ? NORTH_WEST : SOUTH_EAST);

  const Bitboard empty_squares = ~pos.pieces();
  const Bitboard enemies = Type == EVASIONS ? pos.checkers() : pos.pieces(Them);

  const Bitboard pawns_on7 = pos.pieces(Us, PAWN) & TRank7BB;
  const Bitboard pawns_not_on7 = pos.pieces(Us, PAWN) & ~TRank7BB;

  // Single and double pawn pushes, no promotions.
  {
    Bitboard b1 = shift<Up>(pawns_not_on7) & empty_squares;
    Bitboard b2 = shift<Up>(b1 & TRank3BB) & empty_squares;
    if constexpr (Type == EVASIONS) {  // consider only blocking squares
      b1 &= target;
      b2 &= target;
    }
    while (b1) {
      const Square to = pop_lsb(b1);
      *move_list++ = Move(to - Up, to);
    }
    while (b2) {
      const Square to = pop_lsb(b2);
      *move_list++ = Move(to - Up - Up, to);
    }
  }

  // Promotions and underpromotions.
  if (pawns_on7) {
    Bitboard b1 = shift<UpRight>(pawns_on7) & enemies;
    Bitboard b2 = shift<UpLeft>(pawns_on7) & enemies;
    Bitboard b3 = shift<Up>(pawns_on7) & empty_squares;
    if constexpr (Type == EVASIONS) b3 &= target;
    while (b1) move_list = make_promotions<UpRight>(move_list, pop_lsb(b1));
    while (b2) move_list = make_promotions<UpLeft>(move_list, pop_lsb(b2));
    while (b3) move_list = make_promotions<Up>(move_list, pop_lsb(b3));
  }

  // Standard and en-passant captures.
  {
    Bitboard b1 = shift<UpRight>(pawns_not_on7) & enemies;
    Bitboard b2 = shift<UpLeft>(pawns_not_on7) & enemies;
    while (b1) {
      const Square to = pop_lsb(b1);
      *move_list++ = Move(to - UpRight, to);
    }
    while (b2) {
      const Square to = pop_lsb(b2);
      *move_list++ = Move(to - UpLeft, to);
    }

    const Square ep = pos.ep_square();
    if (ep != SQ_NONE) {
      // In check, an en-passant capture helps only if it captures the checker or lands on
      // the blocking line; legal() verifies the rest.
      if (Type == EVASIONS && !(target & (square_bb(ep) | (ep - Up)))) return move_list;
      b1 = pawns_not_on7 & pawn_attacks_bb(Them, ep);
      while (b1) *move_list++ = Move::make<EN_PASSANT>(pop_lsb(b1), ep);
    }
  }
  return move_list;
}

template <Color Us, PieceType Pt>
Move* generate_moves(const Position& pos, Move* move_list, Bitboard target) {
  Bitboard bb = pos.pieces(Us, Pt);
  while (bb) {
    const Square from = pop_lsb(bb);
    Bitboard b = attacks_bb<Pt>(from, pos.pieces()) & target;
    while (b) *move_list++ = Move(from, pop_lsb(b));
  }
  return move_list;
}

template <Color Us, GenType Type>
Move* generate_all(const Position& pos, Move* move_list) {
  const Square ksq = pos.square<KING>(Us);

  // Skip generating non-king moves when in double check.
  if (Type != EVASIONS || !more_than_one(pos.checkers())) {
    const Bitboard target =
        Type == EVASIONS ? between_bb(ksq, lsb(pos.checkers())) : ~pos.pieces(Us);  // NON_EVASIONS
    move_list = generate_pawn_moves<Us, Type>(pos, move_list, target);
    move_list = generate_moves<Us, KNIGHT>(pos, move_list, target);
    move_list = generate_moves<Us, BISHOP>(pos, move_list, target);
    move_list = generate_moves<Us, ROOK>(pos, move_list, target);
    move_list = generate_moves<Us, QUEEN>(pos, move_list, target);
  }

  Bitboard b = attacks_bb<KING>(ksq) & ~pos.pieces(Us);
  while (b) *move_list++ = Move(ksq, pop_lsb(b));

  if (Type == NON_EVASIONS && pos.can_castle(Us & ANY_CASTLING)) {
    constexpr CastlingRights OO = Us & KING_SIDE;
    constexpr CastlingRights OOO = Us & QUEEN_SIDE;
    if (pos.can_castle(OO) && !pos.castling_impeded(OO))
      *move_list++ = Move::make<CASTLING>(ksq, relative_square(Us, SQ_G1));
    if (pos.can_castle(OOO) && !pos.castling_impeded(OOO))
      *move_list++ = Move::make<CASTLING>(ksq, relative_square(Us, SQ_C1));
  }
  return move_list;
}

}  // namespace

template <GenType Type>
Move* generate(const Position& pos, Move* move_list) {
  static_assert(Type != LEGAL, "specialised below");
  assert((Type == EVASIONS) == bool(pos.checkers()));
  return pos.side_to_move() == WHITE ? generate_all<WHITE, Type>(pos, move_list)
                                     : generate_all<BLACK, Type>(pos, move_list);
}

template Move* generate<EVASIONS>(const Position&, Move*);
template Move* generate<NON_EVASIONS>(const Position&, Move*);

// Generates the legal moves: pseudo-legal moves, of which only those that can be illegal
// (moves of pinned pieces, king moves, castling, en passant) are checked with legal().
template <>
Move* generate<LEGAL>(const Position& pos, Move* move_list) {
  const Color us = pos.side_to_move();
  const Bitboard pinned = pos.blockers_for_king() & pos.pieces(us);
  const Square ksq = pos.square<KING>(us);
  Move* cur = move_list;

  move_list =
      pos.checkers() ? generate<EVASIONS>(pos, move_list) : generate<NON_EVASIONS>(pos, move_list);
  while (cur != move_list)
    if (((pinned & cur->from_sq()) || cur->from_sq() == ksq || cur->type_of() == EN_PASSANT) &&
        !pos.legal(*cur))
      *cur = *(--move_list);
    else
      ++cur;

  return move_list;
}

}  // namespace engage::chess
