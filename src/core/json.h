// JSON values that keep what JavaScript clients rely on: object key order, the exact text of
// numbers (an integer stays an integer, `1.5` echoes as `1.5`), and JSON.stringify's output.
//
// Interface contract (implemented in json.cpp):
// - parse() validates strictly (RFC 8259, UTF-8), never throws, never crashes, and rejects input
//   deeper than ParseLimits::max_depth or larger than max_bytes with a ParseError saying where.
// - dump() writes compact JSON byte-identical to JavaScript's JSON.stringify of the same value:
//   no spaces; strings escaped like JSON.stringify (\" \\ \b \f \n \r \t, other control
//   characters as \u00xx lower-case, lone surrogates as \udxxx, everything else raw UTF-8);
//   numbers that came from parse() are written as their original text; numbers built from
//   C++ values are written the way JavaScript's Number#toString writes them (NaN/Infinity as null).
// - Parsed numbers keep their text only while it is finite: `1e400` parses to Infinity (as
//   JSON.parse) and dumps as null (as JSON.stringify); `-0` and `1.0` echo as written.
// - Parsing follows JSON.parse for repeated keys (first position, last value); dump() writes
//   array-index keys ("0".."4294967294") first in ascending order, as JavaScript objects do.
// - Binary values (Socket.IO attachments) exist only between the Socket.IO codec and the
//   application; dump() writes them as {"_placeholder":true,"num":N} in order of appearance,
//   appending their bytes to `attachments` when given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.h"

namespace engage::json {

enum class Type : uint8_t { Null, Bool, Number, String, Array, Object, Binary };

class Value;
struct ValueAccess;  // json.cpp internals (the parser builds values without re-validating)
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;  // insertion order is the wire order

class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b);
  Value(int v) : Value(static_cast<int64_t>(v)) {}
  Value(int64_t v);
  Value(uint64_t v);
  Value(double v);
  Value(std::string s);
  Value(std::string_view s) : Value(std::string(s)) {}
  Value(const char* s) : Value(std::string(s)) {}
  Value(Array a);
  Value(Object o);
  static Value array() { return Value(Array{}); }
  static Value object() { return Value(Object{}); }
  static Value binary(std::string bytes);
  // Builds a number from its JSON text; `text` must be a valid JSON number (parse() does this).
  static Value number_from_text(std::string_view text);

  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }
  bool is_binary() const { return type_ == Type::Binary; }

  // Accessors: calling one on the wrong type is a broken invariant (asserts); check first.
  bool as_bool() const;
  double as_double() const;
  // Returns the number as an integer when it is one exactly (1, -3, 2e3; not 1.5), else nullopt.
  std::optional<int64_t> as_int() const;
  const std::string& as_string() const;  // String or Binary bytes
  const Array& as_array() const;
  Array& as_array();
  const Object& as_object() const;
  Object& as_object();

  // JavaScript truthiness (false, 0, NaN, "", null are falsy; arrays and objects are truthy).
  bool truthy() const;

  // Object helpers. find() returns nullptr when absent or when this is not an object.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Sets key to v: replaces in place (keeping the key's position) or appends at the end.
  Value& set(std::string_view key, Value v);
  bool erase(std::string_view key);
  // Array helper.
  void push_back(Value v);
  std::size_t size() const;  // elements of an array or members of an object, else 0

  // True when this value or any value inside it is Binary.
  bool has_binary() const;

  void dump_to(std::string& out, std::vector<std::string>* attachments = nullptr) const;
  std::string dump() const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  friend struct ValueAccess;
  struct Heap;  // string/number text/array/object storage
  struct HeapDeleter {
    void operator()(Heap* h) const;  // defined in json.cpp, where Heap is complete
  };
  Type type_ = Type::Null;
  bool b_ = false;
  double num_ = 0;
  std::unique_ptr<Heap, HeapDeleter> heap_;
};

struct ParseError {
  std::size_t offset = 0;
  std::string message;  // e.g. "unexpected character '}'", "nesting deeper than 64"
};

struct ParseLimits {
  std::size_t max_depth = 64;         // nested arrays/objects; deeper input is an attack
  std::size_t max_bytes = 16u << 20;  // the transport limits come first; this is a backstop
};

Expected<Value, ParseError> parse(std::string_view text, const ParseLimits& limits = {});

// Appends `s` as a JSON string literal (with quotes), escaped exactly as JSON.stringify does.
void write_string(std::string& out, std::string_view s);
// Appends a double as JavaScript's Number#toString writes it (non-finite → null).
void write_number(std::string& out, double v);

}  // namespace engage::json
