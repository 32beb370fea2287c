// Tests of the Engine.IO packet codec: text form, base64 form, WebSocket frames.
#include "engineio/packet.h"

#include <gtest/gtest.h>

#include <string>

namespace engage::eio {
namespace {

using namespace std::string_literals;

TEST(EioPacket, TypeDigits) {
  const PacketType all[] = {PacketType::Open, PacketType::Close,   PacketType::Ping,
                            PacketType::Pong, PacketType::Message, PacketType::Upgrade,
                            PacketType::Noop};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(type_digit(all[i]), '0' + i);
    EXPECT_EQ(type_from_digit(static_cast<char>('0' + i)), all[i]);
  }
  EXPECT_EQ(type_from_digit('7'), std::nullopt);
  EXPECT_EQ(type_from_digit('a'), std::nullopt);
  EXPECT_EQ(type_from_digit('/'), std::nullopt);
}

TEST(EioPacket, TextRoundTrip) {
  for (const char* text : {"0{\"sid\":\"x\"}", "1", "2", "2probe", "3probe", "4hello", "4", "5",
                           "6", "42[\"message\",1]", "4\xE2\x82\xAC"}) {
    auto p = decode_text(text);
    ASSERT_TRUE(p) << text;
    EXPECT_FALSE(p->binary);
    EXPECT_EQ(encode_text(*p), text);
    auto v = decode_text_view(text);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->type, p->type);
    EXPECT_EQ(v->data, p->data);
  }
  auto p = decode_text("2probe");
  EXPECT_EQ(p->type, PacketType::Ping);
  EXPECT_EQ(p->data, "probe");
}

TEST(EioPacket, Base64Form) {
  auto p = decode_text("bAQIDBA==", Version::V4);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->binary);
  EXPECT_EQ(p->type, PacketType::Message);
  EXPECT_EQ(p->data, "\x01\x02\x03\x04"s);
  EXPECT_EQ(encode_text(*p, Version::V4), "bAQIDBA==");
  EXPECT_EQ(encode_text(*p, Version::V3), "b4AQIDBA==");
  auto p3 = decode_text("b4AQIDBA==", Version::V3);
  ASSERT_TRUE(p3);
  EXPECT_EQ(*p3, *p);
  auto empty = decode_text("b", Version::V4);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->binary && empty->data.empty());
}

TEST(EioPacket, TextErrors) {
  struct Case {
    std::string text;
    Version v;
    std::size_t offset;
    const char* message;
  };
  const Case cases[] = {
      {"", Version::V4, 0, "empty packet"},
      {"abc", Version::V4, 0, "unknown packet type"},
      {"7", Version::V4, 0, "unknown packet type"},
      {"\x04hi", Version::V4, 0, "unknown packet type"},
      {"b!!!!", Version::V4, 1, "invalid base64"},
      {"bAQID=", Version::V4, 1, "invalid base64"},
      {"b4AQIDBA==", Version::V4, 1, "invalid base64"},
      {"b", Version::V3, 1, "missing packet type"},
      {"b9AQ==", Version::V3, 1, "unknown packet type"},
      {"b4AQIDBA=", Version::V3, 2, "invalid base64"},
      {"b2AQ==", Version::V3, 1, "binary packet that is not a message"},
  };
  for (const auto& c : cases) {
    auto p = decode_text(c.text, c.v);
    ASSERT_FALSE(p) << c.text;
    EXPECT_EQ(p.error().offset, c.offset) << c.text;
    EXPECT_EQ(p.error().message, c.message) << c.text;
  }
  EXPECT_FALSE(decode_text_view(""));
  EXPECT_FALSE(decode_text_view("x"));
  EXPECT_FALSE(decode_text_view("bAQ=="));
}

TEST(EioPacket, WebSocketFrames) {
  const Packet bin{PacketType::Message, true, "\x01\x02\x03"s};
  Frame f4 = encode_frame(bin, Version::V4);
  EXPECT_TRUE(f4.binary);
  EXPECT_EQ(f4.bytes, "\x01\x02\x03"s);
  Frame f3 = encode_frame(bin, Version::V3);
  EXPECT_TRUE(f3.binary);
  EXPECT_EQ(f3.bytes, "\x04\x01\x02\x03"s);
  Frame t = encode_frame(Packet{PacketType::Message, false, "hello"}, Version::V4);
  EXPECT_FALSE(t.binary);
  EXPECT_EQ(t.bytes, "4hello");
  std::string out;
  encode_binary_frame_to(out, "\xFF"s, Version::V3);
  EXPECT_EQ(out, "\x04\xFF"s);
  out.clear();
  encode_binary_frame_to(out, "\xFF"s, Version::V4);
  EXPECT_EQ(out, "\xFF"s);

  auto d4 = decode_frame(f4.bytes, true, Version::V4);
  ASSERT_TRUE(d4);
  EXPECT_EQ(*d4, bin);
  auto d3 = decode_frame(f3.bytes, true, Version::V3);
  ASSERT_TRUE(d3);
  EXPECT_EQ(*d3, bin);
  auto e4 = decode_frame("", true, Version::V4);  // an empty binary message is legal in v4
  ASSERT_TRUE(e4);
  EXPECT_TRUE(e4->data.empty());
  auto txt = decode_frame("2probe", false, Version::V3);
  ASSERT_TRUE(txt);
  EXPECT_EQ(txt->type, PacketType::Ping);
  EXPECT_FALSE(decode_frame("", true, Version::V3));
  EXPECT_FALSE(decode_frame("\x07"s, true, Version::V3));
  auto ping = decode_frame("\x02"s, true, Version::V3);
  ASSERT_FALSE(ping);
  EXPECT_EQ(ping.error().message, "binary packet that is not a message");
  EXPECT_FALSE(decode_frame("abc", false, Version::V4));
}

}  // namespace
}  // namespace engage::eio
