// Router matching, route parameters, Request accessors and percent-decoding.
#include "http/router.h"

#include <gtest/gtest.h>

#include "http/url.h"

namespace engage::http {
namespace {

Request make(std::string method, std::string path, std::string query = "") {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add("GET", "/", tag("root"));
    router.add("GET", "/health", tag("health"));
    router.add("POST", "/api/chess/create", tag("create"));
    router.add("GET", "/api/chess/room/:roomId", tag("room"));
    router.add("GET", "/api/:kind/room/:roomId/moves", tag("moves"));
    router.add("*", "/any", tag("any"));
  }
  Handler tag(std::string name) {
    return [this, name](const Request&, Respond) { last = name; };
  }
  // Finds and runs the handler; returns its tag, or "404"/"405".
  std::string route(Request& req) {
    const Handler* h = nullptr;
    switch (router.find(req, &h)) {
      case Router::Match::NotFound:
        return "404";
      case Router::Match::MethodNotAllowed:
        return "405";
      case Router::Match::Found:
        break;
    }
    last.clear();
    (*h)(req, [](Response) {});
    return last;
  }
  Router router;
  std::string last;
};

TEST_F(RouterTest, MatchesLiteralsAndParameters) {
  Request r = make("GET", "/api/chess/room/abc123");
  EXPECT_EQ(route(r), "room");
  EXPECT_EQ(r.param("roomId"), "abc123");
  EXPECT_EQ(r.param("missing"), "");
  Request m = make("GET", "/api/watch/room/R1/moves");
  EXPECT_EQ(route(m), "moves");
  EXPECT_EQ(m.param("kind"), "watch");
  EXPECT_EQ(m.param("roomId"), "R1");
  Request root = make("GET", "/");
  EXPECT_EQ(route(root), "root");
}

TEST_F(RouterTest, ExpressLikeLeniency) {
  Request a = make("GET", "/health/");
  EXPECT_EQ(route(a), "health");  // trailing slash
  Request b = make("GET", "/HEALTH");
  EXPECT_EQ(route(b), "health");  // case-insensitive literals
  Request c = make("HEAD", "/health");
  EXPECT_EQ(route(c), "health");  // HEAD served by GET
  Request d = make("DELETE", "/any");
  EXPECT_EQ(route(d), "any");
}

TEST_F(RouterTest, NotFoundAndMethodNotAllowed) {
  Request a = make("GET", "/nope");
  EXPECT_EQ(route(a), "404");
  Request b = make("GET", "/api/chess/create");
  EXPECT_EQ(route(b), "405");
  Request c = make("GET", "/api/chess/room");
  EXPECT_EQ(route(c), "404");
  Request d = make("GET", "/api/chess/room/a/b");
  EXPECT_EQ(route(d), "404");
}

TEST_F(RouterTest, FirstAddedRouteWins) {
  Router r;
  std::string hit;
  r.add("GET", "/x/:id", [&](const Request&, Respond) { hit = "param"; });
  r.add("GET", "/x/fixed", [&](const Request&, Respond) { hit = "fixed"; });
  Request req = make("GET", "/x/fixed");
  const Handler* h = nullptr;
  ASSERT_EQ(r.find(req, &h), Router::Match::Found);
  (*h)(req, [](Response) {});
  EXPECT_EQ(hit, "param");
}

TEST(Request, HeaderAndQueryParam) {
  Request r;
  r.headers = {{"content-type", "application/json"}, {"x-user-id", "u1"}, {"x-user-id", "u2"}};
  r.query = "EIO=4&transport=polling&name=a%20b+c&empty=&flag&bad=%zz";
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-user-id"), "u1");  // the first one
  EXPECT_EQ(r.header("missing"), "");
  std::string v;
  ASSERT_TRUE(r.query_param("EIO", v));
  EXPECT_EQ(v, "4");
  ASSERT_TRUE(r.query_param("name", v));
  EXPECT_EQ(v, "a b c");
  ASSERT_TRUE(r.query_param("empty", v));
  EXPECT_EQ(v, "");
  ASSERT_TRUE(r.query_param("flag", v));
  EXPECT_EQ(v, "");
  ASSERT_TRUE(r.query_param("bad", v));
  EXPECT_EQ(v, "%zz");  // a malformed escape is kept raw
  EXPECT_FALSE(r.query_param("sid", v));
  EXPECT_FALSE(r.query_param("eio", v));  // names are case-sensitive
}

TEST(Url, PercentDecode) {
  std::string out;
  EXPECT_TRUE(percent_decode("/a%20b%2Fc%c3%a9", out));
  EXPECT_EQ(out, "/a b/c\xc3\xa9");
  out.clear();
  EXPECT_TRUE(percent_decode("a+b", out));
  EXPECT_EQ(out, "a+b");
  out.clear();
  EXPECT_TRUE(percent_decode("a+b", out, true));
  EXPECT_EQ(out, "a b");
  for (const char* bad : {"%", "%4", "%g0", "a%0"}) {
    out.clear();
    EXPECT_FALSE(percent_decode(bad, out)) << bad;
  }
}

}  // namespace
}  // namespace engage::http
