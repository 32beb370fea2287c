// CORS for the HTTP routes (CONTRACT.md §1.2, V3+ behaviour, without bug 25).
#pragma once

#include <string>
#include <vector>

#include "http/message.h"

namespace engage::http {

// Which origins may read responses, and what a preflight allows.
struct CorsOptions {
  // Empty: every origin ("Access-Control-Allow-Origin: *", the original's behaviour). Otherwise
  // only these exact origins ("https://app.example.com"), echoed back with "Vary: Origin".
  std::vector<std::string> allowed_origins;
  std::string allow_methods = "GET,POST,OPTIONS";                      // the original's list
  std::string allow_headers = "Content-Type,Authorization,X-User-Id";  // the original's list
  // Sends "Access-Control-Allow-Credentials: true" — only ever with an echoed allowlisted
  // origin, never with "*" (browsers refuse that pair: CONTRACT.md §8 bug 25).
  bool allow_credentials = false;
};

// Adds the CORS response headers for `req` to `res` (every route's response).
void apply_cors(const CorsOptions& opts, const Request& req, Response& res);

// Returns true when `req` is a preflight (any OPTIONS request, as Express's cors middleware
// treats it) and fills `res` with the answer: 204, the allow-* headers, an empty body.
bool preflight(const CorsOptions& opts, const Request& req, Response& res);

}  // namespace engage::http
