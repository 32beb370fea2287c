// The REST door (CONTRACT.md §3, the V7 route set): informational routes, /api/chess/*,
// /api/watch/* and /api/sing/*, over the same rooms as the Socket.IO namespaces.
#pragma once

#include <string>

#include "core/json.h"
#include "engage/env.h"
#include "engage/play_along.h"
#include "engage/sync_room.h"
#include "http/router.h"

namespace engage::engage {

struct RestInfo {
  json::Value port = 3002;  // GET / reports ENGAGE_PORT verbatim (a string) or the number 3002
};

// Registers every route on `router`. The handlers answer JSON, never throw, and broadcast to
// the rooms' sockets exactly like the socket door.
void install_rest(http::Router& router, Env& env, PlayAlong& play, SyncRooms& watch,
                  SyncRooms& sing, RestInfo info);

// Parses a REST body: {} when empty; 413 past the limit; 400 for malformed JSON or a body
// that is not an object (arrays count as {} as express.json() let them through).
Expected<json::Value, ApiError> parse_body(const http::Request& req, const Limits& lim);

}  // namespace engage::engage
