// JSON DOM, strict parser and JSON.stringify-identical writer (see the contract in json.h).
#include "core/json.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <unordered_map>
#include <variant>

#include "core/utf8.h"

namespace engage::json {

// Heap storage: String/Binary bytes or a Number's original text (index 0), Array, Object.
struct Value::Heap {
  std::variant<std::string, Array, Object> v;
};

void Value::HeapDeleter::operator()(Heap* h) const {
  delete h;
}

// Builds values from parts the caller has already validated (the parser, number_from_text).
struct ValueAccess {
  static Value number(double d, std::string_view text) {
    Value out;
    out.type_ = Type::Number;
    out.num_ = d;
    if (!text.empty()) out.heap_.reset(new Value::Heap{std::string(text)});
    return out;
  }
  static const std::string* number_text(const Value& v) {
    return v.heap_ ? &std::get<0>(v.heap_->v) : nullptr;
  }
};

namespace {

constexpr double kTwo53 = 9007199254740992.0;  // 2^53: integers below are exact in a double
constexpr double kTwo63 = 9223372036854775808.0;

// Returns true when `text` (a valid JSON number) is what write_number() prints for its value:
// "0" or an integer without leading zeros of at most 15 digits (so exact in a double).
bool is_canonical_int(std::string_view t) {
  std::size_t i = (!t.empty() && t[0] == '-') ? 1 : 0;
  const std::size_t digits = t.size() - i;
  if (digits == 0 || digits > 15) return false;
  if (t[i] == '0') return t.size() == 1;  // "0" yes; "-0", "01" no
  for (; i < t.size(); ++i)
    if (t[i] < '0' || t[i] > '9') return false;
  return true;
}

// Returns the value of a valid JSON number text; out-of-range magnitudes become ±Infinity
// (overflow) or ±0 (underflow), as JavaScript's Number() does.
double number_value(std::string_view t) {
  double d = 0;
  const bool neg = !t.empty() && t[0] == '-';
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
  if (ec == std::errc()) return d;
  // Out of range: decide overflow vs underflow from the decimal magnitude.
  std::size_t i = neg ? 1 : 0;
  long long int_digits = 0;  // significant digits before the point
  long long lead_zeros = 0;  // zeros after the point before the first significant digit
  bool seen_nonzero = false;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    if (t[i] != '0') seen_nonzero = true;
    if (seen_nonzero) ++int_digits;
    ++i;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (!seen_nonzero && int_digits == 0) {
        if (t[i] == '0') {
          ++lead_zeros;
        } else {
          seen_nonzero = true;
        }
      }
      ++i;
    }
  }
  long long e = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) eneg = t[i++] == '-';
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (e < 100000000) e = e * 10 + (t[i] - '0');
      ++i;
    }
    if (eneg) e = -e;
  }
  const long long magnitude = int_digits > 0 ? int_digits - 1 + e : -(lead_zeros + 1) + e;
  const double r = magnitude > 0 ? HUGE_VAL : 0.0;
  return neg ? -r : r;
}

// ---- writer -------------------------------------------------------------------------------

// 0 = copy as is, 1 = escape, 2 = start of a multi-byte sequence (validate).
constexpr std::array<uint8_t, 256> kEscapeClass = [] {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 0x20; ++i) t[static_cast<std::size_t>(i)] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  for (int i = 0x80; i < 0x100; ++i) t[static_cast<std::size_t>(i)] = 2;
  return t;
}();

const char kHex[] = "0123456789abcdef";

// Returns true when none of the 8 bytes in `w` is '"', '\\', a control character or >= 0x80
// (SWAR; a false "no" only sends the caller to its byte loop).
inline bool plain8(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t slash = w ^ (kOnes * '\\');
  const uint64_t bad = (w & kHigh) | ((w - kOnes * 0x20) & ~w & kHigh) |
                       ((quote - kOnes) & ~quote & kHigh) | ((slash - kOnes) & ~slash & kHigh);
  return bad == 0;
}

void append_u_escape(std::string& out, unsigned cu) {
  char buf[6] = {
      '\\',          'u', kHex[(cu >> 12) & 0xF], kHex[(cu >> 8) & 0xF], kHex[(cu >> 4) & 0xF],
      kHex[cu & 0xF]};
  out.append(buf, 6);
}

