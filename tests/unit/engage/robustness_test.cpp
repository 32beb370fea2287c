// Payloads of every wrong shape get an `error` and leave the process and the rooms intact;
// store trouble becomes a clear UNAVAILABLE error.
#include "harness.h"

namespace engage::engage::testing {
namespace {

using Robustness = EngageTest;

std::vector<std::string> junk() {
  std::string deep;
  for (int i = 0; i < 60; ++i) deep += "[";
  deep += "1";
  for (int i = 0; i < 60; ++i) deep += "]";
  return {"null",
          "0",
          "-1",
          "1.5",
          "true",
          "\"x\"",
          "[]",
          "{}",
          deep,
          R"({"roomId":null,"from":null,"to":null})",
          R"({"roomId":5.5,"from":"e2","to":"e4"})",
          R"({"roomId":{"nested":{"junk":[1,2,{}]}},"from":[],"to":{}})",
          R"({"roomId":"r","currentTime":"NaN","videoId":7,"videoUrl":false})",
          R"({"roomId":"r","currentTime":-5})",
          R"({"roomId":")" + std::string(100000, 'x') + R"(","from":"e2","to":"e4"})",
          R"({"videoId":")" + std::string(100000, 'v') + R"(","videoUrl":"u"})"};
}

TEST_F(Robustness, EveryEventWithEveryWrongShapeAnswersAnError) {
  struct Ns {
    std::string nsp;
    std::vector<std::string> events;
  };
  std::vector<Ns> all{
      {"/play-along", {"join_chess_room", "make_move", "resign"}},
      {"/watch-along",
       {"create_watch_room", "join_watch_room", "play", "pause", "seek", "change_video"}},
      {"/sing-along", {"join_sing_room", "play", "pause", "seek", "change_video"}}};
  for (const auto& ns : all) {
    auto s = user(ns.nsp, "fuzzer");
    for (const auto& ev : ns.events) {
      for (const auto& p : junk()) {
        s->clear();
        io_.send1(s, ev, J(p));
        EXPECT_EQ(s->count("error"), 1u) << ns.nsp << " " << ev << " " << p.substr(0, 80);
        EXPECT_FALSE(S(s->last("error"), "code").empty());
      }
      // No argument at all (the packet that killed the original).
      s->clear();
      io_.send(s, ev, json::Value::array());
      EXPECT_EQ(s->count("error"), 1u) << ns.nsp << " " << ev << " without payload";
    }
  }
  // The process and the rooms are intact: a full flow still works.
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  play(w, id, "e2e4");
  EXPECT_EQ(b->count("move_update"), 1u);
}

TEST_F(Robustness, JunkAgainstALiveRoomLeavesItUnchanged) {
  auto w = chess("alice");
  auto b = chess("bob");
  std::string id = start_game(w, b);
  json::Value before = stored("chess:room:" + id);
  for (const std::string& p :
       {R"({"roomId":")" + id + R"(","from":"e2"})",
        R"({"roomId":")" + id + R"(","from":"e2","to":"e9"})",
        R"({"roomId":")" + id + R"(","from":"e2","to":"e4","promotion":"k"})",
        R"({"roomId":")" + id + R"(","from":"zz","to":"e4"})"}) {
    io_.send1(w, "make_move", J(p));
    if (p.find("promotion") != std::string::npos) break;  // e2e4 with a junk piece is legal
    EXPECT_FALSE(last_error(w).empty()) << p;
  }
  json::Value doc = stored("chess:room:" + id);
  EXPECT_LE(doc.find("moves")->size(), 1u);
  EXPECT_EQ(S(doc, "whitePlayer"), S(before, "whitePlayer"));
  EXPECT_EQ(S(doc, "blackPlayer"), S(before, "blackPlayer"));
}

TEST_F(Robustness, CorruptStoredRoomsAnswerClearErrors) {
  // Not JSON at all (the original crashed in JSON.parse).
  store_->create("chess:room:room_1_corrupt", store::Doc{"{not json", 1}, 60, [](store::Errc) {});
  // Valid JSON with an impossible position and no move list.
  store_->create("chess:room:room_1_badfen",
                 store::Doc{R"({"roomId":"room_1_badfen","roomCode":null,"whitePlayer":"alice",)"
                            R"("blackPlayer":"bob","fen":"not a fen","turn":"white",)"
                            R"("status":"active","winner":null,"version":1})",
                            1},
                 60, [](store::Errc) {});
  auto w = chess("alice");
  send(w, "join_chess_room", R"({"roomId":"room_1_corrupt"})");
  EXPECT_EQ(last_error(w), "Invalid room data");
  EXPECT_EQ(S(w->last("error"), "code"), "INTERNAL");
  play(w, "room_1_badfen", "e2e4");
  EXPECT_EQ(last_error(w), "Failed to initialize game");
  auto r = rest("GET", "/api/chess/room/room_1_corrupt");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(S(r.body, "error"), "Invalid room data");
  auto m = rest("POST", "/api/chess/move",
                R"({"userId":"alice","roomId":"room_1_badfen","from":"e2","to":"e4"})");
  EXPECT_EQ(m.status, 500);
  EXPECT_EQ(S(m.body, "error"), "Failed to initialize game");
}

// A store that cannot answer anything (Redis down, circuit open).
class DownStore final : public store::Store {
 public:
  void get(std::string, store::DocFn cb) override { cb(store::Errc::Unavailable, {}); }
  void create(std::string, store::Doc, int, store::DoneFn cb) override {
    cb(store::Errc::Unavailable);
  }
  void cas(std::string, uint64_t, store::Doc, int, std::vector<std::string>,
           store::DoneFn cb) override {
    cb(store::Errc::Timeout);
  }
  void remove(std::string, uint64_t, std::vector<std::string>, store::DoneFn cb) override {
    cb(store::Errc::Unavailable);
  }
  void claim(std::string, std::string, int, store::DoneFn cb) override {
    cb(store::Errc::Unavailable);
  }
  void get_string(std::string, store::StringFn cb) override { cb(store::Errc::Timeout, {}); }
  void touch(std::vector<std::string>, int, store::DoneFn cb) override {
    cb(store::Errc::Unavailable);
  }
  void del(std::vector<std::string>, store::DoneFn cb) override { cb(store::Errc::Unavailable); }
  void incr_window(std::string, int64_t, store::CountFn cb) override {
    cb(store::Errc::Unavailable, 0, 0);
  }
  void publish(std::string, std::string) override {}
  void subscribe(const std::string&) override {}
  void unsubscribe(const std::string&) override {}
  void on_message(store::MessageFn) override {}
  store::State state() const override { return store::State::Down; }
  std::string_view kind() const override { return "redis"; }
};

TEST(StoreDown, EveryActionGetsAClearUnavailableError) {
  DownStore down;
  FakeServer io;
  http::Router router;
  Service svc(io, down);
  svc.install(&router);
  auto s = io.connect("/play-along", J(R"({"userId":"alice"})"));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->last("server_ready").find("redisReady")->as_bool());
  io.send(s, "create_chess_room", json::Value::array());
  json::Value e = s->last("error");
  EXPECT_EQ(S(e, "message"), "Service temporarily unavailable, please retry");
  EXPECT_EQ(S(e, "code"), "UNAVAILABLE");
  s->clear();
  io.send1(s, "join_chess_room", J(R"({"roomCode":"123456"})"));
  EXPECT_EQ(S(s->last("error"), "code"), "UNAVAILABLE");
  auto w = io.connect("/watch-along", J(R"({"userId":"alice"})"));
  io.send1(w, "play", J(R"({"roomId":"room_1_a","currentTime":1})"));
  EXPECT_EQ(S(w->last("error"), "code"), "UNAVAILABLE");
  io.drop(w);
  io.drop(s);
  svc.sweep();
}

}  // namespace
}  // namespace engage::engage::testing
