// /play-along over the fake Socket.IO server and a MemoryStore: every event, every error.
#include "engage/play_along.h"

#include "harness.h"

namespace engage::engage::testing {
namespace {

class Chess : public EngageTest {
 protected:
  void moves(const FakeSocketPtr& w, const FakeSocketPtr& b, const std::string& room,
             const std::vector<std::string>& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& s = i % 2 == 0 ? w : b;
      s->clear();
      play(s, room, list[i]);
      ASSERT_EQ(last_error(s), "") << "move " << list[i];
      ASSERT_EQ(s->count("move_update"), 1u) << "move " << list[i];
    }
  }
};

TEST_F(Chess, GreetsWithServerReadyThenConnected) {
  auto s = chess("alice");
  auto ev = s->events();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].first, "server_ready");
  EXPECT_EQ(keys(ev[0].second),
            (std::vector<std::string>{"socketId", "userId", "redisReady", "timestamp"}));
  EXPECT_EQ(S(ev[0].second, "userId"), "alice");
  EXPECT_TRUE(ev[0].second.find("redisReady")->as_bool());
  EXPECT_EQ(ev[1].first, "connected");
  EXPECT_EQ(S(ev[1].second, "socketId"), s->id());
  // Anonymous sockets are admitted and act as their socket id; a token is never echoed.
  auto anon = io_.connect("/play-along");
  ASSERT_TRUE(anon);
  EXPECT_EQ(S(anon->last("connected"), "userId"), anon->id());
  auto tok = io_.connect("/play-along", J(R"({"token":"very-secret"})"));
  EXPECT_EQ(S(tok->last("connected"), "userId"), Identity::token_user_id("very-secret"));
}

TEST_F(Chess, CreateAnswersTheRoomInTheOriginalKeyOrder) {
  auto w = chess("alice");
  io_.send(w, "create_chess_room", json::Value::array());
  json::Value room = w->last("room_created");
  auto k = keys(room);
  std::vector<std::string> first(k.begin(), k.begin() + 9);
  EXPECT_EQ(first, (std::vector<std::string>{"roomId", "roomCode", "whitePlayer", "blackPlayer",
                                             "fen", "turn", "status", "winner", "createdAt"}));
  EXPECT_EQ(S(room, "whitePlayer"), "alice");
  EXPECT_TRUE(room.find("blackPlayer")->is_null());
  EXPECT_EQ(S(room, "status"), "waiting");
  EXPECT_EQ(S(room, "fen"), kStartFen);
  EXPECT_TRUE(is_room_code(S(room, "roomCode")));
  EXPECT_EQ(S(room, "roomId").rfind("room_", 0), 0u);
  EXPECT_EQ(*room.find("version")->as_int(), 1);
  EXPECT_EQ(S(room, "createdAt").size(), 24u);
  // Stored under the original's keys, with the code mapping.
  EXPECT_EQ(S(stored("chess:room:" + S(room, "roomId")), "roomCode"), S(room, "roomCode"));
  std::string mapped;
  store_->get_string("chess:code:" + S(room, "roomCode"),
                     [&](store::Errc, std::string v) { mapped = v; });
  EXPECT_EQ(mapped, S(room, "roomId"));
}

TEST_F(Chess, JoinByCodeStartsTheGameForBoth) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  json::Value gs = b->last("game_start");
  EXPECT_EQ(S(gs, "roomId"), id);
  EXPECT_EQ(S(gs, "blackPlayer"), "bob");
  EXPECT_EQ(S(gs, "status"), "active");
  EXPECT_EQ(S(w->last("game_start"), "blackPlayer"), "bob");
  EXPECT_EQ(*gs.find("version")->as_int(), 2);
}

