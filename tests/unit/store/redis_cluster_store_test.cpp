// Runs the Store contract suite against RedisClusterStore on a real local 3-master Redis Cluster
// (redis-server --cluster-enabled yes ×3 + redis-cli --cluster create, on free loopback ports),
// plus what only a cluster has: hash-tagged keys, MOVED and ASK redirections during a slot
// migration, sharded pub/sub.
#include "store/redis_cluster_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "net/loops.h"
#include "redis_server_fixture.h"
#include "store/redis_cluster.h"
#include "store/redis_conn.h"
#include "store/redis_sentinel.h"
#include "store_contract.h"

namespace engage::store {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds limit = 15s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return cond();
}

// Three cluster-enabled redis-servers joined into one cluster (no replicas).
class LocalCluster {
 public:
  LocalCluster() {
    for (int i = 0; i < 3; ++i) {
      RedisServer::Options o;
      o.appendfsync = "no";
      // The cluster bus gets its own free port (the default, port + 10000, may be taken or
      // out of range).
      o.extra_args = {"--cluster-enabled",      "yes",
                      "--cluster-node-timeout", "2000",
                      "--cluster-port",         std::to_string(testing::free_loopback_port())};
      nodes_.push_back(std::make_unique<RedisServer>(o));
      if (!nodes_.back()->start()) {
        std::fprintf(stderr, "cluster node %d did not start\n", i);
        std::system(("tail -5 " + nodes_.back()->dir() + "/redis.log >&2").c_str());
        return;
      }
    }
    std::string cmd = "redis-cli --cluster create";
    for (auto& n : nodes_) cmd += " 127.0.0.1:" + std::to_string(n->port());
    cmd += " --cluster-replicas 0 --cluster-yes >/dev/null 2>&1";
    if (int rc = std::system(cmd.c_str()); rc != 0) {
      std::fprintf(stderr, "%s: exit status %d\n", cmd.c_str(), rc);
      return;
    }
    ok_ = wait_until([&] {
      for (auto& n : nodes_) {
        auto info = n->command({"CLUSTER", "INFO"});
        if (!info || info->find("cluster_state:ok") == std::string::npos) return false;
      }
      return true;
    });
  }
  bool ok() const { return ok_; }
  RedisServer& node(std::size_t i) { return *nodes_[i]; }
  std::vector<cluster::Node> seeds() const {
    std::vector<cluster::Node> s;
    for (auto& n : nodes_) s.push_back({"127.0.0.1", n->port()});
    return s;
  }
  // Returns the index of the node serving `slot`.
  std::size_t owner(uint16_t slot) {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      auto r = nodes_[i]->command({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)});
      auto me = nodes_[i]->command({"CLUSTER", "MYID"});
      auto slots = nodes_[i]->command({"CLUSTER", "NODES"});
      if (!slots || !me) continue;
      // The line of this node lists its slot ranges after the 8 fixed fields.
      std::size_t at = slots->find(*me);
      std::size_t eol = slots->find('\n', at);
      std::string line = slots->substr(at, eol == std::string::npos ? std::string::npos : eol - at);
      std::size_t field = 0, pos = 0;
      while (field < 8 && pos != std::string::npos) {
        pos = line.find(' ', pos);
        if (pos != std::string::npos) ++pos;
        ++field;
      }
      while (pos != std::string::npos && pos < line.size()) {
        std::size_t end = line.find(' ', pos);
        std::string range =
            line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? end : end + 1;
        if (range.empty() || range[0] == '[') continue;
        std::size_t dash = range.find('-');
        int lo = std::atoi(range.c_str());
        int hi = dash == std::string::npos ? lo : std::atoi(range.c_str() + dash + 1);
        if (slot >= lo && slot <= hi) return i;
      }
      (void)r;
    }
    return nodes_.size();
  }

 private:
  std::vector<std::unique_ptr<RedisServer>> nodes_;
  bool ok_ = false;
};

LocalCluster* shared_cluster() {
  static std::unique_ptr<LocalCluster> c = [] {
    if (!RedisServer::available()) return std::unique_ptr<LocalCluster>();
    auto p = std::make_unique<LocalCluster>();
    if (!p->ok()) p.reset();
    return p;
  }();
  return c.get();
}

RedisClusterOptions options_for(const LocalCluster& c, int refresh_ms = 2000) {
  RedisClusterOptions o;
  o.seeds = c.seeds();
  o.refresh_ms = refresh_ms;
  return o;
}

}  // namespace

