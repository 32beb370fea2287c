// Unit tests of the load generator's Socket.IO text framing.
#include "sio_text.h"

#include <gtest/gtest.h>

namespace engage::load {
namespace {

TEST(SioText, EncodesEventsWithAndWithoutNamespaceAndPayload) {
  std::string out;
  append_event(out, "/play-along", "create_chess_room", "");
  EXPECT_EQ(out, R"(42/play-along,["create_chess_room"])");
  out.clear();
  append_event(out, "/", "message", R"({"a":1})");
  EXPECT_EQ(out, R"(42["message",{"a":1}])");
  out.clear();
  append_connect(out, "/watch-along", R"({"userId":"u1"})");
  EXPECT_EQ(out, R"(40/watch-along,{"userId":"u1"})");
}

TEST(SioText, SplitsHeaders) {
  SioPacket p;
  ASSERT_TRUE(split_packet(R"(2/play-along,["move_update",{"x":1}])", p));
  EXPECT_EQ(p.type, '2');
  EXPECT_EQ(p.nsp, "/play-along");
  EXPECT_EQ(p.data, R"(["move_update",{"x":1}])");
  EXPECT_EQ(event_name(p.data), "move_update");
  ASSERT_TRUE(split_packet("0{\"sid\":\"a\"}", p));
  EXPECT_EQ(p.nsp, "/");
  EXPECT_EQ(p.data, "{\"sid\":\"a\"}");
  ASSERT_TRUE(split_packet("3/x,12[1]", p));
  EXPECT_EQ(p.nsp, "/x");
  EXPECT_EQ(p.data, "[1]");
  ASSERT_TRUE(split_packet("1/custom", p));
  EXPECT_EQ(p.nsp, "/custom");
  EXPECT_TRUE(p.data.empty());
  EXPECT_FALSE(split_packet("9", p));
  EXPECT_FALSE(split_packet("", p));
  EXPECT_FALSE(split_packet("51-[\"a\"]", p));
}

TEST(SioText, EventNameFallsBackOnEscapes) {
  EXPECT_EQ(event_name(R"(["a\"b",1])"), "");
  EXPECT_EQ(event_name(R"({"a":1})"), "");
  EXPECT_EQ(event_name(R"(["error",{"message":"x"}])"), "error");
}

}  // namespace
}  // namespace engage::load
