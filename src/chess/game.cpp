// Game: history, chess.js-compatible move input, status (mate and draw rules) and PGN.
#include "chess/game.h"

#include <algorithm>

#include "chess/attacks.h"
#include "chess/movegen.h"
#include "chess/notation.h"

namespace engage::chess {

void init() {
  attacks::init();
  zobrist::init();
}

std::string_view status_name(Status s) {
  switch (s) {
    case Status::Ongoing:
      return "ongoing";
    case Status::Checkmate:
      return "checkmate";
    case Status::Stalemate:
      return "stalemate";
    case Status::InsufficientMaterial:
      return "insufficient_material";
    case Status::ThreefoldRepetition:
      return "threefold_repetition";
    case Status::FiftyMoves:
      return "fifty_moves";
  }
  return "ongoing";
}

Game::Game() : start_fen_(kStartFen) {
  init();
  states_.emplace_back();
  [[maybe_unused]] const auto err = pos_.set(kStartFen, &states_.back());
}

Expected<Game, std::string> Game::from_fen(std::string_view fen) {
  init();
  Game g;
  g.states_.clear();
  g.states_.emplace_back();
  if (const auto err = g.pos_.set(fen, &g.states_.back()))
    return Unexpected<std::string>{std::string(fen_error_message(*err))};
  g.start_fen_ = std::string(fen);
  return g;
}

void Game::rebuild_from(const Game& other) {
  start_fen_ = other.start_fen_;
  moves_ = other.moves_;
  uci_ = other.uci_;
  san_ = other.san_;
  states_.clear();
  states_.emplace_back();
  pos_.set(start_fen_, &states_.back());
  for (Move m : moves_) {
    states_.emplace_back();
    pos_.do_move(m, states_.back());
  }
}

Game::Game(const Game& other) {
  rebuild_from(other);
}

Game& Game::operator=(const Game& other) {
  if (this != &other) rebuild_from(other);
  return *this;
}

MoveResult Game::play_move(Move m) {
  return play_move(m, MoveList<LEGAL>(pos_));
}

MoveResult Game::play_move(Move m, const MoveList<LEGAL>& legal) {
  MoveResult r{move_to_uci(m), move_to_san(pos_, m, legal)};
  states_.emplace_back();
  pos_.do_move(m, states_.back());
  moves_.push_back(m);
  uci_.push_back(r.uci);
  san_.push_back(r.san);
  return r;
}

bool Game::undo() {
  if (moves_.empty()) return false;
  pos_.undo_move(moves_.back());
  states_.pop_back();
  moves_.pop_back();
  uci_.pop_back();
  san_.pop_back();
  return true;
}

Expected<MoveResult, std::string> Game::play(std::string_view from, std::string_view to,
                                             std::string_view promotion) {
  const MoveList<LEGAL> legal(pos_);
  const Move m = object_to_move(legal, from, to, promotion);
  if (!m) {
    std::string msg = "Invalid move: {\"from\":" + json_quote(from) + ",\"to\":" + json_quote(to);
    if (!promotion.empty()) msg += ",\"promotion\":" + json_quote(promotion);
    msg += '}';
    return Unexpected<std::string>{std::move(msg)};
  }
  return play_move(m, legal);
}

Expected<MoveResult, std::string> Game::play_uci(std::string_view uci) {
  const MoveList<LEGAL> legal(pos_);
  const Move m = uci_to_move(legal, uci);
  if (!m) return Unexpected<std::string>{"Invalid move: " + std::string(uci)};
  return play_move(m, legal);
}

Expected<MoveResult, std::string> Game::play_san(std::string_view san) {
  const Move m = san_to_move(pos_, san);
  if (!m) return Unexpected<std::string>{"Invalid move: " + std::string(san)};
  return play_move(m);
}

Expected<bool, std::string> Game::replay(const std::vector<std::string>& uci_moves) {
  size_t done = 0;
  for (const std::string& uci : uci_moves) {
    const MoveList<LEGAL> legal(pos_);
    const Move m = uci_to_move(legal, uci);
    if (!m) {
      const std::string msg =
          "Invalid move: " + uci + " (ply " + std::to_string(moves_.size() + 1) + ")";
      while (done--) undo();
      return Unexpected<std::string>{msg};
    }
    play_move(m, legal);
    ++done;
  }
  return true;
}

Status Game::status() const {
  if (MoveList<LEGAL>(pos_).size() == 0)
    return pos_.checkers() ? Status::Checkmate : Status::Stalemate;
  if (pos_.insufficient_material()) return Status::InsufficientMaterial;
  if (pos_.repetition_count() >= 3) return Status::ThreefoldRepetition;
  if (pos_.rule50_count() >= 100) return Status::FiftyMoves;
  return Status::Ongoing;
}

std::vector<std::string> Game::legal_moves_uci() const {
  std::vector<std::string> out;
  for (Move m : MoveList<LEGAL>(pos_)) out.push_back(move_to_uci(m));
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

std::string pgn_escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n' || c == '\r') c = ' ';
    out += c;
  }
  return out;
}

}  // namespace

std::string Game::pgn(const std::vector<std::pair<std::string, std::string>>& extra_tags) const {
  std::string result = "*";
  const Status s = status();
  if (s == Status::Checkmate)
    result = pos_.side_to_move() == WHITE ? "0-1" : "1-0";
  else if (s != Status::Ongoing)
    result = "1/2-1/2";

  std::vector<std::pair<std::string, std::string>> tags = {
      {"Event", "?"}, {"Site", "?"},  {"Date", "????.??.??"}, {"Round", "?"},
      {"White", "?"}, {"Black", "?"}, {"Result", result}};
  if (start_fen_ != kStartFen) {
    tags.emplace_back("SetUp", "1");
    tags.emplace_back("FEN", start_fen_);
  }
  for (const auto& tag : extra_tags) {
    auto it = std::find_if(tags.begin(), tags.end(),
                           [&tag](const auto& t) { return t.first == tag.first; });
    if (it != tags.end())
      it->second = tag.second;
    else
      tags.push_back(tag);
  }
  for (const auto& [key, value] : tags)
    if (key == "Result") result = value;

  std::string out;
  for (const auto& [key, value] : tags) out += "[" + key + " \"" + pgn_escape(value) + "\"]\n";
  if (!moves_.empty()) out += '\n';

  // Movetext: move numbers continue from the start position's full-move number.
  StateInfo root;
  Position start;
  start.set(start_fen_, &root);
  const int first_ply = start.game_ply();  // 2 * (fullmove - 1) + (black to move)
  std::string movetext;
  for (size_t i = 0; i < san_.size(); ++i) {
    const int g = first_ply + static_cast<int>(i);
    const std::string number = std::to_string(g / 2 + 1);
    if (g % 2 == 0) {
      if (!movetext.empty()) movetext += ' ';
      movetext += number + ".";
    } else if (i == 0) {
      movetext += number + ". ...";
    }
    movetext += ' ' + san_[i];
  }
  // chess.js joins the movetext and the result with a space even without moves ("\n *").
  return out + movetext + ' ' + result;
}

}  // namespace engage::chess
