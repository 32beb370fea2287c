// JwtVerifier over libjwt 1.x: the signature check is libjwt's; the algorithm pinning and the
// claim checks are ours (libjwt 1.10 verifies with whatever algorithm the token names).
#include "engage/jwt_auth.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/json.h"

namespace engage::engage {

namespace {

// Returns true when `pem` holds a public key OpenSSL can read.
bool parses_as_public_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return false;
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) return false;
  const bool rsa = EVP_PKEY_base_id(key) == EVP_PKEY_RSA;
  EVP_PKEY_free(key);
  return rsa;
}

// Reads a NumericDate claim (integer or fractional seconds). nullopt-like: false when absent;
// error when present but not a number.
enum class Claim { Absent, Ok, Bad };
Claim numeric_date(const json::Value& claims, std::string_view name, double& out) {
  const json::Value* v = claims.find(name);
  if (!v) return Claim::Absent;
  if (!v->is_number()) return Claim::Bad;
  out = v->as_double();
  return std::isfinite(out) ? Claim::Ok : Claim::Bad;
}

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};

}  // namespace

Expected<std::shared_ptr<const JwtVerifier>, std::string> JwtVerifier::create(JwtOptions o) {
  if (o.hs256_secret.empty() && o.rs256_public_pem.empty())
    return Unexpected<std::string>{
        "JWT: neither a secret (--jwt-secret) nor a public key "
        "(--jwt-public-key) is configured"};
  if (!o.hs256_secret.empty() && !o.rs256_public_pem.empty())
    return Unexpected<std::string>{
        "JWT: configure either --jwt-secret (HS256) or --jwt-public-key (RS256), not both"};
  if (!o.hs256_secret.empty() && o.hs256_secret.size() < 32)
    return Unexpected<std::string>{
        "JWT: --jwt-secret must be at least 32 bytes (HS256 keys shorter than the hash are "
        "guessable)"};
  if (!o.rs256_public_pem.empty() && !parses_as_public_key(o.rs256_public_pem))
    return Unexpected<std::string>{
        "JWT: --jwt-public-key is not a PEM RSA public key (-----BEGIN PUBLIC KEY-----)"};
  if (o.leeway_s < 0 || o.leeway_s > 3600)
    return Unexpected<std::string>{"JWT: leeway must be between 0 and 3600 seconds"};
  return std::shared_ptr<const JwtVerifier>(new JwtVerifier(std::move(o)));
}

Expected<std::string, std::string> JwtVerifier::verify(std::string_view token,
                                                       int64_t now_s) const {
  using Err = Unexpected<std::string>;
  if (token.empty()) return Err{"no token"};
  if (token.size() > options_.max_token_bytes) return Err{"token too long"};
  // Compact JWS: three base64url parts. Anything else is refused before libjwt sees it.
  int dots = 0;
  for (char c : token) {
    if (c == '.') {
      ++dots;
    } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_')) {
      return Err{"malformed token"};
    }
  }
  if (dots != 2) return Err{"malformed token"};

  const bool hs = !options_.hs256_secret.empty();
  const std::string& key = hs ? options_.hs256_secret : options_.rs256_public_pem;
  const std::string text(token);
  jwt_t* raw = nullptr;
  int rc = jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                      static_cast<int>(key.size()));
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  if (rc != 0 || !jwt) return Err{"invalid signature or malformed token"};
  // Pin the algorithm: a token naming another one (HS256 signed with our RSA public key as
  // its secret, or "none") is refused even though libjwt accepted it.
  if (jwt_get_alg(jwt.get()) != (hs ? JWT_ALG_HS256 : JWT_ALG_RS256))
    return Err{"unexpected algorithm"};

  char* claims_text = jwt_get_grants_json(jwt.get(), nullptr);
  if (!claims_text) return Err{"no claims"};
  auto claims = json::parse(claims_text);
  std::free(claims_text);
  if (!claims || !claims->is_object()) return Err{"malformed claims"};

  const double now = static_cast<double>(now_s);
  const double leeway = static_cast<double>(options_.leeway_s);
  double t = 0;
  switch (numeric_date(*claims, "exp", t)) {
    case Claim::Bad:
      return Err{"malformed exp"};
    case Claim::Absent:
      if (options_.require_exp) return Err{"token has no expiry"};
      break;
    case Claim::Ok:
      if (now >= t + leeway) return Err{"token expired"};
      break;
  }
  switch (numeric_date(*claims, "nbf", t)) {
    case Claim::Bad:
      return Err{"malformed nbf"};
    case Claim::Ok:
      if (now + leeway < t) return Err{"token not yet valid"};
      break;
    case Claim::Absent:
      break;
  }
  switch (numeric_date(*claims, "iat", t)) {
    case Claim::Bad:
      return Err{"malformed iat"};
    case Claim::Ok:
      if (now + leeway < t) return Err{"token issued in the future"};
      break;
    case Claim::Absent:
      break;
  }
  if (!options_.issuer.empty()) {
    const json::Value* iss = claims->find("iss");
    if (!iss || !iss->is_string() || iss->as_string() != options_.issuer)
      return Err{"issuer mismatch"};
  }
  if (!options_.audience.empty()) {
    const json::Value* aud = claims->find("aud");
    bool ok = false;
    if (aud && aud->is_string()) ok = aud->as_string() == options_.audience;
    if (aud && aud->is_array())
      for (const auto& a : aud->as_array())
        if (a.is_string() && a.as_string() == options_.audience) ok = true;
    if (!ok) return Err{"audience mismatch"};
  }
  const json::Value* sub = claims->find("sub");
  if (!sub || !sub->is_string() || sub->as_string().empty()) return Err{"token has no sub"};
  if (sub->as_string().size() > options_.max_sub_chars) return Err{"sub too long"};
  return sub->as_string();
}

Expected<std::string, std::string> read_public_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected<std::string>{"JWT: cannot read the public key file '" + path + "'"};
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string pem = ss.str();
  if (pem.size() > 64 * 1024)
    return Unexpected<std::string>{"JWT: the public key file '" + path + "' is too large"};
  return pem;
}

}  // namespace engage::engage
