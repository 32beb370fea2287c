// Tests of the Socket.IO packet codec: PROTOCOL.md §2/§3 examples, validation, attachments.
#include "socketio/packet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace engage::sio {
namespace {

using namespace std::string_literals;

Packet decoded(std::string_view text, const DecoderOptions& options = {}) {
  auto p = decode_text(text, options);
  EXPECT_TRUE(p) << text << ": " << (p ? "" : p.error().message);
  return p ? *p : Packet{};
}

// Decodes `text` and checks that encoding the packet gives back exactly `text`.
void expect_round_trip(std::string_view text, const DecoderOptions& options = {}) {
  auto p = decode_text(text, options);
  ASSERT_TRUE(p) << text << ": " << p.error().message;
  const auto e = encode(*p);
  ASSERT_EQ(e.size(), 1u) << text;
  EXPECT_EQ(e[0], text);
}

Packet make(PacketType type, std::string nsp, std::optional<uint64_t> id,
            std::optional<json::Value> data) {
  Packet p;
  p.type = type;
  p.nsp = std::move(nsp);
  p.id = id;
  if (data) {
    p.has_data = true;
    p.data = std::move(*data);
  }
  return p;
}

json::Value js(std::string_view text) {
  return *json::parse(text);
}

TEST(SioPacket, ProtocolExamplesRoundTrip) {
  for (const char* text : {
           "0",
           R"(0{"token":"123"})",
           "0/custom,",
           R"(0/custom,{"token":"abc"})",
           R"(0{"sid":"abc"})",
           R"(0/custom,{"sid":"abc"})",
           "1",
           "1/custom,",
           R"(2["message",1,"2",{"3":[true]}])",
           R"(2["message-back",1,"2",{"3":[true]}])",
           R"(2456["message-with-ack",1])",
           R"(3456["message-with-ack",1])",
           R"(3/custom,7[])",
           R"(4/random,{"message":"Invalid namespace"})",
           R"(4/admin,"Not authorized")",
           R"(4{"message":"no","data":{"x":1}})",
           R"(2[42,"numbered event"])",
           R"(2/custom,["auth",{}])",
       })
    expect_round_trip(text);
}

TEST(SioPacket, DecodesFields) {
  Packet p = decoded(R"(2/chat,456["msg",{"a":1}])");
  EXPECT_EQ(p.type, PacketType::Event);
  EXPECT_EQ(p.nsp, "/chat");
  EXPECT_EQ(p.id, 456u);
  EXPECT_TRUE(p.has_data);
  EXPECT_EQ(p.data.dump(), R"(["msg",{"a":1}])");
  EXPECT_EQ(p.attachments, 0);

  // The namespace ends at ',' or at the end of the string.
  Packet c = decoded("0/custom");
  EXPECT_EQ(c.type, PacketType::Connect);
  EXPECT_EQ(c.nsp, "/custom");
  EXPECT_FALSE(c.has_data);
  EXPECT_TRUE(c.data.is_null());
  Packet d = decoded("1/custom");
  EXPECT_EQ(d.type, PacketType::Disconnect);
  EXPECT_EQ(d.nsp, "/custom");
  EXPECT_EQ(encode(d)[0], "1/custom,");

  Packet root = decoded("0");
  EXPECT_EQ(root.nsp, "/");
  EXPECT_FALSE(root.id);
}

TEST(SioPacket, EncodesServerReplies) {
  EXPECT_EQ(encode(make(PacketType::Connect, "/", {}, js(R"({"sid":"s1"})")))[0],
            R"(0{"sid":"s1"})");
  EXPECT_EQ(encode(make(PacketType::Connect, "/custom", {}, js(R"({"sid":"s1"})")))[0],
            R"(0/custom,{"sid":"s1"})");
  EXPECT_EQ(encode(make(PacketType::Connect, "/admin", {}, {}))[0], "0/admin,");  // EIO3 reply
  EXPECT_EQ(encode(make(PacketType::Connect, "/", {}, {}))[0], "0");  // EIO3 implicit "40"
  EXPECT_EQ(encode(make(PacketType::ConnectError, "/random", {},
                        js(R"({"message":"Invalid namespace"})")))[0],
            R"(4/random,{"message":"Invalid namespace"})");
  EXPECT_EQ(encode(make(PacketType::Ack, "/", 12, js("[]")))[0], "312[]");
  EXPECT_EQ(encode(make(PacketType::Disconnect, "/", {}, {}))[0], "1");
  // A null payload is not written, as socket.io-parser's `null != obj.data`.
  EXPECT_EQ(encode(make(PacketType::Event, "/", {}, json::Value()))[0], "2");
  // Ack id 0 is written.
  EXPECT_EQ(encode(make(PacketType::Ack, "/", 0, js("[1]")))[0], "30[1]");
}

TEST(SioPacket, EncodesBinaryWithPlaceholders) {
  json::Value data = json::Value::array();
  data.push_back("message-back");
  data.push_back(json::Value::binary("\x01\x02\x03"s));
  json::Value nested = json::Value::object();
  nested.set("a", json::Value(json::Array{json::Value(1), json::Value::binary("\xFF"s)}));
  data.push_back(std::move(nested));
  const auto e = encode(make(PacketType::Event, "/", {}, data));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(
      e[0],
      R"(52-["message-back",{"_placeholder":true,"num":0},{"a":[1,{"_placeholder":true,"num":1}]}])");
  EXPECT_EQ(e[1], "\x01\x02\x03"s);
  EXPECT_EQ(e[2], "\xFF"s);

  const auto ack = encode(
      make(PacketType::Ack, "/custom", 5, json::Value(json::Array{json::Value::binary("x")})));
  ASSERT_EQ(ack.size(), 2u);
  EXPECT_EQ(ack[0], R"(61-/custom,5[{"_placeholder":true,"num":0}])");
  EXPECT_EQ(ack[1], "x");

  // encode_to appends after existing attachments and numbers from zero for this packet.
  std::string text;
  std::vector<std::string> atts = {"earlier"};
  encode_to(text, atts, make(PacketType::Event, "/", {}, data));
  EXPECT_EQ(atts.size(), 3u);
  EXPECT_EQ(text, e[0]);
}

TEST(SioPacket, ValidationErrors) {
  struct Case {
    std::string text;
    std::size_t offset;
    const char* message;
  };
  const Case cases[] = {
      {"", 0, "empty packet"},
      {"abc", 0, "unknown packet type"},
      {"7", 0, "unknown packet type"},
      {"2abc[\"a\"]", 1, "invalid JSON: unexpected character 'a'"},
      {"2{}", 1, "invalid payload"},
      {"2[]", 1, "invalid payload"},
      {"2", 1, "invalid payload"},
      {"2[true]", 1, "invalid payload"},
      {"2[null]", 1, "invalid payload"},
      {"2[{}]", 1, "invalid payload"},
      {"2\"ev\"", 1, "invalid payload"},
      {"2[\"connect\"]", 1, "invalid payload"},
      {"2[\"connect_error\"]", 1, "invalid payload"},
      {"2[\"disconnect\"]", 1, "invalid payload"},
      {"2[\"disconnecting\"]", 1, "invalid payload"},
      {"2[\"newListener\"]", 1, "invalid payload"},
      {"2[\"removeListener\"]", 1, "invalid payload"},
      {"0[]", 1, "invalid payload"},
      {"0\"x\"", 1, "invalid payload"},
      {"0null", 1, "invalid payload"},
      {"1{}", 1, "invalid payload"},
      {"1/custom,{}", 9, "invalid payload"},
      {"4", 1, "invalid payload"},
      {"4[]", 1, "invalid payload"},
      {"4/x,1", 5, "invalid payload"},
      {"3", 1, "invalid payload"},
      {"3{}", 1, "invalid payload"},
      {"312", 3, "invalid payload"},
      {"5[\"a\"]", 1, "illegal attachments"},
      {"5-[\"a\"]", 1, "illegal attachments"},
      {"50-[\"a\"]", 1, "illegal attachments: 0 (1..10)"},
      {"511-[\"a\"]", 1, "illegal attachments: 11 (1..10)"},
      {"51", 2, "illegal attachments"},
      {"51x-[\"a\"]", 2, "illegal attachments"},
      {"51234567-[\"a\"]", 7, "illegal attachments"},
      {"51-{}", 3, "invalid payload"},
      {"51-[\"disconnect\"]", 3, "invalid payload"},
      {"61-{}", 3, "invalid payload"},
      {"29007199254740992[\"a\"]", 1, "ack id too large"},
      {"212345678901234567890[\"a\"]", 1, "ack id too large"},
      {"2[\"a\"] x", 7, "invalid JSON: unexpected character after the JSON value"},
      {"2[\"a\xFF\"]", 4, "invalid JSON: invalid UTF-8 in string"},
  };
  for (const auto& c : cases) {
    auto p = decode_text(c.text);
    ASSERT_FALSE(p) << c.text;
    EXPECT_EQ(p.error().offset, c.offset) << c.text;
    EXPECT_EQ(p.error().message, c.message) << c.text;
  }
  // The largest exact JavaScript integer is still a valid ack id.
  EXPECT_EQ(decoded("29007199254740991[\"a\"]").id, 9007199254740991u);
}

TEST(SioPacket, JsonDepthLimitApplies) {
  DecoderOptions options;
  options.json.max_depth = 3;
  EXPECT_TRUE(decode_text("2[\"a\",[[1]]]", options));
  EXPECT_FALSE(decode_text("2[\"a\",[[[1]]]]", options));
}

TEST(SioPacket, Eio3ConnectQuery) {
  DecoderOptions v3;
  v3.connect_query = true;
  Packet p = decoded("0/admin?token=1,", v3);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.query, "token=1");
  EXPECT_FALSE(p.has_data);
  EXPECT_EQ(encode(p)[0], "0/admin?token=1,");
  Packet plain = decoded("0/admin,", v3);
  EXPECT_EQ(plain.nsp, "/admin");
  EXPECT_EQ(plain.query, "");
  Packet no_comma = decoded("0/admin?a=b&c=%20", v3);
  EXPECT_EQ(no_comma.nsp, "/admin");
  EXPECT_EQ(no_comma.query, "a=b&c=%20");
  Packet root = decoded("0/?token=1", v3);
  EXPECT_EQ(root.nsp, "/");
  EXPECT_EQ(root.query, "token=1");
  EXPECT_EQ(encode(root)[0], "0/?token=1,");
  // Only CONNECT splits, and only when asked (v5 clients never send a query there).
  EXPECT_EQ(decoded("0/admin?token=1,").nsp, "/admin?token=1");
  EXPECT_EQ(decoded("2/admin?x,[\"e\"]", v3).nsp, "/admin?x");
  // The v4 protocol's CONNECT_ERROR payload is a string.
  Packet err = decoded("4/admin,\"Not authorized\"", v3);
  EXPECT_EQ(err.data.as_string(), "Not authorized");
}

