// Tests of the sans-I/O Redis Cluster pieces: slots and hash tags, key mapping, CLUSTER SLOTS
// parsing, MOVED/ASK parsing, node lists and grouping of multi-key calls by slot.
#include "store/redis_cluster.h"

#include <gtest/gtest.h>

#include "store/redis_conn.h"

namespace engage::store::cluster {
namespace {

RedisReply integer(int64_t v) {
  RedisReply r;
  r.type = RedisReply::Type::Integer;
  r.integer = v;
  return r;
}
RedisReply str(std::string s) {
  RedisReply r;
  r.type = RedisReply::Type::String;
  r.str = std::move(s);
  return r;
}
RedisReply array(std::vector<RedisReply> e) {
  RedisReply r;
  r.type = RedisReply::Type::Array;
  r.elements = std::move(e);
  return r;
}
RedisReply range(int64_t lo, int64_t hi, std::string host, int64_t port) {
  return array({integer(lo), integer(hi), array({str(std::move(host)), integer(port), str("id")})});
}

TEST(ClusterSlots, Crc16IsXmodem) {
  EXPECT_EQ(crc16("123456789"), 0x31C3);  // the standard check value
  EXPECT_EQ(crc16(""), 0);
}

TEST(ClusterSlots, KnownKeySlots) {
  // Values from the Redis Cluster specification / CLUSTER KEYSLOT.
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot("123456789"), 0x31C3 % kSlots);
}

TEST(ClusterSlots, HashTags) {
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("{user1000}.followers"));
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  EXPECT_EQ(key_slot("foo{}{bar}"), crc16("foo{}{bar}") % kSlots);  // empty tag: whole key
  EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));           // tag is "{bar"
  EXPECT_EQ(key_slot("foo{bar}{zap}"), key_slot("bar"));            // first tag only
  EXPECT_EQ(key_slot("foo{bar"), crc16("foo{bar") % kSlots);        // unclosed: whole key
}

TEST(ClusterKeys, RoomAndCodeKeysAreTaggedWithTheirId) {
  EXPECT_EQ(map_key("chess:room:room_1_abc"), "chess:room:{room_1_abc}");
  EXPECT_EQ(map_key("watchalong:room:r9"), "watchalong:room:{r9}");
  EXPECT_EQ(map_key("chess:code:123456"), "chess:code:{123456}");
  EXPECT_EQ(map_key("ratelimit:move:alice"), "ratelimit:move:alice");
  EXPECT_EQ(map_key("chess:room:{x}"), "chess:room:{x}");
  EXPECT_EQ(map_key("chess:room:"), "chess:room:");
  // A room's document is in the slot of its bus channel "engage:bus:{<id>}/play-along".
  EXPECT_EQ(key_slot(map_key("chess:room:room_1_abc")), key_slot("engage:bus:{room_1_abc}/x"));
}

TEST(ClusterSlotsReply, ParsesRangesAndDeduplicatesNodes) {
  RedisReply r = array({range(0, 5460, "127.0.0.1", 7000), range(5461, 10922, "127.0.0.1", 7001),
                        range(10923, 16383, "", 7002), range(100, 100, "127.0.0.1", 7000)});
  auto m = parse_slots(r, "10.0.0.9");
  ASSERT_TRUE(m) << m.error();
  ASSERT_EQ(m->nodes.size(), 3u);
  EXPECT_EQ(m->covered(), static_cast<std::size_t>(kSlots));
  EXPECT_EQ(m->node_for(0)->port, 7000);
  EXPECT_EQ(m->node_for(5461)->port, 7001);
  EXPECT_EQ(m->node_for(16383)->host, "10.0.0.9");  // empty endpoint → the host we asked
  EXPECT_EQ(m->node_for(key_slot("foo"))->port, 7002);
}

TEST(ClusterSlotsReply, PartialCoverageLeavesSlotsUnassigned) {
  auto m = parse_slots(array({range(0, 99, "h", 1)}), "x");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->covered(), 100u);
  EXPECT_EQ(m->node_for(100), nullptr);
  EXPECT_EQ(m->node_for(kSlots), nullptr);
}

TEST(ClusterSlotsReply, RejectsMalformedReplies) {
  EXPECT_FALSE(parse_slots(str("nope"), "x"));
  EXPECT_FALSE(parse_slots(array({array({integer(0), integer(1)})}), "x"));
  EXPECT_FALSE(parse_slots(array({range(5, 4, "h", 1)}), "x"));
  EXPECT_FALSE(parse_slots(array({range(0, 16384, "h", 1)}), "x"));
  EXPECT_FALSE(parse_slots(array({range(-1, 4, "h", 1)}), "x"));
  EXPECT_FALSE(parse_slots(array({range(0, 4, "h", 0)}), "x"));
  EXPECT_FALSE(parse_slots(array({range(0, 4, "h", 70000)}), "x"));
  EXPECT_FALSE(parse_slots(array({array({integer(0), integer(4), str("h")})}), "x"));
}

TEST(ClusterRedirect, ParsesMovedAndAsk) {
  auto m = parse_redirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->ask);
  EXPECT_EQ(m->slot, 3999);
  EXPECT_EQ(m->node, (Node{"127.0.0.1", 6381}));
  auto a = parse_redirect("ASK 3999 ::1:7000");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->ask);
  EXPECT_EQ(a->node, (Node{"::1", 7000}));
  EXPECT_FALSE(parse_redirect("ERR unknown command"));
  EXPECT_FALSE(parse_redirect("MOVED 16384 h:1"));
  EXPECT_FALSE(parse_redirect("MOVED x h:1"));
  EXPECT_FALSE(parse_redirect("MOVED 1 h"));
  EXPECT_FALSE(parse_redirect("MOVED 1 h:0"));
  EXPECT_FALSE(parse_redirect("MOVED 1"));
}

TEST(ClusterNodes, ParsesSeedLists) {
  auto l = parse_node_list("127.0.0.1:7000, 127.0.0.1:7001,,host:7002");
  ASSERT_TRUE(l) << l.error();
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[2], (Node{"host", 7002}));
  EXPECT_FALSE(parse_node_list(""));
  EXPECT_FALSE(parse_node_list("host"));
  EXPECT_FALSE(parse_node_list("host:99999"));
  auto bad = parse_node_list("a:1,b:x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("b:x"), std::string::npos);
}

TEST(ClusterGroups, GroupsKeysBySlotKeepingTheFirstKeyFirst) {
  std::vector<std::string> keys = {"chess:room:{r1}", "chess:code:{123456}", "x{r1}y",
                                   "chess:code:{123456}"};
  auto g = group_by_slot(keys);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], (std::vector<std::string>{"chess:room:{r1}", "x{r1}y"}));
  EXPECT_EQ(g[1], (std::vector<std::string>{"chess:code:{123456}", "chess:code:{123456}"}));
  EXPECT_TRUE(group_by_slot({}).empty());
}

}  // namespace
}  // namespace engage::store::cluster
