#!/usr/bin/env bash
# Watch-along fan-out: one room, a host and MEMBERS members (default 5,000); the host sends
# play/pause every SYNC_MS; each event carries its send time, every member times its sync_*.
# DESIGN.md: every member has the sync event within 50 ms. engage vs the baseline, local Redis.
# Joining costs O(members²) participant_joined events (the contract), so the ramp is long.
# Usage: MEMBERS=5000 DURATION=15 bench/load-fanout.sh
source "$(dirname "$0")/load_lib.sh"
MEMBERS="${MEMBERS:-5000}"
DURATION="${DURATION:-15}"
SYNC_MS="${SYNC_MS:-1000}"
machine_line
common=(--watch-rooms 1 --watch-members "$MEMBERS" --sync-interval "$SYNC_MS" --duration "$DURATION"
        --warmup 2 --ramp 2000 --ramp-timeout "${RAMP_TIMEOUT:-240}" -q)
start_redis; start_engage
run_load "fanout-${MEMBERS}-engage" --url "ws://127.0.0.1:$ENGAGE_PORT" --server-pid "$ENGAGE_PID" "${common[@]}" 2>/dev/null
E_JSON="$LAST_JSON"; stop_pid "$ENGAGE_PID"; stop_pid "$REDIS_PID"
B_JSON='{}'
if [ "$SKIP_BASELINE" != 1 ]; then
  start_redis; start_baseline
  run_load "fanout-${MEMBERS}-baseline" --url "ws://127.0.0.1:$BASELINE_PORT" --server-pid "$BASELINE_PID" "${common[@]}" 2>/dev/null
  B_JSON="$LAST_JSON"; stop_pid "$BASELINE_PID"; stop_pid "$REDIS_PID"
fi
e() { LAST_JSON="$E_JSON" jf "$1"; }
b() { LAST_JSON="$B_JSON" jf "$1"; }
header "watch-along fan-out, 1 room x $MEMBERS members, a sync every $SYNC_MS ms"
row "members connected" "$(e .connections.connected)" "$(b .connections.connected)" "" "" ""
row "join phase (s)" "$(e .connections.ramp_s)" "$(b .connections.ramp_s)" "$(ratio "$(b .connections.ramp_s)" "$(e .connections.ramp_s)")x" "" ""
row "syncs sent / member events received" "$(e .syncs.sent) / $(e .syncs.received)" "$(b .syncs.sent) / $(b .syncs.received)" "" "" ""
row "member events missed" "$(e .syncs.missed)" "$(b .syncs.missed)" "" "" ""
row "each member: p50 / p99 (ms)" "$(e .syncs.fanout_ms.p50) / $(e .syncs.fanout_ms.p99)" "$(b .syncs.fanout_ms.p50) / $(b .syncs.fanout_ms.p99)" "" "" ""
row "last member of an event: p50 (ms)" "$(e .syncs.fanout_last_ms.p50)" "$(b .syncs.fanout_last_ms.p50)" "$(ratio "$(b .syncs.fanout_last_ms.p50)" "$(e .syncs.fanout_last_ms.p50)")x" "" ""
row "last member of an event: max (ms)" "$(e .syncs.fanout_last_ms.max)" "$(b .syncs.fanout_last_ms.max)" "$(ratio "$(b .syncs.fanout_last_ms.max)" "$(e .syncs.fanout_last_ms.max)")x" "<= 50 ms" "$(verdict_le "$(e .syncs.fanout_last_ms.max)" 50)"
