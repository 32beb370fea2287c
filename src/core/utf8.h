// UTF-8 helpers for the transports: strict validation (WebSocket text frames) and UTF-16 lengths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace engage::utf8 {

// Returns true when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates
// U+D800..U+DFFF, nothing above U+10FFFF, no truncated sequence).
bool valid_utf8(std::string_view s);

// Returns the offset of the first byte that is not part of well-formed UTF-8 (s.size() when
// the whole of `s` is valid).
std::size_t invalid_offset(std::string_view s);

// Returns the length of the byte sequence starting at s[0] when it is one well-formed UTF-8
// character (1..4), else 0. `s` must not be empty.
std::size_t sequence_length(std::string_view s);

// Returns the number of UTF-16 code units (JavaScript's String#length) of the UTF-8 text `s`:
// one per character, two for characters above U+FFFF. Invalid bytes count as one unit each
// (the way a decoder that substitutes U+FFFD would count them); the input is assumed valid.
std::size_t utf16_length(std::string_view s);

// Appends code point `cp` (<= 0x10FFFF) encoded as UTF-8 to a buffer of at least 4 bytes and
// returns the number of bytes written. Surrogates are written in their 3-byte form (WTF-8).
std::size_t encode(uint32_t cp, char* out);

}  // namespace engage::utf8
