// Identity resolution for sockets (handshake auth) and REST requests (body / X-User-Id).
#include "engage/identity.h"

#include <openssl/evp.h>

#include "http/message.h"

namespace engage::engage {

std::string Identity::token_user_id(std::string_view token) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out = "tok_";
  for (unsigned i = 0; i < 12 && i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string Identity::user_text(const json::Value* v) const {
  if (!v || !v->truthy()) return {};
  std::string s;
  if (v->is_string()) {
    s = v->as_string();
  } else if (v->is_number()) {
    s = v->dump();
  } else {
    return {};
  }
  if (s.size() > max_user_chars_) return {};
  return s;
}

Expected<std::string, ApiError> Identity::socket_user(const json::Value& auth,
                                                      std::string_view socket_id,
                                                      bool require) const {
  const ApiError denied{"Authentication required", code::kUnauthorized, 401};
  const json::Value* token = auth.is_object() ? auth.find("token") : nullptr;
  std::string tok = token && token->is_string() ? token->as_string() : std::string();
  if (verifier_) {
    if (tok.empty()) {
      if (require) return Unexpected{denied};
      return std::string(socket_id);
    }
    auto sub = verifier_(tok);
    if (!sub) return Unexpected{denied};
    return *sub;
  }
  std::string user = user_text(auth.is_object() ? auth.find("userId") : nullptr);
  if (!user.empty()) return user;
  if (!tok.empty()) return token_user_id(tok);
  if (token && token->truthy()) return token_user_id(token->dump());
  if (require) return Unexpected{denied};
  return std::string(socket_id);
}

std::string Identity::rest_user(const http::Request& req, const json::Value& body,
                                std::string_view fallback) const {
  std::string user = user_text(body.is_object() ? body.find("userId") : nullptr);
  if (!user.empty()) return user;
  std::string_view h = req.header("x-user-id");
  if (!h.empty() && h.size() <= max_user_chars_) return std::string(h);
  return std::string(fallback);
}

Expected<std::string, ApiError> Identity::rest_caller(const http::Request& req,
                                                      const json::Value& body,
                                                      std::string_view fallback) const {
  if (!verifier_) return rest_user(req, body, fallback);
  std::string_view h = req.header("authorization");
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
  if (h.empty())
    return Unexpected{ApiError{"Authentication required: send Authorization: Bearer <JWT>",
                               code::kUnauthorized, 401}};
  // The scheme is case-insensitive (RFC 7235); one or more spaces before the token.
  constexpr std::string_view kScheme = "bearer";
  bool bearer = h.size() > kScheme.size() && (h[kScheme.size()] == ' ');
  for (std::size_t i = 0; bearer && i < kScheme.size(); ++i) bearer = (h[i] | 0x20) == kScheme[i];
  if (!bearer)
    return Unexpected{
        ApiError{"Authentication required: the Authorization header must be Bearer <JWT>",
                 code::kUnauthorized, 401}};
  std::string_view token = h.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  auto sub = verifier_(token);
  if (!sub) return Unexpected{ApiError{"Invalid token: " + sub.error(), code::kUnauthorized, 401}};
  return std::move(*sub);
}

}  // namespace engage::engage
