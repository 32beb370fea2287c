// Position: the board (bitboards + mailbox), side to move, castling, en passant, clocks and
// Zobrist keys; FEN in and out; do_move/undo_move with a caller-owned StateInfo.
#pragma once

#include <cassert>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "chess/attacks.h"
#include "chess/bitboard.h"
#include "chess/types.h"

namespace engage::chess {

namespace zobrist {
// Builds the Zobrist keys (seeded, so keys are the same in every run). Idempotent.
void init();
}  // namespace zobrist

// Why a FEN string was rejected. Every code has a fixed human-readable message
// (fen_error_message), prefixed "Invalid FEN: " like chess.js's messages.
enum class FenError : uint8_t {
  FieldCount,         // not exactly six fields separated by single spaces
  RankCount,          // piece placement does not have 8 '/'-separated ranks
  InvalidPiece,       // a character other than pnbrqkPNBRQK or a digit 1-8
  ConsecutiveDigits,  // two digits in a row ("44")
  RankLength,         // a rank does not describe exactly 8 squares
  MissingKing,        // a side has no king
  TooManyKings,       // a side has more than one king
  PawnOnBackRank,     // a pawn on rank 1 or 8
  TooManyPieces,      // more than 16 pieces or more than 8 pawns for one side
  SideToMove,         // the second field is not "w" or "b"
  CastlingSyntax,     // not "-" or a non-empty, ordered subset of "KQkq"
  CastlingRights,     // a castling right without the king and that rook on their squares
  EnPassantSyntax,    // not "-" or a square on rank 3 or 6
  EnPassantRank,      // ep square on the wrong rank for the side to move
  EnPassantPawn,      // no pawn that can just have made a double step past the ep square
  HalfmoveClock,      // not a non-negative integer (digits only, at most 9)
  FullmoveNumber,     // not a positive integer (digits only, at most 9)
  OpponentInCheck,    // the side that is not to move is in check
};

// Returns the message for an error code, e.g. "Invalid FEN: side-to-move is invalid".
std::string_view fen_error_message(FenError e);

// The start position.
inline constexpr std::string_view kStartFen =
    "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";

// StateInfo holds what is needed to restore a Position to its previous state when a move is
// taken back, plus information computed once per position (checkers, pins). It is owned by the
// caller of do_move() and must outlive the position's use of it (Stockfish's convention).
struct StateInfo {
  // Copied from the previous state by do_move().
  CastlingRights castling_rights;
  int rule50;        // half-move clock
  Square ep_square;  // set only if an en-passant capture is legal (chess.js fen() and FIDE)

  // Computed by do_move().
  Key key;                     // Zobrist key: placement, side, castling rights, ep square
  Bitboard checkers;           // enemy pieces giving check to the side to move
  Bitboard blockers_for_king;  // pieces (both colours) shielding the side to move's king
  Bitboard pinners;            // enemy sliders pinning a piece of the side to move
  Piece captured_piece;
  StateInfo* previous;
};

class Position {
 public:
  // Sets the position from a FEN string, validating it strictly (see FenError). On error the
  // position is left unchanged and the error is returned. Never throws; accepts any bytes.
  // `si` becomes the root state (its `previous` is null).
  std::optional<FenError> set(std::string_view fen, StateInfo* si);
  // Returns the FEN, byte-identical to chess.js 1.4's fen() (the ep square only when an
  // en-passant capture is legal for the side to move).
  std::string fen() const;

  // Position representation
  Bitboard pieces() const { return by_type_[ALL_PIECES]; }
  Bitboard pieces(PieceType pt) const { return by_type_[pt]; }
  template <typename... PieceTypes>
  Bitboard pieces(PieceType pt, PieceType pt2, PieceTypes... pts) const {
    return by_type_[pt] | pieces(pt2, pts...);
  }
  Bitboard pieces(Color c) const { return by_color_[c]; }
  template <typename... PieceTypes>
  Bitboard pieces(Color c, PieceType pt, PieceTypes... pts) const {
    return pieces(c) & pieces(pt, pts...);
  }
  Piece piece_on(Square s) const { return board_[s]; }
  bool empty(Square s) const { return board_[s] == NO_PIECE; }
  template <PieceType Pt>
  Square square(Color c) const {
    return lsb(pieces(c, Pt));
  }
  int count(Color c, PieceType pt) const { return popcount(pieces(c, pt)); }

