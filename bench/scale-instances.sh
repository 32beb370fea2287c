#!/usr/bin/env bash
# Horizontal scale on one machine: moves/s and move round trip with 1, 2 and 3 engage-server
# instances on one local Redis, the two players of every game on different instances (--spread,
# so every move_update crosses Redis pub/sub to reach the opponent). Two runs per instance
# count: closed loop (each game moves as soon as its reply arrives → saturated moves/s) and a
# fixed offered rate (GAMES games at one move per INTERVAL ms → p99 at a moderate load).
# Usage: GAMES=200 RATE_GAMES=500 DURATION=8 THREADS=1 bench/scale-instances.sh
source "$(dirname "$0")/load_lib.sh"
GAMES="${GAMES:-200}"            # closed-loop games
RATE_GAMES="${RATE_GAMES:-500}"  # games of the fixed-rate run
INTERVAL="${INTERVAL:-1000}"     # ms between two plies of one game in the fixed-rate run
DURATION="${DURATION:-8}"
THREADS="${THREADS:-1}"          # event loops per instance
COUNTS="${COUNTS:-1 2 3}"
machine_line

printf '\n%9s %10s %12s %9s %9s %9s   %12s %9s %9s\n' instances games closed/s p50 p99 errors "fixed/s" p50 p99
for n in $COUNTS; do
  start_redis
  urls=(); pids=()
  for _ in $(seq "$n"); do
    ENGAGE_THREADS="$THREADS" start_engage
    urls+=(--url "ws://127.0.0.1:$ENGAGE_PORT"); pids+=(--server-pid "$ENGAGE_PID")
  done
  spread=(); [ "$n" -gt 1 ] && spread=(--spread)
  run_load "scale-$n-closed" "${urls[@]}" "${pids[@]}" "${spread[@]}" --games "$GAMES" \
    --move-interval 0 --duration "$DURATION" --warmup 2 --ramp 3000 -q 2>/dev/null
  c_rate="$(jf .moves.per_s)"; c_p50="$(jf .move_rtt_ms.p50)"; c_p99="$(jf .move_rtt_ms.p99)"; c_err="$(jf .errors.total)"
  run_load "scale-$n-fixed" "${urls[@]}" "${pids[@]}" "${spread[@]}" --games "$RATE_GAMES" \
    --move-interval "$INTERVAL" --duration "$DURATION" --warmup 2 --ramp 3000 -q 2>/dev/null
  f_rate="$(jf .moves.per_s)"; f_p50="$(jf .move_rtt_ms.p50)"; f_p99="$(jf .move_rtt_ms.p99)"
  printf '%9s %10s %12s %9s %9s %9s   %12s %9s %9s\n' "$n" "$GAMES" "$c_rate" "$c_p50" "$c_p99" "$c_err" "$f_rate" "$f_p50" "$f_p99"
  _cleanup
done