TEST_F(Chess, JoinAcceptsIdOrCodeInEitherField) {
  for (int variant = 0; variant < 4; ++variant) {
    auto w = chess("w" + std::to_string(variant));
    auto b = chess("b" + std::to_string(variant));
    io_.send(w, "create_chess_room", json::Value::array());
    json::Value room = w->last("room_created");
    json::Object o;
    if (variant == 0) o.emplace_back("roomId", S(room, "roomId"));
    if (variant == 1) o.emplace_back("roomId", S(room, "roomCode"));  // a code where an id goes
    if (variant == 2)
      o.emplace_back("roomCode",
                     static_cast<int64_t>(std::stoll(S(room, "roomCode"))));  // a number
    if (variant == 3) o.emplace_back("roomCode", S(room, "roomId"));  // an id where a code goes
    send(b, "join_chess_room", json::Value(std::move(o)));
    EXPECT_EQ(last_error(b), "") << variant;
    EXPECT_EQ(S(b->last("game_start"), "blackPlayer"), "b" + std::to_string(variant));
  }
}

TEST_F(Chess, JoinErrors) {
  auto w = chess("alice");
  auto b = chess("bob");
  auto c = chess("carol");
  send(c, "join_chess_room", "{}");
  EXPECT_EQ(last_error(c), "Room ID or code is required");
  send(c, "join_chess_room", R"({"roomCode":"000001"})");
  EXPECT_EQ(last_error(c), "Invalid room code");
  EXPECT_EQ(S(c->last("error"), "code"), "INVALID_CODE");
  send(c, "join_chess_room", R"({"roomId":"room_1_nothing"})");
  EXPECT_EQ(last_error(c), "Room not found");
  std::string id = start_game(w, b);
  json::Object o;
  o.emplace_back("roomId", id);
  send(c, "join_chess_room", json::Value(o));
  EXPECT_EQ(last_error(c), "Room is full");
  EXPECT_EQ(S(c->last("error"), "code"), "ROOM_FULL");
}

TEST_F(Chess, FoolsMateEndsInCheckmate) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  moves(w, b, id, {"f2f3", "e7e5", "g2g4"});
  b->clear();
  w->clear();
  play(b, id, "d8h4");
  json::Value mu = w->last("move_update");
  EXPECT_EQ(keys(mu), (std::vector<std::string>{"roomId", "from", "to", "fen", "turn", "status",
                                                "winner", "san", "ply", "version"}));
  EXPECT_EQ(S(mu, "san"), "Qh4#");
  EXPECT_EQ(*mu.find("ply")->as_int(), 4);
  EXPECT_EQ(S(mu, "status"), "finished");
  EXPECT_EQ(S(mu, "winner"), "black");
  json::Value go = w->last("game_over");
  EXPECT_EQ(keys(go),
            (std::vector<std::string>{"roomId", "winner", "reason", "termination", "version"}));
  EXPECT_EQ(S(go, "winner"), "black");
  EXPECT_EQ(S(go, "reason"), "checkmate");
  EXPECT_EQ(S(go, "termination"), "checkmate");
  EXPECT_EQ(b->count("game_over"), 1u);
  play(w, id, "e2e4");
  EXPECT_EQ(last_error(w), "Game is not active");
}

TEST_F(Chess, StalemateIsADrawNamedStalemate) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  moves(w, b, id,
        {"e2e3", "a7a5", "d1h5", "a8a6", "h5a5", "h7h5", "h2h4", "a6h6", "a5c7", "f7f6", "c7d7",
         "e8f7", "d7b7", "d8d3", "b7b8", "d3h7", "b8c8", "f7g6", "c8e6"});
  json::Value go = b->last("game_over");
  EXPECT_EQ(S(go, "reason"), "draw");
  EXPECT_EQ(S(go, "winner"), "draw");
  EXPECT_EQ(S(go, "termination"), "stalemate");
}

