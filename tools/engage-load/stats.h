// Stats: the counters and histograms a load worker keeps, mergeable across workers and
// serialisable to JSON (how processes ship them to the conductor).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/json.h"
#include "histogram.h"

namespace engage::load {

struct Counters {
  uint64_t connects_ok = 0;      // Socket.IO CONNECT acknowledged
  uint64_t connects_failed = 0;  // TCP, HTTP, upgrade or CONNECT_ERROR failures
  uint64_t disconnects = 0;      // connected clients that lost their connection
  uint64_t games_started = 0;    // game_start received by white
  uint64_t games_finished = 0;   // game_over received by white
  uint64_t moves_sent = 0;
  uint64_t moves_acked = 0;     // own move_update received
  uint64_t syncs_sent = 0;      // host play/pause events
  uint64_t syncs_received = 0;  // member sync_* events
  uint64_t syncs_missed = 0;    // members that had not received a sync when the next was sent
  uint64_t errors = 0;          // error events + protocol/transport failures
};

class Stats {
 public:
  Counters c;
  std::map<std::string, uint64_t, std::less<>> errors;  // by message
  Histogram move_rtt;                                   // emit make_move → own move_update, ns
  Histogram fanout;       // host emit → each member's sync event, ns
  Histogram fanout_last;  // host emit → the last member's sync event, ns (per event)
  Histogram connect;      // TCP connect → Socket.IO CONNECT acknowledged, ns

  void add_error(std::string_view message, uint64_t n = 1);
  void merge(const Stats& other);
  void reset();
  json::Value to_json() const;
  // Adds the content of a to_json() value; ignores malformed parts.
  void add_json(const json::Value& v);
};

// Returns {"count","mean","p50","p90","p99","p999","max"} in milliseconds for a ns histogram.
json::Value summary_ms(const Histogram& h);
// Returns a number rounded to `digits` decimals (keeps JSON lines short and readable).
double round_to(double v, int digits);

}  // namespace engage::load