namespace contract {
namespace {

class ClusterHarness final : public StoreHarness {
 public:
  ClusterHarness() : loops_(2) { loops_.start(); }
  ~ClusterHarness() override {
    loops_.stop();
    loops_.join();
  }
  std::unique_ptr<Store> make_instance() override {
    LocalCluster* c = shared_cluster();
    if (!c) {
      ADD_FAILURE() << "the local Redis Cluster did not start";
      return nullptr;
    }
    auto s = std::make_unique<RedisClusterStore>(options_for(*c), loops_);
    EXPECT_TRUE(wait_until([&] { return s->state() == State::Up; })) << "store never came up";
    return s;
  }
  void advance_ms(int64_t ms) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
  void settle() override { std::this_thread::sleep_for(300ms); }

 private:
  net::Loops loops_;
};

INSTANTIATE_TEST_SUITE_P(RedisCluster, StoreContract,
                         ::testing::Values(HarnessParam{
                             "cluster", [] { return std::make_unique<ClusterHarness>(); }}),
                         HarnessParam::name);

}  // namespace
}  // namespace contract

namespace {

template <class R, class Call>
R wait_for(Call call) {
  auto p = std::make_shared<std::promise<R>>();
  auto f = p->get_future();
  call(p);
  if (f.wait_for(10s) != std::future_status::ready) {
    ADD_FAILURE() << "callback never came";
    return R{};
  }
  return f.get();
}

class ClusterStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = shared_cluster();
    if (!cluster_) GTEST_SKIP() << "no local Redis Cluster (redis-server missing or failed)";
    loops_.start();
  }
  void TearDown() override {
    loops_.stop();
    loops_.join();
  }
  LocalCluster* cluster_ = nullptr;
  net::Loops loops_{2};
};

TEST_F(ClusterStoreTest, RoomKeysAreHashTaggedOnTheRightNode) {
  RedisClusterStore s(options_for(*cluster_), loops_);
  ASSERT_TRUE(wait_until([&] { return s.state() == State::Up; }));
  Doc d{R"({"version":1})", 1};
  EXPECT_EQ(wait_for<Errc>([&](auto p) {
              s.create("chess:room:r-tag", d, 60, [p](Errc e) { p->set_value(e); });
            }),
            Errc::Ok);
  const uint16_t slot = cluster::key_slot("r-tag");
  std::size_t owner = cluster_->owner(slot);
  ASSERT_LT(owner, 3u);
  auto v = cluster_->node(owner).command({"GET", "chess:room:{r-tag}"});
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, d.value);
}

TEST_F(ClusterStoreTest, FollowsAskAndMovedDuringASlotMigration) {
  // A store whose map is never refreshed on its own: only redirections can teach it.
  RedisClusterStore s(options_for(*cluster_, 600000), loops_);
  ASSERT_TRUE(wait_until([&] { return s.state() == State::Up; }));
  const std::string key = "chess:room:migrating";
  const uint16_t slot = cluster::key_slot("migrating");
  std::size_t from = cluster_->owner(slot);
  ASSERT_LT(from, 3u);
  std::size_t to = (from + 1) % 3;
  auto& a = cluster_->node(from);
  auto& b = cluster_->node(to);
  auto id_a = a.command({"CLUSTER", "MYID"});
  auto id_b = b.command({"CLUSTER", "MYID"});
  ASSERT_TRUE(id_a && id_b);
  const std::string sl = std::to_string(slot);
  ASSERT_TRUE(b.command({"CLUSTER", "SETSLOT", sl, "IMPORTING", *id_a}));
  ASSERT_TRUE(a.command({"CLUSTER", "SETSLOT", sl, "MIGRATING", *id_b}));
  // The key does not exist on A, so A answers ASK: the store writes it on B after ASKING.
  Doc d{R"({"version":1,"n":1})", 1};
  EXPECT_EQ(wait_for<Errc>([&](auto p) { s.create(key, d, 60, [p](Errc e) { p->set_value(e); }); }),
            Errc::Ok);
  EXPECT_GE(s.redirects(), 1u);
  auto on_b = b.command({"CLUSTER", "COUNTKEYSINSLOT", sl});
  ASSERT_TRUE(on_b);
  EXPECT_EQ(*on_b, "1");
  // Finish the migration: the slot belongs to B everywhere; A now answers MOVED.
  for (std::size_t i = 0; i < 3; ++i)
    cluster_->node(i).command({"CLUSTER", "SETSLOT", sl, "NODE", *id_b});
  const uint64_t before = s.redirects();
  auto got = wait_for<std::pair<Errc, Doc>>([&](auto p) {
    s.get(key, [p](Errc e, Doc doc) { p->set_value({e, std::move(doc)}); });
  });
  EXPECT_EQ(got.first, Errc::Ok);
  EXPECT_EQ(got.second.value, d.value);
  EXPECT_GE(s.redirects(), before + 1);  // MOVED followed
  // Then the map knows: the next call goes straight to B.
  const uint64_t after = s.redirects();
  got = wait_for<std::pair<Errc, Doc>>([&](auto p) {
    s.get(key, [p](Errc e, Doc doc) { p->set_value({e, std::move(doc)}); });
  });
  EXPECT_EQ(got.first, Errc::Ok);
  EXPECT_EQ(s.redirects(), after);
}