TEST_F(Chess, ThreefoldRepetitionIsDetected) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  moves(w, b, id, {"g1f3", "g8f6", "f3g1", "f6g8", "g1f3", "g8f6", "f3g1"});
  EXPECT_EQ(w->count("game_over"), 0u);
  b->clear();
  play(b, id, "f6g8");
  json::Value go = b->last("game_over");
  EXPECT_EQ(S(go, "reason"), "draw");
  EXPECT_EQ(S(go, "termination"), "threefold_repetition");
  EXPECT_EQ(S(stored("chess:room:" + id), "status"), "finished");
}

TEST_F(Chess, PromotionWithAPieceOrQueenByDefault) {
  const std::vector<std::string> line{"h2h4", "g7g5", "h4g5", "h7h6",
                                      "g5h6", "a7a6", "h6h7", "a6a5"};
  {
    auto w = chess("w1");
    auto b = chess("b1");
    std::string id = start_game(w, b);
    moves(w, b, id, line);
    b->clear();
    play(w, id, "h7g8n");
    json::Value mu = b->last("move_update");
    EXPECT_EQ(S(mu, "promotion"), "n");
    EXPECT_EQ(S(mu, "san"), "hxg8=N");
  }
  {
    auto w = chess("w2");
    auto b = chess("b2");
    std::string id = start_game(w, b);
    moves(w, b, id, line);
    b->clear();
    play(w, id, "h7g8");  // the shipped UI never sends a promotion piece
    json::Value mu = b->last("move_update");
    EXPECT_EQ(S(mu, "promotion"), "q");
    EXPECT_EQ(S(mu, "san"), "hxg8=Q");
    EXPECT_EQ(keys(mu)[3], "promotion");
  }
}

TEST_F(Chess, MoveErrors) {
  auto w = chess("alice");
  auto b = chess("bob");
  auto x = chess("mallory");
  io_.send(w, "create_chess_room", json::Value::array());
  std::string id = S(w->last("room_created"), "roomId");
  play(w, id, "e2e4");
  EXPECT_EQ(last_error(w), "Game is not active");
  EXPECT_EQ(S(w->last("error"), "code"), "NOT_ACTIVE");
  json::Object o;
  o.emplace_back("roomId", id);
  send(b, "join_chess_room", json::Value(o));
  play(b, id, "e7e5");
  EXPECT_EQ(last_error(b), "Not your turn");
  EXPECT_EQ(S(b->last("error"), "code"), "NOT_YOUR_TURN");
  play(w, id, "e2e5");
  EXPECT_EQ(last_error(w), R"(Invalid move: {"from":"e2","to":"e5"})");
  EXPECT_EQ(S(w->last("error"), "code"), "INVALID_MOVE");
  play(x, id, "e2e4");
  EXPECT_EQ(last_error(x), "You are not a player in this room");
  play(w, "room_0_missing", "e2e4");
  EXPECT_EQ(last_error(w), "Room not found");
  EXPECT_EQ(S(stored("chess:room:" + id), "fen"), kStartFen);
}

TEST_F(Chess, ResignationRules) {
  auto w = chess("alice");
  auto b = chess("bob");
  auto x = chess("mallory");
  io_.send(w, "create_chess_room", json::Value::array());
  std::string id = S(w->last("room_created"), "roomId");
  json::Object o;
  o.emplace_back("roomId", id);
  send(w, "resign", json::Value(o));
  EXPECT_EQ(last_error(w), "Game is not active");
  send(b, "join_chess_room", json::Value(o));
  send(x, "resign", json::Value(o));  // §8.3: strangers cannot resign
  EXPECT_EQ(last_error(x), "You are not a player in this room");
  EXPECT_EQ(w->count("game_over"), 0u);
  send(w, "resign", json::Value(o));
  json::Value go = b->last("game_over");
  EXPECT_EQ(S(go, "winner"), "black");
  EXPECT_EQ(S(go, "reason"), "resignation");
  EXPECT_EQ(S(go, "termination"), "resignation");
  send(b, "resign", json::Value(o));
  EXPECT_EQ(last_error(b), "Game is already finished");
  send(x, "resign", "{}");
  EXPECT_EQ(last_error(x), "roomId is required");
}

