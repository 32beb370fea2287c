// Base64 with a 256-entry decode table; rejects every non-canonical input.
#include "core/base64.h"

#include <array>
#include <cstdint>

namespace engage::base64 {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr uint8_t kInvalid = 0xFF;
constexpr std::array<uint8_t, 256> kDecode = [] {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = i;
  return t;
}();

inline uint32_t dec(char c) {
  return kDecode[static_cast<uint8_t>(c)];
}

}  // namespace

void encode_to(std::string& out, std::string_view bytes) {
  const std::size_t start = out.size();
  out.resize(start + encoded_size(bytes.size()));
  char* o = out.data() + start;
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (n - i == 1) {
    const uint32_t v = uint32_t{in[i]} << 16;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = '=';
    *o++ = '=';
  } else if (n - i == 2) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8);
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = '=';
  }
}

std::string encode(std::string_view bytes) {
  std::string out;
  encode_to(out, bytes);
  return out;
}

std::optional<std::size_t> decoded_size(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t n = text.size() / 4 * 3;
  if (!text.empty() && text.back() == '=') --n;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --n;
  return n;
}

bool decode_to(std::string& out, std::string_view text) {
  const std::size_t n = text.size();
  if (n % 4 != 0) return false;
  if (n == 0) return true;
  const std::size_t start = out.size();
  out.resize(start + n / 4 * 3);
  auto* o = reinterpret_cast<uint8_t*>(out.data() + start);
  std::size_t i = 0;
  for (; i + 4 < n; i += 4) {  // every group but the last has no padding
    const uint32_t a = dec(text[i]), b = dec(text[i + 1]), c = dec(text[i + 2]),
                   d = dec(text[i + 3]);
    if ((a | b | c | d) > 63) return false;
    const uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    *o++ = static_cast<uint8_t>(v >> 16);
    *o++ = static_cast<uint8_t>(v >> 8);
    *o++ = static_cast<uint8_t>(v);
  }
  const uint32_t a = dec(text[i]), b = dec(text[i + 1]);
  if (a == kInvalid || b == kInvalid) return false;
  const char c3 = text[i + 2], c4 = text[i + 3];
  if (c3 == '=') {
    if (c4 != '=' || (b & 0x0F) != 0) return false;
    *o++ = static_cast<uint8_t>((a << 2) | (b >> 4));
    out.resize(out.size() - 2);
    return true;
  }
  const uint32_t c = dec(c3);
  if (c == kInvalid) return false;
  if (c4 == '=') {
    if ((c & 0x03) != 0) return false;
    *o++ = static_cast<uint8_t>((a << 2) | (b >> 4));
    *o++ = static_cast<uint8_t>(((b & 0x0F) << 4) | (c >> 2));
    out.resize(out.size() - 1);
    return true;
  }
  const uint32_t d = dec(c4);
  if (d == kInvalid) return false;
  const uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
  *o++ = static_cast<uint8_t>(v >> 16);
  *o++ = static_cast<uint8_t>(v >> 8);
  *o++ = static_cast<uint8_t>(v);
  return true;
}

std::optional<std::string> decode(std::string_view text) {
  std::string out;
  if (!decode_to(out, text)) return std::nullopt;
  return out;
}

}  // namespace engage::base64