  // Castling
  CastlingRights castling_rights() const { return st_->castling_rights; }
  bool can_castle(CastlingRights cr) const { return st_->castling_rights & cr; }
  bool castling_impeded(CastlingRights cr) const { return pieces() & castling_path_[cr]; }

  // Checking
  Bitboard checkers() const { return st_->checkers; }
  Bitboard blockers_for_king() const { return st_->blockers_for_king; }
  Bitboard pinners() const { return st_->pinners; }

  // Attacks to/from a given square
  Bitboard attackers_to(Square s) const { return attackers_to(s, pieces()); }
  Bitboard attackers_to(Square s, Bitboard occupied) const;

  // Properties of moves
  // Tests whether a pseudo-legal move (from the generator) leaves our king safe.
  bool legal(Move m) const;
  bool capture(Move m) const {
    return (!empty(m.to_sq()) && m.type_of() != CASTLING) || m.type_of() == EN_PASSANT;
  }
  Piece moved_piece(Move m) const { return piece_on(m.from_sq()); }
  Piece captured_piece() const { return st_->captured_piece; }

  // Doing and undoing moves. The move is assumed to be legal. `new_st` must outlive the
  // move (until undo_move or the end of this Position's use).
  void do_move(Move m, StateInfo& new_st);
  void undo_move(Move m);

  // Accessing hash keys
  Key key() const { return st_->key; }

  // Other properties of the position
  Color side_to_move() const { return side_to_move_; }
  Square ep_square() const { return st_->ep_square; }
  int rule50_count() const { return st_->rule50; }
  int game_ply() const { return game_ply_; }
  int fullmove_number() const { return 1 + (game_ply_ - (side_to_move_ == BLACK)) / 2; }
  const StateInfo* state() const { return st_; }

  // Returns how many times the current position occurred, this one included, going back
  // through the StateInfo chain (only as far as the half-move clock allows).
  int repetition_count() const;

  // Tests for chess.js 1.4's isInsufficientMaterial(): K v K, K+minor v K, or only bishops
  // besides the kings, all on squares of one colour.
  bool insufficient_material() const;

  // Returns true if the en-passant capture `from` -> `to` leaves our king safe.
  bool ep_capture_legal(Square from, Square to) const;

 private:
  void set_castling_right(Color c, CastlingRights cr);
  void set_state();
  void set_check_info();
  Bitboard slider_blockers(Bitboard sliders, Square s, Bitboard& pinners) const;

  void put_piece(Piece pc, Square s);
  void remove_piece(Square s);
  void move_piece(Square from, Square to);

  Piece board_[SQUARE_NB];
  Bitboard by_type_[PIECE_TYPE_NB];
  Bitboard by_color_[COLOR_NB];
  CastlingRights castling_rights_mask_[SQUARE_NB];
  Bitboard castling_path_[CASTLING_RIGHT_NB];
  StateInfo* st_ = nullptr;
  int game_ply_ = 0;
  Color side_to_move_ = WHITE;
};

inline Bitboard Position::attackers_to(Square s, Bitboard occupied) const {
  return (pawn_attacks_bb(BLACK, s) & pieces(WHITE, PAWN)) |
         (pawn_attacks_bb(WHITE, s) & pieces(BLACK, PAWN)) |
         (attacks_bb<KNIGHT>(s) & pieces(KNIGHT)) |
         (attacks_bb<ROOK>(s, occupied) & pieces(ROOK, QUEEN)) |
         (attacks_bb<BISHOP>(s, occupied) & pieces(BISHOP, QUEEN)) |
         (attacks_bb<KING>(s) & pieces(KING));
}

inline void Position::put_piece(Piece pc, Square s) {
  board_[s] = pc;
  by_type_[ALL_PIECES] |= by_type_[type_of(pc)] |= s;
  by_color_[color_of(pc)] |= s;
}

inline void Position::remove_piece(Square s) {
  const Piece pc = board_[s];
  by_type_[ALL_PIECES] ^= s;
  by_type_[type_of(pc)] ^= s;
  by_color_[color_of(pc)] ^= s;
  board_[s] = NO_PIECE;
}

inline void Position::move_piece(Square from, Square to) {
  const Piece pc = board_[from];
  const Bitboard from_to = from | to;
  by_type_[ALL_PIECES] ^= from_to;
  by_type_[type_of(pc)] ^= from_to;
  by_color_[color_of(pc)] ^= from_to;
  board_[from] = NO_PIECE;
  board_[to] = pc;
}

}  // namespace engage::chess
