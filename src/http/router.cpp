// Router implementation (segment matching, Express-like: case-insensitive literals, a trailing
// slash ignored, HEAD served by GET routes) and the Request accessors of message.h.
#include "http/router.h"

#include "http/url.h"

namespace engage::http {

namespace {

// Splits "/a/b/" into {"a", "b"}: empty segments (doubled or trailing slashes) are dropped.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (!seg.empty()) out.push_back(seg);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
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

bool method_matches(std::string_view route, std::string_view req) {
  if (route == "*" || route == req) return true;
  return route == "GET" && req == "HEAD";
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  for (std::string_view seg : split_path(pattern)) r.segments.emplace_back(seg);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

Router::Match Router::find(Request& req, const Handler** handler) const {
  std::vector<std::string_view> segs = split_path(req.path);
  bool path_matched = false;
  for (const Route& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& p = r.segments[i];
      if (p.size() > 1 && p[0] == ':') continue;
      ok = iequals(p, segs[i]);
    }
    if (!ok) continue;
    if (!method_matches(r.method, req.method)) {
      path_matched = true;
      continue;
    }
    req.params.clear();
    for (std::size_t i = 0; i < segs.size(); ++i) {
      const std::string& p = r.segments[i];
      if (p.size() > 1 && p[0] == ':') req.params.emplace_back(p.substr(1), std::string(segs[i]));
    }
    if (handler) *handler = &r.handler;
    return Match::Found;
  }
  return path_matched ? Match::MethodNotAllowed : Match::NotFound;
}

std::string_view Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return {};
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [n, value] : params)
    if (n == name) return value;
  return {};
}

bool Request::query_param(std::string_view name, std::string& out) const {
  std::string_view q = query;
  std::string key;
  while (!q.empty()) {
    std::size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    std::size_t eq = pair.find('=');
    std::string_view raw_key = pair.substr(0, eq);
    key.clear();
    if (!raw_key.empty() && percent_decode(raw_key, key, true) && key == name) {
      out.clear();
      std::string_view raw_value =
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      if (!percent_decode(raw_value, out, true)) out.assign(raw_value);
      return true;
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace engage::http
