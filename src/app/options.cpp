// Command line and environment parsing with CLI11 (start-up only, so exceptions are fine here).
#include "app/options.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

namespace engage::app {

namespace {

std::string default_web_root(const char* argv0) {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) exe = std::filesystem::absolute(argv0, ec);
  if (ec) return {};
  auto root = exe.parent_path() / ".." / "web" / "dist";
  if (std::filesystem::is_directory(root, ec))
    return std::filesystem::weakly_canonical(root, ec).string();
  return {};
}

}  // namespace

ParseResult parse_options(int argc, char** argv) {
  Options o;
  unsigned cores = std::thread::hardware_concurrency();
  if (cores == 0) cores = 1;
  o.threads = std::min(cores, kMaxThreads);
  o.web_root = default_web_root(argc > 0 ? argv[0] : "engage-server");

  CLI::App app{
      "engage-server: Socket.IO 4 compatible real-time server (chess, watch-along, sing-along)"};
  app.get_formatter()->column_width(44);
  app.add_option("--host", o.host, "Address to listen on")
      ->envname("ENGAGE_HOST")
      ->capture_default_str();
  app.add_option("--port", o.port, "Port to listen on (0 = any free port); env PORT is used too")
      ->envname("ENGAGE_PORT")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "Event loops, 1..64 (default: one per core, at most 64)")
      ->envname("ENGAGE_THREADS")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            char* end = nullptr;
            const unsigned long n = std::strtoul(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || v[0] == '-' || n < 1 || n > kMaxThreads)
              return "must be a whole number from 1 to " + std::to_string(kMaxThreads) +
                     " (a session id encodes its event loop in one of 64 characters), got '" + v +
                     "'";
            return {};
          },
          "1..64"));
  app.add_flag(
         "--conformance", o.conformance,
         "Serve the Engine.IO/Socket.IO protocol test-suite endpoints (PROTOCOL.md section 4)")
      ->envname("ENGAGE_CONFORMANCE");
  app.add_flag("--eio3,!--no-eio3", o.eio3,
               "Accept Engine.IO v3 clients (socket.io-client 2.x); on by default, --no-eio3 turns "
               "it off")
      ->envname("ENGAGE_EIO3")
      ->capture_default_str();
  app.add_option("--ping-interval", o.ping_interval_ms, "Engine.IO ping interval, ms")
      ->envname("ENGAGE_PING_INTERVAL")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--ping-timeout", o.ping_timeout_ms, "Engine.IO ping timeout, ms")
      ->envname("ENGAGE_PING_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--connect-timeout", o.connect_timeout_ms,
                 "Close connections that join no namespace within this, ms")
      ->envname("ENGAGE_CONNECT_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--upgrade-timeout", o.upgrade_timeout_ms,
                 "Abort a transport upgrade after this, ms")
      ->envname("ENGAGE_UPGRADE_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--max-http-buffer-size", o.max_http_buffer_size,
                 "Largest Engine.IO message / polling POST body, bytes")
      ->envname("ENGAGE_MAX_HTTP_BUFFER_SIZE")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  app.add_option("--max-attachments", o.max_attachments, "Binary attachments per Socket.IO packet")
      ->envname("ENGAGE_MAX_ATTACHMENTS")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
  app.add_option(
         "--max-connections", o.max_connections,
         "Open TCP connections beyond which new ones are refused (0 = fd limit minus a reserve)")
      ->envname("ENGAGE_MAX_CONNECTIONS")
      ->capture_default_str();
  app.add_option("--keep-alive-timeout", o.keep_alive_timeout_ms,
                 "HTTP keep-alive idle timeout, ms")
      ->envname("ENGAGE_KEEP_ALIVE_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  app.add_option("--cors-origin", o.cors_origins,
                 "Allowed CORS origin (repeatable; default: any origin, '*')")
      ->envname("ENGAGE_CORS_ORIGIN")
      ->delimiter(',');
  app.add_option("--log-level", o.log_level, "trace|debug|info|warn|error|off")
      ->envname("ENGAGE_LOG_LEVEL")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--log-format", o.log_format, "text|json")
      ->envname("ENGAGE_LOG_FORMAT")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--redis", o.redis_url,
                 "Redis URL (redis://[:password@]host:port[/db]); empty = embedded store")
      ->envname("REDIS_URL");
  app.add_option("--redis-cluster", o.redis_cluster, "Redis Cluster seed nodes, host:port,...")
      ->envname("REDIS_CLUSTER");
  app.add_option("--web-root", o.web_root, "Directory of the web client's static files")
      ->envname("ENGAGE_WEB_ROOT")
      ->capture_default_str();

  engage::add_ops_options(app, o.ops);

  // PORT (what SCALABILITY_GUIDE.md tells operators to set) when ENGAGE_PORT is absent.
  const char* engage_port = std::getenv("ENGAGE_PORT");
  if (engage_port) o.engage_port_env = engage_port;
  const char* port_env = std::getenv("PORT");
  if (!engage_port && port_env && *port_env) {
    char* end = nullptr;
    long p = std::strtol(port_env, &end, 10);
    if (*end != '\0' || p < 0 || p > 65535) {
      return {std::nullopt, 2, std::string("PORT=") + port_env + " is not a port number"};
    }
    o.port = static_cast<uint16_t>(p);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return {std::nullopt, app.exit(e), {}};  // --help
    return {std::nullopt, 2, std::string(e.what()) + " (see --help)"};
  }
  if (o.host.empty()) return {std::nullopt, 2, "--host must not be empty"};
  if (!o.redis_url.empty() && !o.redis_url.starts_with("redis://") &&
      !o.redis_url.starts_with("rediss://"))
    return {std::nullopt, 2, "--redis must be a redis:// URL, got '" + o.redis_url + "'"};
  if (std::string err = engage::validate_ops_options(o.ops); !err.empty())
    return {std::nullopt, 2, err};
  if (o.conformance) {
    // PROTOCOL.md §4: the settings the official test suites are written against.
    o.ping_interval_ms = 300;
    o.ping_timeout_ms = 200;
    o.max_http_buffer_size = 1000000;
    o.connect_timeout_ms = 1000;
  }
  return {std::move(o), 0, {}};
}

}  // namespace engage::app
