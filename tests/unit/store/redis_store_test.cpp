// Runs the Store contract suite against RedisStore on a real redis-server (started here on a free
// loopback port, AOF on), plus what only Redis has: original key names, Lua CAS edge cases,
// outages (kill/stop/restart Redis mid-stream), the offline queue, the circuit breaker,
// AUTH/ACL/database selection, NOSCRIPT recovery and re-subscription after a reconnect.
#include "store/redis_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/loops.h"
#include "redis_server_fixture.h"
#include "store_contract.h"

namespace engage::store {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;

// The process-wide server of the contract suite (each ctest case is its own process).
RedisServer* shared_server() {
  static std::unique_ptr<RedisServer> server = [] {
    auto s = std::make_unique<RedisServer>();
    if (!s->start()) s.reset();
    return s;
  }();
  return server.get();
}

RedisConfig config_for(const RedisServer& s, int db = 0) {
  auto c = parse_redis_url(s.url(db));
  EXPECT_TRUE(c);
  return *c;
}

// Waits until `cond` holds, up to `limit`.
bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds limit = 10s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

}  // namespace

namespace contract {
namespace {

// ---- the contract suite ------------------------------------------------------------------------

class RedisHarness final : public contract::StoreHarness {
 public:
  explicit RedisHarness(RedisServer* server) : server_(server), loops_(2) { loops_.start(); }
  ~RedisHarness() override {
    loops_.stop();
    loops_.join();
  }
  std::unique_ptr<Store> make_instance() override {
    if (server_ == nullptr) {
      ADD_FAILURE() << "redis-server did not start";
      return nullptr;
    }
    auto s = std::make_unique<RedisStore>(config_for(*server_), loops_);
    EXPECT_TRUE(wait_until([&] { return s->state() == State::Up; })) << "store never came up";
    std::lock_guard lock(mu_);
    stats_.push_back(s->stats_ptr());
    return s;
  }
  void advance_ms(int64_t ms) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
  void settle() override {
    // Every (UN)SUBSCRIBE acknowledged by Redis, then a moment for messages in flight.
    wait_until([&] {
      std::lock_guard lock(mu_);
      for (auto& w : stats_)
        if (auto s = w.lock(); s && s->subscriptions_unconfirmed.load() > 0) return false;
      return true;
    });
    std::this_thread::sleep_for(50ms);
  }

 private:
  RedisServer* server_;
  net::Loops loops_;
  std::mutex mu_;
  std::vector<std::weak_ptr<const RedisStats>> stats_;
};

INSTANTIATE_TEST_SUITE_P(Redis, StoreContract,
                         ::testing::Values(contract::HarnessParam{
                             "redis",
                             [] { return std::make_unique<RedisHarness>(shared_server()); }}),
                         contract::HarnessParam::name);

}  // namespace
}  // namespace contract

namespace {

// ---- Redis-only tests --------------------------------------------------------------------------

// Synchronous wrappers over one store, called from the test thread (callbacks on loop 0).
class Sync {
 public:
  explicit Sync(Store& s) : s_(s) {}
  template <class R, class Call>
  R wait(Call call, std::chrono::milliseconds limit = 10s) {
    auto p = std::make_shared<std::promise<R>>();
    auto f = p->get_future();
    call(p);
    if (f.wait_for(limit) != std::future_status::ready) {
      ADD_FAILURE() << "callback never came";
      return R{};
    }
    return f.get();
  }
  std::pair<Errc, Doc> get(const std::string& k) {
    return wait<std::pair<Errc, Doc>>([&](auto p) {
      s_.get(k, [p](Errc e, Doc d) { p->set_value({e, std::move(d)}); });
    });
  }
  Errc create(const std::string& k, Doc d, int ttl = 60) {
    return wait<Errc>(
        [&](auto p) { s_.create(k, std::move(d), ttl, [p](Errc e) { p->set_value(e); }); });
  }
  Errc cas(const std::string& k, uint64_t expected, Doc d, std::vector<std::string> also = {},
           int ttl = 60) {
    return wait<Errc>([&](auto p) {
      s_.cas(k, expected, std::move(d), ttl, std::move(also), [p](Errc e) { p->set_value(e); });
    });
  }
  Errc remove(const std::string& k, uint64_t expected) {
    return wait<Errc>(
        [&](auto p) { s_.remove(k, expected, {}, [p](Errc e) { p->set_value(e); }); });
  }
  Errc claim(const std::string& k, const std::string& v, int ttl = 60) {
    return wait<Errc>([&](auto p) { s_.claim(k, v, ttl, [p](Errc e) { p->set_value(e); }); });
  }

