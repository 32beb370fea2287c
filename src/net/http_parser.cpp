// HttpParser implementation: a byte-driven state machine over the header block and the body.
#include "net/http_parser.h"

#include <algorithm>
#include <cstring>

#include "http/url.h"

namespace engage::net {

namespace {

constexpr std::size_t kMaxMethod = 16;       // longer than any known method → 400
constexpr std::size_t kMaxChunkLine = 1024;  // chunk-size line incl. extensions → 400

bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  return true;
}

// Request-target bytes: visible ASCII and obs-text; no controls, no spaces.
bool is_target_char(unsigned char c) {
  return c > 0x20 && c != 0x7f;
}

// Field-value bytes: visible ASCII, obs-text, SP and HTAB.
bool is_value_char(unsigned char c) {
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

bool known_method(std::string_view m) {
  static constexpr std::string_view kMethods[] = {"GET",    "HEAD",    "POST", "PUT",
                                                  "DELETE", "OPTIONS", "PATCH"};
  return std::find(std::begin(kMethods), std::end(kMethods), m) != std::end(kMethods);
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Calls fn(token) for each comma-separated, OWS-trimmed, non-empty element of `list`.
template <class F>
void for_each_element(std::string_view list, F&& fn) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = trim_ows(list.substr(0, comma));
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

constexpr std::size_t kHuge = static_cast<std::size_t>(-1);

// Parses a decimal Content-Length; returns kHuge on overflow, false on a non-digit.
bool parse_length(std::string_view s, std::size_t& out) {
  if (s.empty()) return false;
  std::size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (v > (kHuge - 9) / 10) {
      v = kHuge;
    } else {
      v = v * 10 + static_cast<std::size_t>(c - '0');
    }
  }
  out = v;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ParseStatus HttpParser::fail(int status, const char* reason) {
  state_ = State::Error;
  error_ = status;
  reason_ = reason;
  return ParseStatus::Error;
}

ParseStatus HttpParser::feed(std::string_view data, std::size_t& consumed) {
  consumed = 0;
  const std::size_t n = data.size();
  for (;;) {
    switch (state_) {
      case State::Error:
        return ParseStatus::Error;
      case State::Done:
        return ParseStatus::Done;

      case State::Start:
        while (consumed < n && (data[consumed] == '\r' || data[consumed] == '\n')) ++consumed;
        if (consumed == n) return ParseStatus::NeedMore;
        state_ = State::Head;
        break;

      case State::Head: {
        if (consumed == n) return ParseStatus::NeedMore;
        const char* begin = data.data() + consumed;
        const void* lf = std::memchr(begin, '\n', n - consumed);
        std::size_t take =
            lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - begin) + 1 : n - consumed;
        head_.append(begin, take);
        consumed += take;
        if (line_start_ == 0) {
          // Still in the request line: a too long target is 414, whatever else follows.
          std::size_t sp1 = head_.find(' ');
          if (sp1 == std::string::npos ? head_.size() > kMaxMethod : sp1 > kMaxMethod) {
            return fail(400, "bad request line");
          } else if (sp1 != std::string::npos) {
            std::size_t sp2 = head_.find(' ', sp1 + 1);
            std::size_t end = sp2 == std::string::npos ? head_.size() : sp2;
            if (end - sp1 - 1 > limits_.max_uri_bytes) return fail(414, "URI too long");
          }
        }
        if (head_.size() > limits_.max_header_bytes) return fail(431, "header section too large");
        if (!lf) return ParseStatus::NeedMore;
        // A full line ends at head_.size(); it must end with CRLF.
        std::size_t end = head_.size();
        if (end - line_start_ < 2 || head_[end - 2] != '\r') return fail(400, "bare LF");
        if (end - line_start_ == 2) {
          // The blank line: the header section is complete.
          if (line_start_ == 0) return fail(400, "bad request line");
          if (!parse_head()) return ParseStatus::Error;
          ParseStatus s = after_head();
          if (s == ParseStatus::Error) return s;
          break;
        }
        if (line_start_ != 0 && ++header_lines_ > limits_.max_headers)
          return fail(431, "too many headers");
        line_start_ = end;
        break;
      }

      case State::Body: {
        std::size_t take = std::min(remaining_, n - consumed);
        out_.request.body.append(data.data() + consumed, take);
        consumed += take;
        remaining_ -= take;
        if (remaining_ == 0) {
          state_ = State::Done;
          return ParseStatus::Done;
        }
        return ParseStatus::NeedMore;
      }

      case State::ChunkSize:
      case State::ChunkDataEnd:
      case State::Trailer: {
        if (consumed == n) return ParseStatus::NeedMore;
        const char* begin = data.data() + consumed;
        const void* lf = std::memchr(begin, '\n', n - consumed);
        std::size_t take =
            lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - begin) + 1 : n - consumed;
        line_.append(begin, take);
        consumed += take;
        if (state_ == State::Trailer) {
          trailer_bytes_ += take;
          if (trailer_bytes_ > limits_.max_header_bytes) return fail(431, "trailers too large");
        } else if (line_.size() > kMaxChunkLine ||
                   (state_ == State::ChunkDataEnd && line_.size() > 2)) {
          return fail(400, "bad chunk");
        }
        if (!lf) return ParseStatus::NeedMore;
        if (line_.size() < 2 || line_[line_.size() - 2] != '\r') return fail(400, "bare LF");
        std::string_view line(line_.data(), line_.size() - 2);
        if (state_ == State::ChunkDataEnd) {
          if (!line.empty()) return fail(400, "bad chunk");
          state_ = State::ChunkSize;
        } else if (state_ == State::Trailer) {
          if (line.empty()) {
            line_.clear();
            state_ = State::Done;
            return ParseStatus::Done;
          }
        } else {
          // chunk-size [ BWS ";" extensions ]
          std::size_t i = 0, size = 0;
          while (i < line.size() && hex_digit(line[i]) >= 0) {
            if (size > (kHuge >> 4)) return fail(413, "body too large");
            size = size * 16 + static_cast<std::size_t>(hex_digit(line[i]));
            ++i;
          }
          if (i == 0) return fail(400, "bad chunk size");
          std::string_view rest = trim_ows(line.substr(i));
          if (!rest.empty() && rest.front() != ';') return fail(400, "bad chunk size");
          if (size > limits_.max_body_bytes - out_.request.body.size())
            return fail(413, "body too large");
          if (size == 0) {
            state_ = State::Trailer;
          } else {
            remaining_ = size;
            state_ = State::ChunkData;
          }
        }
        line_.clear();
        break;
      }

      case State::ChunkData: {
        if (consumed == n) return ParseStatus::NeedMore;
        std::size_t take = std::min(remaining_, n - consumed);
        out_.request.body.append(data.data() + consumed, take);
        consumed += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::ChunkDataEnd;
        break;
      }
    }
  }
}

bool HttpParser::parse_head() {
  http::Request& req = out_.request;
  std::string_view head(head_);
  // Request line.
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return fail(400, "bad request line"), false;
  std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return fail(400, "bad request line"), false;
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return fail(400, "bad method"), false;
  if (target.empty()) return fail(400, "bad request target"), false;
  for (char c : target)
    if (!is_target_char(static_cast<unsigned char>(c)))
      return fail(400, "bad request target"), false;
  if (version == "HTTP/1.1") {
    out_.http10 = false;
  } else if (version == "HTTP/1.0") {
    out_.http10 = true;
  } else if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[5] >= '0' &&
             version[5] <= '9' && version[6] == '.' && version[7] >= '0' && version[7] <= '9') {
    return fail(505, "HTTP version not supported"), false;
  } else {
    return fail(400, "bad HTTP version"), false;
  }
  if (!known_method(method)) return fail(501, "method not implemented"), false;
  req.method.assign(method);
  req.target.assign(target);

