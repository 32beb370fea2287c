// Tests of UTF-8 validation and UTF-16 length counting.
#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace engage::utf8 {
namespace {

TEST(Utf8, AcceptsWellFormed) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("hello, world; long enough to use the 8-byte path"));
  EXPECT_TRUE(valid_utf8("\xC2\x80"));                      // U+0080
  EXPECT_TRUE(valid_utf8("\xDF\xBF"));                      // U+07FF
  EXPECT_TRUE(valid_utf8("\xE0\xA0\x80"));                  // U+0800
  EXPECT_TRUE(valid_utf8("\xED\x9F\xBF"));                  // U+D7FF
  EXPECT_TRUE(valid_utf8("\xEE\x80\x80"));                  // U+E000
  EXPECT_TRUE(valid_utf8("\xEF\xBF\xBF"));                  // U+FFFF
  EXPECT_TRUE(valid_utf8("\xF0\x90\x80\x80"));              // U+10000
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));              // U+10FFFF
  EXPECT_TRUE(valid_utf8("\xE2\x82\xAC\xF0\x9F\x98\x80"));  // €😀
  EXPECT_TRUE(valid_utf8(std::string("a\0b", 3)));
}

TEST(Utf8, RejectsMalformed) {
  EXPECT_FALSE(valid_utf8("\x80"));              // lone continuation
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(valid_utf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(valid_utf8("\xE0\x9F\xBF"));      // overlong 3-byte
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(valid_utf8("\xED\xBF\xBF"));      // surrogate U+DFFF
  EXPECT_FALSE(valid_utf8("\xF0\x8F\xBF\xBF"));  // overlong 4-byte
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\xFF"));
  EXPECT_FALSE(valid_utf8("\xC2"));              // truncated
  EXPECT_FALSE(valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(valid_utf8("\xF0\x9F\x98"));      // truncated
  EXPECT_FALSE(valid_utf8("\xC2\x41"));          // bad continuation
  EXPECT_FALSE(valid_utf8("12345678\xE2\x82"));  // after the fast path
}

TEST(Utf8, EveryTruncationOfValidTextIsCaught) {
  const std::string s = "a\xE2\x82\xAC\xF0\x9F\x98\x80\xC3\xA9";
  // Cutting inside a multi-byte character must be rejected, at a boundary accepted.
  const bool boundary[] = {true, true, false, false, true, false, false, false, true, false, true};
  for (std::size_t i = 0; i <= s.size(); ++i)
    EXPECT_EQ(valid_utf8(std::string_view(s).substr(0, i)), boundary[i]) << i;
}

TEST(Utf8, Utf16Length) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("4hello"), 6u);
  EXPECT_EQ(utf16_length("\xE2\x82\xAC"), 1u);      // €
  EXPECT_EQ(utf16_length("\xF0\x9F\x98\x80"), 2u);  // 😀 is a surrogate pair
  EXPECT_EQ(utf16_length("42[\"message-back\",\"\xE2\x82\xAC\xF0\x9F\x98\x80\"]"), 24u);
  EXPECT_EQ(utf16_length("\xC3\xA9"), 1u);
}

TEST(Utf8, EncodeRoundTrips) {
  for (uint32_t cp : {0x41u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    char buf[4];
    const std::size_t n = encode(cp, buf);
    EXPECT_TRUE(valid_utf8(std::string_view(buf, n))) << cp;
    EXPECT_EQ(sequence_length(std::string_view(buf, n)), n);
  }
}

}  // namespace
}  // namespace engage::utf8

namespace engage::utf8 {
namespace {

TEST(Utf8, InvalidOffset) {
  EXPECT_EQ(invalid_offset(""), 0u);
  EXPECT_EQ(invalid_offset("abc"), 3u);
  EXPECT_EQ(invalid_offset("abcdefghij\xE2\x82\xAC\xFF"), 13u);
  EXPECT_EQ(invalid_offset("\xC0\x80"), 0u);
  EXPECT_EQ(invalid_offset("ok\xE2\x82"), 2u);
}

}  // namespace
}  // namespace engage::utf8
