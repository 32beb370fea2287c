// Tests of RateLimiter (exact with an inline store, estimated with a deferred one, shared by
// instances on one backend, failing open on the store) and TokenBucket.
#include "engage/rate_limit.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "store/memory_store.h"

namespace engage::engage {
namespace {

// A store whose incr_window counts at once but answers only when the test says so (like Redis
// answering later),
// or fails (like Redis down). Everything else forwards to a MemoryStore.
class DeferredStore final : public store::Store {
 public:
  explicit DeferredStore(store::Store& inner) : inner_(inner) {}
  bool down = false;
  std::deque<std::function<void()>> pending;

  // Answers the oldest pending increment; returns false when none is pending.
  bool answer_one() {
    if (pending.empty()) return false;
    auto fn = std::move(pending.front());
    pending.pop_front();
    fn();
    return true;
  }
  void answer_all() {
    while (answer_one()) {
    }
  }

  void incr_window(std::string key, int64_t window_ms, store::CountFn cb) override {
    if (down) {
      pending.push_back([cb] { cb(store::Errc::Unavailable, 0, 0); });
      return;
    }
    // The increment happens now (the command reached Redis); its reply arrives later.
    inner_.incr_window(std::move(key), window_ms,
                       [this, cb](store::Errc e, int64_t n, int64_t ttl) {
                         pending.push_back([cb, e, n, ttl] { cb(e, n, ttl); });
                       });
  }
  void get(std::string key, store::DocFn cb) override { inner_.get(std::move(key), cb); }
  void create(std::string key, store::Doc doc, int ttl, store::DoneFn cb) override {
    inner_.create(std::move(key), std::move(doc), ttl, cb);
  }
  void cas(std::string key, uint64_t e, store::Doc doc, int ttl, std::vector<std::string> t,
           store::DoneFn cb) override {
    inner_.cas(std::move(key), e, std::move(doc), ttl, std::move(t), cb);
  }
  void remove(std::string key, uint64_t e, std::vector<std::string> d, store::DoneFn cb) override {
    inner_.remove(std::move(key), e, std::move(d), cb);
  }
  void claim(std::string key, std::string v, int ttl, store::DoneFn cb) override {
    inner_.claim(std::move(key), std::move(v), ttl, cb);
  }
  void get_string(std::string key, store::StringFn cb) override {
    inner_.get_string(std::move(key), cb);
  }
  void touch(std::vector<std::string> keys, int ttl, store::DoneFn cb) override {
    inner_.touch(std::move(keys), ttl, cb);
  }
  void del(std::vector<std::string> keys, store::DoneFn cb) override {
    inner_.del(std::move(keys), cb);
  }
  void publish(std::string c, std::string p) override {
    inner_.publish(std::move(c), std::move(p));
  }
  void subscribe(const std::string& c) override { inner_.subscribe(c); }
  void unsubscribe(const std::string& c) override { inner_.unsubscribe(c); }
  void on_message(store::MessageFn fn) override { inner_.on_message(std::move(fn)); }
  store::State state() const override { return down ? store::State::Down : store::State::Up; }
  std::string_view kind() const override { return "deferred"; }

 private:
  store::Store& inner_;
};

class RateLimitTest : public ::testing::Test {
 protected:
  ManualClock clock;
  store::MemoryStore mem{store::MemoryStoreOptions{16, 256, &clock}};
};

TEST_F(RateLimitTest, InlineStoreGivesTheExactLimitAndRetryAfter) {
  RateLimiter rl(mem, &clock);
  RateRule rooms{"rooms", 10, 3600000};
  for (int i = 1; i <= 10; ++i) {
    auto d = rl.hit(rooms, "alice");
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.count, i);
    clock.advance_ms(60000);
  }
  auto d = rl.hit(rooms, "alice");  // the 11th room in the hour
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 3600000 - 10 * 60000);
  EXPECT_TRUE(rl.hit(rooms, "bob").allowed);  // another user has their own budget
  clock.advance_ms(3600000 - 10 * 60000 - 1);
  EXPECT_FALSE(rl.hit(rooms, "alice").allowed);
  clock.advance_ms(1);  // the window ends
  EXPECT_TRUE(rl.hit(rooms, "alice").allowed);
}

TEST_F(RateLimitTest, RefusedHitsDoNotTouchTheStore) {
  DeferredStore ds(mem);
  RateLimiter rl(ds, &clock);
  RateRule moves{"moves", 3, 60000};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(rl.hit(moves, "u").allowed);
  EXPECT_EQ(ds.pending.size(), 3u);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(rl.hit(moves, "u").allowed);
  EXPECT_EQ(ds.pending.size(), 3u);
}

