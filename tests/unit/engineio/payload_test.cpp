// Tests of the Engine.IO polling payloads (v4 and v3, text and XHR2 binary forms).
#include "engineio/payload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace engage::eio {
namespace {

using namespace std::string_literals;

Packet text(PacketType t, std::string data) {
  return Packet{t, false, std::move(data)};
}
Packet msg(std::string data) {
  return text(PacketType::Message, std::move(data));
}
Packet bin(std::string data) {
  return Packet{PacketType::Message, true, std::move(data)};
}

const std::string kEmojiEcho = "42[\"message-back\",\"\xE2\x82\xAC\xF0\x9F\x98\x80\"]";

// ---- v4 -----------------------------------------------------------------------------------

TEST(EioPayloadV4, ProtocolExamples) {
  EXPECT_EQ(encode_payload_v4({msg("test1"), msg("test2"), msg("test3")}),
            "4test1\x1e"
            "4test2\x1e"
            "4test3");
  EXPECT_EQ(encode_payload_v4({msg("hello"), bin("\x01\x02\x03\x04"s)}),
            "4hello\x1e"
            "bAQIDBA==");
  EXPECT_EQ(encode_payload_v4({text(PacketType::Ping, "")}), "2");
  EXPECT_EQ(encode_payload_v4(std::vector<Packet>{}), "");

  auto d = decode_payload_v4(
      "4hello\x1e"
      "bAQIDBA==");
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0], msg("hello"));
  EXPECT_EQ((*d)[1], bin("\x01\x02\x03\x04"s));
  auto one = decode_payload_v4("1");
  ASSERT_TRUE(one);
  EXPECT_EQ((*one)[0].type, PacketType::Close);
}

TEST(EioPayloadV4, WirePacketsAreNotCopied) {
  const std::string a = "42[\"x\"]", b = "\x00\xFF"s;
  const WirePacket wire[] = {{a, false}, {b, true}, {"3", false}};
  EXPECT_EQ(encode_payload_v4(wire),
            "42[\"x\"]\x1e"
            "bAP8=\x1e"
            "3");
}

TEST(EioPayloadV4, Errors) {
  struct Case {
    std::string body;
    std::size_t offset;
    const char* message;
  };
  const Case cases[] = {
      {"", 0, "empty packet"},
      {"4a\x1e\x1e"
       "4b",
       3, "empty packet"},
      {"4a\x1e", 3, "empty packet"},
      {"4a\x1e"
       "x",
       3, "unknown packet type"},
      {"abc", 0, "unknown packet type"},
      {"4a\x1e"
       "bAQ",
       4, "invalid base64"},
      {"4a\xFF", 2, "invalid UTF-8"},
      {"4\xED\xA0\x80", 1, "invalid UTF-8"},
  };
  for (const auto& c : cases) {
    auto d = decode_payload_v4(c.body);
    ASSERT_FALSE(d) << c.body;
    EXPECT_EQ(d.error().offset, c.offset) << c.body;
    EXPECT_EQ(d.error().message, c.message) << c.body;
  }
}

TEST(EioPayloadV4, Limits) {
  PayloadLimits limits;
  limits.max_payload = 10;
  EXPECT_TRUE(decode_payload_v4("4123456789", limits));
  auto big = decode_payload_v4("41234567890", limits);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message, "payload larger than maxPayload (10)");
  limits = {};
  limits.max_packets = 2;
  EXPECT_TRUE(
      decode_payload_v4("2\x1e"
                        "3",
                        limits));
  auto many = decode_payload_v4(
      "2\x1e"
      "3\x1e"
      "4",
      limits);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().message, "more than 2 packets");
}

TEST(EioPayloadV4, EveryTruncationDecodesCanonicallyOrFails) {
  const std::string body =
      encode_payload_v4({msg("hi"), bin("\x01\x02\x03\x04\x05"s), msg(kEmojiEcho.substr(1)),
                         text(PacketType::Pong, "probe")});
  for (std::size_t i = 0; i <= body.size(); ++i) {
    const std::string_view prefix = std::string_view(body).substr(0, i);
    auto d = decode_payload_v4(prefix);
    if (d) {
      EXPECT_EQ(encode_payload_v4(*d), prefix) << i;  // whatever is accepted is exact
    }
  }
  // A cut inside a base64 group, inside a character or right after a separator must fail.
  EXPECT_TRUE(decode_payload_v4(std::string_view(body).substr(0, 3)));   // "4hi"
  EXPECT_FALSE(decode_payload_v4(std::string_view(body).substr(0, 4)));  // "4hi\x1e"
  EXPECT_FALSE(decode_payload_v4(std::string_view(body).substr(0, 6)));  // "4hi\x1ebA"
}

// ---- v3 text form -------------------------------------------------------------------------