  // Target forms: origin ("/a?b"), absolute ("http://host/a?b"), asterisk ("*", OPTIONS).
  std::string_view origin = target;
  if (target == "*") {
    if (method != "OPTIONS") return fail(400, "bad request target"), false;
  } else if (target.front() != '/') {
    std::size_t scheme = target.find("://");
    if (scheme == std::string_view::npos ||
        !(iequals(target.substr(0, scheme), "http") || iequals(target.substr(0, scheme), "https")))
      return fail(400, "bad request target"), false;
    std::size_t slash = target.find_first_of("/?", scheme + 3);
    origin = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  std::size_t q = origin.find('?');
  std::string_view raw_path = origin.substr(0, q);
  if (q != std::string_view::npos) req.query.assign(origin.substr(q + 1));
  if (raw_path.empty()) raw_path = "/";
  if (!http::percent_decode(raw_path, req.path)) return fail(400, "bad percent-encoding"), false;

  // Header lines.
  std::size_t content_length = 0;
  bool have_length = false, have_te = false, have_host = false, expect_continue = false;
  std::string te;
  std::size_t pos = eol + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    std::string_view h = head.substr(pos, end - pos);
    pos = end + 2;
    if (h.empty()) break;
    if (h.front() == ' ' || h.front() == '\t') return fail(400, "obsolete line folding"), false;
    std::size_t colon = h.find(':');
    if (colon == std::string_view::npos) return fail(400, "bad header line"), false;
    std::string_view name = h.substr(0, colon);
    if (!is_token(name)) return fail(400, "bad header name"), false;
    std::string_view value = trim_ows(h.substr(colon + 1));
    for (char c : value)
      if (!is_value_char(static_cast<unsigned char>(c)))
        return fail(400, "bad header value"), false;
    std::string lname(name);
    for (char& c : lname)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (lname == "content-length") {
      bool ok = true;
      std::size_t items = 0;
      for_each_element(value, [&](std::string_view item) {
        ++items;
        std::size_t v = 0;
        if (!parse_length(item, v) || (have_length && v != content_length)) ok = false;
        content_length = v;
        have_length = true;
      });
      if (!ok || items == 0) return fail(400, "bad Content-Length"), false;
    } else if (lname == "transfer-encoding") {
      if (!te.empty()) te.push_back(',');
      te.append(value);
      have_te = true;
    } else if (lname == "host") {
      if (have_host) return fail(400, "duplicate Host"), false;
      have_host = true;
    } else if (lname == "expect") {
      expect_continue = iequals(value, "100-continue");
    } else if (lname == "connection") {
      for_each_element(value, [&](std::string_view item) {
        if (iequals(item, "close")) out_.keep_alive = false;
        if (iequals(item, "keep-alive") && out_.http10) out_.keep_alive = true;
      });
    }
    req.headers.emplace_back(std::move(lname), std::string(value));
  }
  if (out_.http10) {
    // HTTP/1.0 closes unless it asked for keep-alive (and did not also say close).
    bool ka = false, close = false;
    for (auto& [n, v] : req.headers)
      if (n == "connection")
        for_each_element(v, [&](std::string_view item) {
          if (iequals(item, "keep-alive")) ka = true;
          if (iequals(item, "close")) close = true;
        });
    out_.keep_alive = ka && !close;
  } else if (!have_host) {
    return fail(400, "missing Host"), false;
  }
  if (have_te) {
    if (have_length) return fail(400, "Content-Length with Transfer-Encoding"), false;
    if (out_.http10) return fail(400, "Transfer-Encoding in HTTP/1.0"), false;
    if (!iequals(trim_ows(te), "chunked"))
      return fail(501, "transfer coding not implemented"), false;
    chunked_ = true;
  } else if (have_length) {
    if (content_length > limits_.max_body_bytes) return fail(413, "body too large"), false;
    remaining_ = content_length;
  }
  continue_ = expect_continue && !out_.http10 && (chunked_ || remaining_ > 0);
  return true;
}

ParseStatus HttpParser::after_head() {
  head_.clear();
  head_.shrink_to_fit();
  if (chunked_) {
    state_ = State::ChunkSize;
  } else if (remaining_ > 0) {
    out_.request.body.reserve(remaining_);
    state_ = State::Body;
  } else {
    state_ = State::Done;
  }
  return ParseStatus::NeedMore;
}

ParsedRequest HttpParser::take() {
  ParsedRequest r = std::move(out_);
  out_ = ParsedRequest{};
  state_ = State::Start;
  error_ = 0;
  reason_ = "";
  head_.clear();
  head_.shrink_to_fit();
  line_.clear();
  line_.shrink_to_fit();
  line_start_ = 0;
  header_lines_ = 0;
  remaining_ = 0;
  trailer_bytes_ = 0;
  chunked_ = false;
  continue_ = false;
  return r;
}

}  // namespace engage::net
