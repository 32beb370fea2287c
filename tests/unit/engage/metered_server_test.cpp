// Tests of MeteredServer with the real application on it (fake Socket.IO server, MemoryStore,
// the protection hooks): the 11th room in an hour, the 101st move in a minute, the event-rate
// bucket (error with retryAfterMs, connection kept), metrics counted, no wrapper leaked.
#include "engage/metered_server.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/metrics.h"
#include "engage/metered_store.h"
#include "engage/protection.h"
#include "engage/service.h"
#include "fakes.h"
#include "store/memory_store.h"

namespace engage::engage {
namespace {

using testing::FakeServer;
using testing::FakeSocketPtr;

json::Value obj(std::initializer_list<std::pair<const char*, json::Value>> m) {
  json::Object o;
  for (auto& [k, v] : m) o.emplace_back(k, v);
  return json::Value(std::move(o));
}

class MeteredTest : public ::testing::Test {
 protected:
  MeteredTest() { Clock::install(&clock); }
  ~MeteredTest() override { Clock::install(nullptr); }

  void start(OpsOptions o, MeterOptions m = {}) {
    store = std::make_unique<store::MemoryStore>(store::MemoryStoreOptions{16, 256, &clock});
    m.clock = &clock;
    metered = std::make_unique<MeteredServer>(fake, m);
    prot = make_protection(o, *store);
    service = std::make_unique<Service>(*metered, *store, Limits{}, prot.identity, prot.hooks);
    service->install(nullptr);
  }
  FakeSocketPtr user(const std::string& nsp, const std::string& id) {
    auto s = fake.connect(nsp, obj({{"userId", id}}));
    EXPECT_TRUE(s);
    return s;
  }
  std::vector<json::Value> errors(const FakeSocketPtr& s) { return s->all("error"); }
  static std::string code_of(const json::Value& e) {
    const json::Value* c = e.find("code");
    return c && c->is_string() ? c->as_string() : "";
  }

