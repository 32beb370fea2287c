// Tests of ConnectionGuard (client address behind trusted proxies, per-IP connection attempts
// with the loopback exemption, Origin allowlist) and of the /metrics and /ready routes.
#include "engage/conn_guard.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/metrics.h"
#include "http/metrics_route.h"
#include "store/memory_store.h"

namespace engage::engage {
namespace {

http::Request req_from(std::string addr, std::vector<std::pair<std::string, std::string>> h = {}) {
  http::Request r;
  r.method = "GET";
  r.path = "/socket.io/";
  r.remote_address = std::move(addr);
  r.headers = std::move(h);
  return r;
}

class GuardTest : public ::testing::Test {
 protected:
  ManualClock clock;
  store::MemoryStore mem{store::MemoryStoreOptions{16, 256, &clock}};
  RateLimiter limiter{mem, &clock};
};

TEST_F(GuardTest, ClientAddressBelievesOnlyTrustedProxies) {
  GuardOptions o;
  o.trusted_proxies = {"10.0.0.1"};
  ConnectionGuard g(o, &limiter);
  auto spoof = req_from("203.0.113.9", {{"x-forwarded-for", "1.2.3.4"}});
  EXPECT_EQ(g.client_address(spoof), "203.0.113.9");
  auto proxied = req_from("10.0.0.1", {{"x-forwarded-for", "6.6.6.6, 198.51.100.7"}});
  EXPECT_EQ(g.client_address(proxied), "198.51.100.7");  // the entry the proxy appended
  auto junk = req_from("10.0.0.1", {{"x-forwarded-for", "<script>"}});
  EXPECT_EQ(g.client_address(junk), "10.0.0.1");
  auto none = req_from("10.0.0.1");
  EXPECT_EQ(g.client_address(none), "10.0.0.1");
}

TEST_F(GuardTest, ConnectionAttemptsPerIpAreLimitedAndLoopbackIsExempt) {
  GuardOptions o;
  o.connections_per_ip = 5;
  ConnectionGuard g(o, &limiter);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(g.check_connect(req_from("198.51.100.7")).status, 0);
  auto r = g.check_connect(req_from("198.51.100.7"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after_s, 60);
  EXPECT_NE(r.body.find("\"retryAfterMs\":60000"), std::string::npos) << r.body;
  EXPECT_EQ(g.check_connect(req_from("198.51.100.8")).status, 0);  // another address
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(g.check_connect(req_from("127.0.0.1")).status, 0);
    EXPECT_EQ(g.check_connect(req_from("::1")).status, 0);
    EXPECT_EQ(g.check_connect(req_from("::ffff:127.0.0.1")).status, 0);
  }
  clock.advance_ms(60000);
  EXPECT_EQ(g.check_connect(req_from("198.51.100.7")).status, 0);
}

TEST_F(GuardTest, LoopbackIsLimitedWhenAskedAndBehindATrustedProxy) {
  GuardOptions o;
  o.connections_per_ip = 2;
  o.limit_loopback = true;
  ConnectionGuard g(o, &limiter);
  EXPECT_EQ(g.check_connect(req_from("127.0.0.1")).status, 0);
  EXPECT_EQ(g.check_connect(req_from("127.0.0.1")).status, 0);
  EXPECT_EQ(g.check_connect(req_from("127.0.0.1")).status, 429);
  GuardOptions p;
  p.connections_per_ip = 1;
  p.trusted_proxies = {"127.0.0.1"};
  ConnectionGuard gp(p, &limiter);
  auto via = req_from("127.0.0.1", {{"x-forwarded-for", "192.0.2.1"}});
  EXPECT_EQ(gp.check_connect(via).status, 0);
  EXPECT_EQ(gp.check_connect(via).status, 429);  // the forwarded address is not loopback
}

TEST_F(GuardTest, OriginIsCheckedAgainstTheAllowlist) {
  GuardOptions open;
  EXPECT_EQ(ConnectionGuard(open, &limiter)
                .check_origin(req_from("1.1.1.1", {{"origin", "https://evil.example"}}))
                .status,
            0);
  GuardOptions o;
  o.allowed_origins = {"https://app.example"};
  ConnectionGuard g(o, &limiter);
  EXPECT_EQ(g.check_origin(req_from("1.1.1.1", {{"origin", "https://app.example"}})).status, 0);
  EXPECT_EQ(g.check_origin(req_from("1.1.1.1", {{"origin", "https://evil.example"}})).status, 403);
  EXPECT_EQ(g.check_origin(req_from("1.1.1.1", {{"origin", "null"}})).status, 403);
  EXPECT_EQ(g.check_origin(req_from("1.1.1.1")).status, 0);  // no Origin: not a browser
}

TEST(OpsRoutes, MetricsAndReadyAnswer) {
  http::Router router;
  bool ready = true;
  int scrapes = 0;
  metrics::Registry reg;
  reg.counter("t_total", "T.").get().inc(7);
  http::install_ops_routes(router,
                           {&reg,
                            [&ready] {
                              return ready ? http::Readiness{} : http::Readiness{false, "draining"};
                            },
                            [&scrapes] { ++scrapes; }});
  auto call = [&router](const char* path) {
    http::Request req;
    req.method = "GET";
    req.path = path;
    const http::Handler* h = nullptr;
    EXPECT_EQ(router.find(req, &h), http::Router::Match::Found);
    http::Response out;
    (*h)(req, [&out](http::Response r) { out = std::move(r); });
    return out;
  };
  auto m = call("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, http::kPrometheusContentType);
  EXPECT_NE(m.body.find("t_total 7\n"), std::string::npos);
  EXPECT_EQ(scrapes, 1);
  auto r = call("/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ready"})");
  ready = false;
  r = call("/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, R"({"status":"not ready","reason":"draining"})");
  EXPECT_EQ(metrics::ops().ready.value(), 0);
}

}  // namespace
}  // namespace engage::engage
