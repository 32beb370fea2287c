// libFuzzer target for the chess parsers: FEN (Position::set / Game::from_fen) and moves
// (UCI, SAN, chess.js move objects). Input: the first line is a FEN (the start position is
// used if it is rejected); every further line is a move, tried as UCI, then SAN, then as a
// "from to [promotion]" object. Invariants checked: nothing crashes; an accepted FEN prints
// back to a FEN that parses to the same position and key; a played move's SAN and UCI parse
// back to the same move; every legal move's SAN parses back to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "chess/game.h"
#include "chess/movegen.h"
#include "chess/notation.h"
#include "chess/position.h"

namespace {

using namespace engage::chess;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_position(const Position& pos) {
  StateInfo st;
  Position again;
  const std::string fen = pos.fen();
  check(!again.set(fen, &st).has_value());
  check(again.fen() == fen);
  check(again.key() == pos.key());
  for (Move m : MoveList<LEGAL>(pos)) {
    check(san_to_move(pos, move_to_san(pos, m)) == m);
    check(uci_to_move(pos, move_to_uci(m)) == m);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  init();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view fen = input.substr(0, nl);

  auto parsed = Game::from_fen(fen);
  Game game = parsed ? std::move(*parsed) : Game();
  if (parsed) check_position(game.position());

  std::string_view rest = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  int moves = 0;
  while (!rest.empty() && moves < 64) {
    const size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);

    auto r = game.play_uci(line);
    if (!r) r = game.play_san(line);
    if (!r) {
      const size_t s1 = line.find(' ');
      const size_t s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
      const std::string_view from = line.substr(0, s1);
      const std::string_view to =
          s1 == std::string_view::npos ? std::string_view() : line.substr(s1 + 1, s2 - s1 - 1);
      const std::string_view promo =
          s2 == std::string_view::npos ? std::string_view() : line.substr(s2 + 1);
      r = game.play(from, to, promo);
      if (!r) check(r.error().starts_with("Invalid move: {\"from\":"));
    }
    if (r) {
      ++moves;
      check(game.history_uci().back() == r->uci);
      Game replayed = game;  // copies rebuild from the history
      check(replayed.fen() == game.fen());
      check_position(game.position());
    }
    (void)status_name(game.status());
  }
  (void)game.pgn();
  return 0;
}
