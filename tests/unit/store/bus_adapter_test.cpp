// Tests of BusAdapter over two MemoryStores sharing one backend (two "instances" of a process
// pair): per-room subscriptions, one delivery per socket, own messages dropped, bad input; and
// over a store that confirms subscriptions later: publishes held until the confirmation, then
// sent in order; released after the time limit or past the bounds.
#include "store/bus_adapter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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

// ---- holding publishes until our own subscription is confirmed ---------------------------------

// A store whose subscriptions are confirmed only when the test says so (as Redis answers
// SUBSCRIBE later, on another connection). Records publishes and (un)subscribes.
class LateConfirmStore final : public Store {
 public:
  explicit LateConfirmStore(bool confirms = true) : confirms_(confirms) {}
  void get(std::string, DocFn cb) override { cb(Errc::Unavailable, {}); }
  void create(std::string, Doc, int, DoneFn cb) override { cb(Errc::Unavailable); }
  void cas(std::string, uint64_t, Doc, int, std::vector<std::string>, DoneFn cb) override {
    cb(Errc::Unavailable);
  }
  void remove(std::string, uint64_t, std::vector<std::string>, DoneFn cb) override {
    cb(Errc::Unavailable);
  }
  void claim(std::string, std::string, int, DoneFn cb) override { cb(Errc::Unavailable); }
  void get_string(std::string, StringFn cb) override { cb(Errc::Unavailable, {}); }
  void touch(std::vector<std::string>, int, DoneFn cb) override { cb(Errc::Unavailable); }
  void del(std::vector<std::string>, DoneFn cb) override { cb(Errc::Unavailable); }
  void incr_window(std::string, int64_t, CountFn cb) override { cb(Errc::Unavailable, 0, 0); }
  void publish(std::string channel, std::string payload) override {
    std::lock_guard lock(mu);
    published.emplace_back(std::move(channel), std::move(payload));
  }
  void subscribe(const std::string& channel) override { subscribed.push_back(channel); }
  void unsubscribe(const std::string& channel) override { unsubscribed.push_back(channel); }
  void on_message(MessageFn) override {}
  bool on_subscribed(SubscribedFn fn) override {
    confirm = std::move(fn);
    return confirms_;
  }
  State state() const override { return State::Up; }
  std::string_view kind() const override { return "redis"; }

  // Returns the first frame of each publish on `channel`, in publish order.
  std::vector<std::string> frames_on(const std::string& channel) {
    std::lock_guard lock(mu);
    std::vector<std::string> out;
    for (const auto& [ch, payload] : published) {
      if (ch != channel) continue;
      auto m = bus::decode(payload, {});
      out.push_back(m && !m->frames.empty() ? m->frames[0] : "?");
    }
    return out;
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return published.size();
  }

  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> published;
  std::vector<std::string> subscribed, unsubscribed;
  SubscribedFn confirm;

 private:
  bool confirms_;
};

const std::string kR1 = bus::room_channel("engage:bus", "/play-along", "r1");
const std::string kR2 = bus::room_channel("engage:bus", "/play-along", "r2");

struct Held {
  explicit Held(BusAdapterOptions o = {}, bool confirms = true) : store(confirms) {
    o.instance_id = 5;
    o.clock = &clock;
    o.hold_timer = false;  // the test drives release_expired() with its ManualClock
    adapter = BusAdapter::install(store, io, o);
  }
  void say(const std::string& room, const std::string& frame) {
    adapter->publish(room_target(room), frames({frame}), false);
  }
  ManualClock clock;
  LateConfirmStore store;
  FakeServer io;
  std::shared_ptr<BusAdapter> adapter;
};

TEST(BusAdapterHold, PublishesWaitForTheConfirmationThenGoOutInOrder) {
  Held h;
  h.adapter->room_opened("/play-along", "r1");
  ASSERT_EQ(h.store.subscribed, std::vector<std::string>{kR1});
  h.say("r1", "42[1]");
  h.say("r1", "42[2]");
  h.say("r2", "42[other]");  // not subscribed here: nothing to wait for
  h.say("r1", "42[3]");
  EXPECT_TRUE(h.store.frames_on(kR1).empty());
  EXPECT_EQ(h.store.frames_on(kR2), std::vector<std::string>{"42[other]"});
  EXPECT_EQ(h.adapter->held(kR1), 3u);
  EXPECT_EQ(h.adapter->stats().held.load(), 3u);
  h.store.confirm(kR2);  // a confirmation for another channel releases nothing
  EXPECT_TRUE(h.store.frames_on(kR1).empty());
  h.store.confirm(kR1);
  EXPECT_EQ(h.store.frames_on(kR1), (std::vector<std::string>{"42[1]", "42[2]", "42[3]"}));
  EXPECT_EQ(h.adapter->held(kR1), 0u);
  EXPECT_EQ(h.adapter->stats().flushed.load(), 3u);
  h.say("r1", "42[4]");  // confirmed: at once
  EXPECT_EQ(h.store.frames_on(kR1).back(), "42[4]");
  h.store.confirm(kR1);  // a re-subscription's confirmation changes nothing
  EXPECT_EQ(h.store.frames_on(kR1).size(), 4u);
  EXPECT_EQ(h.adapter->stats().published.load(), 5u);
}

TEST(BusAdapterHold, ReopenedChannelWaitsForItsNewConfirmation) {
  Held h;
  h.adapter->room_opened("/play-along", "r1");
  h.store.confirm(kR1);
  h.adapter->room_closed("/play-along", "r1");
  h.adapter->room_opened("/play-along", "r1");
  EXPECT_EQ(h.store.subscribed.size(), 2u);
  h.say("r1", "42[a]");
  EXPECT_EQ(h.adapter->held(kR1), 1u);
  h.store.confirm(kR1);
  EXPECT_EQ(h.store.frames_on(kR1), std::vector<std::string>{"42[a]"});
}

