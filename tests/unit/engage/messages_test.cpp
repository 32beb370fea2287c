// Typed messages: every client payload shape becomes a typed message or a clear error.
#include "engage/messages.h"

#include <gtest/gtest.h>

#include "engage/identity.h"
#include "harness.h"

namespace engage::engage::testing {
namespace {

json::Value args(std::string_view payload) {
  json::Array a;
  a.push_back(J(payload));
  return json::Value(std::move(a));
}

std::string play_error(std::string_view event, std::string_view payload) {
  auto r = parse_play(event, args(payload), Limits{});
  return r ? std::string() : r.error().message;
}
std::string watch_error(std::string_view event, std::string_view payload) {
  auto r = parse_sync(watch_names(), event, args(payload), Limits{});
  return r ? std::string() : r.error().message;
}

TEST(Messages, MakeMoveNeedsRoomFromAndTo) {
  for (auto p : {"null", "0", "[]", "{}", R"({"roomId":"r"})", R"({"from":"e2","to":"e4"})",
                 R"({"roomId":null,"from":"e2","to":"e4"})"})
    EXPECT_EQ(play_error("make_move", p), "roomId, from, and to are required") << p;
  EXPECT_EQ(play_error("make_move", R"({"roomId":"r","from":5,"to":"e4"})"),
            "from must be a string");
  EXPECT_EQ(play_error("make_move", R"({"roomId":{"$gt":""},"from":"e2","to":"e4"})"),
            "roomId must be a string");
  EXPECT_EQ(play_error("make_move", R"({"roomId":"r","from":"e2","to":"e4","promotion":[1]})"),
            "promotion must be a string");
  EXPECT_EQ(play_error("make_move", R"({"roomId":"r","from":"e2e2e2e2e2","to":"e4"})"),
            "from is too long (max 8 characters)");
  auto ok = parse_play("make_move", args(R"({"roomId":"r","from":"e7","to":"e8","promotion":"q"})"),
                       Limits{});
  ASSERT_TRUE(ok && *ok);
  const auto& m = std::get<MakeMove>(**ok);
  EXPECT_EQ(m.room_id, "r");
  EXPECT_EQ(m.from, "e7");
  EXPECT_EQ(m.promotion, "q");
}

TEST(Messages, JoinChessRoomAcceptsIdCodeNumberOrBareString) {
  EXPECT_EQ(play_error("join_chess_room", "{}"), "Room ID or code is required");
  EXPECT_EQ(play_error("join_chess_room", "null"), "Room ID or code is required");
  auto n = parse_play("join_chess_room", args(R"({"roomCode":123456})"), Limits{});
  ASSERT_TRUE(n && *n);
  EXPECT_EQ(std::get<JoinChessRoom>(**n).ref.room_code, "123456");
  auto bare = parse_play("join_chess_room", args(R"("  654321 ")"), Limits{});
  ASSERT_TRUE(bare && *bare);
  EXPECT_EQ(std::get<JoinChessRoom>(**bare).ref.room_id, "654321");
  std::string huge(1000, 'a');
  EXPECT_EQ(play_error("join_chess_room", "{\"roomId\":\"" + huge + "\"}"),
            "roomId is too long (max 128 characters)");
  EXPECT_EQ(play_error("join_chess_room", R"({"roomId":"a:b*c"})"),
            "roomId may only contain letters, digits, '_', '-', '.'");
  EXPECT_EQ(play_error("resign", "null"), "roomId is required");
}

TEST(Messages, UnknownEventsAreIgnored) {
  auto r = parse_play("hello", args("{}"), Limits{});
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  auto w = parse_sync(watch_names(), "make_move", args("{}"), Limits{});
  ASSERT_TRUE(w);
  EXPECT_FALSE(*w);
}

TEST(Messages, WatchEventsValidateEveryField) {
  EXPECT_EQ(watch_error("create_watch_room", "null"), "videoId and videoUrl are required");
  EXPECT_EQ(watch_error("create_watch_room", R"({"videoId":"abc"})"),
            "videoId and videoUrl are required");
  EXPECT_EQ(watch_error("create_watch_room", R"({"videoId":1,"videoUrl":"u"})"),
            "videoId must be a string");
  EXPECT_EQ(watch_error("join_watch_room", "{}"), "roomId is required");
  EXPECT_EQ(watch_error("play", "{}"), "roomId is required");
  EXPECT_EQ(watch_error("play", R"({"roomId":"r","currentTime":-1})"),
            "currentTime must be a number between 0 and 10000000");
  EXPECT_EQ(watch_error("play", R"({"roomId":"r","currentTime":"12"})"),
            "currentTime must be a number between 0 and 10000000");
  EXPECT_EQ(watch_error("play", R"({"roomId":"r","currentTime":1e300})"),
            "currentTime must be a number between 0 and 10000000");
  EXPECT_EQ(watch_error("seek", R"({"roomId":"r"})"), "roomId and currentTime are required");
  EXPECT_EQ(watch_error("change_video", R"({"roomId":"r","videoId":"v"})"),
            "roomId, videoId, and videoUrl are required");
  EXPECT_EQ(watch_error("play", R"({"roomId":"r","currentTime":12.5})"), "");
  // Sing-along's create never validated: nothing is required, but types still are.
  auto sing = parse_sync(sing_names(), "create_sing_room", args("null"), Limits{});
  EXPECT_TRUE(sing && *sing);
  auto bad = parse_sync(sing_names(), "create_sing_room", args(R"({"videoUrl":{}})"), Limits{});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "videoUrl must be a string");
}

TEST(Messages, ErrorsCarryMessageThenCode) {
  json::Value e = out_error(ApiError{"Room not found", code::kRoomNotFound, 404});
  EXPECT_EQ(e.dump(), R"({"message":"Room not found","code":"ROOM_NOT_FOUND"})");
}

TEST(Identity, FollowsTheOriginalRuleWithoutEchoingTokens) {
  Identity id;
  EXPECT_EQ(*id.socket_user(J(R"({"token":"t","userId":"alice"})"), "sid", true), "alice");
  EXPECT_EQ(*id.socket_user(J(R"({"userId":42})"), "sid", true), "42");
  auto tok = id.socket_user(J(R"({"token":"my-secret-token"})"), "sid", true);
  ASSERT_TRUE(tok);
  EXPECT_EQ(tok->rfind("tok_", 0), 0u);
  EXPECT_EQ(tok->find("my-secret-token"), std::string::npos);
  EXPECT_EQ(*tok, Identity::token_user_id("my-secret-token"));
  EXPECT_NE(*tok, Identity::token_user_id("another-token"));
  EXPECT_EQ(*id.socket_user(J("{}"), "sid", false), "sid");
  auto denied = id.socket_user(J("{}"), "sid", true);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message, "Authentication required");
  EXPECT_FALSE(id.socket_user(J(R"({"userId":{"a":1}})"), "sid", true));
}

}  // namespace
}  // namespace engage::engage::testing
