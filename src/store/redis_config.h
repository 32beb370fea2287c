// RedisConfig: where the Redis store connects and every limit of its connections, parsed from
// REDIS_URL / --redis and the REDIS_HOST, REDIS_PORT, REDIS_PASSWORD environment variables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/expected.h"

namespace engage::store {

struct RedisConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string user;      // ACL user for AUTH (empty: AUTH <password> as the default user)
  std::string password;  // empty: no AUTH
  int db = 0;            // SELECT index

  // Time allowed for TCP connect plus the AUTH/SELECT/PING handshake of one attempt.
  int connect_timeout_ms = 2000;
  // Deadline of every command, queued time included: a move commit answers within ~1 ms on a
  // healthy Redis, so 2 s only fires when Redis is stalled, and the client still gets an answer
  // well before socket.io's 5 s ack habits.
  int command_timeout_ms = 2000;
  // Commands held per connection while (re)connecting (the guide's "offline queue"); beyond
  // this a call fails at once with Unavailable rather than buffering without bound.
  std::size_t offline_queue_max = 1000;
  // Reconnect delays: full jitter, uniform in [0, min(max, base * 2^attempt)], forever.
  int reconnect_base_ms = 50;
  int reconnect_max_ms = 2000;
  // Circuit breaker: opens after this many consecutive failed calls (timeouts, lost in flight)
  // or when the connection has been down longer than down_grace_ms; while open every call fails
  // fast with Unavailable. After breaker_open_ms one probe call is let through (half-open).
  int breaker_failures = 5;
  int breaker_open_ms = 1000;
  int down_grace_ms = 1000;
  // Delay between PINGs while Redis answers -LOADING (restoring its dataset).
  int loading_retry_ms = 200;
  // TCP keep-alive: first probe after idle seconds (the original's keepAliveInitialDelay was
  // 10 s), then every interval seconds, connection dropped after count unanswered probes.
  int keepalive_idle_s = 10;
  int keepalive_interval_s = 5;
  int keepalive_count = 3;

  // Redis Sentinel (issue 6): when set, called before each connection attempt for the address
  // to connect to (host and port above are then updated from it); nullopt = no master known
  // yet (the attempt fails and is retried with the usual backoff).
  std::function<std::optional<std::pair<std::string, uint16_t>>()> locate;

  // Returns "host:port/db" (never the password) for logs and /health.
  std::string describe() const;
};

// Parses redis://[[user]:password@]host[:port][/db] (also rediss:// is rejected with a clear
// message: TLS is not supported). Percent-escapes in user and password are decoded.
Expected<RedisConfig, std::string> parse_redis_url(std::string_view url);

// Returns the environment variable `name`, or nullopt when unset (injectable for tests).
using GetEnv = std::function<std::optional<std::string>(const char* name)>;
// Returns the process environment (std::getenv).
GetEnv process_env();

// Resolves the Redis configuration: `url` (--redis or REDIS_URL, empty when not given) wins;
// otherwise REDIS_HOST and/or REDIS_PORT select host:port. REDIS_PASSWORD fills the password
// when the URL carries none. Returns nullopt when no Redis is configured (→ embedded store), or
// an error message naming the bad setting.
Expected<std::optional<RedisConfig>, std::string> resolve_redis_config(std::string_view url,
                                                                       const GetEnv& env);

}  // namespace engage::store
