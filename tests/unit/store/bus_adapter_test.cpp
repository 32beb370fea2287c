// Tests of BusAdapter over two MemoryStores sharing one backend (two "instances" of a process
// pair): per-room subscriptions, one delivery per socket, own messages dropped, bad input.
#include "store/bus_adapter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/memory_store.h"

namespace engage::store {
namespace {

// A sio::Server that records what the adapter asks it to do.
class FakeServer final : public sio::Server {
 public:
  struct Delivery {
    sio::BroadcastTarget to;
    std::vector<std::string> frames;
    bool has_binary;
  };
  void add_namespace(const std::string&, sio::NamespaceHandlers) override {}
  void broadcast(const sio::BroadcastTarget&, std::string_view, const json::Value&) override {}
  void deliver_remote(const sio::BroadcastTarget& to,
                      std::shared_ptr<const std::vector<std::string>> frames,
                      bool has_binary) override {
    deliveries.push_back(Delivery{to, *frames, has_binary});
  }
  void set_adapter(std::shared_ptr<sio::Adapter> a) override { adapter = std::move(a); }
  std::size_t socket_count() const override { return 0; }

  std::vector<Delivery> deliveries;
  std::shared_ptr<sio::Adapter> adapter;
};

// Two instances on one in-memory bus.
struct Pair {
  Pair() {
    a_store = std::make_unique<MemoryStore>();
    b_store = std::make_unique<MemoryStore>(a_store->backend());
    BusAdapterOptions oa;
    oa.instance_id = 1;
    BusAdapterOptions ob;
    ob.instance_id = 2;
    a = BusAdapter::install(*a_store, a_io, oa);
    b = BusAdapter::install(*b_store, b_io, ob);
  }
  std::unique_ptr<MemoryStore> a_store, b_store;
  FakeServer a_io, b_io;
  std::shared_ptr<BusAdapter> a, b;
};

sio::BroadcastTarget room_target(std::string room, std::vector<std::string> except = {}) {
  sio::BroadcastTarget t;
  t.nsp = "/play-along";
  t.rooms.push_back(std::move(room));
  t.except = std::move(except);
  return t;
}

std::shared_ptr<const std::vector<std::string>> frames(std::vector<std::string> f) {
  return std::make_shared<const std::vector<std::string>>(std::move(f));
}

TEST(BusAdapter, InstallSetsTheServersAdapter) {
  Pair p;
  EXPECT_EQ(p.a_io.adapter, p.a);
  EXPECT_EQ(p.b->instance_id(), 2u);
}

TEST(BusAdapter, RandomInstanceIdsAreNonZeroAndDiffer) {
  MemoryStore s1, s2;
  FakeServer io1, io2;
  auto a1 = BusAdapter::install(s1, io1);
  auto a2 = BusAdapter::install(s2, io2);
  EXPECT_NE(a1->instance_id(), 0u);
  EXPECT_NE(a1->instance_id(), a2->instance_id());
}

TEST(BusAdapter, BroadcastReachesAnInstanceWithALocalMemberWithExactFrames) {
  Pair p;
  p.b->room_opened("/play-along", "r1");
  EXPECT_EQ(p.b->stats().channels.load(), 1);
  std::string bin("\0\x01\xff", 3);
  p.a->publish(room_target("r1", {"sock-a"}), frames({"451-/play-along,[\"e\"]", bin}), true);
  ASSERT_EQ(p.b_io.deliveries.size(), 1u);
  const auto& d = p.b_io.deliveries[0];
  EXPECT_EQ(d.to.nsp, "/play-along");
  EXPECT_EQ(d.to.rooms, std::vector<std::string>{"r1"});
  EXPECT_EQ(d.to.except, std::vector<std::string>{"sock-a"});
  EXPECT_EQ(d.frames, (std::vector<std::string>{"451-/play-along,[\"e\"]", bin}));
  EXPECT_TRUE(d.has_binary);
  EXPECT_TRUE(p.a_io.deliveries.empty());  // the sender's server delivers locally itself
  EXPECT_EQ(p.a->stats().published.load(), 1u);
  EXPECT_EQ(p.b->stats().received.load(), 1u);
}

TEST(BusAdapter, NoLocalMemberNoSubscriptionNoDelivery) {
  Pair p;
  p.b->room_opened("/play-along", "other");
  p.b->room_opened("/watch-along", "r1");  // same room name, another namespace
  p.a->publish(room_target("r1"), frames({"42[\"x\"]"}), false);
  EXPECT_TRUE(p.b_io.deliveries.empty());
}

TEST(BusAdapter, RoomClosedUnsubscribesAndReopenResubscribes) {
  Pair p;
  p.b->room_opened("/play-along", "r1");
  p.b->room_closed("/play-along", "r1");
  EXPECT_EQ(p.b->stats().channels.load(), 0);
  p.a->publish(room_target("r1"), frames({"42[\"x\"]"}), false);
  EXPECT_TRUE(p.b_io.deliveries.empty());
  p.b->room_opened("/play-along", "r1");
  p.a->publish(room_target("r1"), frames({"42[\"y\"]"}), false);
  ASSERT_EQ(p.b_io.deliveries.size(), 1u);
  EXPECT_EQ(p.b_io.deliveries[0].frames[0], "42[\"y\"]");
}

TEST(BusAdapter, OpenCountsAreBalanced) {
  Pair p;
  p.b->room_opened("/play-along", "r1");
  p.b->room_opened("/play-along", "r1");  // e.g. a race between two loops
  p.b->room_closed("/play-along", "r1");
  p.a->publish(room_target("r1"), frames({"42[1]"}), false);
  EXPECT_EQ(p.b_io.deliveries.size(), 1u);
  p.b->room_closed("/play-along", "r1");
  p.b->room_closed("/play-along", "r1");  // unbalanced: ignored
  EXPECT_EQ(p.b->stats().channels.load(), 0);
  p.a->publish(room_target("r1"), frames({"42[2]"}), false);
  EXPECT_EQ(p.b_io.deliveries.size(), 1u);
}

TEST(BusAdapter, ASocketInSeveralTargetRoomsGetsTheBroadcastOnce) {
  Pair p;
  p.b->room_opened("/play-along", "r1");
  p.b->room_opened("/play-along", "r2");
  sio::BroadcastTarget t;
  t.nsp = "/play-along";
  t.rooms = {"r1", "r2", "r3", "r1"};
  t.except = {"x"};
  p.a->publish(t, frames({"42[0]"}), false);
  EXPECT_EQ(p.a->stats().published.load(), 3u);  // r1, r2, r3: the repeated r1 only once
  ASSERT_EQ(p.b_io.deliveries.size(), 2u);
  // Heard on r1: r1's members. Heard on r2: r2's members not in r1.
  EXPECT_EQ(p.b_io.deliveries[0].to.rooms, std::vector<std::string>{"r1"});
  EXPECT_EQ(p.b_io.deliveries[0].to.except, std::vector<std::string>{"x"});
  EXPECT_EQ(p.b_io.deliveries[1].to.rooms, std::vector<std::string>{"r2"});
  EXPECT_EQ(p.b_io.deliveries[1].to.except, (std::vector<std::string>{"x", "r1"}));
}

TEST(BusAdapter, NamespaceBroadcastsOnlyForAddedNamespaces) {
  Pair p;
  sio::BroadcastTarget t;
  t.nsp = "/watch-along";
  p.a->publish(t, frames({"42[0]"}), false);
  EXPECT_TRUE(p.b_io.deliveries.empty());
  p.b->add_namespace("/watch-along");
  p.a->publish(t, frames({"42[1]"}), false);
  ASSERT_EQ(p.b_io.deliveries.size(), 1u);
  EXPECT_TRUE(p.b_io.deliveries[0].to.rooms.empty());
  EXPECT_EQ(p.b_io.deliveries[0].frames[0], "42[1]");
}

TEST(BusAdapter, OwnMessagesAreDropped) {
  Pair p;
  bus::Message m;
  m.sender = p.b->instance_id();
  m.nsp = "/play-along";
  m.rooms = {"r1"};
  m.frames = {"42[0]"};
  p.b->on_bus_message(bus::room_channel("engage:bus", "/play-along", "r1"), bus::encode(m));
  EXPECT_TRUE(p.b_io.deliveries.empty());
  EXPECT_EQ(p.b->stats().own_dropped.load(), 1u);
  m.sender = 77;
  p.b->on_bus_message(bus::room_channel("engage:bus", "/play-along", "r1"), bus::encode(m));
  EXPECT_EQ(p.b_io.deliveries.size(), 1u);
}

TEST(BusAdapter, GarbageAndStrayMessagesAreCountedNotDelivered) {
  Pair p;
  p.b->on_bus_message("engage:bus:{r1}/play-along", "hello");
  p.b->on_bus_message("engage:bus:{r1}/play-along", "");
  EXPECT_EQ(p.b->stats().bad_messages.load(), 2u);
  bus::Message m;
  m.sender = 9;
  m.nsp = "/play-along";
  m.rooms = {"r1"};
  m.frames = {"42[0]"};
  // A valid envelope on a channel that is not one of its rooms (nor its namespace).
  p.b->on_bus_message("engage:bus:{r9}/play-along", bus::encode(m));
  m.rooms.clear();
  p.b->on_bus_message("engage:bus:{r1}/play-along", bus::encode(m));
  EXPECT_EQ(p.b->stats().stray_messages.load(), 2u);
  EXPECT_TRUE(p.b_io.deliveries.empty());
}

TEST(BusAdapter, AReleasedAdapterNoLongerReceives) {
  auto s1 = std::make_unique<MemoryStore>();
  MemoryStore s2(s1->backend());
  FakeServer io1, io2;
  auto sender = BusAdapter::install(*s1, io1);
  {
    auto receiver = BusAdapter::install(s2, io2);
    receiver->room_opened("/n", "r");
    io2.adapter.reset();
  }
  sender->publish(room_target("r"), frames({"42[0]"}), false);
  EXPECT_TRUE(io2.deliveries.empty());
}

}  // namespace
}  // namespace engage::store
