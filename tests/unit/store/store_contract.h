// The Store contract suite: every guarantee of store/store.h as value-parameterized GoogleTest
// cases, run against each implementation (MemoryStore here, RedisStore in its own test file).
//
// Usage (include in exactly one .cpp of a test binary):
//   INSTANTIATE_TEST_SUITE_P(Redis, StoreContract, ::testing::Values(HarnessParam{
//       "redis", [] { return std::make_unique<MyRedisHarness>(); }}),
//       HarnessParam::name);
// A harness makes store instances that share one state (as separate processes would), lets
// store time pass (a ManualClock advance, or a real sleep for real TTLs), and optionally runs
// calls on the thread the store expects. Callbacks may arrive inline or later on any thread.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/random.h"
#include "store/store.h"

namespace engage::store::contract {

class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // Returns a new store instance on the shared state (another "process" of the same cluster).
  virtual std::unique_ptr<Store> make_instance() = 0;
  // Lets `ms` milliseconds of store time pass (advance a ManualClock, or sleep).
  virtual void advance_ms(int64_t ms) = 0;
  // Runs `fn`, which calls the store, where the store may be called. Default: right here.
  virtual void run(std::function<void()> fn) { fn(); }
  // Waits until bus messages in flight have been delivered. Default: nothing to wait for.
  virtual void settle() {}
};

struct HarnessParam {
  std::string label;
  std::function<std::unique_ptr<StoreHarness>()> make;
  static std::string name(const ::testing::TestParamInfo<HarnessParam>& info) {
    return info.param.label;
  }
};
inline void PrintTo(const HarnessParam& p, std::ostream* os) {
  *os << p.label;
}

// Builds a document value whose "version" field equals `version`, carrying a counter `n`.
inline Doc make_doc(uint64_t version, int64_t n = 0) {
  return Doc{"{\"version\":" + std::to_string(version) + ",\"n\":" + std::to_string(n) + "}",
             version};
}
// Reads the counter `n` back from a document built by make_doc (-1 when malformed).
inline int64_t doc_n(const Doc& d) {
  auto p = d.value.find("\"n\":");
  if (p == std::string::npos) return -1;
  return std::strtoll(d.value.c_str() + p + 4, nullptr, 10);
}

class StoreContract : public ::testing::TestWithParam<HarnessParam> {
 protected:
  static constexpr auto kWait = std::chrono::seconds(10);

  void SetUp() override {
    h_ = GetParam().make();
    a_ = h_->make_instance();
    prefix_ =
        "contract:" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
        ":" + random_id(8) + ":";
  }
  void TearDown() override {
    b_.reset();
    a_.reset();
    h_.reset();
  }
  std::string k(const std::string& s) const { return prefix_ + s; }
  Store& b() {
    if (!b_) b_ = h_->make_instance();
    return *b_;
  }

  // Sync wrappers: call, then wait for the one callback (a test failure after kWait).
  template <class R, class Call>
  R wait_for(Call call) {
    auto p = std::make_shared<std::promise<R>>();
    auto fut = p->get_future();
    h_->run([&] { call(p); });
    if (fut.wait_for(kWait) != std::future_status::ready) {
      ADD_FAILURE() << "store callback never came";
      return R{};
    }
    return fut.get();
  }
  std::pair<Errc, Doc> get(Store& s, const std::string& key) {
    return wait_for<std::pair<Errc, Doc>>([&](auto p) {
      s.get(key, [p](Errc e, Doc d) { p->set_value({e, std::move(d)}); });
    });
  }
  Errc create(Store& s, const std::string& key, Doc d, int ttl) {
    return wait_for<Errc>(
        [&](auto p) { s.create(key, std::move(d), ttl, [p](Errc e) { p->set_value(e); }); });
  }
  Errc cas(Store& s, const std::string& key, uint64_t expected, Doc d, int ttl,
           std::vector<std::string> also = {}) {
    return wait_for<Errc>([&](auto p) {
      s.cas(key, expected, std::move(d), ttl, std::move(also), [p](Errc e) { p->set_value(e); });
    });
  }
  Errc remove(Store& s, const std::string& key, uint64_t expected,
              std::vector<std::string> also = {}) {
    return wait_for<Errc>([&](auto p) {
      s.remove(key, expected, std::move(also), [p](Errc e) { p->set_value(e); });
    });
  }
  Errc claim(Store& s, const std::string& key, const std::string& v, int ttl) {
    return wait_for<Errc>([&](auto p) { s.claim(key, v, ttl, [p](Errc e) { p->set_value(e); }); });
  }
  std::pair<Errc, std::string> get_string(Store& s, const std::string& key) {
    return wait_for<std::pair<Errc, std::string>>([&](auto p) {
      s.get_string(key, [p](Errc e, std::string v) { p->set_value({e, std::move(v)}); });
    });
  }
  Errc touch(Store& s, std::vector<std::string> keys, int ttl) {
    return wait_for<Errc>(
        [&](auto p) { s.touch(std::move(keys), ttl, [p](Errc e) { p->set_value(e); }); });
  }
  Errc del(Store& s, std::vector<std::string> keys) {
    return wait_for<Errc>(
        [&](auto p) { s.del(std::move(keys), [p](Errc e) { p->set_value(e); }); });
  }
  struct Count {
    Errc e = Errc::Timeout;
    int64_t count = 0, ttl_ms = 0;
  };
  Count incr(Store& s, const std::string& key, int64_t window_ms) {
    return wait_for<Count>([&](auto p) {
      s.incr_window(key, window_ms, [p](Errc e, int64_t c, int64_t t) {
        p->set_value(Count{e, c, t});
      });
    });
  }
  // Polls cond until true or ~5 s pass.
  static bool eventually(const std::function<bool()>& cond) {
    for (int i = 0; i < 500; ++i) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return cond();
  }

