// Reading the top-level "version" of a stored JSON document without parsing all of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace engage::store {

// Returns the unsigned integer value of the top-level "version" key of the JSON object `json`,
// or nullopt when `json` is not an object, has no such key at depth 1, or the value is not a
// plain non-negative integer that fits in 64 bits. Nested "version" keys and string contents
// are skipped structurally; malformed text yields nullopt, never a crash. O(n), no allocation.
std::optional<uint64_t> top_level_version(std::string_view json);

}  // namespace engage::store
