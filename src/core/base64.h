// Standard base64 (RFC 4648 §4, with padding): encoding and strict decoding.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace engage::base64 {

// Returns the length of the encoding of `n` bytes (always a multiple of 4).
constexpr std::size_t encoded_size(std::size_t n) {
  return (n + 2) / 3 * 4;
}

// Appends the padded base64 encoding of `bytes` to `out`.
void encode_to(std::string& out, std::string_view bytes);
// Returns the padded base64 encoding of `bytes`.
std::string encode(std::string_view bytes);

// Returns the number of bytes `text` decodes to when its length is valid (a multiple of 4),
// counting the padding, without checking the characters; else nullopt. Lets callers check a
// size limit before decoding.
std::optional<std::size_t> decoded_size(std::string_view text);

// Appends the decoding of `text` to `out` and returns true when `text` is canonical padded
// base64: length a multiple of 4, only A-Z a-z 0-9 + /, '=' only as the last one or two
// characters, unused bits of the last group zero. Returns false (out unspecified) otherwise.
bool decode_to(std::string& out, std::string_view text);
// Returns the decoding of `text`, or nullopt when decode_to() would reject it.
std::optional<std::string> decode(std::string_view text);

}  // namespace engage::base64