TEST(EioPayloadV3, ProtocolTextExamples) {
  EXPECT_EQ(encode_payload_v3({msg("hello")}, false).body, "6:4hello");
  EXPECT_EQ(encode_payload_v3(std::vector<Packet>{msg(kEmojiEcho.substr(1))}, false).body,
            "24:" + kEmojiEcho);
  EXPECT_EQ(encode_payload_v3({bin("\x01\x02\x03\x04"s)}, true).body, "10:b4AQIDBA==");
  EXPECT_FALSE(encode_payload_v3({bin("\x01\x02\x03\x04"s)}, true).binary);
  EXPECT_EQ(encode_payload_v3(std::vector<Packet>{}, false).body, "0:");
  EXPECT_EQ(encode_payload_v3(std::vector<Packet>{}, true).body, "0:");
  EXPECT_EQ(encode_payload_v3({text(PacketType::Noop, "")}, false).body, "1:6");
  EXPECT_EQ(encode_payload_v3({text(PacketType::Close, "")}, false).body, "1:1");
  EXPECT_EQ(encode_payload_v3({text(PacketType::Message, "0")}, false).body, "2:40");
  const EncodedPayload two = encode_payload_v3(
      {text(PacketType::Open, "{\"sid\":\"a\"}"), text(PacketType::Message, "0")}, false);
  EXPECT_EQ(two.body, "12:0{\"sid\":\"a\"}2:40");
  EXPECT_FALSE(two.binary);

  auto d = decode_payload_v3("24:" + kEmojiEcho + "6:4hello10:b4AQIDBA==1:2", false);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 4u);
  EXPECT_EQ((*d)[0], msg(kEmojiEcho.substr(1)));
  EXPECT_EQ((*d)[1], msg("hello"));
  EXPECT_EQ((*d)[2], bin("\x01\x02\x03\x04"s));
  EXPECT_EQ((*d)[3], text(PacketType::Ping, ""));
  auto empty = decode_payload_v3("0:", false);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto zeros = decode_payload_v3("0:1:20:", false);
  ASSERT_TRUE(zeros);
  EXPECT_EQ(zeros->size(), 1u);
  auto leading = decode_payload_v3("006:4hello", false);  // Node's Number("006") == 6
  ASSERT_TRUE(leading);
  EXPECT_EQ((*leading)[0], msg("hello"));
}

TEST(EioPayloadV3, ProtocolBinaryExample) {
  const std::string wire = "\x00\x06\xFF\x34\x68\x65\x6C\x6C\x6F\x01\x05\xFF\x04\x01\x02\x03\x04"s;
  const EncodedPayload e = encode_payload_v3({msg("hello"), bin("\x01\x02\x03\x04"s)}, false);
  EXPECT_TRUE(e.binary);
  EXPECT_EQ(e.body, wire);
  auto d = decode_payload_v3(wire, true);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0], msg("hello"));
  EXPECT_EQ((*d)[1], bin("\x01\x02\x03\x04"s));
  // Strings are counted in UTF-8 bytes in the binary form; lengths >= 10 use several digits.
  const EncodedPayload u =
      encode_payload_v3({msg(kEmojiEcho.substr(1)), bin(std::string(12, 'x'))}, false);
  EXPECT_EQ(u.body.substr(0, 4), "\x00\x02\x08\xFF"s);  // 28 bytes
  auto du = decode_payload_v3(u.body, true);
  ASSERT_TRUE(du);
  EXPECT_EQ((*du)[0], msg(kEmojiEcho.substr(1)));
  EXPECT_EQ((*du)[1], bin(std::string(12, 'x')));
  // Text-only batches stay in the text form even without b64.
  EXPECT_FALSE(encode_payload_v3({msg("hello")}, false).binary);
}

TEST(EioPayloadV3, TextErrors) {
  struct Case {
    std::string body;
    std::size_t offset;
    const char* message;
  };
  const Case cases[] = {
      {"6:4hell", 7, "truncated packet"},
      {"5:4hello", 7, "invalid length"},
      {"a:4", 0, "invalid length"},
      {":4", 0, "missing length"},
      {"6", 1, "truncated length"},
      {"6:4hello6", 9, "truncated length"},
      {"12345678901:4", 10, "length too long"},
      {"2:4\xF0\x9F\x98\x80", 7, "length splits a character"},
      {"1:9", 2, "unknown packet type"},
      {"2:b7", 3, "unknown packet type"},
      {"5:b4AQI", 4, "invalid base64"},
      {"2:4\xFF", 3, "invalid UTF-8"},
      {"-1:4", 0, "invalid length"},
  };
  for (const auto& c : cases) {
    auto d = decode_payload_v3(c.body, false);
    ASSERT_FALSE(d) << c.body;
    EXPECT_EQ(d.error().offset, c.offset) << c.body;
    EXPECT_EQ(d.error().message, c.message) << c.body;
  }
}

