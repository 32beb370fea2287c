// Options of engage-load: every knob of a load run, with its default (see `--help`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace engage::load {

struct Options {
  std::vector<std::string> urls{"ws://127.0.0.1:3002"};  // several = several instances
  std::string path = "/socket.io/";
  std::string transport = "websocket";  // or "polling"
  int games = 0;                        // chess games (two clients each)
  int idle = 0;                         // idle clients (connect, answer pings, nothing else)
  std::string idle_namespace = "/play-along";
  bool echo = false;    // idle clients emit `message` and time `message-back`
                        // (engage-server --conformance, namespace "/")
  int watch_rooms = 0;  // watch-along rooms (one host + watch_members each)
  int watch_members = 0;
  double move_interval_ms = 1000;  // time between two plies of one game (0 = at once)
  double sync_interval_ms = 1000;  // time between two host play/pause events of a room
  int max_plies = 0;               // resign after this many plies (0 = play to the end)
  double ramp = 0;                 // new connections per second, all processes (0 = no cap)
  int connect_concurrency = 256;   // handshakes in flight per process
  double ramp_timeout_s = 60;      // stop waiting for the ramp after this long
  double warmup_s = 1;             // after the ramp, before measuring
  double duration_s = 10;          // measured time
  double move_timeout_ms = 10000;  // a move not acknowledged by then restarts its game
  double max_time_s = 0;           // hard stop (0 = ramp_timeout + warmup + duration + 30)
  int processes = 1;               // load processes (each holds ≤ ~19,900 sockets)
  std::vector<int> server_pids;    // sampled for RSS and CPU
  std::string user_prefix;         // userId prefix (default "load<pid>-")
  std::string label;               // copied into the JSON line
  bool spread = false;             // put a game's two players on different instances
  bool allow_remote = false;       // allow non-loopback targets
  bool quiet = false;              // no progress lines
  uint64_t seed = 1;
  std::size_t max_message_bytes = 1000000;
};

}  // namespace engage::load
