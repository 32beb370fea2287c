// libFuzzer target: json::parse never crashes, and dump() is a fixed point of parse+dump.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = engage::json::parse(text);
  if (!v) return 0;
  const std::string once = v->dump();
  auto again = engage::json::parse(once);
  if (!again) std::abort();  // our own output must parse
  if (again->dump() != once) std::abort();
  (void)v->truthy();
  (void)v->has_binary();
  return 0;
}
