// Attack tables: steps for pawns, knights and kings; magic bitboards for sliders, found at
// start-up with a seeded PRNG exactly like Stockfish's Bitboards::init().
#include "chess/attacks.h"

#include <cstdlib>
#include <mutex>

namespace engage::chess {

namespace detail {

Magic RookMagics[SQUARE_NB];
Magic BishopMagics[SQUARE_NB];
Bitboard PseudoAttacks[PIECE_TYPE_NB][SQUARE_NB];
Bitboard PawnAttacks[COLOR_NB][SQUARE_NB];

}  // namespace detail

namespace {

using detail::Magic;

Bitboard RookTable[0x19000];   // Rook attacks, indexed through RookMagics
Bitboard BishopTable[0x1480];  // Bishop attacks, indexed through BishopMagics

// xorshift64star, as in Stockfish's misc.h; sparse_rand() gives numbers with few bits set,
// which make good magic candidates.
class Prng {
 public:
  explicit Prng(uint64_t seed) : s_(seed) {}
  uint64_t rand64() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 2685821657736338717ULL;
  }
  uint64_t sparse_rand() { return rand64() & rand64() & rand64(); }

 private:
  uint64_t s_;
};

int distance(Square a, Square b) {
  const int df = std::abs(int(file_of(a)) - int(file_of(b)));
  const int dr = std::abs(int(rank_of(a)) - int(rank_of(b)));
  return df > dr ? df : dr;
}

// Returns the square s + step if it is on the board and adjacent-ish (no wrap-around), else 0.
Bitboard safe_destination(Square s, int step) {
  const int to = int(s) + step;
  if (to < 0 || to > 63) return 0;
  return distance(s, Square(to)) <= 2 ? square_bb(Square(to)) : 0;
}

Bitboard sliding_attack(PieceType pt, Square sq, Bitboard occupied) {
  Bitboard attacks = 0;
  const int rook_dirs[4] = {NORTH, SOUTH, EAST, WEST};
  const int bishop_dirs[4] = {NORTH_EAST, SOUTH_EAST, SOUTH_WEST, NORTH_WEST};
  for (int d : (pt == ROOK ? rook_dirs : bishop_dirs)) {
    Square s = sq;
    while (safe_destination(s, d)) {
      s = Square(int(s) + d);
      attacks |= s;
      if (occupied & s) break;
    }
  }
  return attacks;
}

// Computes all rook and bishop attacks at startup. Magic bitboards are used to look up attacks
// of sliding pieces. See https://www.chessprogramming.org/Magic_Bitboards (fancy approach).
void init_magics(PieceType pt, Bitboard table[], Magic magics[]) {
  // Optimal PRNG seeds to pick the correct magics in the shortest time (Stockfish, 64-bit).
  const uint64_t seeds[RANK_NB] = {728, 10316, 55013, 32803, 12281, 15100, 16645, 255};

  static Bitboard occupancy[4096];
  static Bitboard reference[4096];
  static int epoch[4096];
  int cnt = 0;
  int size = 0;
  for (int e = 0; e < 4096; ++e) epoch[e] = 0;

  for (Square s = SQ_A1; s <= SQ_H8; ++s) {
    // Board edges are not considered in the relevant occupancies.
    const Bitboard edges =
        ((Rank1BB | Rank8BB) & ~rank_bb(s)) | ((FileABB | FileHBB) & ~file_bb(s));

    Magic& m = magics[s];
    m.mask = sliding_attack(pt, s, 0) & ~edges;
    m.shift = static_cast<unsigned>(64 - popcount(m.mask));
    m.attacks = s == SQ_A1 ? table : magics[s - 1].attacks + size;

    // Carry-Rippler trick to enumerate all subsets of masks[s] and store the corresponding
    // sliding attack bitboard in reference[].
    Bitboard b = 0;
    size = 0;
    do {
      occupancy[size] = b;
      reference[size] = sliding_attack(pt, s, b);
      size++;
      b = (b - m.mask) & m.mask;
    } while (b);

    Prng rng(seeds[rank_of(s)]);

    // Find a magic for square s picking up an (almost) random number until we find the one
    // that passes the verification test.
    for (int i = 0; i < size;) {
      for (m.magic = 0; popcount((m.magic * m.mask) >> 56) < 6;) m.magic = rng.sparse_rand();

      // A good magic must map every possible occupancy to an index that looks up the correct
      // sliding attack in the attacks database. epoch[] avoids resetting m.attacks[] after
      // every failed attempt.
      for (++cnt, i = 0; i < size; ++i) {
        const unsigned idx = m.index(occupancy[i]);
        if (epoch[idx] < cnt) {
          epoch[idx] = cnt;
          m.attacks[idx] = reference[i];
        } else if (m.attacks[idx] != reference[i]) {
          break;
        }
      }
    }
  }
}

void init_all() {
  using namespace detail;
  for (Square s = SQ_A1; s <= SQ_H8; ++s) {
    PawnAttacks[WHITE][s] = pawn_attacks_bb<WHITE>(square_bb(s));
    PawnAttacks[BLACK][s] = pawn_attacks_bb<BLACK>(square_bb(s));

    for (int step : {-9, -8, -7, -1, 1, 7, 8, 9})
      PseudoAttacks[KING][s] |= safe_destination(s, step);
    for (int step : {-17, -15, -10, -6, 6, 10, 15, 17})
      PseudoAttacks[KNIGHT][s] |= safe_destination(s, step);
  }

  init_magics(ROOK, RookTable, RookMagics);
  init_magics(BISHOP, BishopTable, BishopMagics);

  for (Square s1 = SQ_A1; s1 <= SQ_H8; ++s1) {
    PseudoAttacks[BISHOP][s1] = attacks_bb<BISHOP>(s1, 0);
    PseudoAttacks[ROOK][s1] = attacks_bb<ROOK>(s1, 0);
    PseudoAttacks[QUEEN][s1] = PseudoAttacks[BISHOP][s1] | PseudoAttacks[ROOK][s1];

    for (PieceType pt : {BISHOP, ROOK})
      for (Square s2 = SQ_A1; s2 <= SQ_H8; ++s2) {
        if (PseudoAttacks[pt][s1] & s2) {
          LineBB[s1][s2] = (attacks_bb(pt, s1, 0) & attacks_bb(pt, s2, 0)) | s1 | s2;
          BetweenBB[s1][s2] =
              (attacks_bb(pt, s1, square_bb(s2)) & attacks_bb(pt, s2, square_bb(s1)));
        }
        BetweenBB[s1][s2] |= s2;
      }
  }
}

}  // namespace

void attacks::init() {
  static std::once_flag once;
  std::call_once(once, init_all);
}

}  // namespace engage::chess
