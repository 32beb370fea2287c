// top_level_version: a structural scanner over JSON text (strings, nesting) that stops at the
// top-level "version" key; the same rule the CAS Lua scripts rely on, for reads.
#include "store/redis_doc.h"

#include <charconv>

namespace engage::store {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool eat(char c) {
    skip_ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }

  // Reads a string starting at '"'; returns its raw (still escaped) contents.
  std::optional<std::string_view> string() {
    skip_ws();
    if (peek() != '"') return std::nullopt;
    std::size_t start = ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '\\') {
        i_ += 2;
        continue;
      }
      if (c == '"') return s_.substr(start, i_++ - start);
      ++i_;
    }
    return std::nullopt;
  }

  // Skips one value of any type (nesting is tracked iteratively: no recursion on hostile input).
  bool skip_value() {
    skip_ws();
    if (at_end()) return false;
    char c = peek();
    if (c == '"') return string().has_value();
    if (c != '{' && c != '[') {
      // number or literal: run to the next delimiter
      std::size_t start = i_;
      while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ' &&
             s_[i_] != '\n' && s_[i_] != '\r' && s_[i_] != '\t')
        ++i_;
      return i_ > start;
    }
    std::size_t depth = 0;
    while (i_ < s_.size()) {
      char d = s_[i_];
      if (d == '"') {
        if (!string()) return false;
        continue;
      }
      if (d == '{' || d == '[') ++depth;
      if (d == '}' || d == ']') {
        if (depth == 0) return false;
        if (--depth == 0) {
          ++i_;
          return true;
        }
      }
      ++i_;
    }
    return false;
  }

  std::optional<uint64_t> number() {
    skip_ws();
    uint64_t v = 0;
    const char* b = s_.data() + i_;
    const char* e = s_.data() + s_.size();
    if (b == e || *b < '0' || *b > '9') return std::nullopt;
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec != std::errc()) return std::nullopt;
    // A fraction or exponent means it is not a plain integer.
    if (p != e && (*p == '.' || *p == 'e' || *p == 'E')) return std::nullopt;
    return v;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<uint64_t> top_level_version(std::string_view json) {
  Scanner sc(json);
  if (!sc.eat('{')) return std::nullopt;
  if (sc.eat('}')) return std::nullopt;
  for (;;) {
    auto key = sc.string();
    if (!key || !sc.eat(':')) return std::nullopt;
    if (*key == "version") return sc.number();
    if (!sc.skip_value()) return std::nullopt;
    if (sc.eat(',')) continue;
    return std::nullopt;  // '}' (no version) or malformed
  }
}

}  // namespace engage::store
