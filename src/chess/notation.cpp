// Notation: UCI and SAN in and out, chess.js-compatible, and chess.js object-move matching.
#include "chess/notation.h"

#include <cstdio>
#include <initializer_list>

#include "chess/position.h"

namespace engage::chess {

namespace {

constexpr char kPieceLetter[] = " PNBRQK";     // upper case, indexed by PieceType
constexpr char kPromotionLetter[] = "  nbrq";  // lower case, indexed by PieceType

// chess.js strippedSan(): removes the first '=' and a trailing [+#]?[?!]*.
std::string stripped_san(std::string_view san) {
  std::string s(san);
  if (const size_t eq = s.find('='); eq != std::string::npos) s.erase(eq, 1);
  size_t end = s.size();
  while (end > 0 && (s[end - 1] == '?' || s[end - 1] == '!')) --end;
  if (end > 0 && (s[end - 1] == '+' || s[end - 1] == '#')) --end;
  s.resize(end);
  return s;
}

bool is_file(char c) {
  return c >= 'a' && c <= 'h';
}
bool is_rank(char c) {
  return c >= '1' && c <= '8';
}

// chess.js inferPieceType(): the piece type a SAN string is about, NO_PIECE_TYPE for "any".
PieceType infer_piece_type(std::string_view san) {
  if (san.empty()) return NO_PIECE_TYPE;
  const char c = san[0];
  if (is_file(c)) {
    // /[a-h]\d.*[a-h]\d/ means a long-algebraic move of any piece ("b1c3").
    for (size_t i = 0; i + 1 < san.size(); ++i)
      if (is_file(san[i]) && san[i + 1] >= '0' && san[i + 1] <= '9')
        for (size_t j = i + 2; j + 1 < san.size(); ++j)
          if (is_file(san[j]) && san[j + 1] >= '0' && san[j + 1] <= '9') return NO_PIECE_TYPE;
    return PAWN;
  }
  switch (c) {
    case 'o':
    case 'O':
    case 'k':
    case 'K':
      return KING;
    case 'p':
    case 'P':
      return PAWN;
    case 'n':
    case 'N':
      return KNIGHT;
    case 'b':
    case 'B':
      return BISHOP;
    case 'r':
    case 'R':
      return ROOK;
    case 'q':
    case 'Q':
      return QUEEN;
    default:
      return PIECE_TYPE_NB;  // matches no piece
  }
}

PieceType piece_letter_type(char c) {
  switch (c) {
    case 'p':
    case 'P':
      return PAWN;
    case 'n':
    case 'N':
      return KNIGHT;
    case 'b':
    case 'B':
      return BISHOP;
    case 'r':
    case 'R':
      return ROOK;
    case 'q':
    case 'Q':
      return QUEEN;
    case 'k':
    case 'K':
      return KING;
    default:
      return NO_PIECE_TYPE;
  }
}

// The permissive form [piece]? [from]? x? -? to [promotion]?, parsed over the whole string.
struct LooseMove {
  PieceType piece = NO_PIECE_TYPE;  // NO_PIECE_TYPE: not given
  std::string from;                 // "", a file, a rank or a square
  Square to = SQ_NONE;
  PieceType promotion = NO_PIECE_TYPE;
};

// Parses s as from (exactly from_len bytes: a square, a file or rank, or nothing), then
// x? -? to-square [qrbnQRBN]?, to the end of the string.
bool parse_loose_tail(std::string_view s, size_t from_len, LooseMove& out) {
  if (from_len > s.size()) return false;
  const std::string_view from = s.substr(0, from_len);
  if (from_len == 2 && !(is_file(from[0]) && is_rank(from[1]))) return false;
  if (from_len == 1 && !is_file(from[0]) && !is_rank(from[0])) return false;
  size_t i = from_len;
  if (i < s.size() && s[i] == 'x') ++i;
  if (i < s.size() && s[i] == '-') ++i;
  if (i + 2 > s.size() || !is_file(s[i]) || !is_rank(s[i + 1])) return false;
  const Square to = make_square(File(s[i] - 'a'), Rank(s[i + 1] - '1'));
  i += 2;
  PieceType promo = NO_PIECE_TYPE;
  if (i < s.size()) {
    promo = piece_letter_type(s[i]);
    if (promo == NO_PIECE_TYPE || promo == PAWN || promo == KING) return false;
    ++i;
  }
  if (i != s.size()) return false;
  out.from = std::string(from);
  out.to = to;
  out.promotion = promo;
  return true;
}

// Tries the alternatives in the order chess.js's two regular expressions find them: first a
// full from-square (with, then without a piece letter), then a file, a rank or nothing.
bool parse_loose(std::string_view s, LooseMove& out) {
  const bool piece_first = !s.empty() && piece_letter_type(s[0]) != NO_PIECE_TYPE;
  for (const std::initializer_list<size_t>& lens :
       {std::initializer_list<size_t>{2}, std::initializer_list<size_t>{1, 0}}) {
    if (piece_first)
      for (size_t len : lens)
        if (parse_loose_tail(s.substr(1), len, out)) {
          out.piece = piece_letter_type(s[0]);
          return true;
        }
    for (size_t len : lens)
      if (parse_loose_tail(s, len, out)) {
        out.piece = NO_PIECE_TYPE;
        return true;
      }
  }
  return false;
}

}  // namespace

std::string square_name(Square s) {
  return {char('a' + file_of(s)), char('1' + rank_of(s))};
}

std::optional<Square> parse_square(std::string_view s) {
  if (s.size() != 2 || !is_file(s[0]) || !is_rank(s[1])) return std::nullopt;
  return make_square(File(s[0] - 'a'), Rank(s[1] - '1'));
}

std::string move_to_uci(Move m) {
  std::string out = square_name(m.from_sq()) + square_name(m.to_sq());
  if (m.type_of() == PROMOTION) out += kPromotionLetter[m.promotion_type()];
  return out;
}

Move uci_to_move(const MoveList<LEGAL>& legal, std::string_view uci) {
  if (uci.size() != 4 && uci.size() != 5) return Move::none();
  const auto from = parse_square(uci.substr(0, 2));
  const auto to = parse_square(uci.substr(2, 2));
  if (!from || !to) return Move::none();
  for (Move m : legal) {
    if (m.from_sq() != *from || m.to_sq() != *to) continue;
    if (m.type_of() == PROMOTION ? uci.size() == 5 && uci[4] == kPromotionLetter[m.promotion_type()]
                                 : uci.size() == 4)
      return m;
  }
  return Move::none();
}

Move uci_to_move(const Position& pos, std::string_view uci) {
  return uci_to_move(MoveList<LEGAL>(pos), uci);
}

std::string move_to_san(const Position& pos, Move m, const MoveList<LEGAL>& legal) {
  std::string out;
  const Square from = m.from_sq();
  const Square to = m.to_sq();
  if (m.type_of() == CASTLING) {
    out = to > from ? "O-O" : "O-O-O";
  } else {
    const PieceType pt = type_of(pos.moved_piece(m));
    if (pt != PAWN) {
      out += kPieceLetter[pt];
      // chess.js getDisambiguator(): other pieces of the same type reaching `to`.
      int ambiguities = 0, same_rank = 0, same_file = 0;
      for (Move o : legal) {
        const Square of = o.from_sq();
        if (of == from || o.to_sq() != to || type_of(pos.piece_on(of)) != pt) continue;
        ++ambiguities;
        if (rank_of(of) == rank_of(from)) ++same_rank;
        if (file_of(of) == file_of(from)) ++same_file;
      }
      if (ambiguities > 0) {
        if (same_rank > 0 && same_file > 0)
          out += square_name(from);
        else if (same_file > 0)
          out += char('1' + rank_of(from));
        else
          out += char('a' + file_of(from));
      }
    }
    if (pos.capture(m)) {
      if (pt == PAWN) out += char('a' + file_of(from));
      out += 'x';
    }
    out += square_name(to);
    if (m.type_of() == PROMOTION) {
      out += '=';
      out += kPieceLetter[m.promotion_type()];
    }
  }
  Position after = pos;
  StateInfo st;
  after.do_move(m, st);
  if (after.checkers()) out += MoveList<LEGAL>(after).size() == 0 ? '#' : '+';
  return out;
}

std::string move_to_san(const Position& pos, Move m) {
  return move_to_san(pos, m, MoveList<LEGAL>(pos));
}

Move san_to_move(const Position& pos, std::string_view san) {
  std::string clean = stripped_san(san);
  if (clean == "0-0")
    clean = "O-O";
  else if (clean == "0-0-0")
    clean = "O-O-O";
  if (clean.empty() || clean.size() > 16) return Move::none();

  const MoveList<LEGAL> legal(pos);
  const PieceType inferred = infer_piece_type(clean);
  auto of_type = [&pos](Move m, PieceType pt) {
    return pt == NO_PIECE_TYPE || type_of(pos.moved_piece(m)) == pt;
  };

  // Exact SAN (modulo decorations).
  for (Move m : legal)
    if (of_type(m, inferred) && clean == stripped_san(move_to_san(pos, m, legal))) return m;

  // chess.js's permissive parser.
  LooseMove lm;
  if (!parse_loose(clean, lm)) return Move::none();
  const PieceType filter = lm.piece != NO_PIECE_TYPE ? lm.piece : inferred;
  const bool over_disambiguated = lm.from.size() == 1;
  for (Move m : legal) {
    if (!of_type(m, filter)) continue;
    const bool promo_ok = lm.promotion == NO_PIECE_TYPE ||
                          (m.type_of() == PROMOTION && m.promotion_type() == lm.promotion);
    if (lm.from.empty()) {
      // Maybe just the 'x' of a capture is missing.
      std::string s = stripped_san(move_to_san(pos, m, legal));
      if (const size_t x = s.find('x'); x != std::string::npos) s.erase(x, 1);
      if (clean == s) return m;
    } else if (lm.from.size() == 2 && square_name(m.from_sq()) == lm.from && m.to_sq() == lm.to &&
               promo_ok) {
      return m;
    } else if (over_disambiguated) {
      const std::string sq = square_name(m.from_sq());
      if (m.to_sq() == lm.to && (lm.from[0] == sq[0] || lm.from[0] == sq[1]) && promo_ok) return m;
    }
  }
  return Move::none();
}

Move object_to_move(const Position& pos, std::string_view from, std::string_view to,
                    std::string_view promotion) {
  return object_to_move(MoveList<LEGAL>(pos), from, to, promotion);
}

Move object_to_move(const MoveList<LEGAL>& legal, std::string_view from, std::string_view to,
                    std::string_view promotion) {
  const auto f = parse_square(from);
  const auto t = parse_square(to);
  if (!f || !t) return Move::none();
  for (Move m : legal) {
    if (m.from_sq() != *f || m.to_sq() != *t) continue;
    if (m.type_of() != PROMOTION) return m;
    if (promotion.size() == 1 && promotion[0] == kPromotionLetter[m.promotion_type()]) return m;
  }
  return Move::none();
}

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace engage::chess
