// Bitboards: one bit per square (bit 0 = a1, bit 63 = h8), constexpr helpers and line tables.
#pragma once

#include <bit>
#include <cassert>
#include <cstdint>

#include "chess/types.h"

namespace engage::chess {

constexpr Bitboard FileABB = 0x0101010101010101ULL;
constexpr Bitboard FileBBB = FileABB << 1;
constexpr Bitboard FileCBB = FileABB << 2;
constexpr Bitboard FileDBB = FileABB << 3;
constexpr Bitboard FileEBB = FileABB << 4;
constexpr Bitboard FileFBB = FileABB << 5;
constexpr Bitboard FileGBB = FileABB << 6;
constexpr Bitboard FileHBB = FileABB << 7;

constexpr Bitboard Rank1BB = 0xFF;
constexpr Bitboard Rank2BB = Rank1BB << (8 * 1);
constexpr Bitboard Rank3BB = Rank1BB << (8 * 2);
constexpr Bitboard Rank4BB = Rank1BB << (8 * 3);
constexpr Bitboard Rank5BB = Rank1BB << (8 * 4);
constexpr Bitboard Rank6BB = Rank1BB << (8 * 5);
constexpr Bitboard Rank7BB = Rank1BB << (8 * 6);
constexpr Bitboard Rank8BB = Rank1BB << (8 * 7);

// Light squares (a1 is dark).
constexpr Bitboard LightSquaresBB = 0x55AA55AA55AA55AAULL;

constexpr Bitboard square_bb(Square s) {
  return Bitboard(1) << s;
}
constexpr Bitboard rank_bb(Rank r) {
  return Rank1BB << (8 * r);
}
constexpr Bitboard rank_bb(Square s) {
  return rank_bb(rank_of(s));
}
constexpr Bitboard file_bb(File f) {
  return FileABB << f;
}
constexpr Bitboard file_bb(Square s) {
  return file_bb(file_of(s));
}

constexpr Bitboard operator&(Bitboard b, Square s) {
  return b & square_bb(s);
}
constexpr Bitboard operator|(Bitboard b, Square s) {
  return b | square_bb(s);
}
constexpr Bitboard operator^(Bitboard b, Square s) {
  return b ^ square_bb(s);
}
constexpr Bitboard& operator|=(Bitboard& b, Square s) {
  return b |= square_bb(s);
}
constexpr Bitboard& operator^=(Bitboard& b, Square s) {
  return b ^= square_bb(s);
}
constexpr Bitboard operator|(Square s1, Square s2) {
  return square_bb(s1) | s2;
}

constexpr bool more_than_one(Bitboard b) {
  return b & (b - 1);
}

// Moves all bits of a bitboard one step in direction D (bits leaving the board are dropped).
template <Direction D>
constexpr Bitboard shift(Bitboard b) {
  if constexpr (D == NORTH) return b << 8;
  if constexpr (D == SOUTH) return b >> 8;
  if constexpr (D == NORTH + NORTH) return b << 16;
  if constexpr (D == SOUTH + SOUTH) return b >> 16;
  if constexpr (D == EAST) return (b & ~FileHBB) << 1;
  if constexpr (D == WEST) return (b & ~FileABB) >> 1;
  if constexpr (D == NORTH_EAST) return (b & ~FileHBB) << 9;
  if constexpr (D == NORTH_WEST) return (b & ~FileABB) << 7;
  if constexpr (D == SOUTH_EAST) return (b & ~FileHBB) >> 7;
  if constexpr (D == SOUTH_WEST) return (b & ~FileABB) >> 9;
  return 0;
}

// Returns the squares attacked by the pawns of colour C in the bitboard b.
template <Color C>
constexpr Bitboard pawn_attacks_bb(Bitboard b) {
  return C == WHITE ? shift<NORTH_WEST>(b) | shift<NORTH_EAST>(b)
                    : shift<SOUTH_WEST>(b) | shift<SOUTH_EAST>(b);
}

inline int popcount(Bitboard b) {
  return std::popcount(b);
}

// Returns the least significant set square. b must be non-zero.
inline Square lsb(Bitboard b) {
  assert(b);
  return Square(std::countr_zero(b));
}

// Returns and clears the least significant set square. b must be non-zero.
inline Square pop_lsb(Bitboard& b) {
  assert(b);
  const Square s = lsb(b);
  b &= b - 1;
  return s;
}

namespace detail {
extern Bitboard BetweenBB[SQUARE_NB][SQUARE_NB];
extern Bitboard LineBB[SQUARE_NB][SQUARE_NB];
}  // namespace detail

// Returns the full line (edge to edge) through s1 and s2, or 0 if they are not aligned.
inline Bitboard line_bb(Square s1, Square s2) {
  return detail::LineBB[s1][s2];
}

// Returns the squares strictly between s1 and s2 plus s2 itself if aligned, else just s2
// (Stockfish's convention: a check by a non-slider is "blocked" only by capturing it).
inline Bitboard between_bb(Square s1, Square s2) {
  return detail::BetweenBB[s1][s2];
}

inline bool aligned(Square s1, Square s2, Square s3) {
  return line_bb(s1, s2) & s3;
}

}  // namespace engage::chess
