// /play-along: chess rooms judged by the chess core, over versioned room documents.
#include "engage/play_along.h"

#include <memory>
#include <optional>
#include <utility>

#include "chess/game.h"
#include "core/clock.h"

namespace engage::engage {

namespace {

ApiError room_not_found() {
  return {"Room not found", code::kRoomNotFound, 404};
}
ApiError not_a_player() {
  return {"You are not a player in this room", code::kNotAPlayer, 403};
}
ApiError not_active() {
  return {"Game is not active", code::kNotActive, 400};
}
ApiError finished() {
  return {"Game is already finished", code::kGameFinished, 400};
}

std::string str_field(const json::Value& doc, std::string_view key) {
  const json::Value* v = doc.find(key);
  return v && v->is_string() ? v->as_string() : std::string();
}

uint64_t version_of(const json::Value& doc) {
  const json::Value* v = doc.find("version");
  return v && v->as_int() ? static_cast<uint64_t>(*v->as_int()) : 0;
}

// Returns "white" / "black" for a seated user, "" for anyone else.
std::string colour_of(const json::Value& doc, const std::string& user) {
  if (str_field(doc, "whitePlayer") == user) return "white";
  if (str_field(doc, "blackPlayer") == user) return "black";
  return {};
}

// Rebuilds the game from the stored move list (so repetition is known), else from the FEN.
Expected<chess::Game, ApiError> rebuild(const json::Value& doc) {
  const ApiError broken{"Failed to initialize game", code::kInternal, 500};
  if (const json::Value* mv = doc.find("moves"); mv && mv->is_array()) {
    std::vector<std::string> uci;
    bool ok = true;
    for (const auto& m : mv->as_array()) {
      if (!m.is_string()) {
        ok = false;
        break;
      }
      uci.push_back(m.as_string());
    }
    chess::Game g;
    if (ok && g.replay(uci)) {
      if (g.fen() == str_field(doc, "fen")) return g;
    }
  }
  auto g = chess::Game::from_fen(str_field(doc, "fen"));
  if (!g) return Unexpected{broken};
  return std::move(*g);
}

json::Value game_over(const json::Value& doc, std::string_view reason) {
  json::Object o;
  o.reserve(16);
  o.emplace_back("roomId", member_or_null(doc, "roomId"));
  o.emplace_back("winner", member_or_null(doc, "winner"));
  o.emplace_back("reason", reason);
  o.emplace_back("termination", str_field(doc, "termination"));
  o.emplace_back("version", version_of(doc));
  return json::Value(std::move(o));
}

}  // namespace

void PlayAlong::create(const Actor& a, RoomFn done) {
  const int64_t now = Clock::get().now_ms();
  std::string user = a.user_id;
  env_.rooms.create(
      kChessPrefix,
      [user, now](const std::string& id, const std::string& code) {
        json::Object o;
        o.reserve(16);
        o.emplace_back("roomId", id);
        o.emplace_back("roomCode", code);
        o.emplace_back("whitePlayer", user);
        o.emplace_back("blackPlayer", nullptr);
        o.emplace_back("fen", kStartFen);
        o.emplace_back("turn", "white");
        o.emplace_back("status", "waiting");
        o.emplace_back("winner", nullptr);
        o.emplace_back("createdAt", iso8601(now));
        o.emplace_back("version", 1);
        o.emplace_back("moves", json::Value::array());
        o.emplace_back("lastActivity", now);
        return json::Value(std::move(o));
      },
      std::move(done));
}

void PlayAlong::join(const Actor& a, const RoomRef& ref, const ApiError& invalid_code,
                     const ApiError& not_found, JoinFn done) {
  Actor actor = a;
  auto rejoin = std::make_shared<bool>(false);
  env_.rooms.resolve(
      kChessPrefix, ref, invalid_code,
      [this, actor, rejoin, not_found, done = std::move(done)](Expected<std::string, ApiError> id) {
        if (!id) return done(Unexpected{id.error()});
        env_.rooms.update(
            kChessPrefix, *id, not_found,
            [actor, rejoin](json::Value& doc) -> Expected<Rooms::Outcome, ApiError> {
              *rejoin = !colour_of(doc, actor.user_id).empty();
              if (*rejoin) return Rooms::Outcome::Keep;
              const json::Value* black = doc.find("blackPlayer");
              if (black && black->truthy())
                return Unexpected{ApiError{"Room is full", code::kRoomFull, 403}};
              if (str_field(doc, "status") != "waiting") return Unexpected{finished()};
              doc.set("blackPlayer", actor.user_id);
              doc.set("status", "active");
              return Rooms::Outcome::Write;
            },
            [this, rejoin, done](Expected<Rooms::Committed, ApiError> c) {
              if (!c) return done(Unexpected{c.error()});
              json::Value doc = std::move(c->doc);
              done(Joined{doc, *rejoin});
              if (!*rejoin)
                env_.to_room(kChessNsp, str_field(doc, "roomId"), "game_start", out_room(doc));
            });
      });
}

void PlayAlong::move(const Actor& a, const MakeMove& m, MoveFn done) {
  Actor actor = a;
  struct Played {
    std::string san, promotion;
    int ply = 0;
    bool over = false;
    std::string reason;
  };
  auto played = std::make_shared<Played>();
  // The game after the move, put back in the cache once the write is committed.
  auto after = std::make_shared<std::optional<chess::Game>>();
  env_.rooms.resolve(
      kChessPrefix, RoomRef{m.room_id, {}}, room_not_found(),
      [this, actor, m, played, after, done = std::move(done)](Expected<std::string, ApiError> id) {
        if (!id) return done(Unexpected{id.error()});
        const std::string rid = *id;
        env_.rooms.update(
            kChessPrefix, rid, room_not_found(),
            [this, rid, actor, m, played,
             after](json::Value& doc) -> Expected<Rooms::Outcome, ApiError> {
              *played = Played{};
              after->reset();
              if (str_field(doc, "status") != "active") return Unexpected{not_active()};
              const std::string colour = colour_of(doc, actor.user_id);
              if (colour.empty()) return Unexpected{not_a_player()};
              if (str_field(doc, "turn") != colour)
                return Unexpected{ApiError{"Not your turn", code::kNotYourTurn, 400}};
              // The cached game at this document's version, else one rebuilt from the document.
              const uint64_t version = version_of(doc);
              std::optional<chess::Game> game = games_.take(rid, version);
              if (!game) {
                auto rebuilt = rebuild(doc);
                if (!rebuilt) return Unexpected{rebuilt.error()};
                game.emplace(std::move(*rebuilt));
              }
              played->promotion = m.promotion;
              auto r = game->play(m.from, m.to, m.promotion);
              if (!r && m.promotion.empty()) {
                // The shipped UI never sends a promotion piece: promote to a queen then.
                auto q = game->play(m.from, m.to, "q");
                if (q) {
                  r = std::move(q);
                  played->promotion = "q";
                }
              }
              if (!r) {
                games_.put(rid, version, std::move(*game));  // unchanged by a refused move
                return Unexpected{ApiError{r.error(), code::kInvalidMove, 400}};
              }
              played->san = r->san;
              played->ply = game->ply();
              doc.set("fen", game->fen());
              doc.set("turn", game->turn() == 'w' ? "white" : "black");
              json::Value* moves = doc.find("moves");
              if (!moves || !moves->is_array()) moves = &doc.set("moves", json::Value::array());
              moves->push_back(json::Value(r->uci));
              const chess::Status st = game->status();
              if (st != chess::Status::Ongoing) {
                played->over = true;
                doc.set("status", "finished");
                if (st == chess::Status::Checkmate) {
                  doc.set("winner", colour);
                  played->reason = "checkmate";
                } else {
                  doc.set("winner", "draw");
                  played->reason = "draw";
                }
                doc.set("termination", std::string(chess::status_name(st)));
              }
              *after = std::move(game);
              return Rooms::Outcome::Write;
            },
            [this, rid, m, played, after, done](Expected<Rooms::Committed, ApiError> c) {
              if (!c) return done(Unexpected{c.error()});
              json::Value doc = std::move(c->doc);
              if (played->over || !*after)
                games_.erase(rid);
              else
                games_.put(rid, version_of(doc), std::move(**after));
              after->reset();
              json::Object o;
              o.reserve(16);
              o.emplace_back("roomId", member_or_null(doc, "roomId"));
              o.emplace_back("from", m.from);
              o.emplace_back("to", m.to);
              if (!played->promotion.empty()) o.emplace_back("promotion", played->promotion);
              o.emplace_back("fen", member_or_null(doc, "fen"));
              o.emplace_back("turn", member_or_null(doc, "turn"));
              o.emplace_back("status", member_or_null(doc, "status"));
              o.emplace_back("winner", member_or_null(doc, "winner"));
              o.emplace_back("san", played->san);
              o.emplace_back("ply", played->ply);
              o.emplace_back("version", version_of(doc));
              json::Value update(std::move(o));
              const std::string room_id = str_field(doc, "roomId");
              // The document (with the whole move list) is handed over, not copied.
              json::Value over = played->over ? game_over(doc, played->reason) : json::Value();
              done(Moved{std::move(doc), update});
              env_.to_room(kChessNsp, room_id, "move_update", std::move(update));
              if (played->over) env_.to_room(kChessNsp, room_id, "game_over", std::move(over));
            });
      });
}

void PlayAlong::resign(const Actor& a, const std::string& room_id, RoomFn done) {
  Actor actor = a;
  env_.rooms.resolve(kChessPrefix, RoomRef{room_id, {}}, room_not_found(),
                     [this, actor, done = std::move(done)](Expected<std::string, ApiError> id) {
                       if (!id) return done(Unexpected{id.error()});
                       games_.erase(*id);
                       env_.rooms.update(
                           kChessPrefix, *id, room_not_found(),
                           [actor](json::Value& doc) -> Expected<Rooms::Outcome, ApiError> {
                             const std::string colour = colour_of(doc, actor.user_id);
                             if (colour.empty()) return Unexpected{not_a_player()};
                             const std::string status = str_field(doc, "status");
                             if (status == "finished") return Unexpected{finished()};
                             if (status != "active") return Unexpected{not_active()};
                             doc.set("status", "finished");
                             doc.set("winner", colour == "white" ? "black" : "white");
                             doc.set("termination", "resignation");
                             return Rooms::Outcome::Write;
                           },
                           [this, done](Expected<Rooms::Committed, ApiError> c) {
                             if (!c) return done(Unexpected{c.error()});
                             json::Value doc = std::move(c->doc);
                             done(doc);
                             env_.to_room(kChessNsp, str_field(doc, "roomId"), "game_over",
                                          game_over(doc, "resignation"));
                           });
                     });
}

void PlayAlong::get(const RoomRef& ref, const ApiError& not_found, RoomFn done) {
  env_.rooms.resolve(kChessPrefix, ref, not_found,
                     [this, not_found, done = std::move(done)](Expected<std::string, ApiError> id) {
                       if (!id) return done(Unexpected{id.error()});
                       env_.rooms.load(kChessPrefix, *id, not_found, done);
                     });
}

// ---- the socket door -----------------------------------------------------------------------

void PlayAlong::enter(const sio::SocketPtr& s, const std::string& room_id) {
  SocketState& st = socket_state(s);
  if (st.room_id == room_id || !s->connected()) return;  // gone while the store answered
  exit_current(s);
  s->join(room_id);
  st.room_id = room_id;
  env_.local.add(kChessNsp, kChessPrefix, room_id);
}

void PlayAlong::exit_current(const sio::SocketPtr& s) {
  SocketState& st = socket_state(s);
  if (st.room_id.empty()) return;
  std::string old = std::move(st.room_id);
  st.room_id.clear();
  if (s->connected()) s->leave(old);
  env_.local.remove(kChessNsp, old);
  // The game stays: the player may come back (by id or code) and resume.
  env_.to_room(kChessNsp, old, "opponent_left", out_user_room(st.user_id, old), s->id());
}

sio::NamespaceHandlers PlayAlong::handlers() {
  chess::init();
  sio::NamespaceHandlers h;
  h.middleware = [this](const sio::SocketPtr& s,
                        std::function<void(std::optional<sio::ConnectError>)> done) {
    // Since V2 the namespace admits anonymous sockets (they act as their socket id).
    auto user = env_.identity.socket_user(s->handshake().auth, s->id(), false);
    if (!user) return done(sio::ConnectError{user.error().message, std::nullopt});
    socket_state(s).user_id = std::move(*user);
    done(std::nullopt);
  };
  h.on_connect = [this](const sio::SocketPtr& s) {
    const SocketState& st = socket_state(s);
    s->emit("server_ready", one_arg(out_server_ready(s->id(), st.user_id,
                                                     env_.rooms.store().state() == store::State::Up,
                                                     Clock::get().now_ms())));
    s->emit("connected", one_arg(out_connected(s->id(), st.user_id)));
  };
  h.on_event = [this](const sio::SocketPtr& s, const std::string& event, json::Value args,
                      sio::AckFn ack) { on_event(s, event, std::move(args), std::move(ack)); };
  h.on_disconnect = [this](const sio::SocketPtr& s, std::string_view) { exit_current(s); };
  return h;
}

void PlayAlong::on_event(const sio::SocketPtr& s, const std::string& event, json::Value args,
                         sio::AckFn ack) {
  auto msg = parse_play(event, args, env_.limits);
  if (!msg) return emit_error(s, msg.error(), ack);
  if (!*msg) return;  // not an event of this namespace: ignored, as the original did
  const SocketState& st = socket_state(s);
  if (auto lim = env_.check_limit(st.user_id, event)) return emit_error(s, *lim, ack);
  Actor actor{st.user_id, s->id()};
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, CreateChessRoom>) {
          create(actor, [this, s, ack](Expected<json::Value, ApiError> r) {
            if (!r) return emit_error(s, r.error(), ack);
            enter(s, str_field(*r, "roomId"));
            json::Value room = out_room(*r);
            s->emit("room_created", one_arg(room));
            ack_ok(ack, room);
          });
        } else if constexpr (std::is_same_v<T, JoinChessRoom>) {
          join(actor, m.ref, ApiError{"Invalid room code", code::kInvalidCode, 404},
               room_not_found(), [this, s, ack](Expected<Joined, ApiError> r) {
                 if (!r) return emit_error(s, r.error(), ack);
                 const std::string id = str_field(r->room, "roomId");
                 const bool was_here = socket_state(s).room_id == id;
                 enter(s, id);
                 json::Value room = out_room(r->room);
                 if (r->rejoin) {
                   s->emit("game_start", one_arg(room));
                   if (!was_here)
                     env_.to_room(kChessNsp, id, "opponent_rejoined",
                                  out_user_room(socket_state(s).user_id, id), s->id());
                 }
                 ack_ok(ack, room);
               });
        } else if constexpr (std::is_same_v<T, MakeMove>) {
          move(actor, m, [this, s, ack](Expected<Moved, ApiError> r) {
            if (!r) return emit_error(s, r.error(), ack);
            enter(s, str_field(r->room, "roomId"));
            ack_ok(ack, r->move_update);
          });
        } else if constexpr (std::is_same_v<T, Resign>) {
          resign(actor, m.room_id, [this, s, ack](Expected<json::Value, ApiError> r) {
            if (!r) return emit_error(s, r.error(), ack);
            enter(s, str_field(*r, "roomId"));
            ack_ok(ack);
          });
        }
      },
      **msg);
}

}  // namespace engage::engage
