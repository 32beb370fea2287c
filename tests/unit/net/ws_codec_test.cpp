// WebSocket codec: frames split at every byte parse the same; protocol errors; encoder; keys.
#include "net/ws_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace engage::net::ws {
namespace {

// Records every event as a string ("text:hello", "bin:..", "ping:x", "pong:x", "close:1000:r").
class Recorder : public FrameSink {
 public:
  void on_message(std::string_view data, bool binary) override {
    events.push_back(std::string(binary ? "bin:" : "text:") + std::string(data));
  }
  void on_ping(std::string_view p) override { events.push_back("ping:" + std::string(p)); }
  void on_pong(std::string_view p) override { events.push_back("pong:" + std::string(p)); }
  void on_close(uint16_t code, std::string_view reason) override {
    events.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
  }
  std::vector<std::string> events;
};

struct Result {
  std::vector<std::string> events;
  uint16_t error = 0;
  bool operator==(const Result&) const = default;
};

// Parses a copy of `stream` cut at the given offsets.
Result parse(const std::string& stream, const std::vector<std::size_t>& cuts,
             std::size_t max_message = 1 << 20, Role role = Role::Server) {
  std::string copy = stream;  // the parser unmasks in place
  FrameParser p(max_message, role);
  Recorder rec;
  Result r;
  std::size_t pos = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(copy.size());
  for (std::size_t end : ends) {
    if (end < pos || end > copy.size()) continue;
    uint16_t e = p.feed(copy.data() + pos, end - pos, rec);
    pos = end;
    if (e) {
      r.error = e;
      break;
    }
  }
  r.events = rec.events;
  return r;
}

std::string client(Opcode op, std::string_view payload, bool fin = true) {
  static uint32_t key = 0x01020304;
  key = key * 2654435761u + 1;
  return encode_client_frame(op, payload, key, fin);
}

void expect_split_invariant(const std::string& stream, std::size_t max_message = 1 << 20) {
  Result whole = parse(stream, {}, max_message);
  for (std::size_t k = 1; k < stream.size(); ++k)
    ASSERT_EQ(parse(stream, {k}, max_message), whole) << "split at " << k;
  std::vector<std::size_t> every;
  for (std::size_t k = 1; k < stream.size(); ++k) every.push_back(k);
  ASSERT_EQ(parse(stream, every, max_message), whole) << "byte by byte";
}

TEST(WsCodec, ParsesMessagesFragmentsAndControlFrames) {
  std::string s = client(Opcode::Text, "hello") + client(Opcode::Binary, "ab", false) +
                  client(Opcode::Ping, "p") + client(Opcode::Continuation, "cd", false) +
                  client(Opcode::Pong, "") + client(Opcode::Continuation, "ef", true) +
                  client(Opcode::Text, std::string(200, 'x')) + client(Opcode::Text, "") +
                  client(Opcode::Close, close_payload(1000, "bye"));
  Result r = parse(s, {});
  EXPECT_EQ(r.error, 0);
  std::vector<std::string> want = {
      "text:hello", "ping:p",        "pong:", "bin:abcdef", "text:" + std::string(200, 'x'),
      "text:",      "close:1000:bye"};
  EXPECT_EQ(r.events, want);
  expect_split_invariant(s);
}

TEST(WsCodec, HoldsBytesOnlyWhileAFrameOrMessageIsIncomplete) {
  FrameParser p(1 << 20);
  Recorder rec;
  std::string s = client(Opcode::Text, "ab", false) + client(Opcode::Ping, "pp") +
                  client(Opcode::Continuation, "cd", true) + client(Opcode::Text, "", false) +
                  client(Opcode::Continuation, "whole", true);
  const std::size_t first = client(Opcode::Text, "ab", false).size();
  EXPECT_EQ(p.feed(s.data(), first, rec), 0);
  EXPECT_EQ(p.buffered(), 2u);  // "ab" of the unfinished message
  // The ping split in the middle of its payload: held too.
  const std::size_t ping = client(Opcode::Ping, "pp").size();
  EXPECT_EQ(p.feed(s.data() + first, ping - 1, rec), 0);
  EXPECT_EQ(p.buffered(), 3u);
  EXPECT_EQ(p.feed(s.data() + first + ping - 1, s.size() - first - ping + 1, rec), 0);
  EXPECT_EQ(rec.events, (std::vector<std::string>{"ping:pp", "text:abcd", "text:whole"}));
  EXPECT_EQ(p.buffered(), 0u);  // nothing held once every message is out
}

TEST(WsCodec, SixtyFourBitLengths) {
  std::string big(70000, 'q');
  big[5] = 'z';
  std::string s = client(Opcode::Binary, big) + client(Opcode::Text, "after");
  Result whole = parse(s, {});
  ASSERT_EQ(whole.events.size(), 2u);
  EXPECT_EQ(whole.events[0], "bin:" + big);
  for (std::size_t k : {1u, 2u, 5u, 9u, 10u, 13u, 14u, 15u, 100u, 65550u, 70013u, 70014u, 70015u})
    EXPECT_EQ(parse(s, {k}), whole) << k;
}

TEST(WsCodec, StopsAfterClose) {
  std::string s = client(Opcode::Close, "") + client(Opcode::Text, "ignored");
  Result r = parse(s, {});
  EXPECT_EQ(r.events, std::vector<std::string>{"close:1005:"});
  EXPECT_EQ(r.error, 0);
}

struct ErrorCase {
  const char* name;
  std::string stream;
  uint16_t code;
};

TEST(WsCodec, ProtocolErrors) {
  std::vector<ErrorCase> cases = {
      {"unmasked", encode_frame(Opcode::Text, "x"), 1002},
      {"rsv1", encode_client_frame(Opcode::Text, "x", 5, true, 4), 1002},
      {"rsv3", encode_client_frame(Opcode::Text, "x", 5, true, 1), 1002},
      {"opcode 3", encode_client_frame(static_cast<Opcode>(3), "x", 5), 1002},
      {"opcode 11", encode_client_frame(static_cast<Opcode>(11), "x", 5), 1002},
      {"long ping", client(Opcode::Ping, std::string(126, 'p')), 1002},
      {"fragmented ping", client(Opcode::Ping, "p", false), 1002},
      {"continuation first", client(Opcode::Continuation, "x"), 1002},
      {"text inside fragments", client(Opcode::Text, "a", false) + client(Opcode::Text, "b"), 1002},
      {"close with 1 byte", client(Opcode::Close, "x"), 1002},
      {"close code 1005", client(Opcode::Close, close_payload(1005)), 1002},
      {"close code 999", client(Opcode::Close, close_payload(999)), 1002},
      {"close reason not utf8", client(Opcode::Close, close_payload(1000, "\xff")), 1007},
      {"text not utf8", client(Opcode::Text, "a\xc0\x80"), 1007},
      {"fragmented text not utf8",
       client(Opcode::Text, "\xe2\x82", false) + client(Opcode::Continuation, "\x28", true), 1007},
      {"too big", client(Opcode::Binary, std::string(101, 'a')), 1009},
      {"too big in fragments",
       client(Opcode::Binary, std::string(60, 'a'), false) +
           client(Opcode::Continuation, std::string(41, 'a')),
       1009},
  };
  for (auto& k : cases) {
    Result r = parse(k.stream, {}, 100);
    EXPECT_EQ(r.error, k.code) << k.name;
    expect_split_invariant(k.stream, 100);
  }
  // A 64-bit length with the top bit set.
  std::string huge("\x82\xff\x80\x00\x00\x00\x00\x00\x00\x01\0\0\0\0", 14);
  EXPECT_EQ(parse(huge, {}).error, 1002);
  // Fragmented UTF-8 that is valid only once reassembled.
  std::string split_char =
      client(Opcode::Text, "\xe2\x82", false) + client(Opcode::Continuation, "\xac", true);
  EXPECT_EQ(parse(split_char, {}).events, std::vector<std::string>{"text:\xe2\x82\xac"});
}

TEST(WsCodec, ErrorIsSticky) {
  std::string s = encode_frame(Opcode::Text, "x");
  FrameParser p(100);
  Recorder rec;
  EXPECT_EQ(p.feed(s.data(), s.size(), rec), 1002);
  std::string ok = client(Opcode::Text, "fine");
  EXPECT_EQ(p.feed(ok.data(), ok.size(), rec), 1002);
  EXPECT_TRUE(rec.events.empty());
  EXPECT_TRUE(p.stopped());
}

TEST(WsCodec, EncoderHeaderSizesRoundTripThroughAClientParser) {
  char hdr[10];
  EXPECT_EQ(encode_header(hdr, Opcode::Text, 125), 2u);
  EXPECT_EQ(encode_header(hdr, Opcode::Text, 126), 4u);
  EXPECT_EQ(encode_header(hdr, Opcode::Text, 65535), 4u);
  EXPECT_EQ(encode_header(hdr, Opcode::Text, 65536), 10u);
  EXPECT_EQ(static_cast<uint8_t>(hdr[0]), 0x81);
  EXPECT_EQ(static_cast<uint8_t>(hdr[1]), 127);
  for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 100000u}) {
    std::string payload(n, 'a');
    std::string s = encode_frame(Opcode::Binary, payload);
    Result r = parse(s, {}, 1 << 20, Role::Client);
    ASSERT_EQ(r.error, 0) << n;
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].size(), 4 + n);
  }
  // A client parser refuses masked frames.
  EXPECT_EQ(parse(client(Opcode::Text, "x"), {}, 100, Role::Client).error, 1002);
}

TEST(WsCodec, HandshakeKey) {
  // RFC 6455 §1.3.
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_TRUE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(valid_client_key(""));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ"));    // no padding
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZSE="));  // 17 bytes
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25j!Q=="));  // bad character
}

TEST(WsCodec, CloseCodes) {
  EXPECT_TRUE(valid_close_code(1000));
  EXPECT_TRUE(valid_close_code(1011));
  EXPECT_TRUE(valid_close_code(3000));
  EXPECT_TRUE(valid_close_code(4999));
  EXPECT_FALSE(valid_close_code(1004));
  EXPECT_FALSE(valid_close_code(1005));
  EXPECT_FALSE(valid_close_code(1006));
  EXPECT_FALSE(valid_close_code(1015));
  EXPECT_FALSE(valid_close_code(2999));
  EXPECT_FALSE(valid_close_code(5000));
  EXPECT_EQ(close_payload(1000, "ab"), std::string("\x03\xe8"
                                                   "ab",
                                                   4));
}

}  // namespace
}  // namespace engage::net::ws
