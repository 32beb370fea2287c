// Tests of the JSON DOM, parser and JSON.stringify-identical writer.
#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace engage::json {
namespace {

std::string echo(std::string_view text) {
  auto v = parse(text);
  EXPECT_TRUE(v) << text << ": " << (v ? "" : v.error().message);
  return v ? v->dump() : std::string("<error>");
}

ParseError error_of(std::string_view text, const ParseLimits& limits = {}) {
  auto v = parse(text, limits);
  EXPECT_FALSE(v) << "accepted: " << text;
  return v ? ParseError{} : v.error();
}

std::string number(double d) {
  std::string out;
  write_number(out, d);
  return out;
}

TEST(Json, EchoesSocketIoPayloadsByteIdentical) {
  for (
      const char* text : {
          R"(["message",1,"2",{"3":[true]}])",
          R"(["message-back",1,"2",{"3":[true]}])",
          R"({"token":"123"})",
          R"(["move_update",{"roomId":"r1","move":{"from":"e2","to":"e4","san":"e4"},"fen":"rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1","turn":"b","status":"active","winner":null,"ply":1.5e3,"t":-0.25}])",
          R"([])",
          R"({})",
          R"([[],{},[{}]])",
          R"("")",
          R"(0)",
          R"(-1)",
          R"(true)",
          R"(false)",
          R"(null)",
          R"([1.5,-2.25,1e+21,1E5,0.1,-0.0,1e-7,12345678901234567890])",
      })
    EXPECT_EQ(echo(text), text);
}

TEST(Json, WhitespaceIsDropped) {
  EXPECT_EQ(echo(" \t\r\n[ 1 , { \"a\" : [ ] } ]\n"), R"([1,{"a":[]}])");
}

TEST(Json, Unicode) {
  EXPECT_EQ(echo("\"\xE2\x82\xAC\xF0\x9F\x98\x80\""), "\"\xE2\x82\xAC\xF0\x9F\x98\x80\"");
  // Escaped non-ASCII becomes raw UTF-8, as JSON.stringify(JSON.parse(x)) does.
  EXPECT_EQ(echo(R"("\u20ac\ud83d\ude00\u00e9")"), "\"\xE2\x82\xAC\xF0\x9F\x98\x80\xC3\xA9\"");
  auto v = parse(R"("\ud83d\ude00")");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->as_string(), "\xF0\x9F\x98\x80");
}

TEST(Json, LoneSurrogatesAreKeptAndReescaped) {
  EXPECT_EQ(echo(R"("\ud800")"), R"("\ud800")");
  EXPECT_EQ(echo(R"("\uDC00x")"), R"("\udc00x")");
  EXPECT_EQ(echo(R"("\ud83dA\ude00")"), R"("\ud83dA\ude00")");
  EXPECT_EQ(echo(R"("\ud83d\u0041")"), R"("\ud83dA")");
  EXPECT_EQ(echo(R"("\ude00\ud83d")"), R"("\ude00\ud83d")");  // wrong order: two lone ones
  EXPECT_EQ(echo(R"("\ud83d\ud83d\ude00")"), "\"\\ud83d\xF0\x9F\x98\x80\"");
}

