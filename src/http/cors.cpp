// CORS implementation: wildcard or allowlist, and the 204 preflight.
#include "http/cors.h"

#include <algorithm>

namespace engage::http {

void apply_cors(const CorsOptions& opts, const Request& req, Response& res) {
  if (opts.allowed_origins.empty()) {
    res.headers.emplace_back("Access-Control-Allow-Origin", "*");
    return;
  }
  // The answer depends on the request's Origin: caches must key on it.
  res.headers.emplace_back("Vary", "Origin");
  std::string_view origin = req.header("origin");
  if (origin.empty()) return;
  auto& list = opts.allowed_origins;
  if (std::find(list.begin(), list.end(), origin) == list.end()) return;
  res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  if (opts.allow_credentials) res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
}

bool preflight(const CorsOptions& opts, const Request& req, Response& res) {
  if (req.method != "OPTIONS") return false;
  res = Response{};
  res.status = 204;
  res.content_type.clear();
  apply_cors(opts, req, res);
  res.headers.emplace_back("Access-Control-Allow-Methods", opts.allow_methods);
  res.headers.emplace_back("Access-Control-Allow-Headers", opts.allow_headers);
  return true;
}

}  // namespace engage::http