 private:
  Store& s_;
};

Doc room_doc(uint64_t version, const std::string& black = "null") {
  std::string v = std::to_string(version);
  return Doc{R"({"roomId":"r1","roomCode":"123456","whitePlayer":"w","blackPlayer":)" + black +
                 R"(,"fen":"start","turn":"w","status":"waiting","winner":null,"createdAt":"t",)" +
                 R"("version":)" + v + "}",
             version};
}

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServer::available()) GTEST_SKIP() << "redis-server not installed";
  }
  // Starts a private server (so that it can be killed) with `opts`.
  RedisServer& server(RedisServer::Options opts = {}) {
    server_ = std::make_unique<RedisServer>(std::move(opts));
    EXPECT_TRUE(server_->start());
    return *server_;
  }
  std::unique_ptr<RedisStore> store(RedisConfig cfg, bool wait_up = true) {
    auto s = std::make_unique<RedisStore>(std::move(cfg), loops_);
    if (wait_up) {
      EXPECT_TRUE(wait_until([&] { return s->state() == State::Up; }));
    }
    return s;
  }
  void TearDown() override {
    loops_.stop();
    loops_.join();
  }

  std::unique_ptr<RedisServer> server_;
  net::Loops loops_{3};
  bool started_ = [this] {
    loops_.start();
    return true;
  }();
};

TEST_F(RedisStoreTest, KeepsTheOriginalsKeyNamesValuesAndTtl) {
  auto& srv = server();
  auto s = store(config_for(srv));
  Sync sync(*s);
  ASSERT_EQ(sync.create("chess:room:r1", room_doc(1), 3600), Errc::Ok);
  ASSERT_EQ(sync.claim("chess:code:123456", "r1", 3600), Errc::Ok);
  // What redis-cli users and the scalability guide's `keys chess:room:*` see.
  EXPECT_EQ(srv.command({"KEYS", "chess:room:*"}), "chess:room:r1");
  EXPECT_EQ(srv.command({"GET", "chess:room:r1"}), room_doc(1).value);
  EXPECT_EQ(srv.command({"GET", "chess:code:123456"}), "r1");
  EXPECT_EQ(srv.command({"TYPE", "chess:room:r1"}), "string");
  auto ttl = std::stoi(srv.command({"TTL", "chess:room:r1"}).value_or("0"));
  EXPECT_GT(ttl, 3590);
  EXPECT_LE(ttl, 3600);
  // A move: the room and its code mapping get a fresh hour together.
  ASSERT_EQ(srv.command({"EXPIRE", "chess:code:123456", "10"}), "1");
  ASSERT_EQ(sync.cas("chess:room:r1", 1, room_doc(2, "\"b\""), {"chess:code:123456"}, 3600),
            Errc::Ok);
  EXPECT_GT(std::stoi(srv.command({"TTL", "chess:code:123456"}).value_or("0")), 3590);
  EXPECT_EQ(srv.command({"GET", "chess:room:r1"}), room_doc(2, "\"b\"").value);
}