TEST(Json, EscapesLikeJsonStringify) {
  EXPECT_EQ(echo(R"("\"\\\/\b\f\n\r\t")"), R"("\"\\/\b\f\n\r\t")");
  EXPECT_EQ(echo(R"("\u0000\u0001\u001f\u001F\u007f")"), "\"\\u0000\\u0001\\u001f\\u001f\x7f\"");
  std::string out;
  write_string(out, std::string("a\0b\x1b\xE2\x80\xA8", 7));
  EXPECT_EQ(out, "\"a\\u0000b\\u001b\xE2\x80\xA8\"");  // U+2028 stays raw
  out.clear();
  write_string(out, "bad \xFF\xC0 utf8");  // only C++ code can build this
  EXPECT_EQ(out, "\"bad \xEF\xBF\xBD\xEF\xBF\xBD utf8\"");
}

TEST(Json, NumbersFromCppValuesLikeNumberToString) {
  EXPECT_EQ(number(0), "0");
  EXPECT_EQ(number(-0.0), "0");
  EXPECT_EQ(number(1), "1");
  EXPECT_EQ(number(-42), "-42");
  EXPECT_EQ(number(1.5), "1.5");
  EXPECT_EQ(number(123.5), "123.5");
  EXPECT_EQ(number(0.1), "0.1");
  EXPECT_EQ(number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(number(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(number(1e21), "1e+21");
  EXPECT_EQ(number(1e20), "100000000000000000000");
  EXPECT_EQ(number(1.2345678901234568e20), "123456789012345680000");
  EXPECT_EQ(number(1152921504606846976.0), "1152921504606847000");  // 2^60
  EXPECT_EQ(number(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(number(1e-6), "0.000001");
  EXPECT_EQ(number(1.234e-6), "0.000001234");
  EXPECT_EQ(number(1e-7), "1e-7");
  EXPECT_EQ(number(-1.5e-9), "-1.5e-9");
  EXPECT_EQ(number(1.234e-7), "1.234e-7");
  EXPECT_EQ(number(5e-324), "5e-324");
  EXPECT_EQ(number(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(number(2.5e25), "2.5e+25");
  EXPECT_EQ(number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(number(-std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(number(std::nan("")), "null");
  EXPECT_EQ(Value(7).dump(), "7");
  EXPECT_EQ(Value(int64_t{-9007199254740993}).dump(), "-9007199254740993");
  EXPECT_EQ(Value(uint64_t{18446744073709551615u}).dump(), "18446744073709551615");
}

TEST(Json, ParsedNumbers) {
  auto v = parse("[1,-0,1.5,1e400,-1e400,1e-400,2e3,12345678901234567890,9007199254740993]");
  ASSERT_TRUE(v);
  const Array& a = v->as_array();
  EXPECT_EQ(a[0].as_int(), 1);
  EXPECT_EQ(a[1].as_double(), 0.0);
  EXPECT_TRUE(std::signbit(a[1].as_double()));
  EXPECT_EQ(a[1].as_int(), 0);
  EXPECT_EQ(a[2].as_double(), 1.5);
  EXPECT_EQ(a[2].as_int(), std::nullopt);
  // Out of range: ±Infinity like JavaScript, written as null like JSON.stringify.
  EXPECT_TRUE(std::isinf(a[3].as_double()) && a[3].as_double() > 0);
  EXPECT_TRUE(std::isinf(a[4].as_double()) && a[4].as_double() < 0);
  EXPECT_EQ(a[5].as_double(), 0.0);
  EXPECT_EQ(a[6].as_int(), 2000);
  EXPECT_EQ(a[7].as_int(), std::nullopt);
  EXPECT_EQ(a[8].as_int(), 9007199254740993);
  EXPECT_EQ(v->dump(), "[1,-0,1.5,null,null,1e-400,2e3,12345678901234567890,9007199254740993]");
  EXPECT_EQ(Value::number_from_text("0.5").dump(), "0.5");
  EXPECT_EQ(Value::number_from_text("0.5").as_double(), 0.5);
}

TEST(Json, DuplicateKeysBehaveLikeJsonParse) {
  EXPECT_EQ(echo(R"({"a":1,"b":2,"a":3})"), R"({"a":3,"b":2})");
  // Large objects go through the hash index.
  std::string big = "{";
  for (int i = 0; i < 40; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  big += R"("k3":"x","k39":"y"})";
  auto v = parse(big);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->size(), 40u);
  EXPECT_EQ(v->as_object()[3].second.as_string(), "x");
  EXPECT_EQ(v->as_object()[39].second.as_string(), "y");
}

TEST(Json, IntegerKeysComeFirstLikeJavaScriptObjects) {
  EXPECT_EQ(echo(R"({"b":1,"10":2,"a":3,"2":4,"01":5,"4294967295":6,"-1":7})"),
            R"({"2":4,"10":2,"b":1,"a":3,"01":5,"4294967295":6,"-1":7})");
  EXPECT_EQ(echo(R"({"3":[true]})"), R"({"3":[true]})");
}

TEST(Json, Errors) {
  struct Case {
    const char* text;
    std::size_t offset;
    const char* message;
  };
  const Case cases[] = {
      {"", 0, "unexpected end of input"},
      {"   ", 3, "unexpected end of input"},
      {"[1,]", 3, "unexpected character ']'"},
      {"[1 2]", 3, "unexpected character '2'"},
      {"{\"a\" 1}", 5, "unexpected character '1'"},
      {"{\"a\":1,}", 7, "unexpected character '}'"},
      {"{a:1}", 1, "unexpected character 'a'"},
      {"{1:1}", 1, "unexpected character '1'"},
      {"[1", 2, "unexpected end of input"},
      {"{\"a\":1", 6, "unexpected end of input"},
      {"{\"a\"", 4, "unexpected end of input"},
      {"\"abc", 4, "unterminated string"},
      {"\"a\\", 3, "unterminated string"},
      {"\"\\x\"", 1, "invalid escape"},
      {"\"\\u12G4\"", 5, "invalid \\u escape"},
      {"\"\\u12", 5, "unexpected end of input"},
      {"\"\\ud83d\\u12\"", 11, "invalid \\u escape"},
      {"\"a\tb\"", 2, "control character in string"},
      {"\"\xFF\"", 1, "invalid UTF-8 in string"},
      {"\"\xED\xA0\x80\"", 1, "invalid UTF-8 in string"},
      {"\"\xE2\x82\"", 1, "invalid UTF-8 in string"},
      {"tru", 3, "unexpected end of input"},
      {"trUe", 2, "unexpected character 'U'"},
      {"nul", 3, "unexpected end of input"},
      {"falsey", 5, "unexpected character after the JSON value"},
      {"01", 1, "unexpected character after the JSON value"},
      {"-", 1, "unexpected end of input"},
      {"-a", 1, "unexpected character 'a'"},
      {"1.", 2, "unexpected end of input"},
      {"1.e5", 2, "unexpected character 'e'"},
      {"1e", 2, "unexpected end of input"},
      {"1e+", 3, "unexpected end of input"},
      {"+1", 0, "unexpected character '+'"},
      {".5", 0, "unexpected character '.'"},
      {"NaN", 0, "unexpected character 'N'"},
      {"Infinity", 0, "unexpected character 'I'"},
      {"'a'", 0, "unexpected character '''"},
      {"\xEF\xBB\xBF{}", 0, "unexpected byte 0xef"},
      {"[1]\x00", 3, "unexpected character after the JSON value"},
      {"{}}", 2, "unexpected character after the JSON value"},
      {"[\v1]", 1, "unexpected byte 0x0b"},
  };
  for (const auto& c : cases) {
    // Pass the length explicitly so embedded NULs are part of the input.
    std::string_view text(c.text, std::char_traits<char>::length(c.text) +
                                      (std::string_view(c.text) == "[1]" ? 1 : 0));
    const ParseError e = error_of(text);
    EXPECT_EQ(e.offset, c.offset) << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
  }
}

TEST(Json, DepthLimit) {
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_EQ(echo(ok), ok);
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  ParseError e = error_of(deep);
  EXPECT_EQ(e.message, "nesting deeper than 64");
  EXPECT_EQ(e.offset, 64u);
  std::string objs;
  for (int i = 0; i < 65; ++i) objs += "{\"a\":";
  e = error_of(objs + "1" + std::string(65, '}'));
  EXPECT_EQ(e.message, "nesting deeper than 64");
  // A huge nesting attack fails fast instead of overflowing the stack.
  EXPECT_FALSE(parse(std::string(1000000, '[')));
  ParseLimits shallow;
  shallow.max_depth = 2;
  EXPECT_TRUE(parse("[[1]]", shallow));
  EXPECT_FALSE(parse("[[[1]]]", shallow));
}

TEST(Json, SizeLimit) {
  ParseLimits small;
  small.max_bytes = 8;
  EXPECT_TRUE(parse("[1,2,3]", small));
  const ParseError e = error_of("[1,2,3,4]", small);
  EXPECT_EQ(e.message, "input larger than 8 bytes");
}

TEST(Json, EveryTruncationOfAValidDocumentIsRejected) {
  const std::string doc = R"({"a":[1,-2.5e+3,"x\u20ac\ud83d\ude00y",true,false,null],"b":{}})";
  ASSERT_TRUE(parse(doc));
  for (std::size_t i = 0; i < doc.size(); ++i)
    EXPECT_FALSE(parse(std::string_view(doc).substr(0, i))) << i;
}

TEST(Json, Truthiness) {
  EXPECT_FALSE(Value().truthy());
  EXPECT_FALSE(Value(false).truthy());
  EXPECT_FALSE(Value(0).truthy());
  EXPECT_FALSE(Value(-0.0).truthy());
  EXPECT_FALSE(Value(std::nan("")).truthy());
  EXPECT_FALSE(Value("").truthy());
  EXPECT_TRUE(Value(true).truthy());
  EXPECT_TRUE(Value(-1).truthy());
  EXPECT_TRUE(Value("0").truthy());
  EXPECT_TRUE(Value::array().truthy());
  EXPECT_TRUE(Value::object().truthy());
  EXPECT_TRUE(Value::binary("").truthy());
  EXPECT_FALSE(parse("0.0")->truthy());
  EXPECT_FALSE(parse("-0")->truthy());
}

TEST(Json, ObjectAndArrayHelpers) {
  Value o = Value::object();
  o.set("b", 1);
  o.set("a", "x");
  o.set("b", true);  // keeps its position
  EXPECT_EQ(o.dump(), R"({"b":true,"a":"x"})");
  ASSERT_NE(o.find("a"), nullptr);
  EXPECT_EQ(o.find("a")->as_string(), "x");
  EXPECT_EQ(o.find("zz"), nullptr);
  EXPECT_EQ(Value(1).find("a"), nullptr);
  EXPECT_TRUE(o.erase("b"));
  EXPECT_FALSE(o.erase("b"));
  EXPECT_EQ(o.dump(), R"({"a":"x"})");
  EXPECT_EQ(o.size(), 1u);
  Value a = Value::array();
  a.push_back(1);
  a.push_back(Value());
  a.push_back(Value(Array{Value("n")}));
  EXPECT_EQ(a.dump(), R"([1,null,["n"]])");
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(Value("s").size(), 0u);
}

TEST(Json, CopyMoveEquality) {
  Value v = *parse(R"({"a":[1,"x",{"b":null}]})");
  Value c = v;
  EXPECT_EQ(c, v);
  c.find("a")->as_array()[0] = Value(2);
  EXPECT_NE(c, v);
  EXPECT_EQ(v.dump(), R"({"a":[1,"x",{"b":null}]})");
  Value m = std::move(c);
  EXPECT_EQ(m.dump(), R"({"a":[2,"x",{"b":null}]})");
  EXPECT_EQ(*parse("1.0"), Value(1));
  EXPECT_NE(Value("1"), Value(1));
  EXPECT_NE(Value::binary("a"), Value("a"));
}

TEST(Json, BinaryPlaceholders) {
  Value v = Value(Array{Value("message"), Value::binary("\x01\x02"),
                        Value(Object{{"k", Value::binary("\x03")}})});
  EXPECT_TRUE(v.has_binary());
  EXPECT_FALSE(parse(R"([{"_placeholder":true,"num":0}])")->has_binary());
  std::vector<std::string> att;
  std::string out;
  v.dump_to(out, &att);
  EXPECT_EQ(out,
            R"(["message",{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}}])");
  ASSERT_EQ(att.size(), 2u);
  EXPECT_EQ(att[0], "\x01\x02");
  EXPECT_EQ(att[1], "\x03");
  EXPECT_EQ(v.dump(), out);  // numbering without an attachments vector too
}

}  // namespace
}  // namespace engage::json
