// Identity: who a socket or a REST request acts as (CONTRACT.md Part A item 5). Open mode keeps
// the original's rule, except that a raw token is never used (nor echoed) as a user id.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/expected.h"
#include "core/json.h"
#include "engage/messages.h"

namespace engage::http {
struct Request;
}

namespace engage::engage {

class Identity {
 public:
  // Verifies a handshake token and returns its subject (JWT mode, issue 8), or an error text.
  // Empty = open mode: any non-empty token is accepted and mapped to token_user_id().
  using Verifier = std::function<Expected<std::string, std::string>(std::string_view token)>;

  explicit Identity(Verifier verifier = {}, std::size_t max_user_chars = 128)
      : verifier_(std::move(verifier)), max_user_chars_(max_user_chars) {}

  // Returns the user id of a socket from its handshake `auth`: auth.userId (a string or a
  // number), else the id derived from auth.token, else the socket id when `require` is false.
  // Error "Authentication required" when `require` and neither is usable (or the verifier
  // rejects the token).
  Expected<std::string, ApiError> socket_user(const json::Value& auth, std::string_view socket_id,
                                              bool require) const;
  // Returns the REST acting user: body.userId || X-User-Id || fallback (the original's rule).
  std::string rest_user(const http::Request& req, const json::Value& body,
                        std::string_view fallback) const;
  // Returns the REST acting user under the configured mode. JWT mode: the `sub` of the
  // `Authorization: Bearer <jwt>` header (body.userId and X-User-Id are ignored); a missing
  // header, another scheme or a token the verifier rejects is a 401 UNAUTHORIZED ApiError whose
  // message names the reason, never the token. Open mode: rest_user(req, body, fallback).
  Expected<std::string, ApiError> rest_caller(const http::Request& req, const json::Value& body,
                                              std::string_view fallback) const;
  // Returns true when tokens are verified (JWT mode).
  bool verifies_tokens() const { return static_cast<bool>(verifier_); }
  // Returns the stable public id of a token: "tok_" + 24 hex digits of its SHA-256.
  static std::string token_user_id(std::string_view token);

 private:
  // Returns the text of a usable user id value (non-empty string or number within limits).
  std::string user_text(const json::Value* v) const;

  Verifier verifier_;
  std::size_t max_user_chars_;
};

}  // namespace engage::engage
