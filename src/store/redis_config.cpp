// RedisConfig parsing: REDIS_URL and the original's REDIS_HOST/REDIS_PORT/REDIS_PASSWORD.
#include "store/redis_config.h"

#include <charconv>
#include <cstdlib>

namespace engage::store {

namespace {

// Parses a decimal integer in [lo, hi] that fills all of `s`.
std::optional<long> parse_int(std::string_view s, long lo, long hi) {
  long v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]);
    int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace

std::string RedisConfig::describe() const {
  // Built with append only: GCC 12 at -O2 warns (-Wrestrict, a false positive) on chained +.
  std::string out;
  if (!user.empty()) out.append(user).append("@");
  const bool v6 = host.find(':') != std::string::npos;
  if (v6) out.append("[");
  out.append(host);
  if (v6) out.append("]");
  out.append(":").append(std::to_string(port)).append("/").append(std::to_string(db));
  return out;
}

Expected<RedisConfig, std::string> parse_redis_url(std::string_view url) {
  RedisConfig cfg;
  constexpr std::string_view kScheme = "redis://";
  if (url.starts_with("rediss://"))
    return Unexpected{std::string("redis URL: rediss:// (TLS) is not supported")};
  if (url.starts_with("unix://"))
    return Unexpected{std::string("redis URL: unix:// sockets are not supported")};
  if (!url.starts_with(kScheme))
    return Unexpected{std::string("redis URL must look like redis://[user:password@]host:port/db")};
  std::string_view rest = url.substr(kScheme.size());

  // Userinfo: everything before the last '@' (passwords may contain '@' when escaped or not).
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    std::string_view user = userinfo;
    std::string_view pass;
    bool has_pass = false;
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      pass = userinfo.substr(colon + 1);
      has_pass = true;
    }
    auto u = percent_decode(user);
    auto p = percent_decode(pass);
    if (!u || !p) return Unexpected{std::string("redis URL: bad %-escape in user or password")};
    if (has_pass) {
      cfg.user = *u;
      cfg.password = *p;
    } else {
      // redis://secret@host is the common shorthand for a password without a user.
      cfg.password = *u;
    }
    if (cfg.user == "default") cfg.user.clear();
  }

  // Database: "/N" after the authority; query strings are not supported.
  std::string_view authority = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto v = parse_int(db, 0, 1'000'000);
      if (!v) return Unexpected{"redis URL: bad database index '" + std::string(db) + "'"};
      cfg.db = static_cast<int>(*v);
    }
  }
  if (authority.find('?') != std::string_view::npos)
    return Unexpected{std::string("redis URL: query parameters are not supported")};

  // Host and port; IPv6 literals in brackets.
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return Unexpected{std::string("redis URL: unterminated [IPv6] host")};
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Unexpected{std::string("redis URL: junk after [IPv6] host")};
      port = after.substr(1);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!host.empty()) cfg.host = std::string(host);
  if (!port.empty()) {
    auto v = parse_int(port, 1, 65535);
    if (!v) return Unexpected{"redis URL: bad port '" + std::string(port) + "'"};
    cfg.port = static_cast<uint16_t>(*v);
  }
  return cfg;
}

GetEnv process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up only
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Expected<std::optional<RedisConfig>, std::string> resolve_redis_config(std::string_view url,
                                                                       const GetEnv& env) {
  auto nonempty = [&](const char* name) -> std::optional<std::string> {
    auto v = env(name);
    if (v && v->empty()) return std::nullopt;
    return v;
  };
  auto env_host = nonempty("REDIS_HOST");
  auto env_port = nonempty("REDIS_PORT");
  auto env_password = nonempty("REDIS_PASSWORD");

  RedisConfig cfg;
  if (!url.empty()) {
    auto parsed = parse_redis_url(url);
    if (!parsed) return Unexpected{parsed.error()};
    cfg = std::move(*parsed);
  } else if (env_host || env_port) {
    if (env_host) cfg.host = *env_host;
    if (env_port) {
      auto v = parse_int(*env_port, 1, 65535);
      if (!v) return Unexpected{"REDIS_PORT: bad port '" + *env_port + "'"};
      cfg.port = static_cast<uint16_t>(*v);
    }
  } else {
    return std::optional<RedisConfig>{};  // no Redis configured: the embedded store
  }
  if (cfg.password.empty() && env_password) cfg.password = *env_password;
  if (cfg.host.empty()) return Unexpected{std::string("redis: empty host")};
  return std::optional<RedisConfig>(std::move(cfg));
}

}  // namespace engage::store