TEST_F(RedisStoreTest, CasComparesOnlyTheTopLevelVersion) {
  auto& srv = server();
  auto s = store(config_for(srv));
  Sync sync(*s);
  // Nested "version" keys and string contents that look like one must not fool the script.
  std::string tricky =
      R"({"meta":{"version":99},"chat":"\"version\":5","version":3,"clock":{"version":1}})";
  ASSERT_EQ(srv.command({"SET", "doc:tricky", tricky}), "OK");
  EXPECT_EQ(sync.get("doc:tricky").second.version, 3u);
  EXPECT_EQ(sync.cas("doc:tricky", 99, Doc{R"({"version":100})", 100}), Errc::Conflict);
  EXPECT_EQ(sync.cas("doc:tricky", 5, Doc{R"({"version":6})", 6}), Errc::Conflict);
  EXPECT_EQ(sync.cas("doc:tricky", 1, Doc{R"({"version":2})", 2}), Errc::Conflict);
  EXPECT_EQ(sync.cas("doc:tricky", 3, Doc{R"({"version":4})", 4}), Errc::Ok);
  // Only the string looks like a version: one pattern match, inside a string? No — escaped.
  ASSERT_EQ(srv.command({"SET", "doc:str", R"({"s":"x\",\"version\":7","version":2})"}), "OK");
  EXPECT_EQ(sync.cas("doc:str", 7, Doc{R"({"version":8})", 8}), Errc::Conflict);
  EXPECT_EQ(sync.cas("doc:str", 2, Doc{R"({"version":3})", 3}), Errc::Ok);
  EXPECT_EQ(sync.remove("doc:str", 2), Errc::Conflict);
  EXPECT_EQ(sync.remove("doc:str", 3), Errc::Ok);
}

TEST_F(RedisStoreTest, ReadsAndUpgradesRoomsWrittenByTheOriginalServer) {
  auto& srv = server();
  auto s = store(config_for(srv));
  Sync sync(*s);
  std::string legacy =
      R"({"roomId":"r9","roomCode":"654321","whitePlayer":"w","blackPlayer":null,"fen":"f",)"
      R"("turn":"w","status":"waiting","winner":null,"createdAt":"2024-01-01T00:00:00.000Z"})";
  ASSERT_EQ(srv.command({"SETEX", "chess:room:r9", "3600", legacy}), "OK");
  auto [e, d] = sync.get("chess:room:r9");
  ASSERT_EQ(e, Errc::Ok);
  EXPECT_EQ(d.version, 0u);
  EXPECT_EQ(d.value, legacy);
  EXPECT_EQ(sync.cas("chess:room:r9", 0, room_doc(1, "\"b\"")), Errc::Ok);
  EXPECT_EQ(sync.get("chess:room:r9").second.version, 1u);
}

TEST_F(RedisStoreTest, ManyLoopsAndInstancesSeatExactlyOneBlackPlayer) {
  auto& srv = server();
  std::vector<std::unique_ptr<RedisStore>> stores;
  for (int i = 0; i < 4; ++i) stores.push_back(store(config_for(srv)));
  ASSERT_EQ(Sync(*stores[0]).create("chess:room:seat", room_doc(1)), Errc::Ok);
  // Every loop of every instance reads the waiting room and tries to take the black seat.
  std::atomic<int> seated{0}, lost{0}, other{0};
  std::atomic<int> done{0};
  const int kTries = static_cast<int>(stores.size() * loops_.size() * 4);
  for (std::size_t si = 0; si < stores.size(); ++si)
    for (std::size_t li = 0; li < loops_.size(); ++li)
      for (int t = 0; t < 4; ++t)
        loops_.post(li, [&, si, li, t] {
          RedisStore& st = *stores[si];
          std::string me = "\"p" + std::to_string(si) + "_" + std::to_string(li) + "_" +
                           std::to_string(t) + "\"";
          st.get("chess:room:seat", [&, me](Errc e, Doc d) {
            if (e != Errc::Ok) {
              other++;
              done++;
              return;
            }
            st.cas("chess:room:seat", d.version, room_doc(d.version + 1, me), 60, {}, [&](Errc r) {
              (r == Errc::Ok ? seated : r == Errc::Conflict ? lost : other)++;
              done++;
            });
          });
        });
  ASSERT_TRUE(wait_until([&] { return done.load() == kTries; }));
  EXPECT_EQ(other.load(), 0);
  // All read version 1 before anyone wrote, or read a later version and still raced: either
  // way the room moved by exactly the number of winners, and the seat changed hands only by CAS.
  auto [e, d] = Sync(*stores[0]).get("chess:room:seat");
  ASSERT_EQ(e, Errc::Ok);
  EXPECT_EQ(d.version, 1u + static_cast<uint64_t>(seated.load()));
  EXPECT_GE(seated.load(), 1);
  EXPECT_EQ(seated.load() + lost.load(), kTries);
}

