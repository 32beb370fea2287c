// PlayAlong: the /play-along chess rooms, with the chess core as the judge. Players are
// authorised against the room named in the payload; a disconnect never deletes a game (the
// opponent gets opponent_left) and either colour can rejoin and resume.
#pragma once

#include <functional>
#include <string>

#include "engage/env.h"
#include "engage/game_cache.h"
#include "engage/messages.h"

namespace engage::engage {

inline constexpr const char* kChessNsp = "/play-along";
inline constexpr const char* kChessPrefix = "chess";
inline constexpr const char* kStartFen = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";

class PlayAlong {
 public:
  explicit PlayAlong(Env& env) : env_(env), games_(env.limits.game_cache_games) {}

  sio::NamespaceHandlers handlers();

  // ---- door-independent operations -----------------------------------------------------
  struct Actor {
    std::string user_id;
    std::string socket_id;  // "" = the REST door
  };
  using RoomFn = std::function<void(Expected<json::Value, ApiError>)>;
  struct Joined {
    json::Value room;
    bool rejoin = false;  // the user already held a seat
  };
  using JoinFn = std::function<void(Expected<Joined, ApiError>)>;
  struct Moved {
    json::Value room;
    json::Value move_update;  // the broadcast payload
  };
  using MoveFn = std::function<void(Expected<Moved, ApiError>)>;

  // Creates a waiting room with the actor as white.
  void create(const Actor& a, RoomFn done);
  // Seats the actor as black (→ room game_start), or recognises a returning player (rejoin;
  // the caller tells the other side). `invalid_code` / `not_found` are the door's texts.
  void join(const Actor& a, const RoomRef& ref, const ApiError& invalid_code,
            const ApiError& not_found, JoinFn done);
  // Plays a move for the actor (→ room move_update, then game_over when the game ends).
  void move(const Actor& a, const MakeMove& m, MoveFn done);
  // Resigns for the actor (→ room game_over {reason:"resignation"}).
  void resign(const Actor& a, const std::string& room_id, RoomFn done);
  // Reads a room by id or code.
  void get(const RoomRef& ref, const ApiError& not_found, RoomFn done);

  // The games of the active rooms, by room id and version (tests and metrics read it).
  GameCache& games() { return games_; }

 private:
  void on_event(const sio::SocketPtr& s, const std::string& event, json::Value args,
                sio::AckFn ack);
  void enter(const sio::SocketPtr& s, const std::string& room_id);
  void exit_current(const sio::SocketPtr& s);

  Env& env_;
  GameCache games_;
};

}  // namespace engage::engage