  std::unique_ptr<StoreHarness> h_;
  std::unique_ptr<Store> a_;
  std::unique_ptr<Store> b_;
  std::string prefix_;
};

// --- documents ------------------------------------------------------------------------------

TEST_P(StoreContract, GetMissingIsNotFound) {
  EXPECT_EQ(get(*a_, k("nothing")).first, Errc::NotFound);
}

TEST_P(StoreContract, CreateThenGetRoundTripsValueAndVersion) {
  ASSERT_EQ(create(*a_, k("r"), make_doc(7, 42), 60), Errc::Ok);
  auto [e, d] = get(*a_, k("r"));
  ASSERT_EQ(e, Errc::Ok);
  EXPECT_EQ(d.version, 7u);
  EXPECT_EQ(d.value, make_doc(7, 42).value);
}

TEST_P(StoreContract, InstancesShareDocuments) {
  ASSERT_EQ(create(*a_, k("r"), make_doc(1, 5), 60), Errc::Ok);
  auto [e, d] = get(b(), k("r"));
  ASSERT_EQ(e, Errc::Ok);
  EXPECT_EQ(doc_n(d), 5);
}

TEST_P(StoreContract, CreateOnExistingKeyIsConflictAndKeepsValue) {
  ASSERT_EQ(create(*a_, k("r"), make_doc(1, 1), 60), Errc::Ok);
  EXPECT_EQ(create(b(), k("r"), make_doc(1, 2), 60), Errc::Conflict);
  EXPECT_EQ(doc_n(get(*a_, k("r")).second), 1);
}

TEST_P(StoreContract, ConcurrentCreatesHaveExactlyOneWinner) {
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kThreads; ++i) stores.push_back(i == 0 ? nullptr : h_->make_instance());
  std::atomic<int> ok{0}, conflict{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; ++i)
    ts.emplace_back([&, i] {
      Store& s = i == 0 ? *a_ : *stores[static_cast<std::size_t>(i)];
      Errc e = create(s, k("race"), make_doc(1, i), 60);
      (e == Errc::Ok ? ok : conflict)++;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), kThreads - 1);
}

TEST_P(StoreContract, CasReplacesOnlyOnMatchingVersion) {
  ASSERT_EQ(create(*a_, k("r"), make_doc(1, 1), 60), Errc::Ok);
  EXPECT_EQ(cas(*a_, k("r"), 2, make_doc(3, 9), 60), Errc::Conflict);
  EXPECT_EQ(doc_n(get(*a_, k("r")).second), 1);
  EXPECT_EQ(cas(*a_, k("r"), 1, make_doc(2, 2), 60), Errc::Ok);
  auto [e, d] = get(*a_, k("r"));
  EXPECT_EQ(d.version, 2u);
  EXPECT_EQ(doc_n(d), 2);
  // The old version is gone for good: a second writer holding version 1 loses.
  EXPECT_EQ(cas(b(), k("r"), 1, make_doc(2, 77), 60), Errc::Conflict);
  EXPECT_EQ(doc_n(get(*a_, k("r")).second), 2);
}

