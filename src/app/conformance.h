// --conformance mode: the endpoints the official Engine.IO / Socket.IO protocol suites expect.
#pragma once

#include "engineio/server.h"
#include "socketio/server.h"

namespace engage::app {

// Registers "/" (emits "auth", echoes "message" as "message-back", acks "message-with-ack")
// and "/custom" (emits "auth") on `io` (PROTOCOL.md §4).
void install_conformance(sio::Server& io);

// Returns the open callback of the raw Engine.IO echo endpoint (/engine.io/): every message
// received, text or binary, is sent back unchanged.
eio::OpenCallback echo_open_callback();

}  // namespace engage::app