TEST_F(RedisStoreTest, CallbacksRunOnTheCallingLoop) {
  auto& srv = server();
  auto s = store(config_for(srv));
  std::atomic<int> ok{0};
  for (std::size_t li = 0; li < loops_.size(); ++li)
    loops_.post(li, [&, li] {
      s->get("nothing", [&, li](Errc e, Doc) {
        if (e == Errc::NotFound && net::Loops::current() == static_cast<int>(li)) ok++;
      });
    });
  ASSERT_TRUE(wait_until([&] { return ok.load() == static_cast<int>(loops_.size()); }));
}

TEST_F(RedisStoreTest, OutageFailsPromptlyLosesNoAcknowledgedWriteAndRecovers) {
  auto& srv = server();
  auto cfg = config_for(srv);
  cfg.reconnect_max_ms = 200;
  auto s = store(cfg);
  constexpr int kRooms = 8;
  for (int r = 0; r < kRooms; ++r)
    ASSERT_EQ(Sync(*s).create("chess:room:o" + std::to_string(r), contract::make_doc(1, 0)),
              Errc::Ok);

  // Each room is a game: a chain of moves (cas v → v+1) from its own loop, as fast as Redis
  // answers. The last acknowledged version of each room is recorded.
  struct Game {
    std::atomic<uint64_t> acked{1};
    std::atomic<int> failures{0};
    std::atomic<int64_t> worst_wait_ms{0};
  };
  std::vector<Game> games(kRooms);
  std::atomic<bool> running{true};
  std::atomic<int> live{kRooms};
  std::function<void(int)> move = [&](int r) {
    Game& g = games[static_cast<std::size_t>(r)];
    if (!running) {
      live--;
      return;
    }
    uint64_t v = g.acked.load();
    auto t0 = std::chrono::steady_clock::now();
    s->cas("chess:room:o" + std::to_string(r), v, contract::make_doc(v + 1, 0), 60, {},
           [&, r, v, t0](Errc e) {
             auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - t0)
                               .count();
             Game& gg = games[static_cast<std::size_t>(r)];
             if (waited > gg.worst_wait_ms) gg.worst_wait_ms = waited;
             if (e == Errc::Ok) {
               gg.acked = v + 1;
             } else if (e == Errc::Conflict) {
               // The previous move was applied but its answer was lost with the connection:
               // the game re-reads (what a client does on a version gap).
               s->get("chess:room:o" + std::to_string(r), [&, r](Errc ge, Doc d) {
                 if (ge == Errc::Ok) games[static_cast<std::size_t>(r)].acked = d.version;
                 move(r);
               });
               return;
             } else {
               gg.failures++;
               std::this_thread::sleep_for(1ms);  // a client would back off too
             }
             move(r);
           });
  };
  // Stops the games before the locals they use go away, whatever the test's outcome.
  struct StopGames {
    std::atomic<bool>& running;
    std::atomic<int>& live;
    ~StopGames() {
      running = false;
      wait_until([&] { return live.load() == 0; }, 10s);
    }
  } stop_games{running, live};
  for (int r = 0; r < kRooms; ++r)
    loops_.post(static_cast<std::size_t>(r) % loops_.size(), [&, r] { move(r); });

  std::this_thread::sleep_for(300ms);
  uint64_t before_kill = 0;
  for (auto& g : games) before_kill += g.acked;
  EXPECT_GT(before_kill, static_cast<uint64_t>(kRooms) * 5) << "games were not moving";

  srv.stop(SIGKILL);  // Redis dies mid-stream
  std::vector<uint64_t> acked_at_kill;
  for (auto& g : games) acked_at_kill.push_back(g.acked);
  ASSERT_TRUE(wait_until([&] { return s->state() == State::Down; }, 3s));
  std::this_thread::sleep_for(500ms);
  for (auto& g : games) EXPECT_GT(g.failures.load(), 0) << "calls must fail while Redis is down";
  // Fail fast while down: one call answers in well under the command timeout.
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Sync(*s).get("chess:room:o0").first, Errc::Unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 200ms);

  ASSERT_TRUE(srv.start());  // same port, same AOF directory
  ASSERT_TRUE(wait_until([&] { return s->state() == State::Up; }, 5s));
  // The same games continue on the same store object.
  std::vector<uint64_t> acked_at_restart;
  for (auto& g : games) acked_at_restart.push_back(g.acked);
  ASSERT_TRUE(wait_until([&] {
    for (std::size_t r = 0; r < games.size(); ++r)
      if (games[r].acked <= acked_at_restart[r] + 3) return false;
    return true;
  }));
  running = false;
  ASSERT_TRUE(wait_until([&] { return live.load() == 0; }));
  for (int r = 0; r < kRooms; ++r) {
    auto [e, d] = Sync(*s).get("chess:room:o" + std::to_string(r));
    ASSERT_EQ(e, Errc::Ok);
    auto& g = games[static_cast<std::size_t>(r)];
    // Every acknowledged move is there: the room is at the last acknowledged version.
    EXPECT_EQ(d.version, g.acked.load()) << "room " << r;
    EXPECT_GE(d.version, acked_at_kill[static_cast<std::size_t>(r)]);
    EXPECT_LT(g.worst_wait_ms.load(), 3000) << "no call may hang past its deadline";
  }
  EXPECT_GE(s->stats().reconnects.load(), loops_.size());
  EXPECT_GE(s->stats().breaker_opens.load(), 1u);
}