TEST_P(StoreContract, CasOnMissingKeyIsNotFoundAndCreatesNothing) {
  EXPECT_EQ(cas(*a_, k("none"), 1, make_doc(2), 60), Errc::NotFound);
  EXPECT_EQ(get(*a_, k("none")).first, Errc::NotFound);
}

TEST_P(StoreContract, ConcurrentCasOnOneVersionHasExactlyOneWinner) {
  ASSERT_EQ(create(*a_, k("r"), make_doc(1, 0), 60), Errc::Ok);
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kThreads; ++i) stores.push_back(h_->make_instance());
  std::atomic<int> ok{0}, conflict{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; ++i)
    ts.emplace_back([&, i] {
      Errc e = cas(*stores[static_cast<std::size_t>(i)], k("r"), 1, make_doc(2, i + 1), 60);
      (e == Errc::Ok ? ok : conflict)++;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), kThreads - 1);
  EXPECT_EQ(get(*a_, k("r")).second.version, 2u);
}

TEST_P(StoreContract, ConcurrentReadModifyWriteLosesNoUpdate) {
  ASSERT_EQ(create(*a_, k("ctr"), make_doc(1, 0), 60), Errc::Ok);
  constexpr int kThreads = 6;
  constexpr int kEach = 40;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kThreads; ++i) stores.push_back(h_->make_instance());
  std::atomic<int> conflicts{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; ++i)
    ts.emplace_back([&, i] {
      Store& s = *stores[static_cast<std::size_t>(i)];
      for (int n = 0; n < kEach; ++n) {
        for (;;) {
          auto [e, d] = get(s, k("ctr"));
          if (e != Errc::Ok) return;
          Errc rc = cas(s, k("ctr"), d.version, make_doc(d.version + 1, doc_n(d) + 1), 60);
          if (rc == Errc::Ok) break;
          if (rc != Errc::Conflict) return;
          conflicts++;
        }
      }
    });
  for (auto& t : ts) t.join();
  auto [e, d] = get(*a_, k("ctr"));
  ASSERT_EQ(e, Errc::Ok);
  EXPECT_EQ(doc_n(d), kThreads * kEach);
  EXPECT_EQ(d.version, static_cast<uint64_t>(kThreads * kEach + 1));
}

TEST_P(StoreContract, RemoveHonoursVersionAndDeletesAlsoKeys) {
  ASSERT_EQ(create(*a_, k("r"), make_doc(3), 60), Errc::Ok);
  ASSERT_EQ(claim(*a_, k("code"), "r", 60), Errc::Ok);
  EXPECT_EQ(remove(*a_, k("r"), 2, {k("code")}), Errc::Conflict);
  EXPECT_EQ(get(*a_, k("r")).first, Errc::Ok);
  EXPECT_EQ(get_string(*a_, k("code")).first, Errc::Ok);
  EXPECT_EQ(remove(b(), k("r"), 3, {k("code")}), Errc::Ok);
  EXPECT_EQ(get(*a_, k("r")).first, Errc::NotFound);
  EXPECT_EQ(get_string(*a_, k("code")).first, Errc::NotFound);
  EXPECT_EQ(remove(*a_, k("r"), 0, {}), Errc::NotFound);
}

TEST_P(StoreContract, RemoveWithVersionZeroRemovesAnyVersion) {
  ASSERT_EQ(create(*a_, k("r"), make_doc(12), 60), Errc::Ok);
  EXPECT_EQ(remove(*a_, k("r"), 0, {}), Errc::Ok);
  EXPECT_EQ(get(*a_, k("r")).first, Errc::NotFound);
}

// --- strings --------------------------------------------------------------------------------

TEST_P(StoreContract, ClaimIsSetNx) {
  EXPECT_EQ(claim(*a_, k("code:123456"), "room_a", 60), Errc::Ok);
  EXPECT_EQ(claim(b(), k("code:123456"), "room_b", 60), Errc::Conflict);
  auto [e, v] = get_string(b(), k("code:123456"));
  EXPECT_EQ(e, Errc::Ok);
  EXPECT_EQ(v, "room_a");
  EXPECT_EQ(get_string(*a_, k("code:000000")).first, Errc::NotFound);
}