TEST_F(RateLimitTest, DeferredStoreDecidesOnTheEstimateIncludingInFlightHits) {
  DeferredStore ds(mem);
  RateLimiter rl(ds, &clock);
  RateRule moves{"moves", 100, 60000};
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(rl.hit(moves, "u").allowed) << i;
  auto d = rl.hit(moves, "u");  // the 101st move in a minute, all increments still in flight
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 60000);
  ds.answer_all();
  EXPECT_FALSE(rl.hit(moves, "u").allowed);
}

TEST_F(RateLimitTest, InstancesSharingAStoreShareTheBudget) {
  // Two instances ("processes") on one backend, each with its own limiter, answering later.
  store::MemoryStore mem2(mem.backend());
  DeferredStore a(mem), b(mem2);
  RateLimiter ra(a, &clock), rb(b, &clock);
  RateRule moves{"moves", 10, 60000};
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(ra.hit(moves, "u").allowed);
  a.answer_all();  // the store now holds 6
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(rb.hit(moves, "u").allowed);
  b.answer_all();  // 10; instance b's last reply carried the shared count
  EXPECT_FALSE(rb.hit(moves, "u").allowed);
  // Instance a learns the shared count from its next increment's reply.
  EXPECT_TRUE(ra.hit(moves, "u").allowed);  // estimate 7 ≤ 10 here: in flight
  a.answer_all();                           // the store says 11
  auto d = ra.hit(moves, "u");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.count, 11);
}

TEST_F(RateLimitTest, AStoreThatCannotAnswerLeavesTheLocalCountInCharge) {
  DeferredStore ds(mem);
  ds.down = true;
  RateLimiter rl(ds, &clock);
  RateRule moves{"moves", 5, 60000};
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(rl.hit(moves, "u").allowed);
    ds.answer_all();
  }
  EXPECT_FALSE(rl.hit(moves, "u").allowed);
}

TEST_F(RateLimitTest, RepliesFromAnEndedWindowAreIgnored) {
  DeferredStore ds(mem);
  RateLimiter rl(ds, &clock);
  RateRule r{"r", 2, 1000};
  EXPECT_TRUE(rl.hit(r, "u").allowed);
  EXPECT_TRUE(rl.hit(r, "u").allowed);
  clock.advance_ms(1000);
  EXPECT_TRUE(rl.hit(r, "u").allowed);  // a new window
  ds.answer_one();                      // old window's replies (counts 1, 2)...
  ds.answer_one();
  ds.answer_one();                      // ...and the new window's (count 1)
  EXPECT_TRUE(rl.hit(r, "u").allowed);  // 2 in the new window
  EXPECT_FALSE(rl.hit(r, "u").allowed);
}

TEST_F(RateLimitTest, UnlimitedRuleNeverRefusesAndStateIsSwept) {
  RateLimiter rl(mem, &clock, 4);
  RateRule none{"none", 0, 1000};
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(rl.hit(none, "u").allowed);
  EXPECT_EQ(rl.tracked(), 0u);
  RateRule r{"r", 5, 1000};
  for (int i = 0; i < 64; ++i) rl.hit(r, "user" + std::to_string(i));
  EXPECT_EQ(rl.tracked(), 64u);
  clock.advance_ms(1000);
  for (int i = 0; i < 64 * 4; ++i) rl.hit(r, "again" + std::to_string(i % 8));
  EXPECT_LT(rl.tracked(), 64u);  // ended windows were dropped
}

TEST_F(RateLimitTest, KeyNamesTheRuleAndSubject) {
  EXPECT_EQ(RateLimiter::key("moves", "alice"), "ratelimit:moves:alice");
}

TEST(TokenBucket, AllowsTheBurstThenTheRate) {
  TokenBucket b(10, 20);  // 10/s, bursts of 20
  int64_t t = 1000;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(b.take(t), 0) << i;
  int64_t wait = b.take(t);
  EXPECT_EQ(wait, 100);
  t += 99;
  EXPECT_GT(b.take(t), 0);
  t += 1;
  EXPECT_EQ(b.take(t), 0);
  t += 10000;  // refills to the burst, not beyond
  for (int i = 0; i < 20; ++i) EXPECT_EQ(b.take(t), 0);
  EXPECT_GT(b.take(t), 0);
}

TEST(TokenBucket, ZeroRateIsUnlimited) {
  TokenBucket b(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(b.take(0), 0);
  TokenBucket d;
  EXPECT_EQ(d.take(0), 0);
}

}  // namespace
}  // namespace engage::engage
