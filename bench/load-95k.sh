#!/usr/bin/env bash
# Several engage instances on one Redis toward 95,000 clients and 47,500 moving games on this
# machine: INSTANCES servers (1 event loop each, 19,000 clients each), players of a game spread
# over different instances (--spread: moves cross the Redis bus), LOADPROCS load processes.
# DESIGN.md: 95,000 clients, 47,500 games moving. MOVE_MS sets the ply interval per game.
# Usage: INSTANCES=5 GAMES=47500 MOVE_MS=2000 DURATION=30 bench/load-95k.sh
source "$(dirname "$0")/load_lib.sh"
INSTANCES="${INSTANCES:-5}"
GAMES="${GAMES:-47500}"
MOVE_MS="${MOVE_MS:-2000}"
DURATION="${DURATION:-30}"
LOADPROCS="${LOADPROCS:-6}"
SPREAD="${SPREAD:---spread}"
machine_line
start_redis
urls=(); pids=()
for i in $(seq "$INSTANCES"); do
  ENGAGE_THREADS=1 start_engage
  urls+=("ws://127.0.0.1:$ENGAGE_PORT"); pids+=("$ENGAGE_PID")
done
run_load "95k-engage" --url "$(IFS=,; echo "${urls[*]}")" --server-pid "$(IFS=,; echo "${pids[*]}")" \
  -p "$LOADPROCS" --games "$GAMES" --move-interval "$MOVE_MS" $SPREAD --ramp 4000 \
  --connect-concurrency 300 --ramp-timeout 240 --warmup 5 --duration "$DURATION"
for p in "${pids[@]}"; do stop_pid "$p"; done
stop_pid "$REDIS_PID"
header "$INSTANCES instances on one Redis: $((GAMES * 2)) clients, $GAMES games, a ply every $MOVE_MS ms"
row "clients connected (target $((GAMES * 2)))" "$(jf .connections.connected)" "" "" ">= 95000" "$(verdict_ge "$(jf .connections.connected)" 95000)"
row "moves/s acknowledged" "$(jf .moves.per_s)" "" "" "" ""
row "round trip p50 / p99 / max (ms)" "$(jf .move_rtt_ms.p50) / $(jf .move_rtt_ms.p99) / $(jf .move_rtt_ms.max)" "" "" "" ""
row "servers' RSS end (MiB, sum)" "$(awk -v b="$(jf .server.rss_end_kib)" 'BEGIN{printf "%.0f", b/1024}')" "" "" "" ""
row "servers' CPU (% of one core, sum) / per move (us)" "$(jf .server.cpu_pct) / $(jf .server.cpu_us_per_move)" "" "" "" ""
row "errors / disconnects" "$(jf .errors.total) / $(jf .connections.disconnects)" "" "" "" ""