TEST_F(Chess, APlayerOfRoomACannotMoveInRoomB) {
  auto a1 = chess("a-white");
  auto a2 = chess("a-black");
  auto b1 = chess("b-white");
  auto b2 = chess("b-black");
  std::string room_a = start_game(a1, a2);
  std::string room_b = start_game(b1, b2);
  play(a1, room_b, "e2e4");  // white's turn in B, but a1 is not B's white
  EXPECT_EQ(last_error(a1), "You are not a player in this room");
  EXPECT_EQ(b1->count("move_update"), 0u);
  EXPECT_EQ(S(stored("chess:room:" + room_b), "fen"), kStartFen);
  play(a1, room_a, "e2e4");
  EXPECT_EQ(a2->count("move_update"), 1u);
}

TEST_F(Chess, DisconnectKeepsTheGameAndBothColoursCanResume) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  std::string code = S(stored("chess:room:" + id), "roomCode");
  moves(w, b, id, {"e2e4", "e7e5"});
  io_.drop(w);
  json::Value left = b->last("opponent_left");
  EXPECT_EQ(keys(left), (std::vector<std::string>{"userId", "roomId"}));
  EXPECT_EQ(S(left, "userId"), "alice");
  EXPECT_EQ(S(stored("chess:room:" + id), "status"), "active");  // not deleted
  // White comes back by code: full state to self, opponent_rejoined to black.
  auto w2 = chess("alice");
  b->clear();
  json::Object o;
  o.emplace_back("roomCode", code);
  send(w2, "join_chess_room", json::Value(o));
  EXPECT_EQ(last_error(w2), "");
  json::Value gs = w2->last("game_start");
  EXPECT_EQ(S(gs, "fen"), S(stored("chess:room:" + id), "fen"));
  EXPECT_EQ(gs.find("moves")->size(), 2u);
  EXPECT_EQ(b->count("game_start"), 0u);
  EXPECT_EQ(S(b->last("opponent_rejoined"), "userId"), "alice");
  play(w2, id, "g1f3");
  EXPECT_EQ(last_error(w2), "");
  EXPECT_EQ(b->count("move_update"), 1u);
  // Black too, by roomId.
  io_.drop(b);
  EXPECT_EQ(S(w2->last("opponent_left"), "userId"), "bob");
  EXPECT_EQ(w2->count("opponent_left"), 1u);
  auto b2 = chess("bob");
  json::Object p;
  p.emplace_back("roomId", id);
  send(b2, "join_chess_room", json::Value(p));
  EXPECT_EQ(S(b2->last("game_start"), "turn"), "black");
  play(b2, id, "b8c6");
  EXPECT_EQ(last_error(b2), "");
  EXPECT_EQ(w2->count("move_update"), 2u);
}

TEST_F(Chess, JoiningAnotherRoomLeavesThePreviousOne) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string first = start_game(w, b);
  io_.send(w, "create_chess_room", json::Value::array());
  std::string second = S(w->last("room_created"), "roomId");
  EXPECT_FALSE(w->in(first));
  EXPECT_TRUE(w->in(second));
  EXPECT_EQ(S(b->last("opponent_left"), "roomId"), first);
}

TEST_F(Chess, AcksAnswerWhenAsked) {
  auto w = chess("alice");
  json::Value got;
  io_.send(w, "create_chess_room", json::Value::array(), [&](json::Value a) { got = a; });
  ASSERT_TRUE(got.is_array());
  EXPECT_TRUE(got.as_array()[0].find("success")->as_bool());
  EXPECT_TRUE(is_room_code(S(got.as_array()[0], "roomCode")));
  io_.send(w, "make_move", J("[{}]"), [&](json::Value a) { got = a; });
  EXPECT_FALSE(got.as_array()[0].find("success")->as_bool());
  EXPECT_EQ(S(got.as_array()[0], "code"), "BAD_REQUEST");
}

}  // namespace
}  // namespace engage::engage::testing