// Returns the surrogate code unit when s[i..] is a WTF-8 encoded surrogate (ED A0..BF xx), else 0.
unsigned surrogate_at(std::string_view s, std::size_t i) {
  if (i + 3 > s.size()) return 0;
  const auto b0 = static_cast<uint8_t>(s[i]);
  const auto b1 = static_cast<uint8_t>(s[i + 1]);
  const auto b2 = static_cast<uint8_t>(s[i + 2]);
  if (b0 != 0xED || b1 < 0xA0 || b1 > 0xBF || (b2 & 0xC0) != 0x80) return 0;
  return 0xD000u | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
}

void write_number_text(std::string& out, const Value& v);

void dump_value(const Value& v, std::string& out, std::vector<std::string>* attachments,
                std::size_t& next_num);

// Returns true when `k` is a canonical array index ("0".."4294967294"), which JavaScript
// objects enumerate first, in ascending numeric order.
bool array_index(std::string_view k, uint32_t& index) {
  if (k.empty() || k.size() > 10) return false;
  if (k[0] == '0') {
    index = 0;
    return k.size() == 1;
  }
  uint64_t n = 0;
  for (char c : k) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n >= 4294967295ull) return false;
  index = static_cast<uint32_t>(n);
  return true;
}

void dump_member(const Member& m, std::string& out, std::vector<std::string>* attachments,
                 std::size_t& next_num) {
  write_string(out, m.first);
  out.push_back(':');
  dump_value(m.second, out, attachments, next_num);
}

void dump_object(const Object& o, std::string& out, std::vector<std::string>* attachments,
                 std::size_t& next_num) {
  out.push_back('{');
  bool has_index = false;
  uint32_t idx = 0;
  for (const auto& m : o) {
    if (!m.first.empty() && m.first[0] >= '0' && m.first[0] <= '9' && array_index(m.first, idx)) {
      has_index = true;
      break;
    }
  }
  if (!has_index) {
    bool first = true;
    for (const auto& m : o) {
      if (!first) out.push_back(',');
      first = false;
      dump_member(m, out, attachments, next_num);
    }
  } else {
    // JavaScript order: integer keys ascending, then the other keys in insertion order.
    std::vector<std::pair<uint32_t, std::size_t>> ints;
    for (std::size_t i = 0; i < o.size(); ++i)
      if (array_index(o[i].first, idx)) ints.emplace_back(idx, i);
    std::stable_sort(ints.begin(), ints.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    bool first = true;
    for (const auto& [n, i] : ints) {
      if (!first) out.push_back(',');
      first = false;
      dump_member(o[i], out, attachments, next_num);
    }
    for (const auto& m : o) {
      if (array_index(m.first, idx)) continue;
      if (!first) out.push_back(',');
      first = false;
      dump_member(m, out, attachments, next_num);
    }
  }
  out.push_back('}');
}

void dump_value(const Value& v, std::string& out, std::vector<std::string>* attachments,
                std::size_t& next_num) {
  switch (v.type()) {
    case Type::Null:
      out.append("null");
      return;
    case Type::Bool:
      out.append(v.as_bool() ? "true" : "false");
      return;
    case Type::Number:
      write_number_text(out, v);
      return;
    case Type::String:
      write_string(out, v.as_string());
      return;
    case Type::Array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        dump_value(e, out, attachments, next_num);
      }
      out.push_back(']');
      return;
    }
    case Type::Object:
      dump_object(v.as_object(), out, attachments, next_num);
      return;
    case Type::Binary: {
      out.append("{\"_placeholder\":true,\"num\":");
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, next_num);
      out.append(buf, static_cast<std::size_t>(r.ptr - buf));
      out.push_back('}');
      ++next_num;
      if (attachments) attachments->push_back(v.as_string());
      return;
    }
  }
}

void write_number_text(std::string& out, const Value& v) {
  if (const std::string* text = ValueAccess::number_text(v)) {
    out.append(*text);
  } else {
    write_number(out, v.as_double());
  }
}

// ---- parser -------------------------------------------------------------------------------