TEST(SioDecoder, PlainPacketsPassThrough) {
  Decoder d;
  auto r = d.add_text(R"(2["message",1,"2",{"3":[true]}])");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->data.dump(), R"(["message",1,"2",{"3":[true]}])");
  EXPECT_FALSE(d.awaiting_attachments());
}

TEST(SioDecoder, BinaryEventReassembly) {
  Decoder d;
  const std::string header =
      R"(52-/custom,9["upload",{"file":{"_placeholder":true,"num":1},"meta":[{"_placeholder":true,"num":0}]}])";
  auto r = d.add_text(header);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_TRUE(d.awaiting_attachments());
  r = d.add_binary("first"s);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  r = d.add_binary("\x00second"s);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  const Packet& p = **r;
  EXPECT_FALSE(d.awaiting_attachments());
  EXPECT_EQ(p.type, PacketType::Event);
  EXPECT_EQ(p.nsp, "/custom");
  EXPECT_EQ(p.id, 9u);
  EXPECT_EQ(p.attachments, 2);
  const json::Value* file = p.data.as_array()[1].find("file");
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(file->is_binary());
  EXPECT_EQ(file->as_string(), "\x00second"s);
  const json::Value& meta0 = p.data.as_array()[1].find("meta")->as_array()[0];
  ASSERT_TRUE(meta0.is_binary());
  EXPECT_EQ(meta0.as_string(), "first");
  // Re-encoding numbers placeholders in order of appearance, as socket.io-parser does.
  const auto e = encode(p);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(
      e[0],
      R"(52-/custom,9["upload",{"file":{"_placeholder":true,"num":0},"meta":[{"_placeholder":true,"num":1}]}])");
  EXPECT_EQ(e[1], "\x00second"s);
  EXPECT_EQ(e[2], "first");
}