TEST_F(RedisStoreTest, OfflineQueueCarriesCallsAcrossAShortReconnect) {
  auto& srv = server();
  auto cfg = config_for(srv);
  cfg.reconnect_base_ms = 20;
  cfg.reconnect_max_ms = 50;
  cfg.down_grace_ms = 5000;
  cfg.command_timeout_ms = 5000;
  auto s = store(cfg);
  ASSERT_EQ(Sync(*s).create("q:room", contract::make_doc(1)), Errc::Ok);
  srv.stop(SIGTERM);
  // Every connection has seen the loss (a call on one whose close is still unread would fail in
  // flight with Unavailable instead of waiting in the offline queue).
  ASSERT_TRUE(wait_until(
      [&] {
        return s->stats().disconnects.load() >= loops_.size() + 1 &&
               s->state() == State::Connecting;
      },
      3s));
  // Issued while disconnected: held in the offline queue, not failed.
  auto p = std::make_shared<std::promise<Errc>>();
  auto f = p->get_future();
  s->cas("q:room", 1, contract::make_doc(2), 60, {}, [p](Errc e) { p->set_value(e); });
  EXPECT_EQ(f.wait_for(300ms), std::future_status::timeout);
  EXPECT_GE(s->stats().offline_queue_depth.load(), 1);
  ASSERT_TRUE(srv.start());
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(f.get(), Errc::Ok);
  EXPECT_EQ(Sync(*s).get("q:room").second.version, 2u);
  EXPECT_EQ(s->stats().offline_queue_depth.load(), 0);
}

