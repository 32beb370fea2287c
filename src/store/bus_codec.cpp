// The cross-instance bus envelope codec (format in bus_codec.h).
#include "store/bus_codec.h"

namespace engage::store::bus {

namespace {

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

std::size_t varint_size(uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// A bounds-checked cursor over the input; every read reports failure instead of overrunning.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool done() const { return pos_ == in_.size(); }

  Error error() const { return error_; }

  bool byte(uint8_t& b) {
    if (pos_ >= in_.size()) return fail(Error::Truncated);
    b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }

  bool u64le(uint64_t& v) {
    if (in_.size() - pos_ < 8) return fail(Error::Truncated);
    v = 0;
    for (int i = 7; i >= 0; --i)
      v = (v << 8) | static_cast<uint8_t>(in_[pos_ + static_cast<std::size_t>(i)]);
    pos_ += 8;
    return true;
  }

  // Reads a canonical varint of at most 32 bits.
  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      uint8_t b = 0;
      if (!byte(b)) return false;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) return fail(Error::BadVarint);  // non-minimal
        if (v > 0xffffffffu) return fail(Error::BadVarint);
        return true;
      }
    }
    return fail(Error::BadVarint);
  }

  bool string(std::string& s, std::size_t max) {
    uint64_t n = 0;
    if (!varint(n)) return false;
    if (n > max) return fail(Error::TooMany);
    if (n > in_.size() - pos_) return fail(Error::Truncated);
    s.assign(in_.data() + pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return true;
  }

  // Reads a count-prefixed list of strings; each entry needs at least one byte of input, so the
  // count is checked against the bytes left before anything is reserved.
  bool strings(std::vector<std::string>& v, std::size_t max_count, std::size_t max_len) {
    uint64_t n = 0;
    if (!varint(n)) return false;
    if (n > max_count) return fail(Error::TooMany);
    if (n > in_.size() - pos_) return fail(Error::Truncated);
    v.resize(static_cast<std::size_t>(n));
    for (auto& s : v)
      if (!string(s, max_len)) return false;
    return true;
  }

 private:
  bool fail(Error e) {
    error_ = e;
    return false;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  Error error_ = Error::Truncated;
};

}  // namespace

std::string_view error_name(Error e) {
  switch (e) {
    case Error::Truncated:
      return "truncated";
    case Error::BadMagic:
      return "bad magic";
    case Error::BadFlags:
      return "bad flags";
    case Error::BadVarint:
      return "bad varint";
    case Error::TooMany:
      return "too many";
    case Error::NoFrames:
      return "no frames";
    case Error::TrailingBytes:
      return "trailing bytes";
  }
  return "unknown";
}

void encode_to(std::string& out, const Message& m) {
  std::size_t size = 10 + varint_size(m.nsp.size()) + m.nsp.size() + 3 * 5;
  for (const auto* list : {&m.rooms, &m.except, &m.frames})
    for (const auto& s : *list) size += varint_size(s.size()) + s.size();
  out.reserve(out.size() + size);
  out.push_back(static_cast<char>(kMagic));
  out.push_back(static_cast<char>(m.has_binary ? 1 : 0));
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((m.sender >> (8 * i)) & 0xff));
  put_string(out, m.nsp);
  for (const auto* list : {&m.rooms, &m.except, &m.frames}) {
    put_varint(out, list->size());
    for (const auto& s : *list) put_string(out, s);
  }
}

std::string encode(const Message& m) {
  std::string out;
  encode_to(out, m);
  return out;
}

Expected<Message, Error> decode(std::string_view in, const Limits& limits) {
  Reader r(in);
  uint8_t magic = 0;
  uint8_t flags = 0;
  Message m;
  if (!r.byte(magic)) return Unexpected<Error>{r.error()};
  if (magic != kMagic) return Unexpected<Error>{Error::BadMagic};
  if (!r.byte(flags)) return Unexpected<Error>{r.error()};
  if ((flags & ~1u) != 0) return Unexpected<Error>{Error::BadFlags};
  m.has_binary = (flags & 1) != 0;
  if (!r.u64le(m.sender)) return Unexpected<Error>{r.error()};
  if (!r.string(m.nsp, limits.max_string)) return Unexpected<Error>{r.error()};
  if (!r.strings(m.rooms, limits.max_rooms, limits.max_string)) return Unexpected<Error>{r.error()};
  if (!r.strings(m.except, limits.max_rooms, limits.max_string))
    return Unexpected<Error>{r.error()};
  if (!r.strings(m.frames, limits.max_frames, limits.max_string))
    return Unexpected<Error>{r.error()};
  if (m.frames.empty()) return Unexpected<Error>{Error::NoFrames};
  if (!r.done()) return Unexpected<Error>{Error::TrailingBytes};
  return m;
}

std::string room_channel(std::string_view prefix, std::string_view nsp, std::string_view room) {
  std::string c;
  c.reserve(prefix.size() + room.size() + nsp.size() + 3);
  c.append(prefix).append(":{").append(room).append("}").append(nsp);
  return c;
}

bool is_room_channel(std::string_view channel, std::string_view prefix, std::string_view nsp,
                     std::string_view room) {
  if (channel.size() != prefix.size() + room.size() + nsp.size() + 3) return false;
  if (channel.substr(0, prefix.size()) != prefix) return false;
  channel.remove_prefix(prefix.size());
  if (channel.substr(0, 2) != ":{") return false;
  channel.remove_prefix(2);
  if (channel.substr(0, room.size()) != room) return false;
  channel.remove_prefix(room.size());
  return channel[0] == '}' && channel.substr(1) == nsp;
}

std::string nsp_channel(std::string_view prefix, std::string_view nsp) {
  std::string c;
  c.reserve(prefix.size() + nsp.size() + 1);
  c.append(prefix).append(":").append(nsp);
  return c;
}

}  // namespace engage::store::bus
