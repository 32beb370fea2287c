// What the application (src/engage) receives to install itself: loops, Socket.IO server, router.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/router.h"
#include "socketio/server.h"

namespace engage::net {
class Loops;
}
namespace engage::store {
class Store;
}

namespace engage::app {

struct Options;

struct Context {
  net::Loops& loops;
  sio::Server& io;
  http::Router& router;
  const Options& options;
  std::function<void(std::string_view)> log;        // one line to the server log (info level)
  std::function<void(std::string_view)> log_error;  // one line at error level (start-up failures)
  // Set by the application: whether its store is reachable (GET / and /health report it as
  // "redis": "connected" | "disconnected"). Unset: embedded store → connected.
  std::function<bool()> store_ready = {};
  // Set by the application (issue 8): its store (the per-address connection limit shares it
  // across instances), and a refresh of the gauges it owns (rooms) run before /metrics and
  // the stats line; it returns the number of rooms with members here.
  store::Store* store = nullptr;
  std::function<std::size_t()> refresh_metrics = {};
};

// Registers the ENGAGE namespaces and REST routes. Defined by the application (target
// engage_app); main calls it before registering the built-in routes, so the app's win.
void install_engage(Context& ctx);

}  // namespace engage::app