TEST(SioDecoder, BinaryAckAndByteIdenticalReencode) {
  Decoder d;
  const std::string header = R"(61-42[{"_placeholder":true,"num":0}])";
  ASSERT_TRUE(d.add_text(header));
  auto r = d.add_binary("\x01\x02\x03\x04"s);
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->type, PacketType::Ack);
  EXPECT_EQ((*r)->id, 42u);
  const auto e = encode(**r);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], header);
  EXPECT_EQ(e[1], "\x01\x02\x03\x04"s);
  // The decoder is ready for the next packet.
  auto next = d.add_text("2[\"x\"]");
  ASSERT_TRUE(next && next->has_value());
}

TEST(SioDecoder, SequenceErrors) {
  Decoder d;
  auto r = d.add_binary("orphan");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "binary message while no attachment is awaited");
  ASSERT_TRUE(d.add_text(R"(51-["a",{"_placeholder":true,"num":0}])"));
  r = d.add_text("2[\"b\"]");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "text message while binary attachments are awaited");
  EXPECT_FALSE(d.awaiting_attachments());  // reset after the error
  ASSERT_TRUE(d.add_text(R"(51-["a",{"_placeholder":true,"num":0}])"));
  d.reset();
  EXPECT_FALSE(d.awaiting_attachments());
  EXPECT_FALSE(d.add_binary("late"));
}

