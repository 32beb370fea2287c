// /metrics and /ready handlers.
#include "http/metrics_route.h"

#include <memory>

#include "core/json.h"
#include "core/metrics.h"

namespace engage::http {

void install_ops_routes(Router& router, OpsRoutes routes) {
  auto r = std::make_shared<OpsRoutes>(std::move(routes));
  if (!r->registry) r->registry = &metrics::Registry::global();
  router.add("GET", "/metrics", [r](const Request&, Respond respond) {
    if (r->before_scrape) r->before_scrape();
    Response res;
    res.status = 200;
    res.content_type = kPrometheusContentType;
    res.headers.emplace_back("Cache-Control", "no-store");
    res.body = r->registry->expose();
    respond(std::move(res));
  });
  if (!r->readiness) return;  // the server registers its own /ready
  router.add("GET", "/ready", [r](const Request&, Respond respond) {
    Readiness rd = r->readiness ? r->readiness() : Readiness{};
    metrics::ops().ready.set(rd.ready ? 1 : 0);
    if (rd.ready) {
      respond(Response::json(200, R"({"status":"ready"})"));
      return;
    }
    std::string body = R"({"status":"not ready","reason":)";
    json::write_string(body, rd.reason);
    body += '}';
    Response res = Response::json(503, std::move(body));
    res.headers.emplace_back("Retry-After", "5");
    res.headers.emplace_back("Cache-Control", "no-store");
    respond(std::move(res));
  });
}

}  // namespace engage::http
