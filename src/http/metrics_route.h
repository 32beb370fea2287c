// GET /metrics (Prometheus text format) and GET /ready (load-balancer readiness) routes.
#pragma once

#include <functional>
#include <string>

#include "http/router.h"

namespace engage::metrics {
class Registry;
}

namespace engage::http {

// Why this instance should not receive traffic now; empty reason = ready.
struct Readiness {
  bool ready = true;
  std::string reason;  // "draining", "store unavailable"
};

struct OpsRoutes {
  metrics::Registry* registry = nullptr;  // nullptr = metrics::Registry::global()
  std::function<Readiness()> readiness;   // absent = /ready is not registered here
  // Runs just before each scrape (refresh gauges that are read from other objects).
  std::function<void()> before_scrape;
};

// Registers GET /metrics (200, text/plain; version=0.0.4) and, when `readiness` is given, GET
// /ready (200 {"status":"ready"} or 503 {"status":"not ready","reason":...} with Retry-After).
void install_ops_routes(Router& router, OpsRoutes routes);

// Returns the Prometheus exposition content type.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace engage::http
