// install_engage: builds the store and the ENGAGE service for the server's main, and runs the
// periodic expiry sweep on loop 0.
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "app/application.h"
#include "app/options.h"
#include "engage/service.h"
#include "net/loops.h"
#include "store/bus_adapter.h"
#include "store/factory.h"

namespace engage::app {

namespace {

// Everything the application owns for the life of the process (never destroyed: event loop
// threads may still run while static destructors would).
struct Installed {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<engage::Service> service;
  std::unique_ptr<boost::asio::steady_timer> timer;
};

void arm_sweep(Installed* app, int64_t every_ms) {
  app->timer->expires_after(std::chrono::milliseconds(every_ms));
  app->timer->async_wait([app, every_ms](const boost::system::error_code& ec) {
    if (ec) return;
    app->service->sweep();
    arm_sweep(app, every_ms);
  });
}

}  // namespace

void install_engage(Context& ctx) {
  store::StoreConfig cfg;
  cfg.redis_url = ctx.options.redis_url;
  cfg.redis_cluster = ctx.options.redis_cluster;
  std::string error;
  auto store = store::make_store(cfg, ctx.loops, error);
  if (!store) {
    if (ctx.log) ctx.log("engage: cannot start the store: " + error);
    std::exit(2);  // configuration error: fail fast at start-up
  }
  static Installed* app = new Installed();
  app->store = std::move(store);
  // Issue 6: with a shared (Redis) store, room broadcasts cross instances over its pub/sub bus.
  // Installed before the server accepts, so no room membership predates it (CONTRACT §8.21).
  if (app->store->kind() != "memory") store::BusAdapter::install(*app->store, ctx.io);
  engage::Limits limits;
  app->service = std::make_unique<engage::Service>(ctx.io, *app->store, limits);
  engage::RestInfo info;
  if (ctx.options.engage_port_env)
    info.port = json::Value(*ctx.options.engage_port_env);
  else
    info.port = json::Value(static_cast<int64_t>(ctx.options.port));
  app->service->install(&ctx.router, std::move(info));
  store::Store* st = app->store.get();
  ctx.store_ready = [st] { return st->state() == store::State::Up; };
  app->timer = std::make_unique<boost::asio::steady_timer>(ctx.loops.context(0));
  arm_sweep(app, limits.sweep_interval_ms);
  if (ctx.log)
    ctx.log(std::string("engage: /play-along /watch-along /sing-along and REST ready (store: ") +
            std::string(app->store->kind()) + ")");
}

}  // namespace engage::app
