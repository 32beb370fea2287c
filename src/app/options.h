// Server options: every setting with its command-line flag, environment variable and default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engage/protection.h"

namespace engage::app {

// Event loops at most: a session id names its loop in one of 64 characters (engineio/session).
inline constexpr unsigned kMaxThreads = 64;

struct Options {
  std::string host = "0.0.0.0";
  uint16_t port = 3002;
  // The raw ENGAGE_PORT value when it was set (GET / reports it verbatim, as the original did).
  std::optional<std::string> engage_port_env;
  unsigned threads = 0;  // parse_options: default min(cores, kMaxThreads), valid 1..kMaxThreads
  bool conformance = false;
  bool eio3 = true;  // accept EIO=3 (socket.io-client 2.x), as the original's allowEIO3
  uint32_t ping_interval_ms = 25000;
  uint32_t ping_timeout_ms = 60000;
  uint32_t connect_timeout_ms = 45000;
  uint32_t upgrade_timeout_ms = 10000;
  std::size_t max_http_buffer_size = 1000000;
  std::size_t max_connections = 0;  // 0 = derived from the fd limit
  uint32_t keep_alive_timeout_ms = 65000;
  std::vector<std::string> cors_origins;  // empty = "*"
  std::size_t max_attachments = 10;       // binary attachments per Socket.IO packet
  std::string log_level = "info";
  std::string log_format = "text";
  std::string redis_url;      // empty = embedded store
  std::string redis_cluster;  // comma-separated host:port seeds
  std::string web_root;       // static files; empty = none
  engage::OpsOptions ops;     // rate limits, JWT, HTTP limits, output buffers (issue 8)
};

// The outcome of parsing the command line: options to run with, or an exit code (0 after
// --help, 2 for a configuration error described by `error`, which the caller logs).
struct ParseResult {
  std::optional<Options> options;
  int exit_code = 0;
  std::string error;
};

// Parses argv and the environment (the command line wins). Prints --help; returns a clear
// error for any bad setting.
ParseResult parse_options(int argc, char** argv);

}  // namespace engage::app