TEST(EioPayloadV3, BinaryErrors) {
  struct Case {
    std::string body;
    std::size_t offset;
    const char* message;
  };
  const Case cases[] = {
      {"\x02\x01\xFF"
       "4"s,
       0, "invalid packet kind"},
      {"\x00\x0A\xFF"
       "4"s,
       1, "invalid length"},
      {"\x00\x01"s, 2, "truncated length"},
      {"\x00\xFF"s, 1, "missing length"},
      {"\x00\x06\xFF"
       "4hell"s,
       8, "truncated packet"},
      {"\x00\x00\xFF"s, 3, "empty packet"},
      {"\x01\x00\xFF"s, 3, "empty packet"},
      {"\x01\x01\xFF\x07"s, 3, "unknown packet type"},
      {"\x01\x01\xFF\x03"s, 3, "binary packet that is not a message"},
      {"\x00\x02\xFF"
       "4\xFF"s,
       4, "invalid UTF-8"},
      {"\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\xFF"s, 11, "length too long"},
  };
  for (const auto& c : cases) {
    auto d = decode_payload_v3(c.body, true);
    ASSERT_FALSE(d) << testing::PrintToString(c.body);
    EXPECT_EQ(d.error().offset, c.offset) << testing::PrintToString(c.body);
    EXPECT_EQ(d.error().message, c.message) << testing::PrintToString(c.body);
  }
}

TEST(EioPayloadV3, Limits) {
  PayloadLimits limits;
  limits.max_payload = 8;
  EXPECT_TRUE(decode_payload_v3("6:4hello", false, limits));
  EXPECT_FALSE(decode_payload_v3("6:4hello0:", false, limits));
  EXPECT_FALSE(
      decode_payload_v3("\x00\x06\xFF"
                        "4hello"s,
                        true, limits));
  limits = {};
  limits.max_packets = 1;
  EXPECT_TRUE(decode_payload_v3("1:2", false, limits));
  auto many = decode_payload_v3("1:21:2", false, limits);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().message, "more than 1 packets");
  EXPECT_FALSE(
      decode_payload_v3("\x00\x01\xFF"
                        "2\x00\x01\xFF"
                        "2"s,
                        true, limits));
}

// A length-prefixed v3 body decodes only when cut exactly between packets, and then to exactly
// the packets before the cut.
void check_v3_truncations(const std::vector<Packet>& packets, bool b64) {
  const EncodedPayload e = encode_payload_v3(packets, b64);
  // Each packet's encoded size, computed independently of the encoder's concatenation.
  std::vector<std::size_t> boundaries = {0};
  for (const Packet& p : packets) {
    std::size_t size = 0;
    if (e.binary) {
      const std::size_t len = p.binary ? 1 + p.data.size() : 1 + p.data.size();
      size = 2 + std::to_string(len).size() + len;
    } else {
      size = encode_payload_v3({p}, true).body.size();
    }
    boundaries.push_back(boundaries.back() + size);
  }
  ASSERT_EQ(boundaries.back(), e.body.size());
  for (std::size_t i = 0; i <= e.body.size(); ++i) {
    auto d = decode_payload_v3(std::string_view(e.body).substr(0, i), e.binary);
    const auto at = std::find(boundaries.begin(), boundaries.end(), i);
    if (at == boundaries.end()) {
      EXPECT_FALSE(d) << "cut at " << i;
    } else {
      ASSERT_TRUE(d) << "cut at " << i << ": " << d.error().message;
      const auto k = static_cast<std::size_t>(at - boundaries.begin());
      EXPECT_EQ(*d, std::vector<Packet>(packets.begin(), packets.begin() + static_cast<long>(k)));
    }
  }
}

TEST(EioPayloadV3, EveryTruncation) {
  const std::vector<Packet> packets = {msg(kEmojiEcho.substr(1)), bin("\x01\x02\x03\x04\x05"s),
                                       text(PacketType::Ping, "probe"), msg(std::string(11, 'z'))};
  check_v3_truncations(packets, true);   // text form with b4 base64
  check_v3_truncations(packets, false);  // XHR2 binary form
  check_v3_truncations({msg("hello"), text(PacketType::Noop, "")}, false);  // text form
}

TEST(EioPayload, DispatchByVersion) {
  EXPECT_EQ(decode_payload(Version::V4, "4a", false)->size(), 1u);
  EXPECT_EQ(decode_payload(Version::V3, "2:4a", false)->size(), 1u);
  EXPECT_FALSE(decode_payload(Version::V3, "4a", false));
}

}  // namespace
}  // namespace engage::eio
