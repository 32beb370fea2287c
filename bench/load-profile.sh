#!/usr/bin/env bash
# Profiles engage-server under load: runs engage-load (arguments after "--", default: 1,000 games
# at a ply every 100 ms per game) against an engage on a local Redis while `perf record -g`
# samples the server, then prints the hottest symbols (self time) and the load result.
# Usage: bench/load-profile.sh [-- engage-load options]   (PERF_SECONDS=10 by default)
source "$(dirname "$0")/load_lib.sh"
need perf
PERF_SECONDS="${PERF_SECONDS:-10}"
shift_args=("$@"); [ "${1:-}" = "--" ] && shift_args=("${@:2}")
[ ${#shift_args[@]} -gt 0 ] || shift_args=(--games 1000 --move-interval 100)
machine_line
start_redis; start_engage
data="$BENCH_OUT/perf-engage.data"
"$ENGAGE_LOAD" --url "ws://127.0.0.1:$ENGAGE_PORT" --server-pid "$ENGAGE_PID" --warmup 2 \
  --duration "$((PERF_SECONDS + 4))" --label profile "${shift_args[@]}" -q >"$BENCH_OUT/profile.json" 2>/dev/null &
load_pid=$!
_PIDS+=("$load_pid")
sleep 5
perf record -F 999 -g -p "$ENGAGE_PID" -o "$data" -- sleep "$PERF_SECONDS" >/dev/null 2>&1 || true
wait "$load_pid" || true
LAST_JSON="$(tail -1 "$BENCH_OUT/profile.json")"
echo "load: $(jq -c '{moves_per_s:.moves.per_s, rtt:.move_rtt_ms, server:.server}' <<<"$LAST_JSON")"
echo "hottest symbols in engage-server (self time):"
perf report -i "$data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -${TOP:-30}
stop_pid "$ENGAGE_PID"; stop_pid "$REDIS_PID"