  ManualClock clock;
  FakeServer fake;
  std::unique_ptr<store::MemoryStore> store;
  std::unique_ptr<MeteredServer> metered;
  Protection prot;
  std::unique_ptr<Service> service;
};

TEST_F(MeteredTest, EleventhRoomInAnHourIsRateLimitedAndTheSocketStays) {
  start({});
  auto s = user("/play-along", "alice");
  const uint64_t before = metrics::ops().rate_limited.with({"rooms"}).value();
  for (int i = 0; i < 10; ++i) {
    fake.send(s, "create_chess_room", json::Value::array());
    clock.advance_ms(1000);
  }
  EXPECT_EQ(s->all("room_created").size(), 10u);
  EXPECT_TRUE(errors(s).empty());
  fake.send(s, "create_chess_room", json::Value::array());
  auto errs = errors(s);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(code_of(errs[0]), "RATE_LIMITED");
  EXPECT_NE(errs[0].find("message")->as_string().find("retry in 3590 s"), std::string::npos)
      << errs[0].dump();
  EXPECT_TRUE(s->connected());
  EXPECT_EQ(metrics::ops().rate_limited.with({"rooms"}).value(), before + 1);
  // Another kind of room counts against the same per-user budget.
  auto w = user("/watch-along", "alice");
  fake.send(
      w, "create_watch_room",
      json::Value(json::Array{obj({{"videoId", "abc"}, {"videoUrl", "https://youtu.be/abc"}})}));
  ASSERT_EQ(errors(w).size(), 1u);
  EXPECT_EQ(code_of(errors(w)[0]), "RATE_LIMITED");
  clock.advance_ms(3600000);
  fake.send(s, "create_chess_room", json::Value::array());
  EXPECT_EQ(s->all("room_created").size(), 11u);
}

TEST_F(MeteredTest, HundredAndFirstMoveInAMinuteIsRateLimited) {
  OpsOptions o;
  start(o);
  auto a = user("/play-along", "mover");
  const json::Value move =
      json::Value(json::Array{obj({{"roomId", "room_x"}, {"from", "e2"}, {"to", "e4"}})});
  for (int i = 0; i < 100; ++i) fake.send(a, "make_move", move);
  auto errs = errors(a);
  ASSERT_EQ(errs.size(), 100u);
  for (auto& e : errs) EXPECT_NE(code_of(e), "RATE_LIMITED");  // judged, not limited
  fake.send(a, "make_move", move);
  errs = errors(a);
  ASSERT_EQ(errs.size(), 101u);
  EXPECT_EQ(code_of(errs.back()), "RATE_LIMITED");
  auto b = user("/play-along", "other");  // another user is not affected
  fake.send(b, "make_move", move);
  EXPECT_NE(code_of(errors(b).back()), "RATE_LIMITED");
}

TEST_F(MeteredTest, EventBurstBeyondTheBucketGetsRetryAfterAndTheSocketStays) {
  OpsOptions o;
  MeterOptions m;
  m.events_per_second = 10;
  m.events_burst = 20;
  start(o, m);
  auto s = user("/watch-along", "bursty");
  const uint64_t other_before = metrics::ops().events_in.with({"/watch-along", "other"}).value();
  for (int i = 0; i < 20; ++i) fake.send(s, "no_such_event", json::Value::array());
  EXPECT_TRUE(errors(s).empty());
  EXPECT_EQ(metrics::ops().events_in.with({"/watch-along", "other"}).value(), other_before + 20);
  json::Value acked;
  fake.send(s, "no_such_event", json::Value::array(),
            [&acked](json::Value args) { acked = std::move(args); });
  auto errs = errors(s);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(code_of(errs[0]), "RATE_LIMITED");
  EXPECT_EQ(errs[0].find("retryAfterMs")->as_int(), 100);
  ASSERT_TRUE(acked.is_array());
  EXPECT_EQ(acked.as_array()[0].find("success")->as_bool(), false);
  EXPECT_TRUE(s->connected());
  clock.advance_ms(100);
  fake.send(s, "no_such_event", json::Value::array());
  EXPECT_EQ(errors(s).size(), 1u);  // a token came back
}

TEST_F(MeteredTest, CountsConnectsDisconnectsEventsOutAndForgetsSockets) {
  start({});
  auto& ops = metrics::ops();
  const uint64_t c0 = ops.connects.with({"/play-along"}).value();
  const uint64_t d0 = ops.disconnects.with({"ping timeout"}).value();
  const uint64_t out0 = ops.events_out.with({"/play-along", "server_ready"}).value();
  const uint64_t err0 = ops.errors.with({"RATE_LIMITED"}).value();
  auto s = user("/play-along", "counted");
  EXPECT_EQ(ops.connects.with({"/play-along"}).value(), c0 + 1);
  EXPECT_EQ(ops.events_out.with({"/play-along", "server_ready"}).value(), out0 + 1);
  EXPECT_EQ(metered->wrapped(), 1u);
  fake.drop(s, "ping timeout");
  EXPECT_EQ(ops.disconnects.with({"ping timeout"}).value(), d0 + 1);
  EXPECT_EQ(metered->wrapped(), 0u);
  EXPECT_EQ(ops.errors.with({"RATE_LIMITED"}).value(), err0);
  EXPECT_EQ(MeteredServer::event_label("/play-along", "make_move"), "make_move");
  EXPECT_EQ(MeteredServer::event_label("/play-along", "play"), "other");
  EXPECT_EQ(MeteredServer::event_label("/sing-along", "create_sing_room"), "create_sing_room");
  EXPECT_EQ(MeteredServer::event_label("/sing-along", "create_watch_room"), "other");
}

TEST_F(MeteredTest, JwtIdentityRefusesInvalidTokensAndUsesSub) {
  OpsOptions o;
  o.jwt_secret = std::string(40, 'k');
  ASSERT_EQ(validate_ops_options(o), "");
  start(o);
  std::string error;
  auto s = fake.connect("/watch-along", obj({{"token", "not.a.jwt"}}), &error);
  EXPECT_FALSE(s);
  EXPECT_EQ(error, "Authentication required");
  EXPECT_EQ(metered->wrapped(), 0u);
}

TEST(MeteredStore, TimesEveryOperationAndForwards) {
  store::MemoryStore mem;
  MeteredStore ms(mem);
  auto& h = metrics::ops().store_latency.with({"incr_window"});
  const uint64_t before = h.count();
  int64_t got = 0;
  ms.incr_window("k", 1000, [&got](store::Errc e, int64_t n, int64_t) {
    EXPECT_EQ(e, store::Errc::Ok);
    got = n;
  });
  ms.incr_window("k", 1000, [&got](store::Errc, int64_t n, int64_t) { got = n; });
  EXPECT_EQ(got, 2);
  EXPECT_EQ(h.count(), before + 2);
  store::Errc created = store::Errc::Timeout;
  ms.create("doc", store::Doc{R"({"version":1})", 1}, 60, [&](store::Errc e) { created = e; });
  EXPECT_EQ(created, store::Errc::Ok);
  EXPECT_GE(metrics::ops().store_latency.with({"create"}).count(), 1u);
  EXPECT_EQ(ms.state(), store::State::Up);
  EXPECT_EQ(metrics::ops().store_up.value(), 1);
  EXPECT_EQ(ms.kind(), "memory");
}

TEST(OpsOptions, ValidationReportsBadSettings) {
  OpsOptions o;
  EXPECT_EQ(validate_ops_options(o), "");
  o.outbuf_soft_bytes = 10u << 20;
  EXPECT_NE(validate_ops_options(o).find("--outbuf-soft-bytes"), std::string::npos);
  OpsOptions j;
  j.jwt_secret = "short";
  EXPECT_NE(validate_ops_options(j).find("32 bytes"), std::string::npos);
  OpsOptions k;
  k.jwt_public_key_file = "/nonexistent.pem";
  EXPECT_NE(validate_ops_options(k).find("cannot read"), std::string::npos);
  OpsOptions i;
  i.jwt_issuer = "x";
  EXPECT_NE(validate_ops_options(i).find("need --jwt-secret"), std::string::npos);
  OpsOptions p;
  p.trusted_proxies = {"proxy.example"};
  EXPECT_NE(validate_ops_options(p).find("not an IP"), std::string::npos);
  EXPECT_EQ(limit_for_action("rest:watchalong/create"), "rooms");
  EXPECT_EQ(limit_for_action("rest:chess/move"), "moves");
  EXPECT_EQ(limit_for_action("join_chess_room"), "");
}

}  // namespace
}  // namespace engage::engage
