// CORS: wildcard by default, allowlist echo with Vary, preflight 204, never credentials with *.
#include "http/cors.h"

#include <gtest/gtest.h>

namespace engage::http {
namespace {

std::string header(const Response& r, std::string_view name) {
  for (auto& [n, v] : r.headers)
    if (n == name) return v;
  return "<absent>";
}

Request with_origin(std::string method, std::string origin) {
  Request r;
  r.method = std::move(method);
  r.path = "/api/chess/create";
  if (!origin.empty()) r.headers.emplace_back("origin", std::move(origin));
  return r;
}

TEST(Cors, WildcardByDefaultWithoutCredentials) {
  CorsOptions o;
  o.allow_credentials = true;  // ignored with the wildcard (CONTRACT §8 bug 25)
  Response res;
  apply_cors(o, with_origin("GET", "https://a.example"), res);
  EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(res, "Access-Control-Allow-Credentials"), "<absent>");
  EXPECT_EQ(header(res, "Vary"), "<absent>");
  Response no_origin;
  apply_cors(o, with_origin("GET", ""), no_origin);
  EXPECT_EQ(header(no_origin, "Access-Control-Allow-Origin"), "*");
}

TEST(Cors, AllowlistEchoesAllowedOriginsOnly) {
  CorsOptions o;
  o.allowed_origins = {"https://a.example", "http://localhost:5173"};
  Response ok;
  apply_cors(o, with_origin("POST", "http://localhost:5173"), ok);
  EXPECT_EQ(header(ok, "Access-Control-Allow-Origin"), "http://localhost:5173");
  EXPECT_EQ(header(ok, "Vary"), "Origin");
  EXPECT_EQ(header(ok, "Access-Control-Allow-Credentials"), "<absent>");
  Response denied;
  apply_cors(o, with_origin("POST", "https://evil.example"), denied);
  EXPECT_EQ(header(denied, "Access-Control-Allow-Origin"), "<absent>");
  EXPECT_EQ(header(denied, "Vary"), "Origin");
  o.allow_credentials = true;
  Response cred;
  apply_cors(o, with_origin("GET", "https://a.example"), cred);
  EXPECT_EQ(header(cred, "Access-Control-Allow-Credentials"), "true");
}

TEST(Cors, PreflightAnswers204WithTheOriginalsLists) {
  CorsOptions o;
  Response res;
  res.body = "stale";
  ASSERT_TRUE(preflight(o, with_origin("OPTIONS", "https://a.example"), res));
  EXPECT_EQ(res.status, 204);
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(header(res, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(res, "Access-Control-Allow-Methods"), "GET,POST,OPTIONS");
  EXPECT_EQ(header(res, "Access-Control-Allow-Headers"), "Content-Type,Authorization,X-User-Id");
  Response get;
  EXPECT_FALSE(preflight(o, with_origin("GET", "https://a.example"), get));
  EXPECT_EQ(get.status, 200);
}

}  // namespace
}  // namespace engage::http