TEST(SioDecoder, BadPlaceholders) {
  for (const char* placeholder : {
           R"({"_placeholder":true,"num":1})",
           R"({"_placeholder":true,"num":-1})",
           R"({"_placeholder":true,"num":0.5})",
           R"({"_placeholder":true,"num":"0"})",
           R"({"_placeholder":true})",
           R"({"_placeholder":true,"num":1e400})",
           R"({"_placeholder":true,"num":99999999999999999999})",
       }) {
    Decoder d;
    ASSERT_TRUE(d.add_text(std::string(R"(51-["a",)") + placeholder + "]")) << placeholder;
    auto r = d.add_binary("x");
    ASSERT_FALSE(r) << placeholder;
    EXPECT_EQ(r.error().message, "illegal attachments: bad placeholder");
    EXPECT_FALSE(d.awaiting_attachments());
  }
  // Not placeholders: left as they are (as socket.io-parser does).
  Decoder d;
  ASSERT_TRUE(d.add_text(
      R"(51-["a",{"_placeholder":false,"num":0},{"_placeholder":"true"},{"_placeholder":true,"num":0.0,"x":1}])"));
  auto r = d.add_binary("x");
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->data.as_array()[1].dump(), R"({"_placeholder":false,"num":0})");
  EXPECT_TRUE((*r)->data.as_array()[3].is_binary());
  // A placeholder in a plain EVENT is just an object.
  Packet plain = decoded(R"(2["a",{"_placeholder":true,"num":0}])");
  EXPECT_TRUE(plain.data.as_array()[1].is_object());
}

TEST(SioDecoder, MaxAttachmentsOption) {
  DecoderOptions options;
  options.max_attachments = 2;
  Decoder d(options);
  EXPECT_FALSE(d.add_text(R"(53-["a"])"));
  EXPECT_TRUE(d.add_text(R"(52-["a"])"));
}

TEST(SioPacket, EveryTruncationIsRejectedOrConsistent) {
  const std::string texts[] = {
      R"(2/custom,123["message",{"a":[1,2,"x"]}])",
      R"(52-/nsp,7["ev",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
      R"(0/admin?token=1,{"t":"x"})",
  };
  DecoderOptions v3;
  v3.connect_query = true;
  for (const auto& text : texts) {
    for (std::size_t i = 0; i <= text.size(); ++i) {
      auto p = decode_text(std::string_view(text).substr(0, i), v3);
      if (!p) continue;
      // Whatever is accepted must survive encode → decode unchanged.
      const auto e = encode(*p);
      auto again = decode_text(e[0], v3);
      ASSERT_TRUE(again) << text.substr(0, i);
      EXPECT_EQ(again->type, p->type);
      EXPECT_EQ(again->nsp, p->nsp);
      EXPECT_EQ(again->id, p->id);
      EXPECT_EQ(again->data, p->data);
      EXPECT_EQ(again->query, p->query);
    }
    EXPECT_TRUE(decode_text(text, v3));
  }
}

}  // namespace
}  // namespace engage::sio
