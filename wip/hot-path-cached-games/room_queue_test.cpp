// The per-room update queue: concurrent updates of one room on one instance never conflict.
#include <atomic>
#include <thread>

#include "harness.h"

namespace engage::engage::testing {
namespace {

// With no CAS retry budget at all, any conflict between two updates of this instance would
// surface as UNAVAILABLE: the queue must make them take turns instead.
class RoomQueue : public EngageTest {
 protected:
  RoomQueue() {
    Limits l;
    l.max_cas_retries = 0;
    service_ = std::make_unique<Service>(io_, *store_, l);
    service_->install(nullptr);  // replaces the namespaces; REST is not used here
  }
};

TEST_F(RoomQueue, ManyConcurrentWatchJoinsFromSeveralThreadsAllSucceed) {
  auto host = watch("host");
  send(host, "create_watch_room", R"({"videoId":"v","videoUrl":"u"})");
  const std::string id = S(host->last("room_created"), "roomId");
  ASSERT_FALSE(id.empty());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::vector<FakeSocketPtr> gs;
  for (int i = 0; i < kThreads * kPerThread; ++i)
    gs.push_back(watch(cat({"g", std::to_string(i)})));
  std::atomic<int> ready{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      ready++;
      while (ready.load() < kThreads) {
      }
      for (int k = 0; k < kPerThread; ++k) {
        json::Object o;
        o.emplace_back("roomId", id);
        io_.send1(gs[static_cast<std::size_t>(t * kPerThread + k)], "join_watch_room",
                  json::Value(std::move(o)));
      }
    });
  for (auto& th : ts) th.join();
  std::size_t joined = 0, errors = 0;
  for (auto& g : gs) {
    joined += g->count("room_joined");
    errors += g->count("error");
  }
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(joined, gs.size());
  json::Value doc = stored("watchalong:room:" + id);
  ASSERT_NE(doc.find("participants"), nullptr);
  EXPECT_EQ(doc.find("participants")->size(), gs.size() + 1);
  EXPECT_EQ(*doc.find("version")->as_int(), static_cast<int64_t>(gs.size() + 1));
  EXPECT_EQ(host->count("participant_joined"), gs.size());
  EXPECT_EQ(service_->env().rooms.busy_rooms(), 0u);  // every queue drained and removed
}

TEST_F(RoomQueue, UpdatesOfOneRoomRunInArrivalOrderWithoutConflict) {
  // Rooms directly, on a MemoryStore: N threads increment a counter in one document.
  Limits l;
  l.max_cas_retries = 0;
  Rooms rooms(*store_, l);
  json::Value created;
  rooms.create(
      "t",
      [](const std::string& rid, const std::string& code) {
        json::Object o;
        o.emplace_back("roomId", rid);
        o.emplace_back("roomCode", code);
        o.emplace_back("n", 0);
        o.emplace_back("version", 1);
        return json::Value(std::move(o));
      },
      [&](Expected<json::Value, ApiError> d) {
        ASSERT_TRUE(d.has_value());
        created = std::move(*d);
      });
  const std::string id = S(created, "roomId");
  constexpr int kThreads = 6, kEach = 200;
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&] {
      for (int k = 0; k < kEach; ++k)
        rooms.update(
            "t", id, ApiError{"nf", "NF", 404},
            [](json::Value& doc) -> Expected<Rooms::Outcome, ApiError> {
              doc.set("n", *doc.find("n")->as_int() + 1);
              return Rooms::Outcome::Write;
            },
            [&](Expected<Rooms::Committed, ApiError> c) { (c ? ok : failed)++; });
    });
  for (auto& th : ts) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(ok.load(), kThreads * kEach);
  json::Value doc = stored("t:room:" + id);
  EXPECT_EQ(*doc.find("n")->as_int(), kThreads * kEach);
  EXPECT_EQ(rooms.busy_rooms(), 0u);
}

TEST_F(RoomQueue, AnUpdateQueuedFromACallbackRunsAfterItWithoutRecursion) {
  Limits l;
  Rooms rooms(*store_, l);
  json::Value created;
  rooms.create(
      "t",
      [](const std::string& rid, const std::string& code) {
        json::Object o;
        o.emplace_back("roomId", rid);
        o.emplace_back("roomCode", code);
        o.emplace_back("n", 0);
        o.emplace_back("version", 1);
        return json::Value(std::move(o));
      },
      [&](Expected<json::Value, ApiError> d) { created = std::move(*d); });
  const std::string id = S(created, "roomId");
  // Each callback queues the next update of the same room: 20,000 in a chain on an inline
  // store must neither deadlock nor grow the stack per link.
  constexpr int kChain = 20000;
  int done = 0;
  std::function<void()> next = [&] {
    rooms.update(
        "t", id, ApiError{"nf", "NF", 404},
        [](json::Value& doc) -> Expected<Rooms::Outcome, ApiError> {
          doc.set("n", *doc.find("n")->as_int() + 1);
          return Rooms::Outcome::Write;
        },
        [&](Expected<Rooms::Committed, ApiError> c) {
          ASSERT_TRUE(c.has_value());
          EXPECT_EQ(*c->doc.find("n")->as_int(), ++done);
          if (done < kChain) next();
        });
  };
  next();
  EXPECT_EQ(done, kChain);
  EXPECT_EQ(*stored("t:room:" + id).find("n")->as_int(), kChain);
}

}  // namespace
}  // namespace engage::engage::testing
