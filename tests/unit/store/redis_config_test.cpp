// Unit tests of the Redis configuration parser and the top-level version scanner (no Redis).
#include "store/redis_config.h"

#include <gtest/gtest.h>

#include <map>

#include "store/redis_doc.h"

namespace engage::store {
namespace {

GetEnv env_of(std::map<std::string, std::string> m) {
  return [m](const char* name) -> std::optional<std::string> {
    auto it = m.find(name);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

TEST(RedisUrl, ParsesHostPortDbAndCredentials) {
  auto c = parse_redis_url("redis://alice:s3cret@redis.internal:6380/4");
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->host, "redis.internal");
  EXPECT_EQ(c->port, 6380);
  EXPECT_EQ(c->db, 4);
  EXPECT_EQ(c->user, "alice");
  EXPECT_EQ(c->password, "s3cret");
  EXPECT_EQ(c->describe(), "alice@redis.internal:6380/4");  // never the password
}

TEST(RedisUrl, DefaultsAndShorthands) {
  auto c = parse_redis_url("redis://");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 6379);
  EXPECT_EQ(c->db, 0);
  auto p = parse_redis_url("redis://:pw@localhost");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->user, "");
  EXPECT_EQ(p->password, "pw");
  EXPECT_EQ(p->host, "localhost");
  auto bare = parse_redis_url("redis://justpassword@h:1/");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->password, "justpassword");
  EXPECT_EQ(bare->port, 1);
  auto dflt = parse_redis_url("redis://default:pw@h");
  ASSERT_TRUE(dflt);
  EXPECT_EQ(dflt->user, "");  // "default" is the user AUTH <password> means
  auto esc = parse_redis_url("redis://u:p%40ss%3Aw@h");
  ASSERT_TRUE(esc);
  EXPECT_EQ(esc->password, "p@ss:w");
  auto v6 = parse_redis_url("redis://[::1]:7000/2");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  EXPECT_EQ(v6->describe(), "[::1]:7000/2");
}

TEST(RedisUrl, RejectsBadInputWithAClearMessage) {
  for (const char* bad :
       {"http://h:1", "h:6379", "redis://h:0", "redis://h:65536", "redis://h:x", "redis://h/abc",
        "redis://h/-1", "redis://u:%zz@h", "redis://[::1", "redis://h?db=1", "rediss://h"}) {
    auto c = parse_redis_url(bad);
    EXPECT_FALSE(c) << bad;
    if (!c) {
      EXPECT_NE(c.error().find("redis"), std::string::npos) << c.error();
    }
  }
}

TEST(RedisResolve, NothingConfiguredMeansEmbeddedStore) {
  auto r = resolve_redis_config("", env_of({}));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  // A password alone selects nothing.
  auto p = resolve_redis_config("", env_of({{"REDIS_PASSWORD", "x"}}));
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_value());
}

TEST(RedisResolve, HostAndPortFromTheOriginalsEnvironment) {
  auto r = resolve_redis_config(
      "", env_of({{"REDIS_HOST", "10.0.0.5"}, {"REDIS_PORT", "6390"}, {"REDIS_PASSWORD", "pw"}}));
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->host, "10.0.0.5");
  EXPECT_EQ((*r)->port, 6390);
  EXPECT_EQ((*r)->password, "pw");
  auto port_only = resolve_redis_config("", env_of({{"REDIS_PORT", "7000"}}));
  ASSERT_TRUE(port_only && port_only->has_value());
  EXPECT_EQ((*port_only)->host, "127.0.0.1");
  auto bad = resolve_redis_config("", env_of({{"REDIS_PORT", "sixty"}}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("REDIS_PORT"), std::string::npos);
}

TEST(RedisResolve, UrlWinsOverHostPortAndKeepsItsOwnPassword) {
  auto r = resolve_redis_config("redis://:urlpw@u:1/3",
                                env_of({{"REDIS_HOST", "envhost"}, {"REDIS_PASSWORD", "envpw"}}));
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->host, "u");
  EXPECT_EQ((*r)->password, "urlpw");
  EXPECT_EQ((*r)->db, 3);
  auto fill = resolve_redis_config("redis://u:1", env_of({{"REDIS_PASSWORD", "envpw"}}));
  ASSERT_TRUE(fill && fill->has_value());
  EXPECT_EQ((*fill)->password, "envpw");
}

TEST(TopLevelVersion, FindsOnlyTheTopLevelKey) {
  EXPECT_EQ(top_level_version(R"({"version":7})"), 7u);
  EXPECT_EQ(top_level_version(R"( { "a" : 1 , "version" : 18446744073709551615 } )"),
            18446744073709551615ull);
  EXPECT_EQ(top_level_version(R"({"clock":{"version":3},"s":"\"version\":9","version":12})"), 12u);
  EXPECT_EQ(top_level_version(R"({"list":[{"version":1},[2,{"version":5}]],"version":4,"x":{}})"),
            4u);
  EXPECT_EQ(top_level_version(R"({"k\"version":1,"version":2})"), 2u);
}

TEST(TopLevelVersion, MissingOrMalformedIsNullopt) {
  for (const char* bad :
       {"", "{}", "[]", R"({"clock":{"version":3}})", R"({"version":-1})", R"({"version":1.5})",
        R"({"version":"3"})", R"({"version":1e3})", R"({"version":99999999999999999999})",
        R"({"a":"unterminated)", R"({"a":{"b":[}})", R"({"a" 1,"version":2})", "{\"a\":1,",
        R"({"roomId":"r","status":"waiting"})", "{\"version\":"}) {
    EXPECT_FALSE(top_level_version(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace engage::store