TEST_F(RedisStoreTest, FullOfflineQueueFailsFastWithUnavailable) {
  auto& srv = server();
  auto cfg = config_for(srv);
  cfg.offline_queue_max = 3;
  cfg.down_grace_ms = 10000;
  cfg.command_timeout_ms = 10000;
  auto s = store(cfg);
  srv.stop(SIGTERM);
  // Every connection (one per loop and the subscriber) has seen the loss: a call must not go
  // out on a connection whose close is still unread (it would fail in flight, not queue).
  ASSERT_TRUE(wait_until(
      [&] {
        return s->stats().disconnects.load() >= loops_.size() + 1 &&
               s->state() == State::Connecting;
      },
      3s));
  // All calls from one loop, so that they share one connection's queue.
  auto results = std::make_shared<std::vector<Errc>>();
  auto mu = std::make_shared<std::mutex>();
  loops_.post(1, [&, results, mu] {
    for (int i = 0; i < 5; ++i)
      s->get("k", [results, mu](Errc e, Doc) {
        std::lock_guard lock(*mu);
        results->push_back(e);
      });
  });
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(*mu);
    return results->size() >= 2;
  }));
  {
    std::lock_guard lock(*mu);
    ASSERT_EQ(results->size(), 2u) << "three wait in the queue, two are refused at once";
    EXPECT_EQ((*results)[0], Errc::Unavailable);
    EXPECT_EQ((*results)[1], Errc::Unavailable);
  }
  ASSERT_TRUE(srv.start());
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(*mu);
    return results->size() == 5;
  }));
  std::lock_guard lock(*mu);
  for (std::size_t i = 2; i < 5; ++i) EXPECT_EQ((*results)[i], Errc::NotFound);
}

TEST_F(RedisStoreTest, StalledRedisTimesOutOpensTheBreakerAndRecovers) {
  auto& srv = server();
  auto cfg = config_for(srv);
  cfg.command_timeout_ms = 300;
  cfg.breaker_failures = 3;
  cfg.breaker_open_ms = 200;
  auto s = store(cfg);
  Sync sync(*s);
  srv.signal(SIGSTOP);  // Redis hangs: the connection stays open, nothing answers
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(sync.get("a").first, Errc::Timeout);
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 1500ms);
  EXPECT_EQ(sync.get("b").first, Errc::Timeout);
  EXPECT_EQ(sync.get("c").first, Errc::Timeout);
  EXPECT_EQ(s->state(), State::Down);
  t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(sync.get("d").first, Errc::Unavailable);  // open: fails fast
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);
  srv.signal(SIGCONT);
  // After breaker_open_ms a probe goes through, Redis answers, the breaker closes.
  ASSERT_TRUE(wait_until([&] { return sync.get("e").first == Errc::NotFound; }, 5s));
  EXPECT_EQ(s->state(), State::Up);
}

TEST_F(RedisStoreTest, NeverConnectedStoreFailsCleanlyAndConnectsLater) {
  RedisServer later;
  auto cfg = config_for(later);
  cfg.reconnect_max_ms = 100;
  auto s = store(cfg, false);
  EXPECT_NE(s->state(), State::Up);
  ASSERT_TRUE(wait_until([&] { return s->state() == State::Down; }, 3s));
  auto [e, d] = Sync(*s).get("x");
  EXPECT_EQ(e, Errc::Unavailable);
  ASSERT_TRUE(later.start());
  ASSERT_TRUE(wait_until([&] { return s->state() == State::Up; }, 5s));
  EXPECT_EQ(Sync(*s).claim("x", "1"), Errc::Ok);
}

TEST_F(RedisStoreTest, PasswordNonDefaultPortAndDatabase) {
  RedisServer::Options o;
  o.password = "s3cret pass";
  auto& srv = server(o);
  EXPECT_NE(srv.port(), 6379);
  auto s = store(config_for(srv, 5));
  ASSERT_EQ(Sync(*s).claim("chess:code:111111", "r"), Errc::Ok);
  EXPECT_EQ(srv.command({"GET", "chess:code:111111"}, 5), "r");
  EXPECT_FALSE(srv.command({"GET", "chess:code:111111"}, 0).has_value());
  // Scripts run in the selected database too.
  ASSERT_EQ(Sync(*s).create("chess:room:r", room_doc(1)), Errc::Ok);
  EXPECT_EQ(Sync(*s).cas("chess:room:r", 1, room_doc(2)), Errc::Ok);
  EXPECT_EQ(srv.command({"GET", "chess:room:r"}, 5), room_doc(2).value);
}

