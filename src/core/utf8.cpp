// UTF-8 validation (ASCII fast path, 8 bytes at a time) and UTF-16 length counting.
#include "core/utf8.h"

#include <cstring>

namespace engage::utf8 {

namespace {

inline uint8_t byte_at(std::string_view s, std::size_t i) {
  return static_cast<uint8_t>(s[i]);
}

inline bool is_cont(uint8_t b) {
  return (b & 0xC0) == 0x80;
}

}  // namespace

std::size_t sequence_length(std::string_view s) {
  const uint8_t b0 = byte_at(s, 0);
  if (b0 < 0x80) return 1;
  const std::size_t n = s.size();
  if (b0 < 0xC2) return 0;  // continuation byte or overlong 2-byte lead
  if (b0 < 0xE0) return (n >= 2 && is_cont(byte_at(s, 1))) ? 2 : 0;
  if (b0 < 0xF0) {
    if (n < 3) return 0;
    const uint8_t b1 = byte_at(s, 1);
    const uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const uint8_t hi = b0 == 0xED ? 0x9F : 0xBF;
    return (b1 >= lo && b1 <= hi && is_cont(byte_at(s, 2))) ? 3 : 0;
  }
  if (b0 > 0xF4 || n < 4) return 0;
  const uint8_t b1 = byte_at(s, 1);
  const uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80;
  const uint8_t hi = b0 == 0xF4 ? 0x8F : 0xBF;
  return (b1 >= lo && b1 <= hi && is_cont(byte_at(s, 2)) && is_cont(byte_at(s, 3))) ? 4 : 0;
}

bool valid_utf8(std::string_view s) {
  return invalid_offset(s) == s.size();
}

std::size_t invalid_offset(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    // Skip ASCII 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    while (i < n && byte_at(s, i) < 0x80) ++i;
    if (i >= n) break;
    const std::size_t len = sequence_length(s.substr(i));
    if (len == 0) return i;
    i += len;
  }
  return n;
}

std::size_t utf16_length(std::string_view s) {
  std::size_t units = 0;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {  // ASCII runs 8 bytes at a time
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ull) break;
    units += 8;
  }
  for (char c : s.substr(i)) {
    const auto b = static_cast<uint8_t>(c);
    units += static_cast<std::size_t>(!is_cont(b)) + static_cast<std::size_t>(b >= 0xF0);
  }
  return units;
}

std::size_t encode(uint32_t cp, char* out) {
  auto* o = reinterpret_cast<unsigned char*>(out);
  if (cp < 0x80) {
    o[0] = static_cast<unsigned char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    o[0] = static_cast<unsigned char>(0xC0 | (cp >> 6));
    o[1] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = static_cast<unsigned char>(0xE0 | (cp >> 12));
    o[1] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
    o[2] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = static_cast<unsigned char>(0xF0 | (cp >> 18));
  o[1] = static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F));
  o[2] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
  o[3] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
  return 4;
}

}  // namespace engage::utf8