TEST(BusAdapterHold, HeldPublishesAreReleasedAfterTheTimeLimit) {
  Held h;
  h.adapter->room_opened("/play-along", "r1");
  h.say("r1", "42[1]");
  h.clock.advance_ms(600);
  h.say("r1", "42[2]");
  h.clock.advance_ms(399);  // 999 ms after the oldest
  h.adapter->release_expired();
  EXPECT_TRUE(h.store.frames_on(kR1).empty());
  h.clock.advance_ms(1);
  h.adapter->release_expired();
  EXPECT_EQ(h.store.frames_on(kR1), (std::vector<std::string>{"42[1]", "42[2]"}));
  EXPECT_EQ(h.adapter->stats().hold_timeouts.load(), 2u);
  h.say("r1", "42[3]");  // given up waiting: no more holding
  EXPECT_EQ(h.store.frames_on(kR1).size(), 3u);
  h.store.confirm(kR1);  // late confirmation: nothing left to send
  EXPECT_EQ(h.store.frames_on(kR1).size(), 3u);
  EXPECT_EQ(h.adapter->stats().flushed.load(), 0u);
}

TEST(BusAdapterHold, AnExpiredHoldIsReleasedByTheNextPublishToo) {
  Held h;
  h.adapter->room_opened("/play-along", "r1");
  h.say("r1", "42[1]");
  h.clock.advance_ms(1000);
  h.say("r1", "42[2]");  // no timer ran: the publish itself notices, keeping the order
  EXPECT_EQ(h.store.frames_on(kR1), (std::vector<std::string>{"42[1]", "42[2]"}));
}

TEST(BusAdapterHold, TheTimerThreadReleasesWithoutFurtherCalls) {
  LateConfirmStore store;
  FakeServer io;
  BusAdapterOptions o;
  o.hold_max_ms = 50;  // real time (system clock), timer thread on
  auto adapter = BusAdapter::install(store, io, o);
  adapter->room_opened("/play-along", "r1");
  auto start = std::chrono::steady_clock::now();
  adapter->publish(room_target("r1"), frames({"42[t]"}), false);
  EXPECT_EQ(store.count(), 0u);
  while (store.count() == 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(store.frames_on(kR1), std::vector<std::string>{"42[t]"});
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_EQ(adapter->stats().hold_timeouts.load(), 1u);
}

TEST(BusAdapterHold, PastTheMessageBoundEverythingGoesOutInOrder) {
  BusAdapterOptions o;
  o.hold_max_messages = 3;
  Held h(o);
  h.adapter->room_opened("/play-along", "r1");
  for (int i = 1; i <= 3; ++i) h.say("r1", "42[" + std::to_string(i) + "]");
  EXPECT_EQ(h.adapter->held(kR1), 3u);
  h.say("r1", "42[4]");
  EXPECT_EQ(h.store.frames_on(kR1), (std::vector<std::string>{"42[1]", "42[2]", "42[3]", "42[4]"}));
  EXPECT_EQ(h.adapter->stats().hold_overflows.load(), 4u);
  EXPECT_EQ(h.adapter->held(kR1), 0u);
}

TEST(BusAdapterHold, PastTheByteBoundEverythingGoesOutInOrder) {
  BusAdapterOptions o;
  o.hold_max_bytes = 2 * bus::encode(bus::Message{}).size() + 200;
  Held h(o);
  h.adapter->room_opened("/play-along", "r1");
  h.say("r1", "42[1]");
  EXPECT_EQ(h.adapter->held(kR1), 1u);
  h.say("r1", "42[\"" + std::string(300, 'x') + "\"]");  // would pass the byte bound
  auto got = h.store.frames_on(kR1);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "42[1]");
  EXPECT_EQ(h.adapter->stats().hold_overflows.load(), 2u);
}

TEST(BusAdapterHold, ClosingTheRoomBeforeTheConfirmationSendsWhatWasHeld) {
  Held h;
  h.adapter->room_opened("/play-along", "r1");
  h.say("r1", "42[bye]");
  h.adapter->room_closed("/play-along", "r1");
  EXPECT_EQ(h.store.frames_on(kR1), std::vector<std::string>{"42[bye]"});
  EXPECT_EQ(h.store.unsubscribed, std::vector<std::string>{kR1});
  EXPECT_EQ(h.adapter->stats().hold_closed.load(), 1u);
}

TEST(BusAdapterHold, AStoreThatCannotConfirmIsNeverWaitedFor) {
  Held h({}, /*confirms=*/false);
  h.adapter->room_opened("/play-along", "r1");
  h.say("r1", "42[1]");
  EXPECT_EQ(h.store.frames_on(kR1), std::vector<std::string>{"42[1]"});
  EXPECT_EQ(h.adapter->stats().held.load(), 0u);
}

TEST(BusAdapterHold, MemoryStoreConfirmsAtOnce) {
  Pair p;
  p.a->room_opened("/play-along", "r1");
  p.b->room_opened("/play-along", "r1");
  p.a->publish(room_target("r1"), frames({"42[now]"}), false);
  EXPECT_EQ(p.a->held(kR1), 0u);
  ASSERT_EQ(p.b_io.deliveries.size(), 1u);
  EXPECT_EQ(p.a->stats().held.load(), 0u);
}

}  // namespace
}  // namespace engage::store