class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), limits_(limits) {}

  Expected<Value, ParseError> run() {
    values_.clear();  // an earlier failed parse may have left values behind
    members_.clear();
    Value v;
    skip_ws();
    if (!parse_value(v, 0)) return Unexpected{std::move(error_)};
    skip_ws();
    if (p_ != end_) {
      fail("unexpected character after the JSON value");
      return Unexpected{std::move(error_)};
    }
    return v;
  }

 private:
  bool fail(std::string message) {
    error_.offset = static_cast<std::size_t>(p_ - begin_);
    error_.message = std::move(message);
    return false;
  }
  bool fail_at(const char* at, std::string message) {
    p_ = at;
    return fail(std::move(message));
  }
  bool fail_unexpected() {
    if (p_ == end_) return fail("unexpected end of input");
    const auto c = static_cast<unsigned char>(*p_);
    if (c >= 0x20 && c < 0x7F) return fail(std::string("unexpected character '") + *p_ + "'");
    char buf[40];
    std::snprintf(buf, sizeof buf, "unexpected byte 0x%02x", c);
    return fail(buf);
  }

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(const char* word, std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
      // Point at the first byte that differs.
      std::size_t i = 0;
      while (p_ + i != end_ && i < n && p_[i] == word[i]) ++i;
      p_ += i;
      return fail_unexpected();
    }
    p_ += n;
    return true;
  }

  bool parse_value(Value& out, std::size_t depth) {
    if (p_ == end_) return fail("unexpected end of input");
    switch (*p_) {
      case '{':
        return parse_object(out, depth + 1);
      case '[':
        return parse_array(out, depth + 1);
      case '"': {
        std::string s;
        if (!parse_string(s)) return false;
        out = Value(std::move(s));
        return true;
      }
      case 't':
        if (!literal("true", 4)) return false;
        out = Value(true);
        return true;
      case 'f':
        if (!literal("false", 5)) return false;
        out = Value(false);
        return true;
      case 'n':
        if (!literal("null", 4)) return false;
        out = Value();
        return true;
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return parse_number(out);
        return fail_unexpected();
    }
  }

  bool check_depth(std::size_t depth) {
    if (depth > limits_.max_depth)
      return fail("nesting deeper than " + std::to_string(limits_.max_depth));
    return true;
  }

  // Containers are parsed onto shared stacks and moved into an exactly sized vector when
  // they close: one allocation per array/object instead of one per growth step.
  bool parse_array(Value& out, std::size_t depth) {
    if (!check_depth(depth)) return false;
    ++p_;  // '['
    skip_ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      out = Value::array();
      return true;
    }
    const std::size_t base = values_.size();
    for (;;) {
      skip_ws();
      Value v;  // not values_.back(): nested containers grow values_
      if (!parse_value(v, depth)) return false;
      values_.push_back(std::move(v));
      skip_ws();
      if (p_ == end_) return fail("unexpected end of input");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == ']') {
        ++p_;
        const auto first = values_.begin() + static_cast<std::ptrdiff_t>(base);
        out = Value(Array(std::make_move_iterator(first), std::make_move_iterator(values_.end())));
        values_.erase(first, values_.end());
        return true;
      }
      return fail_unexpected();
    }
  }

  bool parse_object(Value& out, std::size_t depth) {
    if (!check_depth(depth)) return false;
    ++p_;  // '{'
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      out = Value::object();
      return true;
    }
    const std::size_t base = members_.size();
    // Large objects index their keys so that duplicate detection stays linear.
    std::unordered_map<std::string, std::size_t> index;
    constexpr std::size_t kLinearScan = 16;
    for (;;) {
      skip_ws();
      if (p_ == end_) return fail("unexpected end of input");
      if (*p_ != '"') return fail_unexpected();
      std::string key;
      if (!parse_string(key)) return false;
      skip_ws();
      if (p_ == end_) return fail("unexpected end of input");
      if (*p_ != ':') return fail_unexpected();
      ++p_;
      skip_ws();
      Value v;
      if (!parse_value(v, depth)) return false;
      // JSON.parse semantics: a repeated key keeps its first position and takes the last value.
      const std::size_t count = members_.size() - base;
      std::size_t found = count;
      if (count < kLinearScan) {
        for (std::size_t i = 0; i < count; ++i)
          if (members_[base + i].first == key) {
            found = i;
            break;
          }
      } else {
        if (index.empty())
          for (std::size_t i = 0; i < count; ++i) index.emplace(members_[base + i].first, i);
        auto [it, inserted] = index.emplace(key, count);
        if (!inserted) found = it->second;
      }
      if (found < count) {
        members_[base + found].second = std::move(v);
      } else {
        members_.emplace_back(std::move(key), std::move(v));
      }
      skip_ws();
      if (p_ == end_) return fail("unexpected end of input");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == '}') {
        ++p_;
        const auto first = members_.begin() + static_cast<std::ptrdiff_t>(base);
        out =
            Value(Object(std::make_move_iterator(first), std::make_move_iterator(members_.end())));
        members_.erase(first, members_.end());
        return true;
      }
      return fail_unexpected();
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  bool parse_number(Value& out) {
    const char* start = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_) return fail("unexpected end of input");
    if (*p_ == '0') {
      ++p_;
    } else if (is_digit(*p_)) {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    } else {
      return fail_unexpected();
    }
    bool integer = true;
    if (p_ != end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return fail_unexpected();
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return fail_unexpected();
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    const std::string_view text(start, static_cast<std::size_t>(p_ - start));
    if (integer && is_canonical_int(text)) {
      // Fast path: small integers need neither from_chars nor their text.
      const bool neg = text[0] == '-';
      int64_t n = 0;
      for (std::size_t i = neg ? 1 : 0; i < text.size(); ++i) n = n * 10 + (text[i] - '0');
      out = ValueAccess::number(static_cast<double>(neg ? -n : n), {});
      return true;
    }
    out = Value::number_from_text(text);
    return true;
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Reads 4 hex digits at p_ (after "\u"); returns -1 (and fails) when they are not.
  long read_hex4() {
    long cu = 0;
    for (int i = 0; i < 4; ++i) {
      if (p_ == end_) {
        fail("unexpected end of input");
        return -1;
      }
      const int h = hex_value(*p_);
      if (h < 0) {
        fail("invalid \\u escape");
        return -1;
      }
      cu = cu * 16 + h;
      ++p_;
    }
    return cu;
  }

  bool parse_string(std::string& out) {
    ++p_;  // opening quote
    const char* run = p_;
    for (;;) {
      // Copy-free scan over bytes that need no work, 8 at a time, then byte by byte.
      while (end_ - p_ >= 8) {
        uint64_t w;
        std::memcpy(&w, p_, 8);
        if (!plain8(w)) break;
        p_ += 8;
      }
      while (p_ != end_ && kEscapeClass[static_cast<unsigned char>(*p_)] == 0) ++p_;
      if (p_ == end_) return fail("unterminated string");
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out.append(run, static_cast<std::size_t>(p_ - run));
        ++p_;
        return true;
      }
      if (c >= 0x80) {
        const std::size_t n =
            utf8::sequence_length(std::string_view(p_, static_cast<std::size_t>(end_ - p_)));
        if (n == 0) return fail("invalid UTF-8 in string");
        p_ += n;
        continue;
      }
      if (c < 0x20) return fail("control character in string");
      // Backslash.
      out.append(run, static_cast<std::size_t>(p_ - run));
      const char* esc = p_;
      ++p_;
      if (p_ == end_) return fail("unterminated string");
      switch (*p_++) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          long cu = read_hex4();
          if (cu < 0) return false;
          uint32_t cp = static_cast<uint32_t>(cu);
          // A high surrogate followed by an escaped low surrogate is one character; any other
          // surrogate stays alone (JSON.parse accepts it) and is stored in its 3-byte form.
          if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
            const char* save = p_;
            p_ += 2;
            long lo = read_hex4();
            if (lo < 0) return false;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000u + ((cp - 0xD800u) << 10) + (static_cast<uint32_t>(lo) - 0xDC00u);
            } else {
              p_ = save;
            }
          }
          char buf[4];
          out.append(buf, utf8::encode(cp, buf));
          break;
        }
        default:
          return fail_at(esc, "invalid escape");
      }
      run = p_;
    }
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const ParseLimits& limits_;
  ParseError error_;
  // Elements / members of the containers being parsed. Per thread and reused, so that a parse
  // allocates nothing but the values it returns (parse() never re-enters itself).
  static thread_local std::vector<Value> values_;
  static thread_local std::vector<Member> members_;
};