TEST_P(StoreContract, ConcurrentClaimsHaveExactlyOneWinner) {
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kThreads; ++i) stores.push_back(h_->make_instance());
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; ++i)
    ts.emplace_back([&, i] {
      if (claim(*stores[static_cast<std::size_t>(i)], k("code"), "room" + std::to_string(i), 60) ==
          Errc::Ok)
        ok++;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 1);
}

TEST_P(StoreContract, DelRemovesEveryListedKey) {
  ASSERT_EQ(claim(*a_, k("x"), "1", 60), Errc::Ok);
  ASSERT_EQ(create(*a_, k("y"), make_doc(1), 60), Errc::Ok);
  EXPECT_EQ(del(*a_, {k("x"), k("y"), k("absent")}), Errc::Ok);
  EXPECT_EQ(get_string(*a_, k("x")).first, Errc::NotFound);
  EXPECT_EQ(get(*a_, k("y")).first, Errc::NotFound);
}

// --- expiry ---------------------------------------------------------------------------------

TEST_P(StoreContract, DocumentsAndClaimsExpireAfterTheirTtl) {
  ASSERT_EQ(create(*a_, k("r"), make_doc(1), 1), Errc::Ok);
  ASSERT_EQ(claim(*a_, k("c"), "r", 1), Errc::Ok);
  ASSERT_EQ(create(*a_, k("long"), make_doc(1), 60), Errc::Ok);
  h_->advance_ms(1600);
  EXPECT_EQ(get(*a_, k("r")).first, Errc::NotFound);
  EXPECT_EQ(get_string(*a_, k("c")).first, Errc::NotFound);
  EXPECT_EQ(get(*a_, k("long")).first, Errc::Ok);
  // An expired key is absent for create/claim too.
  EXPECT_EQ(create(*a_, k("r"), make_doc(5), 60), Errc::Ok);
  EXPECT_EQ(claim(*a_, k("c"), "again", 60), Errc::Ok);
  EXPECT_EQ(cas(*a_, k("gone"), 1, make_doc(2), 60), Errc::NotFound);
}

TEST_P(StoreContract, CasRefreshesTtlOfKeyAndAlsoTouchKeys) {
  ASSERT_EQ(create(*a_, k("room"), make_doc(1), 2), Errc::Ok);
  ASSERT_EQ(claim(*a_, k("code"), "room", 2), Errc::Ok);
  ASSERT_EQ(claim(*a_, k("other"), "x", 2), Errc::Ok);
  h_->advance_ms(1300);
  ASSERT_EQ(cas(*a_, k("room"), 1, make_doc(2), 2, {k("code")}), Errc::Ok);
  h_->advance_ms(1300);  // 2.6 s after creation, 1.3 s after the cas
  EXPECT_EQ(get(*a_, k("room")).first, Errc::Ok);
  EXPECT_EQ(get_string(*a_, k("code")).first, Errc::Ok);
  EXPECT_EQ(get_string(*a_, k("other")).first, Errc::NotFound);
  h_->advance_ms(1300);
  EXPECT_EQ(get(*a_, k("room")).first, Errc::NotFound);
  EXPECT_EQ(get_string(*a_, k("code")).first, Errc::NotFound);
}

TEST_P(StoreContract, FailedCasRefreshesNothing) {
  ASSERT_EQ(create(*a_, k("room"), make_doc(1), 2), Errc::Ok);
  ASSERT_EQ(claim(*a_, k("code"), "room", 2), Errc::Ok);
  h_->advance_ms(1300);
  ASSERT_EQ(cas(*a_, k("room"), 9, make_doc(10), 30, {k("code")}), Errc::Conflict);
  h_->advance_ms(1300);
  EXPECT_EQ(get(*a_, k("room")).first, Errc::NotFound);
  EXPECT_EQ(get_string(*a_, k("code")).first, Errc::NotFound);
}

TEST_P(StoreContract, TouchRefreshesLiveKeysAndCreatesNone) {
  ASSERT_EQ(create(*a_, k("room"), make_doc(1), 2), Errc::Ok);
  ASSERT_EQ(claim(*a_, k("code"), "room", 2), Errc::Ok);
  h_->advance_ms(1300);
  EXPECT_EQ(touch(*a_, {k("room"), k("code"), k("absent")}, 2), Errc::Ok);
  h_->advance_ms(1300);
  EXPECT_EQ(get(*a_, k("room")).first, Errc::Ok);
  EXPECT_EQ(get_string(*a_, k("code")).first, Errc::Ok);
  EXPECT_EQ(get_string(*a_, k("absent")).first, Errc::NotFound);
  h_->advance_ms(1300);
  EXPECT_EQ(get(*a_, k("room")).first, Errc::NotFound);
}

