#!/usr/bin/env bash
# Memory per idle connected client: CLIENTS WebSocket clients on /play-along (one namespace,
# nothing sent after the handshake), server RSS before the first connection and once all are
# connected, engage vs the Node baseline (both on a local Redis). DESIGN.md: ≤ 2 KiB per client
# and RSS at start ≤ 10 MiB (original ≈ 8.5 KiB, 100 MiB at start).
# Usage: CLIENTS=10000 RUNS=3 bench/load-idle-memory.sh
source "$(dirname "$0")/load_lib.sh"
CLIENTS="${CLIENTS:-10000}"
machine_line
common=(--idle "$CLIENTS" --idle-namespace /play-along --ramp 5000 --connect-concurrency 500 --warmup 2 --duration 3 --ramp-timeout 120 -q)
declare -a eper estart econn bper bstart bconn
for run in $(seq "$RUNS"); do
  start_redis; start_engage; sleep 0.5
  run_load "idle-memory-engage" --url "ws://127.0.0.1:$ENGAGE_PORT" --server-pid "$ENGAGE_PID" "${common[@]}" 2>/dev/null
  eper+=("$(jf .server.rss_per_client_kib)"); estart+=("$(jf .server.rss_start_kib)"); econn+=("$(jf .connections.connected_at_ramp)")
  stop_pid "$ENGAGE_PID"; stop_pid "$REDIS_PID"
  if [ "$SKIP_BASELINE" != 1 ]; then
    start_redis; start_baseline; sleep 1
    run_load "idle-memory-baseline" --url "ws://127.0.0.1:$BASELINE_PORT" --server-pid "$BASELINE_PID" "${common[@]}" 2>/dev/null
    bper+=("$(jf .server.rss_per_client_kib)"); bstart+=("$(jf .server.rss_start_kib)"); bconn+=("$(jf .connections.connected_at_ramp)")
    stop_pid "$BASELINE_PID"; stop_pid "$REDIS_PID"
  fi
done
m() { median "$@"; }
mib() { awk -v k="$1" 'BEGIN{ if (k=="-") print "-"; else printf "%.1f\n", k/1024 }'; }
header "memory per idle client, $CLIENTS WebSocket clients on /play-along, medians of $RUNS runs"
row "clients connected" "$(m "${econn[@]}")" "$(m "${bconn[@]+"${bconn[@]}"}")" "" "" ""
row "RSS at start (MiB)" "$(mib "$(m "${estart[@]}")")" "$(mib "$(m "${bstart[@]+"${bstart[@]}"}")")" "$(ratio "$(m "${bstart[@]+"${bstart[@]}"}")" "$(m "${estart[@]}")")x" "<= 10 MiB" "$(verdict_le "$(mib "$(m "${estart[@]}")")" 10)"
row "RSS per idle client (KiB)" "$(m "${eper[@]}")" "$(m "${bper[@]+"${bper[@]}"}")" "$(ratio "$(m "${bper[@]+"${bper[@]}"}")" "$(m "${eper[@]}")")x" "<= 2 KiB" "$(verdict_le "$(m "${eper[@]}")" 2)"
