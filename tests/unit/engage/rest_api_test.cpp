// The REST door: the V7 routes, their status codes and shapes, one state with the sockets.
#include "engage/rest_api.h"

#include "harness.h"

namespace engage::engage::testing {
namespace {

using Rest = EngageTest;

std::string body(std::initializer_list<std::pair<const char*, json::Value>> members) {
  json::Object o;
  for (const auto& [k, v] : members) o.emplace_back(k, v);
  return json::Value(std::move(o)).dump();
}

TEST_F(Rest, InformationalRoutes) {
  auto root = rest("GET", "/");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(keys(root.body)[0], "status");
  EXPECT_EQ(S(root.body, "server"), "Engage Socket.IO Server");
  EXPECT_EQ(S(root.body, "redis"), "connected");
  auto health = rest("GET", "/health");
  EXPECT_EQ(health.body.find("namespaces")->dump(),
            R"(["/watch-along","/play-along","/sing-along"])");
  EXPECT_EQ(health.body.find("store")->dump(), R"({"kind":"memory","state":"up"})");
  auto test = rest("GET", "/socket.io-test");
  EXPECT_EQ(S(test.body, "message"), "Socket.IO server is running");
  EXPECT_EQ(test.body.find("transports")->dump(), R"(["websocket","polling"])");
  auto info = rest("GET", "/play-along");
  EXPECT_EQ(S(info.body, "message"), "This is a Socket.IO namespace, not a REST endpoint");
  EXPECT_EQ(S(*info.body.find("endpoints"), "status"), "GET /api/chess/room/:roomId");
}

TEST_F(Rest, ChessCreateJoinPollMove) {
  auto c = rest("POST", "/api/chess/create", body({{"userId", "alice"}}));
  ASSERT_EQ(c.status, 200);
  EXPECT_EQ(keys(c.body)[0], "success");
  EXPECT_EQ(keys(c.body)[1], "roomId");
  EXPECT_EQ(keys(c.body)[2], "roomCode");
  EXPECT_EQ(S(c.body, "whitePlayer"), "alice");
  std::string id = S(c.body, "roomId"), code = S(c.body, "roomCode");
  auto j = rest("POST", "/api/chess/join", body({{"userId", "bob"}, {"roomCode", code}}));
  ASSERT_EQ(j.status, 200);
  EXPECT_EQ(S(j.body, "blackPlayer"), "bob");
  EXPECT_EQ(S(j.body, "status"), "active");
  auto again = rest("POST", "/api/chess/join", body({{"userId", "alice"}, {"roomCode", code}}));
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(again.body.find("isRejoin")->as_bool());
  auto full = rest("POST", "/api/chess/join", body({{"userId", "carol"}, {"roomId", id}}));
  EXPECT_EQ(full.status, 403);
  EXPECT_EQ(S(full.body, "error"), "Room is full");
  EXPECT_FALSE(full.body.find("success")->as_bool());
  // The acting user may come from X-User-Id.
  auto m = rest("POST", "/api/chess/move", body({{"roomId", id}, {"from", "e2"}, {"to", "e4"}}),
                {{"x-user-id", "alice"}});
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(keys(m.body), (std::vector<std::string>{"success", "fen", "turn", "status", "winner",
                                                    "move", "san", "ply", "version"}));
  EXPECT_EQ(S(m.body, "turn"), "black");
  EXPECT_EQ(m.body.find("move")->dump(), R"({"from":"e2","to":"e4"})");
  auto poll = rest("GET", "/api/chess/room/" + id);
  EXPECT_EQ(poll.status, 200);
  EXPECT_EQ(S(poll.body, "fen"), S(m.body, "fen"));
  EXPECT_EQ(rest("GET", "/api/chess/room/" + code).status, 200);  // a code works too
}

TEST_F(Rest, ChessErrorsWithTheOriginalStatusesAndStrings) {
  struct Case {
    std::string path, body;
    int status;
    std::string error;
  };
  auto c = rest("POST", "/api/chess/create", body({{"userId", "alice"}}));
  std::string id = S(c.body, "roomId");
  std::vector<Case> cases{
      {"/api/chess/join", "{}", 400, "Room ID or code is required"},
      {"/api/chess/join", R"({"roomCode":"000000"})", 404,
       "Invalid room code. Room may have expired or Redis is unavailable."},
      {"/api/chess/join", R"({"roomId":"room_1_x"})", 404, "Room not found. It may have expired."},
      {"/api/chess/move", R"({"roomId":"r"})", 400, "roomId, from, and to are required"},
      {"/api/chess/move", R"({"roomId":"room_1_x","from":"e2","to":"e4"})", 404, "Room not found"},
      {"/api/chess/move", R"({"userId":"alice","roomId":")" + id + R"(","from":"e2","to":"e4"})",
       400, "Game is not active"},
  };
  for (const auto& k : cases) {
    auto r = rest("POST", k.path, k.body);
    EXPECT_EQ(r.status, k.status) << k.path << " " << k.body;
    EXPECT_EQ(S(r.body, "error"), k.error) << k.path << " " << k.body;
  }
  rest("POST", "/api/chess/join", body({{"userId", "bob"}, {"roomId", id}}));
  auto stranger = rest("POST", "/api/chess/move",
                       body({{"userId", "eve"}, {"roomId", id}, {"from", "e2"}, {"to", "e4"}}));
  EXPECT_EQ(stranger.status, 403);
  EXPECT_EQ(S(stranger.body, "error"), "You are not a player in this room");
  auto turn = rest("POST", "/api/chess/move",
                   body({{"userId", "bob"}, {"roomId", id}, {"from", "e7"}, {"to", "e5"}}));
  EXPECT_EQ(turn.status, 400);
  EXPECT_EQ(S(turn.body, "error"), "Not your turn");
  auto illegal = rest("POST", "/api/chess/move",
                      body({{"userId", "alice"}, {"roomId", id}, {"from", "e2"}, {"to", "e5"}}));
  EXPECT_EQ(illegal.status, 400);
  EXPECT_EQ(S(illegal.body, "error"), R"(Invalid move: {"from":"e2","to":"e5"})");
  EXPECT_EQ(rest("GET", "/api/chess/room/nothing-here").status, 404);
  EXPECT_EQ(S(rest("GET", "/api/chess/room/nothing-here").body, "error"),
            "Room not found. It may have expired.");
}

TEST_F(Rest, MalformedAndOversizeBodiesAreJson4xx) {
  auto bad = rest("POST", "/api/chess/join", "{\"roomCode\":");
  EXPECT_EQ(bad.status, 400);
  EXPECT_FALSE(bad.body.find("success")->as_bool());
  EXPECT_EQ(S(bad.body, "code"), "BAD_REQUEST");
  EXPECT_EQ(S(bad.body, "error").rfind("Malformed JSON body", 0), 0u);
  auto prim = rest("POST", "/api/chess/join", "42");
  EXPECT_EQ(prim.status, 400);
  auto big = rest("POST", "/api/watch/create",
                  "{\"videoId\":\"" + std::string(200 * 1024, 'a') + "\",\"videoUrl\":\"u\"}");
  EXPECT_EQ(big.status, 413);
  auto arr = rest("POST", "/api/chess/join", "[1,2]");  // express let arrays through as {}
  EXPECT_EQ(arr.status, 400);
  EXPECT_EQ(S(arr.body, "error"), "Room ID or code is required");
  std::string deep(200, '[');
  EXPECT_EQ(rest("POST", "/api/chess/create", deep).status, 400);
}

TEST_F(Rest, OneStateForBothDoors) {
  auto w = chess("alice");
  io_.send(w, "create_chess_room", json::Value::array());
  std::string code = S(w->last("room_created"), "roomCode");
  std::string id = S(w->last("room_created"), "roomId");
  // A REST client joins the socket player's room by code and gets game_start broadcast.
  auto j = rest("POST", "/api/chess/join", body({{"userId", "bob"}, {"roomCode", code}}));
  ASSERT_EQ(j.status, 200);
  EXPECT_EQ(S(w->last("game_start"), "blackPlayer"), "bob");
  play(w, id, "d2d4");
  EXPECT_EQ(S(rest("GET", "/api/chess/room/" + id).body, "turn"), "black");
  // A REST move reaches the sockets like a socket move.
  w->clear();
  auto m = rest("POST", "/api/chess/move",
                body({{"userId", "bob"}, {"roomId", id}, {"from", "d7"}, {"to", "d5"}}));
  ASSERT_EQ(m.status, 200);
  json::Value mu = w->last("move_update");
  EXPECT_EQ(S(mu, "san"), "d5");
  EXPECT_EQ(*mu.find("ply")->as_int(), 2);
  auto r = rest("POST", "/api/chess/resign", body({{"userId", "bob"}, {"roomId", id}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(S(w->last("game_over"), "winner"), "white");
}

TEST_F(Rest, WatchAndSingRoutes) {
  for (std::string base : {"/api/watch", "/api/sing"}) {
    const std::string nsp = base == "/api/watch" ? "/watch-along" : "/sing-along";
    EXPECT_EQ(S(rest("POST", base + "/create", "{}").body, "error"),
              "videoId and videoUrl are required");
    auto c = rest("POST", base + "/create",
                  body({{"userId", "host"}, {"videoId", "v1"}, {"videoUrl", "u1"}}));
    ASSERT_EQ(c.status, 200) << base;
    auto k = keys(c.body);
    EXPECT_EQ(std::vector<std::string>(k.begin(), k.begin() + 12),
              (std::vector<std::string>{"success", "roomId", "roomCode", "hostId", "videoId",
                                        "videoUrl", "isPlaying", "currentTime", "createdAt",
                                        "participants", "status", "version"}));
    std::string id = S(c.body, "roomId"), code = S(c.body, "roomCode");
    // A socket member follows the REST host.
    auto member = user(nsp, "sock");
    send(member, base == "/api/watch" ? "join_watch_room" : "join_sing_room",
         "{\"roomId\":\"" + code + "\"}");
    ASSERT_EQ(S(member->last("room_joined"), "roomId"), id);
    auto j = rest("POST", base + "/join", body({{"userId", "guest"}, {"roomCode", code}}));
    EXPECT_EQ(j.status, 200);
    EXPECT_FALSE(j.body.find("isHost")->as_bool());
    EXPECT_EQ(S(member->last("participant_joined"), "userId"), "guest");
    EXPECT_EQ(rest("POST", base + "/join", "{}").status, 400);
    EXPECT_EQ(S(rest("POST", base + "/join", "{}").body, "error"),
              "roomId or roomCode is required");
    EXPECT_EQ(S(rest("POST", base + "/join", R"({"roomCode":"000000"})").body, "error"),
              "Invalid room code. Room may have expired or Redis is unavailable.");
    auto denied = rest("POST", base + "/play", body({{"userId", "guest"}, {"roomId", id}}));
    EXPECT_EQ(denied.status, 403);
    EXPECT_EQ(S(denied.body, "error"), "Only host can control playback");
    auto p = rest("POST", base + "/play",
                  body({{"userId", "host"}, {"roomId", id}, {"currentTime", 7}}));
    EXPECT_EQ(p.status, 200);
    EXPECT_TRUE(p.body.find("isPlaying")->as_bool());
    EXPECT_EQ(member->last("sync_play").find("currentTime")->as_double(), 7);
    EXPECT_EQ(rest("POST", base + "/pause", body({{"userId", "host"}, {"roomId", id}})).status,
              200);
    EXPECT_EQ(member->count("sync_pause"), 1u);
    EXPECT_EQ(S(rest("POST", base + "/seek", body({{"roomId", id}})).body, "error"),
              "roomId and currentTime are required");
    EXPECT_EQ(rest("POST", base + "/seek",
                   body({{"userId", "host"}, {"roomId", id}, {"currentTime", 30}}))
                  .status,
              200);
    EXPECT_EQ(member->last("sync_seek").find("currentTime")->as_double(), 30);
    EXPECT_EQ(S(rest("POST", base + "/change-video", body({{"roomId", id}})).body, "error"),
              "roomId, videoId, and videoUrl are required");
    auto cv =
        rest("POST", base + "/change-video",
             body({{"userId", "guest"}, {"roomId", id}, {"videoId", "a"}, {"videoUrl", "b"}}));
    EXPECT_EQ(S(cv.body, "error"), "Only host can change video");
    cv = rest("POST", base + "/change-video",
              body({{"userId", "host"}, {"roomId", id}, {"videoId", "a"}, {"videoUrl", "b"}}));
    EXPECT_EQ(cv.status, 200);
    EXPECT_EQ(S(member->last("sync_video"), "videoId"), "a");
    auto g = rest("GET", base + "/room/" + id);
    EXPECT_EQ(g.status, 200);
    EXPECT_EQ(S(g.body, "videoId"), "a");
    EXPECT_EQ(S(rest("GET", base + "/room/room_1_none").body, "error"), "Room not found");
    EXPECT_EQ(
        S(rest("POST", base + "/play", body({{"userId", "host"}, {"roomId", "room_1_x"}})).body,
          "error"),
        "Room not found");
  }
}

}  // namespace
}  // namespace engage::engage::testing
