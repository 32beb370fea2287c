// JWT verification of handshake tokens (CONTRACT.md Part A item 5): HS256 with a shared secret
// or RS256 with a PEM public key, expiry and not-before with leeway, optional issuer and
// audience; the user id is the token's `sub`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/expected.h"

namespace engage::engage {

struct JwtOptions {
  std::string hs256_secret;            // --jwt-secret / JWT_SECRET
  std::string rs256_public_pem;        // the text of --jwt-public-key / JWT_PUBLIC_KEY_FILE
  std::string issuer;                  // --jwt-issuer: required `iss` when non-empty
  std::string audience;                // --jwt-audience: must be `aud` (or in it) when non-empty
  int64_t leeway_s = 30;               // clock skew allowed on exp / nbf / iat
  bool require_exp = true;             // tokens without `exp` never expire: refused unless false
  std::size_t max_token_bytes = 8192;  // longer tokens are refused before any parsing
  std::size_t max_sub_chars = 128;     // the user id's length limit (as for auth.userId)

  bool enabled() const { return !hs256_secret.empty() || !rs256_public_pem.empty(); }
};

// Verifies tokens against one configured key. Immutable after creation: verify() is
// thread-safe. Error texts name the reason (for logs and CONNECT_ERROR data), never the token.
class JwtVerifier {
 public:
  // Checks the configuration (exactly one key; a PEM that parses as a public key); returns a
  // clear error for start-up otherwise.
  static Expected<std::shared_ptr<const JwtVerifier>, std::string> create(JwtOptions options);

  // Returns the token's `sub` when the signature, algorithm, times, issuer and audience are
  // valid at `now_s` (seconds since the epoch); else the reason ("token expired", ...).
  Expected<std::string, std::string> verify(std::string_view token, int64_t now_s) const;

  const JwtOptions& options() const { return options_; }

 private:
  explicit JwtVerifier(JwtOptions o) : options_(std::move(o)) {}
  JwtOptions options_;
};

// Reads a PEM public key file for --jwt-public-key; returns its text or a clear error.
Expected<std::string, std::string> read_public_key_file(const std::string& path);

}  // namespace engage::engage
