// Issue 8 options (CLI11 + environment, start-up only: exceptions are fine here), their
// validation, and the rate-limit / identity hooks handed to the application.
#include "engage/protection.h"

#include <CLI/CLI.hpp>
#include <cmath>

#include "core/clock.h"
#include "core/metrics.h"

namespace engage::engage {

void add_ops_options(CLI::App& app, OpsOptions& o) {
  auto num = [&app](const char* flag, auto& v, const char* env, const char* help) {
    return app.add_option(flag, v, help)->envname(env)->capture_default_str();
  };
  num("--rate-rooms-per-hour", o.rooms_per_hour, "ENGAGE_RATE_ROOMS_PER_HOUR",
      "Room creations per user per hour (0 = unlimited)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  num("--rate-moves-per-minute", o.moves_per_minute, "ENGAGE_RATE_MOVES_PER_MINUTE",
      "Move submissions per user per minute (0 = unlimited)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  num("--rate-events-per-second", o.events_per_second, "ENGAGE_RATE_EVENTS_PER_SECOND",
      "Sustained Socket.IO events per connection per second (0 = unlimited)")
      ->check(CLI::Range(0.0, 1e9));
  num("--rate-events-burst", o.events_burst, "ENGAGE_RATE_EVENTS_BURST",
      "Events a connection may send at once above the sustained rate")
      ->check(CLI::Range(1.0, 1e9));
  num("--rate-connections-per-minute", o.connections_per_minute,
      "ENGAGE_RATE_CONNECTIONS_PER_MINUTE",
      "Connection attempts (Engine.IO handshakes) per client address per minute (0 = unlimited)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  app.add_flag("--rate-limit-loopback", o.limit_loopback,
               "Apply the per-address connection limit to loopback clients too")
      ->envname("ENGAGE_RATE_LIMIT_LOOPBACK")
      ->capture_default_str();
  app.add_option("--trust-proxy", o.trusted_proxies,
                 "Proxy address whose X-Forwarded-For names the client (repeatable)")
      ->envname("ENGAGE_TRUST_PROXY")
      ->delimiter(',');
  app.add_option("--jwt-secret", o.jwt_secret,
                 "Verify handshake tokens as HS256 JWTs with this secret (>= 32 bytes)")
      ->envname("JWT_SECRET");
  app.add_option("--jwt-public-key", o.jwt_public_key_file,
                 "Verify handshake tokens as RS256 JWTs with this PEM public key file")
      ->envname("JWT_PUBLIC_KEY_FILE");
  app.add_option("--jwt-issuer", o.jwt_issuer, "Required JWT issuer (iss)")->envname("JWT_ISSUER");
  app.add_option("--jwt-audience", o.jwt_audience, "Required JWT audience (aud)")
      ->envname("JWT_AUDIENCE");
  num("--jwt-leeway", o.jwt_leeway_s, "JWT_LEEWAY", "Clock skew allowed on exp/nbf, seconds")
      ->check(CLI::Range(int64_t{0}, int64_t{3600}));
  num("--max-header-bytes", o.max_header_bytes, "ENGAGE_MAX_HEADER_BYTES",
      "Largest request line + headers, bytes (431 beyond)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20));
  num("--max-headers", o.max_headers, "ENGAGE_MAX_HEADERS", "Most request headers (431 beyond)")
      ->check(CLI::Range(std::size_t{8}, std::size_t{10000}));
  num("--max-uri-bytes", o.max_uri_bytes, "ENGAGE_MAX_URI_BYTES",
      "Longest request target, bytes (414 beyond)")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20));
  num("--outbuf-soft-bytes", o.outbuf_soft_bytes, "ENGAGE_OUTBUF_SOFT_BYTES",
      "WebSocket output buffer soft limit, bytes (disconnect after --outbuf-soft-ms above it)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32));
  num("--outbuf-soft-ms", o.outbuf_soft_ms, "ENGAGE_OUTBUF_SOFT_MS",
      "Time a client may stay above the soft output limit, ms")
      ->check(CLI::Range(1u, 3600000u));
  num("--outbuf-hard-bytes", o.outbuf_hard_bytes, "ENGAGE_OUTBUF_HARD_BYTES",
      "WebSocket output buffer hard limit, bytes (disconnect at once above it)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 34));
  num("--stats-interval", o.stats_interval_ms, "ENGAGE_STATS_INTERVAL",
      "Log a JSON stats line every this many ms (0 = never)");
  num("--shutdown-timeout", o.shutdown_timeout_ms, "ENGAGE_SHUTDOWN_TIMEOUT",
      "On SIGTERM/SIGINT, exit at the latest after this many ms")
      ->check(CLI::Range(100u, 600000u));
}

std::string validate_ops_options(OpsOptions& o) {
  if (o.outbuf_soft_bytes > o.outbuf_hard_bytes)
    return "--outbuf-soft-bytes (" + std::to_string(o.outbuf_soft_bytes) +
           ") must not exceed --outbuf-hard-bytes (" + std::to_string(o.outbuf_hard_bytes) + ")";
  if (o.events_per_second > 0 && o.events_burst < 1)
    return "--rate-events-burst must be at least 1";
  for (const auto& p : o.trusted_proxies)
    if (p.empty() || p.find_first_not_of("0123456789abcdefABCDEF.:") != std::string::npos)
      return "--trust-proxy '" + p + "' is not an IP address";
  if (o.jwt_secret.empty() && o.jwt_public_key_file.empty()) {
    if (!o.jwt_issuer.empty() || !o.jwt_audience.empty())
      return "--jwt-issuer/--jwt-audience need --jwt-secret or --jwt-public-key";
    return {};
  }
  JwtOptions j;
  j.hs256_secret = o.jwt_secret;
  if (!o.jwt_public_key_file.empty()) {
    auto pem = read_public_key_file(o.jwt_public_key_file);
    if (!pem) return pem.error();
    j.rs256_public_pem = std::move(*pem);
  }
  j.issuer = o.jwt_issuer;
  j.audience = o.jwt_audience;
  j.leeway_s = o.jwt_leeway_s;
  auto v = JwtVerifier::create(std::move(j));
  if (!v) return v.error();
  o.jwt = *v;
  return {};
}

std::string_view limit_for_action(std::string_view action) {
  if (action == "make_move" || action == "rest:chess/move") return "moves";
  if (action == "create_chess_room" || action == "create_watch_room" ||
      action == "create_sing_room")
    return "rooms";
  if (action.starts_with("rest:") && action.ends_with("/create")) return "rooms";
  return {};
}

Protection make_protection(const OpsOptions& o, store::Store& store) {
  Protection p;
  p.limiter = std::make_shared<RateLimiter>(store);
  const RateRule rooms{"rooms", o.rooms_per_hour, 3600000};
  const RateRule moves{"moves", o.moves_per_minute, 60000};
  std::weak_ptr<RateLimiter> weak = p.limiter;
  p.hooks.limit = [weak, rooms, moves](std::string_view user,
                                       std::string_view action) -> std::optional<ApiError> {
    std::string_view which = limit_for_action(action);
    if (which.empty()) return std::nullopt;
    auto limiter = weak.lock();
    if (!limiter) return std::nullopt;
    const RateRule& rule = which == "rooms" ? rooms : moves;
    RateDecision d = limiter->hit(rule, user);
    if (d.allowed) return std::nullopt;
    metrics::ops().rate_limited.with({rule.name}).inc();
    const int64_t secs = (d.retry_after_ms + 999) / 1000;
    std::string what = which == "rooms" ? "Too many rooms created" : "Too many moves";
    return ApiError{what + " (limit " + std::to_string(rule.limit) + " per " +
                        (which == "rooms" ? "hour" : "minute") + "), retry in " +
                        std::to_string(secs) + " s",
                    code::kRateLimited, 429, d.retry_after_ms};
  };
  if (o.jwt) {
    std::shared_ptr<const JwtVerifier> jwt = o.jwt;
    p.identity = Identity([jwt](std::string_view token) -> Expected<std::string, std::string> {
      return jwt->verify(token, Clock::get().now_ms() / 1000);
    });
  }
  return p;
}

}  // namespace engage::engage
