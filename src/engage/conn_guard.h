// ConnectionGuard: what the HTTP front checks before a new Engine.IO session exists — the
// client's address (the trusted proxy's X-Forwarded-For entry), connection attempts per IP
// (loopback exempt unless asked), and the Origin of a WebSocket upgrade against the CORS
// allowlist (cross-site WebSocket hijacking).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engage/rate_limit.h"
#include "http/message.h"

namespace engage::engage {

struct GuardOptions {
  int64_t connections_per_ip = 120;  // Engine.IO handshakes per IP per window; 0 = off
  int64_t connections_window_ms = 60000;
  bool limit_loopback = false;               // also limit 127.0.0.0/8 and ::1 (tests run there)
  std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For is believed
  std::vector<std::string> allowed_origins;  // empty = any Origin (the CORS default, "*")
};

// The refusal of a request: HTTP status, JSON body and Retry-After (seconds, 0 = none).
struct GuardRefusal {
  int status = 0;  // 0 = allowed
  std::string body;
  int64_t retry_after_s = 0;
};

class ConnectionGuard {
 public:
  ConnectionGuard(GuardOptions options, RateLimiter* limiter)
      : options_(std::move(options)), limiter_(limiter) {}

  // Returns the address the request comes from: the right-most X-Forwarded-For entry (the one
  // the proxy itself appended) when the peer is a trusted proxy, else the peer address.
  std::string client_address(const http::Request& req) const;
  // Counts a new connection attempt (an Engine.IO handshake or a WebSocket without sid) and
  // returns a 429 refusal when the address is over its budget.
  GuardRefusal check_connect(const http::Request& req) const;
  // Returns a 403 refusal when an allowlist is set and the request carries another Origin.
  // Requests without Origin (non-browser clients) pass: the check protects browsers' users.
  GuardRefusal check_origin(const http::Request& req) const;

  const GuardOptions& options() const { return options_; }

 private:
  GuardOptions options_;
  RateLimiter* limiter_;
};

// Returns true for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z).
bool is_loopback(std::string_view address);

}  // namespace engage::engage