TEST_F(RedisStoreTest, AclUserAndPassword) {
  RedisServer::Options o;
  o.extra_args = {"--user", "engage", "on", ">userpw", "~*", "&*", "+@all"};
  auto& srv = server(o);
  auto cfg = config_for(srv);
  cfg.user = "engage";
  cfg.password = "userpw";
  auto s = store(cfg);
  EXPECT_EQ(Sync(*s).claim("acl:k", "v"), Errc::Ok);
}

TEST_F(RedisStoreTest, WrongPasswordNeverComesUpAndNeverCrashes) {
  RedisServer::Options o;
  o.password = "right";
  auto& srv = server(o);
  auto cfg = config_for(srv);
  cfg.password = "wrong";
  cfg.reconnect_max_ms = 50;
  auto s = store(cfg, false);
  ASSERT_TRUE(wait_until([&] { return s->state() == State::Down; }, 3s));
  EXPECT_EQ(Sync(*s).get("x").first, Errc::Unavailable);
  EXPECT_GT(s->stats().connect_failures.load(), 3u);
  EXPECT_EQ(s->stats().connects.load(), 0u);
}

TEST_F(RedisStoreTest, ScriptCacheFlushIsRecoveredWithEval) {
  auto& srv = server();
  auto s = store(config_for(srv));
  Sync sync(*s);
  ASSERT_EQ(sync.create("f:room", contract::make_doc(1)), Errc::Ok);
  ASSERT_EQ(srv.command({"SCRIPT", "FLUSH"}), "OK");
  EXPECT_EQ(sync.cas("f:room", 1, contract::make_doc(2)), Errc::Ok);
  EXPECT_GE(s->stats().noscript_fallbacks.load(), 1u);
  EXPECT_EQ(sync.cas("f:room", 2, contract::make_doc(3)), Errc::Ok);
}

TEST_F(RedisStoreTest, SubscriptionsSurviveARedisRestart) {
  auto& srv = server();
  auto cfg = config_for(srv);
  cfg.reconnect_max_ms = 100;
  auto a = store(cfg);
  auto b = store(cfg);
  auto got = std::make_shared<std::atomic<int>>(0);
  a->on_message([got](std::string_view ch, std::string_view p) {
    if (ch == "bus:room" && p == "after") (*got)++;
  });
  a->subscribe("bus:room");
  ASSERT_TRUE(wait_until([&] { return a->stats().subscriptions_unconfirmed.load() == 0; }));
  srv.stop(SIGTERM);
  ASSERT_TRUE(srv.start());
  ASSERT_TRUE(wait_until([&] { return a->state() == State::Up && b->state() == State::Up; }));
  ASSERT_TRUE(wait_until([&] { return a->stats().subscriptions_unconfirmed.load() == 0; }));
  ASSERT_TRUE(wait_until([&] {
    b->publish("bus:room", "after");
    std::this_thread::sleep_for(20ms);
    return got->load() > 0;
  }));
}

