// Service: the whole ENGAGE application over one Store and one Socket.IO server — the three
// namespaces, the REST routes and the periodic expiry sweep, wired together.
#pragma once

#include <memory>

#include "engage/env.h"
#include "engage/play_along.h"
#include "engage/rest_api.h"
#include "engage/sync_room.h"

namespace engage::engage {

class Service {
 public:
  Service(sio::Server& io, store::Store& store, Limits limits = {}, Identity identity = Identity(),
          Hooks hooks = {})
      : env_(io, store, limits, std::move(identity), std::move(hooks)),
        play_(env_),
        watch_(env_, watch_names()),
        sing_(env_, sing_names()) {}

  // Registers /play-along, /watch-along and /sing-along on the Socket.IO server, and the REST
  // routes on `router` when given.
  void install(http::Router* router, RestInfo info = {}) {
    env_.io.add_namespace(kChessNsp, play_.handlers());
    env_.io.add_namespace(watch_.names().nsp, watch_.handlers());
    env_.io.add_namespace(sing_.names().nsp, sing_.handlers());
    if (router) install_rest(*router, env_, play_, watch_, sing_, std::move(info));
  }
  // Runs one expiry sweep (call every Limits::sweep_interval_ms).
  void sweep() { env_.sweep(); }

  Env& env() { return env_; }
  PlayAlong& play() { return play_; }
  SyncRooms& watch() { return watch_; }
  SyncRooms& sing() { return sing_; }

 private:
  Env env_;
  PlayAlong play_;
  SyncRooms watch_;
  SyncRooms sing_;
};

}  // namespace engage::engage
