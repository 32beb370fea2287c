// Operations and protection settings (issue 8) — rate limits, JWT, HTTP limits, output buffers,
// stats and shutdown — their command-line options, start-up validation, and the hooks that
// plug them into the application (rate limits per user action, JWT identity).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/expected.h"
#include "engage/env.h"
#include "engage/identity.h"
#include "engage/jwt_auth.h"
#include "engage/rate_limit.h"

namespace CLI {
class App;
}

namespace engage::engage {

// Every option of issue 8 with its default (the guide's numbers where it gives one).
struct OpsOptions {
  // Per-user action limits: what stops abuse (SCALABILITY_GUIDE.md "Rate Limiting").
  int64_t rooms_per_hour = 10;     // room creations per user per hour (all kinds, REST too)
  int64_t moves_per_minute = 100;  // move submissions per user per minute (socket and REST)
  // Per-connection event rate: generous bursts (replaying a 60-move game at once is legitimate).
  double events_per_second = 50;  // sustained events per namespace socket; 0 = unlimited
  double events_burst = 200;      // events a socket may send at once
  // Connection attempts (Engine.IO handshakes) per client address per minute.
  int64_t connections_per_minute = 120;
  bool limit_loopback = false;               // loopback is exempt unless this is set
  std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For is believed
  // JWT (CONTRACT.md Part A item 5).
  std::string jwt_secret;           // HS256
  std::string jwt_public_key_file;  // RS256 (PEM)
  std::string jwt_issuer, jwt_audience;
  int64_t jwt_leeway_s = 30;
  // HTTP request limits (Node's defaults).
  std::size_t max_header_bytes = 16384;
  std::size_t max_headers = 100;
  std::size_t max_uri_bytes = 8192;
  // Per-connection output buffer (like Redis's client-output-buffer-limit): above `hard` the
  // client is disconnected at once; above `soft` for `soft_ms` too.
  std::size_t outbuf_soft_bytes = 1u << 20;
  uint32_t outbuf_soft_ms = 10000;
  std::size_t outbuf_hard_bytes = 8u << 20;
  // Operations.
  uint32_t stats_interval_ms = 60000;    // the JSON stats line; 0 = off
  uint32_t shutdown_timeout_ms = 10000;  // SIGTERM: exit at the latest after this

  // Filled by validate(): the verifier when JWT is configured.
  std::shared_ptr<const JwtVerifier> jwt;
};

// Registers every option of OpsOptions on `app`, each with its environment variable and
// default shown by --help.
void add_ops_options(CLI::App& app, OpsOptions& o);

// Checks the options after parsing and builds the JWT verifier (reading the key file). Returns a
// clear message for the first bad setting; empty = fine.
std::string validate_ops_options(OpsOptions& o);

// Returns the per-user limit an application action counts against: "rooms", "moves", or ""
// (none). Actions are event names ("make_move") or REST tags ("rest:chess/create").
std::string_view limit_for_action(std::string_view action);

// What the application receives: the limit hook (Hooks::limit, RATE_LIMITED errors carrying
// the retry delay in their message) and the identity (JWT verifier when configured).
struct Protection {
  std::shared_ptr<RateLimiter> limiter;
  Hooks hooks;
  Identity identity;
};
Protection make_protection(const OpsOptions& o, store::Store& store);

}  // namespace engage::engage