thread_local std::vector<Value> Parser::values_;
thread_local std::vector<Member> Parser::members_;

}  // namespace

// ---- Value --------------------------------------------------------------------------------

Value::Value(bool b) : type_(Type::Bool), b_(b) {}
Value::Value(int64_t v) : type_(Type::Number), num_(static_cast<double>(v)) {
  // Integers beyond 2^53 keep their exact text (as_int() stays exact); JavaScript would round.
  if (v > 9007199254740992LL || v < -9007199254740992LL) heap_.reset(new Heap{std::to_string(v)});
}
Value::Value(uint64_t v) : type_(Type::Number), num_(static_cast<double>(v)) {
  if (v > 9007199254740992ULL) heap_.reset(new Heap{std::to_string(v)});
}
Value::Value(double v) : type_(Type::Number), num_(v) {}
Value::Value(std::string s) : type_(Type::String), heap_(new Heap{std::move(s)}) {}
Value::Value(Array a) : type_(Type::Array), heap_(new Heap{std::move(a)}) {}
Value::Value(Object o) : type_(Type::Object), heap_(new Heap{std::move(o)}) {}

Value Value::binary(std::string bytes) {
  Value v(std::move(bytes));
  v.type_ = Type::Binary;
  return v;
}

Value Value::number_from_text(std::string_view text) {
  const double d = number_value(text);
  if (!std::isfinite(d)) return ValueAccess::number(d, {});  // JSON.stringify(Infinity) = null
  if (is_canonical_int(text)) return ValueAccess::number(d, {});
  return ValueAccess::number(d, text);
}

