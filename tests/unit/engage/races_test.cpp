// The races of CONTRACT.md §8.1 run for real: threads against one MemoryStore.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "harness.h"

namespace engage::engage::testing {
namespace {

using Races = EngageTest;

TEST_F(Races, ConcurrentJoinsSeatExactlyOneBlackPlayer) {
  for (int round = 0; round < 20; ++round) {
    auto w = chess(cat({"white", std::to_string(round)}));
    io_.send(w, "create_chess_room", json::Value::array());
    std::string id = S(w->last("room_created"), "roomId");
    constexpr int kJoiners = 6;
    std::vector<FakeSocketPtr> js;
    for (int i = 0; i < kJoiners; ++i)
      js.push_back(chess(cat({"j", std::to_string(round), "_", std::to_string(i)})));
    std::atomic<int> go{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < kJoiners; ++i)
      ts.emplace_back([&, i] {
        go++;
        while (go.load() < kJoiners) {
        }
        json::Object o;
        o.emplace_back("roomId", id);
        io_.send1(js[static_cast<std::size_t>(i)], "join_chess_room", json::Value(std::move(o)));
      });
    for (auto& t : ts) t.join();
    int seated = 0, full = 0;
    json::Value doc = stored("chess:room:" + id);
    const std::string winner = S(doc, "blackPlayer");
    for (auto& j : js) {
      if (last_error(j) == "Room is full") ++full;
      if (j->count("game_start") == 1 && S(j->last("game_start"), "blackPlayer") == winner)
        ++seated;
    }
    EXPECT_EQ(full, kJoiners - 1) << "round " << round;
    EXPECT_EQ(seated, 1) << "round " << round;
    EXPECT_EQ(S(w->last("game_start"), "blackPlayer"), winner);
    EXPECT_EQ(w->count("game_start"), 1u);
    EXPECT_EQ(*doc.find("version")->as_int(), 2);
  }
}

TEST_F(Races, ABurstOfMovesFromBothSidesNeverLosesOrDoublesAMove) {
  const std::vector<std::string> script{"e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "f8c5",
                                        "c2c3", "g8f6", "d2d4", "e5d4", "c3d4", "c5b4",
                                        "b1c3", "f6e4", "e1g1", "e4c3", "b2c3", "b4c3"};
  auto w = chess("alice");
  auto w_tab2 = chess("alice");  // the same player on a second tab, double-submitting
  auto b = chess("bob");
  auto spectator_w = w;
  std::string id = start_game(w, b);
  auto side = [&](std::vector<FakeSocketPtr> sockets, std::size_t parity) {
    // Each side re-sends its next move until it is applied, as an impatient client would. The
    // bound is a deadline, not a spin count: with the inline store the thread that starts a
    // room's queue also runs what the other thread queues meanwhile, so one side may be busy
    // applying the other's refused attempts for a while; yielding between attempts keeps the
    // flood from starving it (a real client is rate-limited per connection).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (std::size_t i = parity; i < script.size(); i += 2) {
      while (std::chrono::steady_clock::now() < deadline) {
        json::Value doc = stored("chess:room:" + id);
        if (doc.find("moves")->size() > i) break;  // applied (by us or by the other tab)
        std::this_thread::yield();
        for (auto& s : sockets) {
          json::Object o;
          o.emplace_back("roomId", id);
          o.emplace_back("from", script[i].substr(0, 2));
          o.emplace_back("to", script[i].substr(2, 2));
          io_.send1(s, "make_move", json::Value(std::move(o)));
        }
      }
    }
  };
  std::thread tw([&] { side({w, w_tab2}, 0); });
  std::thread tb([&] { side({b}, 1); });
  tw.join();
  tb.join();
  json::Value doc = stored("chess:room:" + id);
  std::vector<std::string> got;
  for (const auto& m : doc.find("moves")->as_array()) got.push_back(m.as_string());
  EXPECT_EQ(got, script);
  EXPECT_EQ(*doc.find("version")->as_int(), static_cast<int64_t>(2 + script.size()));
  // Black's socket saw each move exactly once, with contiguous versions. Two moves committed
  // back to back by two threads may reach the (inline, fake) socket in either order; the
  // version is what lets a client order them, so order by it before checking.
  auto updates = b->all("move_update");
  ASSERT_EQ(updates.size(), script.size());
  std::sort(updates.begin(), updates.end(), [](const json::Value& a, const json::Value& c) {
    return *a.find("version")->as_int() < *c.find("version")->as_int();
  });
  for (std::size_t i = 0; i < updates.size(); ++i) {
    EXPECT_EQ(*updates[i].find("ply")->as_int(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(*updates[i].find("version")->as_int(), static_cast<int64_t>(3 + i));
    EXPECT_EQ(S(updates[i], "from") + S(updates[i], "to"), script[i]);
  }
}

TEST_F(Races, ConcurrentWatchJoinsLoseNoParticipant) {
  auto host = watch("host");
  send(host, "create_watch_room", R"({"videoId":"v","videoUrl":"u"})");
  std::string id = S(host->last("room_created"), "roomId");
  constexpr int kGuests = 12;
  std::vector<FakeSocketPtr> gs;
  for (int i = 0; i < kGuests; ++i) gs.push_back(watch(cat({"g", std::to_string(i)})));
  std::vector<std::thread> ts;
  for (int i = 0; i < kGuests; ++i)
    ts.emplace_back([&, i] {
      json::Object o;
      o.emplace_back("roomId", id);
      io_.send1(gs[static_cast<std::size_t>(i)], "join_watch_room", json::Value(std::move(o)));
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(stored("watchalong:room:" + id).find("participants")->size(),
            static_cast<std::size_t>(kGuests + 1));
  EXPECT_EQ(host->count("participant_joined"), static_cast<std::size_t>(kGuests));
}

}  // namespace
}  // namespace engage::engage::testing
