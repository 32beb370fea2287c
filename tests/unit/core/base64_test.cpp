// Tests of base64 encoding and strict decoding.
#include "core/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace engage::base64 {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, enc] : vectors) {
    EXPECT_EQ(encode(raw), enc);
    auto d = decode(enc);
    ASSERT_TRUE(d) << enc;
    EXPECT_EQ(*d, raw);
    EXPECT_EQ(decoded_size(enc), std::string(raw).size());
    EXPECT_EQ(encoded_size(std::string(raw).size()), std::string(enc).size());
  }
}

TEST(Base64, EngineIoExample) {
  EXPECT_EQ(encode(std::string("\x01\x02\x03\x04", 4)), "AQIDBA==");
  EXPECT_EQ(decode("AQIDBA==").value(), std::string("\x01\x02\x03\x04", 4));
}

TEST(Base64, AllBytesRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); len += 7) {
    const std::string raw = all.substr(0, len);
    auto d = decode(encode(raw));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, raw);
  }
}

TEST(Base64, RejectsNonCanonical) {
  for (const char* bad : {"A", "AB", "ABC", "A===", "====", "AB=C", "AQIDBA=", "AQID BA=",
                          "AQ==AQ==", "AR==", "AQJ=", "-_8=", "AQID\n", "Zm9v!A==", "Zg=a"})
    EXPECT_FALSE(decode(bad)) << bad;
}

TEST(Base64, DecodeAppends) {
  std::string out = "x";
  ASSERT_TRUE(decode_to(out, "Zm9v"));
  EXPECT_EQ(out, "xfoo");
}

}  // namespace
}  // namespace engage::base64