Value::Value(const Value& o) : type_(o.type_), b_(o.b_), num_(o.num_) {
  if (o.heap_) heap_.reset(new Heap(*o.heap_));
}
Value::Value(Value&& o) noexcept
    : type_(o.type_), b_(o.b_), num_(o.num_), heap_(std::move(o.heap_)) {
  o.type_ = Type::Null;
}
Value& Value::operator=(const Value& o) {
  if (this != &o) *this = Value(o);
  return *this;
}
Value& Value::operator=(Value&& o) noexcept {
  if (this != &o) {
    type_ = o.type_;
    b_ = o.b_;
    num_ = o.num_;
    heap_ = std::move(o.heap_);
    o.type_ = Type::Null;
  }
  return *this;
}
Value::~Value() = default;

bool Value::as_bool() const {
  assert(is_bool());
  return b_;
}
double Value::as_double() const {
  assert(is_number());
  return num_;
}
std::optional<int64_t> Value::as_int() const {
  if (!is_number()) return std::nullopt;
  if (heap_) {
    const std::string& t = std::get<0>(heap_->v);
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec == std::errc() && ptr == t.data() + t.size()) return n;
  }
  if (std::trunc(num_) != num_ || !(num_ >= -kTwo63 && num_ < kTwo63)) return std::nullopt;
  return static_cast<int64_t>(num_);
}
const std::string& Value::as_string() const {
  assert(is_string() || is_binary());
  return std::get<0>(heap_->v);
}
const Array& Value::as_array() const {
  assert(is_array());
  return std::get<1>(heap_->v);
}
Array& Value::as_array() {
  assert(is_array());
  return std::get<1>(heap_->v);
}
const Object& Value::as_object() const {
  assert(is_object());
  return std::get<2>(heap_->v);
}
Object& Value::as_object() {
  assert(is_object());
  return std::get<2>(heap_->v);
}

bool Value::truthy() const {
  switch (type_) {
    case Type::Null:
      return false;
    case Type::Bool:
      return b_;
    case Type::Number:
      return num_ != 0 && !std::isnan(num_);
    case Type::String:
      return !as_string().empty();
    case Type::Array:
    case Type::Object:
    case Type::Binary:
      return true;
  }
  return false;
}

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& m : as_object())
    if (m.first == key) return &m.second;
  return nullptr;
}
Value* Value::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}
Value& Value::set(std::string_view key, Value v) {
  if (!is_object()) *this = Value::object();
  if (Value* existing = find(key)) {
    *existing = std::move(v);
    return *existing;
  }
  auto& o = as_object();
  o.emplace_back(std::string(key), std::move(v));
  return o.back().second;
}
bool Value::erase(std::string_view key) {
  if (!is_object()) return false;
  auto& o = as_object();
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it->first == key) {
      o.erase(it);
      return true;
    }
  }
  return false;
}
void Value::push_back(Value v) {
  if (!is_array()) *this = Value::array();
  as_array().push_back(std::move(v));
}
std::size_t Value::size() const {
  if (is_array()) return as_array().size();
  if (is_object()) return as_object().size();
  return 0;
}

