#!/usr/bin/env bash
# One engage process holding 19,000 clients (this machine's fd limit is 20,000) with 9,500 live
# games at MOVE_MS per ply each (default 1,000 ms → 9,500 moves/s offered), on a local Redis.
# The load is spread over 2 load processes. DESIGN.md: 19,000 connections with 9,500 live games
# (the original capped itself at 2,000). Usage: DURATION=30 bench/load-19k.sh
source "$(dirname "$0")/load_lib.sh"
GAMES="${GAMES:-9500}"
MOVE_MS="${MOVE_MS:-1000}"
DURATION="${DURATION:-30}"
machine_line
start_redis; start_engage
run_load "19k-engage" --url "ws://127.0.0.1:$ENGAGE_PORT" --server-pid "$ENGAGE_PID" -p 2 \
  --games "$GAMES" --move-interval "$MOVE_MS" --ramp 3000 --connect-concurrency 500 \
  --ramp-timeout 120 --warmup 5 --duration "$DURATION"
stop_pid "$ENGAGE_PID"; stop_pid "$REDIS_PID"
header "one process: $((GAMES * 2)) clients, $GAMES games, a ply every $MOVE_MS ms per game"
row "clients connected (target $((GAMES * 2)))" "$(jf .connections.connected)" "" "" ">= 19000" "$(verdict_ge "$(jf .connections.connected)" 19000)"
row "games started during measurement" "$(jf .games.started)" "" "" "" ""
row "moves/s acknowledged" "$(jf .moves.per_s)" "" "" "" ""
row "round trip p50 / p99 / max (ms)" "$(jf .move_rtt_ms.p50) / $(jf .move_rtt_ms.p99) / $(jf .move_rtt_ms.max)" "" "" "" ""
row "server RSS connected / end (MiB)" "$(awk -v a="$(jf .server.rss_connected_kib)" -v b="$(jf .server.rss_end_kib)" 'BEGIN{printf "%.0f / %.0f", a/1024, b/1024}')" "" "" "" ""
row "server CPU (% of one core) / per move (us)" "$(jf .server.cpu_pct) / $(jf .server.cpu_us_per_move)" "" "" "" ""
row "errors / disconnects" "$(jf .errors.total) / $(jf .connections.disconnects)" "" "" "" ""