// --- counters -------------------------------------------------------------------------------

TEST_P(StoreContract, IncrWindowCountsWithinAWindowThenRestarts) {
  auto c1 = incr(*a_, k("rl"), 1000);
  auto c2 = incr(b(), k("rl"), 1000);
  auto c3 = incr(*a_, k("rl"), 1000);
  ASSERT_EQ(c1.e, Errc::Ok);
  EXPECT_EQ(c1.count, 1);
  EXPECT_EQ(c2.count, 2);
  EXPECT_EQ(c3.count, 3);
  EXPECT_GT(c3.ttl_ms, 0);
  EXPECT_LE(c3.ttl_ms, 1000);
  h_->advance_ms(1500);
  auto c4 = incr(*a_, k("rl"), 1000);
  EXPECT_EQ(c4.count, 1);
  EXPECT_EQ(incr(*a_, k("other"), 1000).count, 1);
}

TEST_P(StoreContract, ConcurrentIncrementsAreAllCounted) {
  constexpr int kThreads = 6, kEach = 30;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kThreads; ++i) stores.push_back(h_->make_instance());
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; ++i)
    ts.emplace_back([&, i] {
      for (int n = 0; n < kEach; ++n) incr(*stores[static_cast<std::size_t>(i)], k("c"), 60000);
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(incr(*a_, k("c"), 60000).count, kThreads * kEach + 1);
}

// --- bus ------------------------------------------------------------------------------------

struct Inbox {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> got;
  void add(std::string_view c, std::string_view p) {
    std::lock_guard lock(mu);
    got.emplace_back(std::string(c), std::string(p));
  }
  std::size_t size() {
    std::lock_guard lock(mu);
    return got.size();
  }
  std::vector<std::pair<std::string, std::string>> all() {
    std::lock_guard lock(mu);
    return got;
  }
};

TEST_P(StoreContract, PublishReachesOtherInstancesSubscribedToTheChannel) {
  auto in_a = std::make_shared<Inbox>();
  auto in_b = std::make_shared<Inbox>();
  const std::string ch = k("bus");
  h_->run([&] {
    a_->on_message([in_a](std::string_view c, std::string_view p) { in_a->add(c, p); });
    b().on_message([in_b](std::string_view c, std::string_view p) { in_b->add(c, p); });
    a_->subscribe(ch);
    b().subscribe(ch);
  });
  h_->settle();
  h_->run([&] { a_->publish(ch, "hello"); });
  ASSERT_TRUE(eventually([&] { return in_b->size() >= 1; }));
  h_->settle();
  auto got = in_b->all();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, ch);
  EXPECT_EQ(got[0].second, "hello");
  EXPECT_EQ(in_a->size(), 0u) << "the publisher's own subscription must not receive it";
}

TEST_P(StoreContract, UnsubscribedOrOtherChannelsReceiveNothing) {
  auto in_b = std::make_shared<Inbox>();
  const std::string ch = k("bus"), other = k("other");
  h_->run([&] {
    b().on_message([in_b](std::string_view c, std::string_view p) { in_b->add(c, p); });
    b().subscribe(ch);
    b().subscribe(ch);  // counted: two subscriptions outstanding
  });
  h_->settle();
  h_->run([&] {
    a_->publish(other, "no");
    b().unsubscribe(ch);  // one left
  });
  h_->settle();
  h_->run([&] { a_->publish(ch, "one"); });
  ASSERT_TRUE(eventually([&] { return in_b->size() >= 1; }));
  h_->run([&] { b().unsubscribe(ch); });  // none left
  h_->settle();
  h_->run([&] { a_->publish(ch, "two"); });
  h_->settle();
  auto got = in_b->all();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, "one");
}

TEST_P(StoreContract, ReportsStateAndKind) {
  EXPECT_EQ(a_->state(), State::Up);
  EXPECT_FALSE(a_->kind().empty());
  EXPECT_EQ(errc_name(Errc::Conflict), "conflict");
  EXPECT_EQ(state_name(State::Down), "down");
}

}  // namespace engage::store::contract
