// ConnectionGuard: client address, per-IP connection attempts, Origin allowlist.
#include "engage/conn_guard.h"

#include <algorithm>

#include "core/metrics.h"

namespace engage::engage {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Returns true when `a` looks like an IP address (digits, hex, '.', ':'), bounded in length.
bool plausible_ip(std::string_view a) {
  if (a.empty() || a.size() > 45) return false;
  return std::all_of(a.begin(), a.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
           c == ':';
  });
}

}  // namespace

bool is_loopback(std::string_view a) {
  if (a == "::1") return true;
  if (a.starts_with("::ffff:")) a.remove_prefix(7);
  return a.starts_with("127.");
}

std::string ConnectionGuard::client_address(const http::Request& req) const {
  const std::string& peer = req.remote_address;
  const auto& proxies = options_.trusted_proxies;
  if (proxies.empty() || std::find(proxies.begin(), proxies.end(), peer) == proxies.end())
    return peer;
  std::string_view xff = req.header("x-forwarded-for");
  if (xff.empty()) return peer;
  auto comma = xff.rfind(',');
  std::string_view last = trim(comma == std::string_view::npos ? xff : xff.substr(comma + 1));
  return plausible_ip(last) ? std::string(last) : peer;
}

GuardRefusal ConnectionGuard::check_connect(const http::Request& req) const {
  GuardRefusal r;
  if (!limiter_ || options_.connections_per_ip <= 0) return r;
  std::string addr = client_address(req);
  if (!options_.limit_loopback && is_loopback(addr)) return r;
  RateRule rule{"connections", options_.connections_per_ip, options_.connections_window_ms};
  RateDecision d = limiter_->hit(rule, addr);
  if (d.allowed) return r;
  metrics::ops().rate_limited.with({"connections"}).inc();
  r.status = 429;
  r.retry_after_s = (d.retry_after_ms + 999) / 1000;
  r.body = R"({"code":429,"message":"Too many connection attempts, retry in )" +
           std::to_string(r.retry_after_s) + R"( s","retryAfterMs":)" +
           std::to_string(d.retry_after_ms) + "}";
  return r;
}

GuardRefusal ConnectionGuard::check_origin(const http::Request& req) const {
  GuardRefusal r;
  if (options_.allowed_origins.empty()) return r;
  std::string_view origin = req.header("origin");
  if (origin.empty()) return r;
  const auto& ok = options_.allowed_origins;
  if (std::find(ok.begin(), ok.end(), origin) != ok.end()) return r;
  metrics::ops().connection_refused.with({"origin"}).inc();
  r.status = 403;
  r.body = R"({"code":4,"message":"Forbidden"})";  // engine.io's "Forbidden" error
  return r;
}

}  // namespace engage::engage
