// engage-chess: a small UCI-like text tool over the chess core, for tests, benchmarks and
// debugging a game. Reads one command per line on stdin; see `help`. Never crashes on input.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "chess/game.h"
#include "chess/movegen.h"
#include "chess/notation.h"
#include "chess/perft.h"
#include "chess/position.h"

namespace {

using namespace engage::chess;
using engage::Expected;

constexpr const char* kHelp =
    "commands:\n"
    "  position startpos|fen <FEN> [moves <uci>...]  set the game (unchanged on any error)\n"
    "  moves <uci>...            play UCI moves on the current game (all or nothing)\n"
    "  play <from> <to> [<p>]    play a chess.js move object; prints '<uci> <san>'\n"
    "  playsan <san>             play a SAN move; prints '<uci> <san>'\n"
    "  undo                      take back the last move\n"
    "  go perft <N>              '<uci>: <count>' per root move, blank line, 'Nodes searched: N'\n"
    "  d                         board, 'Fen: <FEN>', key, checkers\n"
    "  fen                       the FEN alone\n"
    "  checkfen <FEN>            parse a FEN (game unchanged): the FEN we print, or the error\n"
    "  legal                     legal moves in UCI, sorted, on one line\n"
    "  status                    ongoing|checkmate|stalemate|insufficient_material|\n"
    "                            threefold_repetition|fifty_moves\n"
    "  san <uci>                 the SAN of a legal move (not played)\n"
    "  pgn                       the game in PGN\n"
    "  isready                   prints readyok (a marker for scripted use)\n"
    "  quit\n";

std::vector<std::string> split(const std::string& line) {
  std::istringstream is(line);
  std::vector<std::string> out;
  for (std::string t; is >> t;) out.push_back(t);
  return out;
}

std::string join(const std::vector<std::string>& v, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += ' ';
    out += v[i];
  }
  return out;
}

void print_board(const Position& pos, std::ostream& out) {
  constexpr std::string_view kChars = " PNBRQK  pnbrqk";
  out << "\n +---+---+---+---+---+---+---+---+\n";
  for (int r = RANK_8; r >= RANK_1; --r) {
    for (int f = FILE_A; f <= FILE_H; ++f)
      out << " | " << kChars[pos.piece_on(make_square(File(f), Rank(r)))];
    out << " | " << (r + 1) << "\n +---+---+---+---+---+---+---+---+\n";
  }
  out << "   a   b   c   d   e   f   g   h\n\n";
  out << "Fen: " << pos.fen() << "\n";
  char key[32];
  std::snprintf(key, sizeof key, "%016llX", static_cast<unsigned long long>(pos.key()));
  out << "Key: " << key << "\nCheckers:";
  for (Bitboard b = pos.checkers(); b;) out << ' ' << square_name(pop_lsb(b));
  out << "\n";
}

void cmd_position(Game& game, const std::vector<std::string>& t, std::ostream& out) {
  size_t i = 1;
  Expected<Game, std::string> g = Game();
  if (i < t.size() && t[i] == "startpos") {
    ++i;
  } else if (i < t.size() && t[i] == "fen") {
    size_t end = ++i;
    while (end < t.size() && t[end] != "moves") ++end;
    g = Game::from_fen(join(t, i, end));
    i = end;
  } else {
    out << "error: usage: position startpos|fen <FEN> [moves <uci>...]\n";
    return;
  }
  if (!g) {
    out << "error: " << g.error() << "\n";
    return;
  }
  if (i < t.size()) {  // "moves"
    const std::vector<std::string> moves(t.begin() + static_cast<std::ptrdiff_t>(i) + 1, t.end());
    if (auto r = g->replay(moves); !r) {
      out << "error: " << r.error() << "\n";
      return;
    }
  }
  game = std::move(*g);
}

void cmd_perft(Game& game, const std::vector<std::string>& t, std::ostream& out) {
  int depth = 0;
  if (t.size() != 3 || t[1] != "perft" || t[2].size() > 2 ||
      !std::all_of(t[2].begin(), t[2].end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (depth = std::stoi(t[2])) < 1 || depth > 12) {
    out << "error: usage: go perft <N>, 1 <= N <= 12\n";
    return;
  }
  Position pos = game.position();
  auto divide = perft_divide(pos, depth);
  std::vector<std::pair<std::string, uint64_t>> rows;
  uint64_t total = 0;
  for (const auto& [m, n] : divide) {
    rows.emplace_back(move_to_uci(m), n);
    total += n;
  }
  std::sort(rows.begin(), rows.end());
  for (const auto& [uci, n] : rows) out << uci << ": " << n << "\n";
  out << "\nNodes searched: " << total << "\n";
}

void print_result(const Expected<MoveResult, std::string>& r, std::ostream& out) {
  if (r)
    out << r->uci << ' ' << r->san << "\n";
  else
    out << "error: " << r.error() << "\n";
}

// Runs one command line; returns false on quit.
bool run(Game& game, const std::string& line, std::ostream& out) {
  const std::vector<std::string> t = split(line);
  if (t.empty()) return true;
  const std::string& cmd = t[0];
  if (cmd == "quit") return false;
  if (cmd == "position") {
    cmd_position(game, t, out);
  } else if (cmd == "moves") {
    if (auto r = game.replay(std::vector<std::string>(t.begin() + 1, t.end())); !r)
      out << "error: " << r.error() << "\n";
  } else if (cmd == "play") {
    if (t.size() < 3 || t.size() > 4)
      out << "error: usage: play <from> <to> [<promotion>]\n";
    else
      print_result(game.play(t[1], t[2], t.size() == 4 ? t[3] : std::string()), out);
  } else if (cmd == "playsan") {
    if (t.size() != 2)
      out << "error: usage: playsan <san>\n";
    else
      print_result(game.play_san(t[1]), out);
  } else if (cmd == "undo") {
    if (!game.undo()) out << "error: no move to take back\n";
  } else if (cmd == "go") {
    cmd_perft(game, t, out);
  } else if (cmd == "d") {
    print_board(game.position(), out);
  } else if (cmd == "fen") {
    out << game.fen() << "\n";
  } else if (cmd == "checkfen") {
    const auto g = Game::from_fen(join(t, 1, t.size()));
    if (g)
      out << g->fen() << "\n";
    else
      out << "error: " << g.error() << "\n";
  } else if (cmd == "legal") {
    out << join(game.legal_moves_uci(), 0, game.legal_moves_uci().size()) << "\n";
  } else if (cmd == "status") {
    out << status_name(game.status()) << "\n";
  } else if (cmd == "san") {
    const Move m = t.size() == 2 ? uci_to_move(game.position(), t[1]) : Move::none();
    if (!m)
      out << "error: not a legal move: " << (t.size() > 1 ? t[1] : "") << "\n";
    else
      out << move_to_san(game.position(), m) << "\n";
  } else if (cmd == "pgn") {
    out << game.pgn() << "\n";
  } else if (cmd == "isready") {
    out << "readyok\n";
  } else if (cmd == "uci") {
    out << "id name engage-chess\nuciok\n";
  } else if (cmd == "help") {
    out << kHelp;
  } else {
    out << "error: unknown command: " << cmd << " (try help)\n";
  }
  return true;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  engage::chess::init();
  Game game;
  for (std::string line; std::getline(std::cin, line);) {
    if (!run(game, line, std::cout)) break;
    // Flush only when no more input is already buffered: fast for piped batches, prompt
    // for interactive use.
    if (std::cin.rdbuf()->in_avail() <= 0) std::cout.flush();
  }
  std::cout.flush();
  return 0;
}
