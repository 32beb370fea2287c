// Position: strict FEN parsing and output, make/unmake, Zobrist keys, legality of moves.
#include "chess/position.h"

#include <cstring>
#include <mutex>

namespace engage::chess {

namespace zobrist {

Key psq[PIECE_NB][SQUARE_NB];
Key enpassant[FILE_NB];
Key castling[CASTLING_RIGHT_NB];
Key side;

namespace {
void init_keys() {
  // splitmix64 with a fixed seed: keys are identical in every process (and every server).
  uint64_t s = 1070372;
  auto next = [&s] {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  for (auto& row : psq)
    for (Key& k : row) k = next();
  for (Key& k : enpassant) k = next();
  castling[0] = 0;
  Key bit_keys[4] = {next(), next(), next(), next()};
  for (int cr = 1; cr < CASTLING_RIGHT_NB; ++cr) {
    castling[cr] = 0;
    for (int b = 0; b < 4; ++b)
      if (cr & (1 << b)) castling[cr] ^= bit_keys[b];
  }
  side = next();
}
}  // namespace

void init() {
  static std::once_flag once;
  std::call_once(once, init_keys);
}

}  // namespace zobrist

std::string_view fen_error_message(FenError e) {
  switch (e) {
    case FenError::FieldCount:
      return "Invalid FEN: must contain six fields separated by single spaces";
    case FenError::RankCount:
      return "Invalid FEN: piece data does not contain 8 '/'-delimited rows";
    case FenError::InvalidPiece:
      return "Invalid FEN: piece data is invalid (invalid piece)";
    case FenError::ConsecutiveDigits:
      return "Invalid FEN: piece data is invalid (consecutive number)";
    case FenError::RankLength:
      return "Invalid FEN: piece data is invalid (a row does not have 8 squares)";
    case FenError::MissingKing:
      return "Invalid FEN: missing king";
    case FenError::TooManyKings:
      return "Invalid FEN: too many kings";
    case FenError::PawnOnBackRank:
      return "Invalid FEN: some pawns are on the edge rows";
    case FenError::TooManyPieces:
      return "Invalid FEN: more than 16 pieces or 8 pawns for one side";
    case FenError::SideToMove:
      return "Invalid FEN: side-to-move is invalid";
    case FenError::CastlingSyntax:
      return "Invalid FEN: castling availability is invalid";
    case FenError::CastlingRights:
      return "Invalid FEN: castling right without the king and rook on their squares";
    case FenError::EnPassantSyntax:
      return "Invalid FEN: en-passant square is invalid";
    case FenError::EnPassantRank:
      return "Invalid FEN: illegal en-passant square";
    case FenError::EnPassantPawn:
      return "Invalid FEN: en-passant square without a pawn that just moved two squares";
    case FenError::HalfmoveClock:
      return "Invalid FEN: half move counter number must be a non-negative integer";
    case FenError::FullmoveNumber:
      return "Invalid FEN: move number must be a positive integer";
    case FenError::OpponentInCheck:
      return "Invalid FEN: the side not to move is in check";
  }
  return "Invalid FEN";
}

namespace {

constexpr std::string_view kPieceToChar = " PNBRQK  pnbrqk";

// Parses 1 to 9 decimal digits (nothing else) into `out`.
bool parse_counter(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<FenError> Position::set(std::string_view fen, StateInfo* si) {
  // Split into exactly six non-empty fields separated by single spaces.
  std::string_view fields[6];
  {
    size_t n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= fen.size(); ++i) {
      if (i == fen.size() || fen[i] == ' ') {
        if (i == start || n == 6) return FenError::FieldCount;
        fields[n++] = fen.substr(start, i - start);
        start = i + 1;
      }
    }
    if (n != 6) return FenError::FieldCount;
  }

  Position p;
  std::memset(p.board_, 0, sizeof(p.board_));
  std::memset(p.by_type_, 0, sizeof(p.by_type_));
  std::memset(p.by_color_, 0, sizeof(p.by_color_));

  // 1. Piece placement, from rank 8 down to rank 1.
  {
    const std::string_view placement = fields[0];
    int rank = 7;
    int file = 0;
    bool prev_digit = false;
    for (char c : placement) {
      if (c == '/') {
        if (file != 8) return FenError::RankLength;
        if (--rank < 0) return FenError::RankCount;
        file = 0;
        prev_digit = false;
      } else if (c >= '1' && c <= '8') {
        if (prev_digit) return FenError::ConsecutiveDigits;
        file += c - '0';
        if (file > 8) return FenError::RankLength;
        prev_digit = true;
      } else {
        const size_t idx = kPieceToChar.find(c);
        if (c == ' ' || idx == std::string_view::npos) return FenError::InvalidPiece;
        if (file >= 8) return FenError::RankLength;
        p.put_piece(Piece(idx), make_square(File(file), Rank(rank)));
        ++file;
        prev_digit = false;
      }
    }
    if (rank != 0) return FenError::RankCount;
    if (file != 8) return FenError::RankLength;
  }
  for (Color c : {WHITE, BLACK}) {
    const int kings = p.count(c, KING);
    if (kings == 0) return FenError::MissingKing;
    if (kings > 1) return FenError::TooManyKings;
  }
  if (p.pieces(PAWN) & (Rank1BB | Rank8BB)) return FenError::PawnOnBackRank;
  for (Color c : {WHITE, BLACK})
    if (popcount(p.pieces(c)) > 16 || p.count(c, PAWN) > 8) return FenError::TooManyPieces;

  // 2. Side to move.
  if (fields[1] == "w")
    p.side_to_move_ = WHITE;
  else if (fields[1] == "b")
    p.side_to_move_ = BLACK;
  else
    return FenError::SideToMove;

  // 3. Castling rights: "-" or an ordered, non-empty subset of "KQkq".
  CastlingRights rights = NO_CASTLING;
  if (fields[2] != "-") {
    constexpr std::string_view order = "KQkq";
    size_t next = 0;
    for (char c : fields[2]) {
      const size_t idx = order.find(c);
      if (idx == std::string_view::npos || idx < next) return FenError::CastlingSyntax;
      next = idx + 1;
      rights = rights | CastlingRights(1 << idx);
    }
  }
  for (Color c : {WHITE, BLACK}) {
    const Piece king = make_piece(c, KING);
    const Piece rook = make_piece(c, ROOK);
    if ((rights & (c & KING_SIDE)) && (p.piece_on(relative_square(c, SQ_E1)) != king ||
                                       p.piece_on(relative_square(c, SQ_H1)) != rook))
      return FenError::CastlingRights;
    if ((rights & (c & QUEEN_SIDE)) && (p.piece_on(relative_square(c, SQ_E1)) != king ||
                                        p.piece_on(relative_square(c, SQ_A1)) != rook))
      return FenError::CastlingRights;
  }

  // 4. En-passant square.
  Square ep = SQ_NONE;
  if (fields[3] != "-") {
    const std::string_view e = fields[3];
    if (e.size() != 2 || e[0] < 'a' || e[0] > 'h' || (e[1] != '3' && e[1] != '6'))
      return FenError::EnPassantSyntax;
    ep = make_square(File(e[0] - 'a'), Rank(e[1] - '1'));
    const Color us = p.side_to_move_;
    if (relative_rank(us, ep) != RANK_6) return FenError::EnPassantRank;
    // The enemy pawn stands in front of the ep square; the ep square and the square the pawn
    // came from are empty.
    if (p.piece_on(ep - pawn_push(us)) != make_piece(~us, PAWN) || !p.empty(ep) ||
        !p.empty(ep + pawn_push(us)))
      return FenError::EnPassantPawn;
  }

  // 5-6. Half-move clock and full-move number.
  int rule50 = 0;
  int fullmove = 0;
  if (!parse_counter(fields[4], rule50)) return FenError::HalfmoveClock;
  if (!parse_counter(fields[5], fullmove) || fullmove < 1) return FenError::FullmoveNumber;

  // The side not to move may not be in check.
  const Color them = ~p.side_to_move_;
  if (p.attackers_to(p.square<KING>(them)) & p.pieces(p.side_to_move_))
    return FenError::OpponentInCheck;

  // Valid: commit.
  for (Square s = SQ_A1; s <= SQ_H8; ++s) p.castling_rights_mask_[s] = NO_CASTLING;
  p.castling_rights_mask_[SQ_E1] = WHITE_CASTLING;
  p.castling_rights_mask_[SQ_H1] = WHITE_OO;
  p.castling_rights_mask_[SQ_A1] = WHITE_OOO;
  p.castling_rights_mask_[SQ_E8] = BLACK_CASTLING;
  p.castling_rights_mask_[SQ_H8] = BLACK_OO;
  p.castling_rights_mask_[SQ_A8] = BLACK_OOO;
  for (Bitboard& b : p.castling_path_) b = 0;
  p.castling_path_[WHITE_OO] = SQ_F1 | SQ_G1;
  p.castling_path_[WHITE_OOO] = square_bb(SQ_B1) | SQ_C1 | SQ_D1;
  p.castling_path_[BLACK_OO] = SQ_F8 | SQ_G8;
  p.castling_path_[BLACK_OOO] = square_bb(SQ_B8) | SQ_C8 | SQ_D8;
  p.game_ply_ = 2 * (fullmove - 1) + (p.side_to_move_ == BLACK);

  std::memset(si, 0, sizeof(StateInfo));
  si->castling_rights = rights;
  si->rule50 = rule50;
  si->ep_square = SQ_NONE;
  si->previous = nullptr;
  si->captured_piece = NO_PIECE;
  p.st_ = si;
  p.set_state();

  // Keep the ep square only if some en-passant capture is legal (chess.js fen(), FIDE).
  if (ep != SQ_NONE) {
    Bitboard capturers = pawn_attacks_bb(them, ep) & p.pieces(p.side_to_move_, PAWN);
    while (capturers)
      if (p.ep_capture_legal(pop_lsb(capturers), ep)) {
        si->ep_square = ep;
        si->key ^= zobrist::enpassant[file_of(ep)];
        break;
      }
  }
  *this = p;
  return std::nullopt;
}

// Computes the key and check information of a freshly set position (ep square excluded).
void Position::set_state() {
  Key k = 0;
  for (Bitboard b = pieces(); b;) {
    const Square s = pop_lsb(b);
    k ^= zobrist::psq[piece_on(s)][s];
  }
  if (side_to_move_ == BLACK) k ^= zobrist::side;
  k ^= zobrist::castling[st_->castling_rights];
  st_->key = k;
  st_->checkers = attackers_to(square<KING>(side_to_move_)) & pieces(~side_to_move_);
  set_check_info();
}

void Position::set_check_info() {
  st_->blockers_for_king =
      slider_blockers(pieces(~side_to_move_), square<KING>(side_to_move_), st_->pinners);
}

// Returns the pieces (of both colours) that are the only blocker between a slider of
// `sliders` and square s; `pinners` gets those sliders whose blocker has s's colour.
Bitboard Position::slider_blockers(Bitboard sliders, Square s, Bitboard& pinners) const {
  Bitboard blockers = 0;
  pinners = 0;
  // Snipers are sliders that attack s when a piece and other snipers are removed.
  Bitboard snipers = ((attacks_bb<ROOK>(s) & pieces(QUEEN, ROOK)) |
                      (attacks_bb<BISHOP>(s) & pieces(QUEEN, BISHOP))) &
                     sliders;
  const Bitboard occupancy = pieces() ^ snipers;
  while (snipers) {
    const Square sniper_sq = pop_lsb(snipers);
    const Bitboard b = between_bb(s, sniper_sq) & occupancy;
    if (b && !more_than_one(b)) {
      blockers |= b;
      if (b & pieces(color_of(piece_on(s)))) pinners |= sniper_sq;
    }
  }
  return blockers;
}

std::string Position::fen() const {
  std::string out;
  out.reserve(90);
  for (int r = RANK_8; r >= RANK_1; --r) {
    int empty_count = 0;
    for (int f = FILE_A; f <= FILE_H; ++f) {
      const Piece pc = piece_on(make_square(File(f), Rank(r)));
      if (pc == NO_PIECE) {
        ++empty_count;
        continue;
      }
      if (empty_count) out += char('0' + empty_count);
      empty_count = 0;
      out += kPieceToChar[pc];
    }
    if (empty_count) out += char('0' + empty_count);
    if (r > RANK_1) out += '/';
  }
  out += side_to_move_ == WHITE ? " w " : " b ";
  if (can_castle(WHITE_OO)) out += 'K';
  if (can_castle(WHITE_OOO)) out += 'Q';
  if (can_castle(BLACK_OO)) out += 'k';
  if (can_castle(BLACK_OOO)) out += 'q';
  if (!can_castle(ANY_CASTLING)) out += '-';
  if (ep_square() == SQ_NONE) {
    out += " - ";
  } else {
    out += ' ';
    out += char('a' + file_of(ep_square()));
    out += char('1' + rank_of(ep_square()));
    out += ' ';
  }
  out += std::to_string(st_->rule50);
  out += ' ';
  out += std::to_string(fullmove_number());
  return out;
}

bool Position::ep_capture_legal(Square from, Square to) const {
  const Color us = side_to_move_;
  const Square ksq = square<KING>(us);
  const Square capsq = to - pawn_push(us);
  const Bitboard occupied = (pieces() ^ from ^ capsq) | to;
  return !(attackers_to(ksq, occupied) & pieces(~us) & ~square_bb(capsq));
}

bool Position::legal(Move m) const {
  const Color us = side_to_move_;
  const Square from = m.from_sq();
  const Square to = m.to_sq();

  if (m.type_of() == EN_PASSANT) return ep_capture_legal(from, to);

  if (m.type_of() == CASTLING) {
    // The king may not pass through or land on an attacked square (it is not in check:
    // castling is generated only outside check).
    const Direction step = to > from ? WEST : EAST;
    for (Square s = to; s != from; s += step)
      if (attackers_to(s) & pieces(~us)) return false;
    return true;
  }

  // A king move is legal if the destination is not attacked (with the king removed, so a
  // slider's ray through the king's old square counts).
  if (type_of(piece_on(from)) == KING) return !(attackers_to(to, pieces() ^ from) & pieces(~us));

  // Any other move is legal if the piece is not pinned or moves along the pin line.
  return !(blockers_for_king() & from) || aligned(from, to, square<KING>(us));
}

void Position::do_move(Move m, StateInfo& new_st) {
  Key k = st_->key ^ zobrist::side;

  // Copy the fields that carry over, then link the new state.
  new_st.castling_rights = st_->castling_rights;
  new_st.rule50 = st_->rule50 + 1;
  new_st.ep_square = st_->ep_square;
  new_st.previous = st_;
  st_ = &new_st;
  ++game_ply_;

  const Color us = side_to_move_;
  const Color them = ~us;
  const Square from = m.from_sq();
  const Square to = m.to_sq();
  const Piece pc = piece_on(from);
  Piece captured = m.type_of() == EN_PASSANT ? make_piece(them, PAWN) : piece_on(to);

  if (m.type_of() == CASTLING) {
    const bool king_side = to > from;
    const Square rfrom = relative_square(us, king_side ? SQ_H1 : SQ_A1);
    const Square rto = relative_square(us, king_side ? SQ_F1 : SQ_D1);
    const Piece rook = make_piece(us, ROOK);
    move_piece(rfrom, rto);
    k ^= zobrist::psq[rook][rfrom] ^ zobrist::psq[rook][rto];
    captured = NO_PIECE;
  }

  if (captured) {
    Square capsq = to;
    if (m.type_of() == EN_PASSANT) capsq -= pawn_push(us);
    remove_piece(capsq);
    k ^= zobrist::psq[captured][capsq];
    st_->rule50 = 0;
  }

  k ^= zobrist::psq[pc][from] ^ zobrist::psq[pc][to];

  if (st_->ep_square != SQ_NONE) {
    k ^= zobrist::enpassant[file_of(st_->ep_square)];
    st_->ep_square = SQ_NONE;
  }

  const CastlingRights lost = castling_rights_mask_[from] | castling_rights_mask_[to];
  if (st_->castling_rights && lost) {
    k ^= zobrist::castling[st_->castling_rights];
    st_->castling_rights = st_->castling_rights & ~lost;
    k ^= zobrist::castling[st_->castling_rights];
  }

  move_piece(from, to);

  bool double_push = false;
  if (type_of(pc) == PAWN) {
    if (m.type_of() == PROMOTION) {
      const Piece promotion = make_piece(us, m.promotion_type());
      remove_piece(to);
      put_piece(promotion, to);
      k ^= zobrist::psq[pc][to] ^ zobrist::psq[promotion][to];
    }
    double_push = (int(to) ^ int(from)) == 16;
    st_->rule50 = 0;
  }

  st_->captured_piece = captured;
  side_to_move_ = them;
  st_->checkers = attackers_to(square<KING>(them)) & pieces(us);
  set_check_info();

  // Record the ep square only if the opponent can legally capture en passant, so that keys
  // and FENs of equal positions are equal (FIDE 9.2; chess.js fen()).
  if (double_push) {
    const Square ep = to - pawn_push(us);
    Bitboard capturers = pawn_attacks_bb(us, ep) & pieces(them, PAWN);
    while (capturers)
      if (ep_capture_legal(pop_lsb(capturers), ep)) {
        st_->ep_square = ep;
        k ^= zobrist::enpassant[file_of(ep)];
        break;
      }
  }
  st_->key = k;
}

void Position::undo_move(Move m) {
  side_to_move_ = ~side_to_move_;
  const Color us = side_to_move_;
  const Square from = m.from_sq();
  const Square to = m.to_sq();

  if (m.type_of() == PROMOTION) {
    remove_piece(to);
    put_piece(make_piece(us, PAWN), to);
  }

  move_piece(to, from);

  if (m.type_of() == CASTLING) {
    const bool king_side = to > from;
    move_piece(relative_square(us, king_side ? SQ_F1 : SQ_D1),
               relative_square(us, king_side ? SQ_H1 : SQ_A1));
  } else if (st_->captured_piece) {
    Square capsq = to;
    if (m.type_of() == EN_PASSANT) capsq -= pawn_push(us);
    put_piece(st_->captured_piece, capsq);
  }

  st_ = st_->previous;
  --game_ply_;
}

int Position::repetition_count() const {
  int n = 1;
  const StateInfo* s = st_;
  for (int i = 2; i <= st_->rule50; i += 2) {
    if (!s->previous || !s->previous->previous) break;
    s = s->previous->previous;
    if (s->key == st_->key) ++n;
  }
  return n;
}

bool Position::insufficient_material() const {
  const int n = popcount(pieces());
  if (n == 2) return true;                                       // K v K
  if (n == 3 && (pieces(BISHOP) | pieces(KNIGHT))) return true;  // K+minor v K
  const Bitboard bishops = pieces(BISHOP);
  if (n == popcount(bishops) + 2)  // only bishops besides the kings: all on one colour
    return !(bishops & LightSquaresBB) || !(bishops & ~LightSquaresBB);
  return false;
}

}  // namespace engage::chess