// The confirmation means Redis has the subscription: a PUBLISH sent from another connection
// the moment the confirmation is heard is delivered, on every one of many fresh channels.
TEST_F(RedisStoreTest, ConfirmsASubscriptionOnlyOnceRedisHasIt) {
  auto& srv = server();
  auto a = store(config_for(srv));
  auto b = store(config_for(srv));
  constexpr int kChannels = 50;
  auto confirmed = std::make_shared<std::atomic<int>>(0);
  auto got = std::make_shared<std::atomic<int>>(0);
  RedisStore* pub = b.get();
  EXPECT_TRUE(a->on_subscribed([confirmed, pub](std::string_view ch) {
    (*confirmed)++;
    pub->publish(std::string(ch), "first");  // on loop 0: b's loop-0 data connection
  }));
  a->on_message([got](std::string_view, std::string_view p) {
    if (p == "first") (*got)++;
  });
  for (int i = 0; i < kChannels; ++i) a->subscribe("bus:confirm:" + std::to_string(i));
  ASSERT_TRUE(wait_until([&] { return confirmed->load() == kChannels; }));
  ASSERT_TRUE(wait_until([&] { return got->load() == kChannels; }))
      << got->load() << " of " << kChannels << " first messages arrived";
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(confirmed->load(), kChannels);  // once per SUBSCRIBE
}

// Only the answer to the latest SUBSCRIBE of a still-wanted channel counts; a re-subscription
// after a reconnect is confirmed again.
TEST_F(RedisStoreTest, ConfirmsOnlyWantedChannelsAndAgainAfterAReconnect) {
  auto& srv = server();
  auto cfg = config_for(srv);
  cfg.reconnect_max_ms = 100;
  auto a = store(cfg);
  auto seen = std::make_shared<std::mutex>();
  auto confirmations = std::make_shared<std::vector<std::string>>();
  a->on_subscribed([seen, confirmations](std::string_view ch) {
    std::lock_guard lock(*seen);
    confirmations->emplace_back(ch);
  });
  auto count = [&] {
    std::lock_guard lock(*seen);
    return confirmations->size();
  };
  // In one turn of the pub/sub loop (0): issued from this thread, Redis could answer the first
  // SUBSCRIBE before the UNSUBSCRIBE is even issued, and that confirmation would be right.
  RedisStore* raw = a.get();
  loops_.post(0, [raw] {
    raw->subscribe("bus:gone");
    raw->unsubscribe("bus:gone");  // answered SUBSCRIBE, but no longer wanted
    raw->subscribe("bus:kept");
  });
  ASSERT_TRUE(wait_until([&] { return count() >= 1; })) << "bus:kept is never confirmed";
  ASSERT_TRUE(wait_until([&] { return a->stats().subscriptions_unconfirmed.load() == 0; }));
  {
    std::lock_guard lock(*seen);
    EXPECT_EQ(*confirmations, std::vector<std::string>{"bus:kept"});
  }
  srv.stop(SIGTERM);
  ASSERT_TRUE(srv.start());
  // At least once more (a reconnect attempt that lands while Redis restarts may add another).
  ASSERT_TRUE(wait_until([&] { return count() >= 2; })) << count() << " confirmations";
  std::lock_guard lock(*seen);
  for (const auto& ch : *confirmations) EXPECT_EQ(ch, "bus:kept");
}

TEST_F(RedisStoreTest, DestroyingTheStoreWhileCallsAreOutstandingIsSafe) {
  auto& srv = server();
  auto s = store(config_for(srv));
  RedisStore* raw = s.get();
  auto issued = std::make_shared<std::atomic<std::size_t>>(0);
  auto answered = std::make_shared<std::atomic<int>>(0);
  for (std::size_t li = 0; li < loops_.size(); ++li)
    loops_.post(li, [raw, issued, answered] {
      for (int i = 0; i < 100; ++i)
        raw->claim("d:" + std::to_string(i), "v", 60, [answered](Errc) { (*answered)++; });
      (*issued)++;
    });
  ASSERT_TRUE(wait_until([&] { return issued->load() == loops_.size(); }));
  s.reset();  // calls are still in flight on every loop
  std::this_thread::sleep_for(100ms);
  // The loops keep running; whatever was answered was answered once at most.
  EXPECT_LE(answered->load(), 300);
  // And a new store on the same loops works.
  auto again = store(config_for(srv));
  EXPECT_EQ(Sync(*again).claim("d:new", "v"), Errc::Ok);
}

}  // namespace
}  // namespace engage::store