bool Value::has_binary() const {
  switch (type_) {
    case Type::Binary:
      return true;
    case Type::Array:
      for (const auto& e : as_array())
        if (e.has_binary()) return true;
      return false;
    case Type::Object:
      for (const auto& m : as_object())
        if (m.second.has_binary()) return true;
      return false;
    default:
      return false;
  }
}

void Value::dump_to(std::string& out, std::vector<std::string>* attachments) const {
  std::size_t next_num = attachments ? attachments->size() : 0;
  dump_value(*this, out, attachments, next_num);
}

std::string Value::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Type::Null:
      return true;
    case Type::Bool:
      return a.b_ == b.b_;
    case Type::Number:
      return a.num_ == b.num_;
    case Type::String:
    case Type::Binary:
      return a.as_string() == b.as_string();
    case Type::Array:
      return a.as_array() == b.as_array();
    case Type::Object:
      return a.as_object() == b.as_object();
  }
  return false;
}

// ---- free functions -----------------------------------------------------------------------

Expected<Value, ParseError> parse(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes)
    return Unexpected{ParseError{
        limits.max_bytes, "input larger than " + std::to_string(limits.max_bytes) + " bytes"}};
  return Parser(text, limits).run();
}

void write_string(std::string& out, std::string_view s) {
  out.push_back('"');
  const std::size_t n = s.size();
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    const uint8_t cls = kEscapeClass[c];
    if (cls == 0) {
      ++i;
      continue;
    }
    if (cls == 2) {
      const std::size_t len = utf8::sequence_length(s.substr(i));
      if (len != 0) {
        i += len;
        continue;
      }
      out.append(s.data() + run, i - run);
      if (const unsigned hi = surrogate_at(s, i)) {
        const unsigned lo = hi <= 0xDBFF ? surrogate_at(s, i + 3) : 0;
        if (lo >= 0xDC00) {
          // A high+low pair written separately is one character to JavaScript.
          char buf[4];
          out.append(buf, utf8::encode(0x10000u + ((hi - 0xD800u) << 10) + (lo - 0xDC00u), buf));
          i += 6;
        } else {
          append_u_escape(out, hi);
          i += 3;
        }
      } else {
        out.append("\xEF\xBF\xBD");  // invalid UTF-8 (only from C++ code): U+FFFD, as JS decodes
        ++i;
      }
      run = i;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        append_u_escape(out, c);
    }
    ++i;
    run = i;
  }
  out.append(s.data() + run, n - run);
  out.push_back('"');
}

void write_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out.append("null");
    return;
  }
  char buf[64];
  if (std::trunc(v) == v && std::fabs(v) < kTwo53) {
    // Exact integers print in full (and -0 as 0), as Number#toString does.
    const auto n = static_cast<int64_t>(v);
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
    return;
  }
  // Shortest round-trip digits d1.d2..dk and exponent, then JavaScript's layout (ECMA-262
  // Number::toString): n = exponent + 1 is the position of the decimal point.
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const char* p = buf;
  const char* end = r.ptr;
  if (*p == '-') {
    out.push_back('-');
    ++p;
  }
  char digits[32];
  int k = 0;
  for (; p != end && *p != 'e'; ++p)
    if (*p != '.') digits[k++] = *p;
  int e = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, e);
  const int n = e + 1;
  if (k <= n && n <= 21) {
    out.append(digits, static_cast<std::size_t>(k));
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, static_cast<std::size_t>(n));
    out.push_back('.');
    out.append(digits + n, static_cast<std::size_t>(k - n));
  } else if (-6 < n && n <= 0) {
    out.append("0.");
    out.append(static_cast<std::size_t>(-n), '0');
    out.append(digits, static_cast<std::size_t>(k));
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits + 1, static_cast<std::size_t>(k - 1));
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    auto er = std::to_chars(buf, buf + sizeof buf, std::abs(n - 1));
    out.append(buf, static_cast<std::size_t>(er.ptr - buf));
  }
}

}  // namespace engage::json