TEST_F(ClusterStoreTest, ShardedPubSubCrossesStoresOnEveryShard) {
  RedisClusterStore a(options_for(*cluster_), loops_);
  RedisClusterStore b(options_for(*cluster_), loops_);
  ASSERT_TRUE(wait_until([&] { return a.state() == State::Up && b.state() == State::Up; }));
  std::mutex mu;
  std::vector<std::string> got;
  b.on_message([&](std::string_view ch, std::string_view payload) {
    std::lock_guard lock(mu);
    got.push_back(std::string(ch) + "=" + std::string(payload));
  });
  // Rooms whose channels land on different shards.
  std::vector<std::string> channels;
  for (int i = 0; channels.size() < 6 && i < 1000; ++i)
    channels.push_back("engage:bus:{room" + std::to_string(i) + "}/play-along");
  for (const auto& c : channels) b.subscribe(c);
  std::this_thread::sleep_for(300ms);
  for (const auto& c : channels) a.publish(c, "hi");
  ASSERT_TRUE(wait_until(
      [&] {
        std::lock_guard lock(mu);
        return got.size() == channels.size();
      },
      5s));
  std::lock_guard lock(mu);
  for (const auto& c : channels) EXPECT_NE(std::find(got.begin(), got.end(), c + "=hi"), got.end());
}

// The SSUBSCRIBE confirmation means the owning node has the subscription: an SPUBLISH sent by
// another store the moment the confirmation is heard is delivered, on channels of every shard.
TEST_F(ClusterStoreTest, ConfirmsAShardedSubscriptionOnlyOnceTheNodeHasIt) {
  RedisClusterStore a(options_for(*cluster_), loops_);
  RedisClusterStore b(options_for(*cluster_), loops_);
  ASSERT_TRUE(wait_until([&] { return a.state() == State::Up && b.state() == State::Up; }));
  constexpr int kChannels = 30;
  auto confirmed = std::make_shared<std::atomic<int>>(0);
  auto got = std::make_shared<std::atomic<int>>(0);
  RedisClusterStore* pub = &a;
  EXPECT_TRUE(b.on_subscribed([confirmed, pub](std::string_view ch) {
    (*confirmed)++;
    pub->publish(std::string(ch), "first");
  }));
  b.on_message([got](std::string_view, std::string_view p) {
    if (p == "first") (*got)++;
  });
  for (int i = 0; i < kChannels; ++i)
    b.subscribe("engage:bus:{confirm" + std::to_string(i) + "}/play-along");
  ASSERT_TRUE(wait_until([&] { return confirmed->load() == kChannels; }, 5s));
  ASSERT_TRUE(wait_until([&] { return got->load() == kChannels; }, 5s))
      << got->load() << " of " << kChannels << " first messages arrived";
}

RedisReply text(std::string s) {
  RedisReply r;
  r.type = RedisReply::Type::String;
  r.str = std::move(s);
  return r;
}

TEST(Sentinel, ParsesGetMasterAddrByName) {
  RedisReply ok;
  ok.type = RedisReply::Type::Array;
  ok.elements = {text("127.0.0.1"), text("6380")};
  auto m = parse_master_addr(ok);
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, (cluster::Node{"127.0.0.1", 6380}));
  RedisReply nil;  // the sentinel does not know this master
  EXPECT_FALSE(parse_master_addr(nil));
  RedisReply bad = ok;
  bad.elements[1] = text("0");
  EXPECT_FALSE(parse_master_addr(bad));
  bad.elements[1] = text("70000");
  EXPECT_FALSE(parse_master_addr(bad));
  bad.elements[1] = text("12x");
  EXPECT_FALSE(parse_master_addr(bad));
  bad = ok;
  bad.elements[0] = text("");
  EXPECT_FALSE(parse_master_addr(bad));
  bad.elements.pop_back();
  EXPECT_FALSE(parse_master_addr(bad));
}

}  // namespace
}  // namespace engage::store
