#!/usr/bin/env bash
# The four test scenarios of SCALABILITY_GUIDE.md, engage vs the Node baseline on a local Redis:
# 1. 1,000 concurrent connections  2. 500 simultaneous chess games (1 move/s each)
# 3. rapid room creation/joining (create, join by code, 2 plies, resign, again — games/s)
# 4. high move frequency (500 games, one ply every 20 ms each = 25,000 moves/s offered).
# Usage: DURATION=10 bench/load-scenarios.sh
source "$(dirname "$0")/load_lib.sh"
DURATION="${DURATION:-10}"
machine_line

# scenario NAME ARGS...: runs it on engage and on the baseline; sets E_JSON and B_JSON.
scenario() {
  local name="$1"; shift
  start_redis; start_engage
  run_load "scenario-$name-engage" --url "ws://127.0.0.1:$ENGAGE_PORT" --server-pid "$ENGAGE_PID" --duration "$DURATION" -q "$@" 2>/dev/null
  E_JSON="$LAST_JSON"; stop_pid "$ENGAGE_PID"; stop_pid "$REDIS_PID"
  B_JSON='{}'
  if [ "$SKIP_BASELINE" != 1 ]; then
    start_redis; start_baseline
    run_load "scenario-$name-baseline" --url "ws://127.0.0.1:$BASELINE_PORT" --server-pid "$BASELINE_PID" --duration "$DURATION" -q "$@" 2>/dev/null
    B_JSON="$LAST_JSON"; stop_pid "$BASELINE_PID"; stop_pid "$REDIS_PID"
  fi
}
e() { LAST_JSON="$E_JSON" jf "$1"; }
b() { LAST_JSON="$B_JSON" jf "$1"; }
pair() { row "$1" "$(e "$2")" "$(b "$2")" "${3:-}" "${4:-}" "${5:-}"; }

scenario connections --idle 1000 --idle-namespace /play-along --ramp 2000 --warmup 1
header "1. 1,000 concurrent connections (/play-along, idle)"
pair "connected" .connections.connected
pair "failed" .connections.failed
pair "connect p99 (ms)" .connections.connect_ms.p99 "$(ratio "$(b .connections.connect_ms.p99)" "$(e .connections.connect_ms.p99)")x"
pair "server RSS connected (KiB)" .server.rss_connected_kib "$(ratio "$(b .server.rss_connected_kib)" "$(e .server.rss_connected_kib)")x"

scenario games --games 500 --move-interval 1000 --ramp 2000 --warmup 3
header "2. 500 simultaneous chess games, 1 move/s each"
pair "moves/s" .moves.per_s
pair "round trip p50 (ms)" .move_rtt_ms.p50 "$(ratio "$(b .move_rtt_ms.p50)" "$(e .move_rtt_ms.p50)")x"
pair "round trip p99 (ms)" .move_rtt_ms.p99 "$(ratio "$(b .move_rtt_ms.p99)" "$(e .move_rtt_ms.p99)")x"
pair "server CPU (% of one core)" .server.cpu_pct "$(ratio "$(b .server.cpu_pct)" "$(e .server.cpu_pct)")x"
pair "errors" .errors.total

scenario rooms --games 200 --max-plies 2 --move-interval 0 --ramp 2000 --warmup 2
header "3. rapid room creation/joining (200 pairs: create, join by code, 2 plies, resign)"
games_s() { awk -v g="$1" -v d="$2" 'BEGIN{ if (g=="-"||d=="-"||d==0) print "-"; else printf "%.0f\n", g/d }'; }
eg="$(games_s "$(e .games.finished)" "$(e .measured_s)")"; bg="$(games_s "$(b .games.finished)" "$(b .measured_s)")"
row "games (rooms) completed per second" "$eg" "$bg" "$(ratio "$eg" "$bg")x" "" ""
pair "move round trip p99 (ms)" .move_rtt_ms.p99 "$(ratio "$(b .move_rtt_ms.p99)" "$(e .move_rtt_ms.p99)")x"
pair "errors" .errors.total
if [ "$(e .errors.total)" != 0 ]; then echo "engage errors: $(jq -c .errors.by_message <<<"$E_JSON")"; fi

scenario frequency --games 500 --move-interval 20 --ramp 2000 --warmup 2
header "4. high move frequency (500 games, a ply every 20 ms per game = 25,000/s offered)"
pair "moves/s" .moves.per_s "$(ratio "$(e .moves.per_s)" "$(b .moves.per_s)")x"
pair "round trip p50 (ms)" .move_rtt_ms.p50 "$(ratio "$(b .move_rtt_ms.p50)" "$(e .move_rtt_ms.p50)")x"
pair "round trip p99 (ms)" .move_rtt_ms.p99 "$(ratio "$(b .move_rtt_ms.p99)" "$(e .move_rtt_ms.p99)")x"
pair "server CPU per move (us)" .server.cpu_us_per_move "$(ratio "$(b .server.cpu_us_per_move)" "$(e .server.cpu_us_per_move)")x"
pair "errors" .errors.total
