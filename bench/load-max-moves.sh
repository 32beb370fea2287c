#!/usr/bin/env bash
# Sustained moves/s: GAMES games at increasing offered rates (the move interval per game shrinks)
# and finally as fast as replies come (closed loop), engage vs the Node baseline, each on its own
# local Redis, 2 cores shared by server, Redis and load generator. Reports the highest rate with
# p99 ≤ 10 ms and the ratio to the baseline's saturated throughput (DESIGN.md: ≥ 10× the
# original in the same run, p99 ≤ 10 ms; original 4,100–4,800 moves/s, p50 42 ms; server CPU per
# move ≤ 15 µs). Also writes latency-vs-load.dat for bench/load-plot.sh.
# Usage: GAMES=1000 DURATION=8 RATES="2000 5000 10000 20000 40000" bench/load-max-moves.sh
source "$(dirname "$0")/load_lib.sh"
GAMES="${GAMES:-1000}"
DURATION="${DURATION:-8}"
RATES="${RATES:-1000 2000 5000 10000 20000 30000 40000 60000}"
P99_LIMIT="${P99_LIMIT:-10}"
machine_line
DAT="$BENCH_OUT/latency-vs-load.dat"
: >"$DAT.tmp"

# sweep NAME URL PID: prints one row per rate, appends to the .dat, sets BEST and SAT*.
sweep() {
  local name="$1" url="$2" pid="$3" rate interval got p50 p99 cpu
  BEST="-"; BEST_P99="-"; BEST_CPU="-"; SAT="-"; SAT_P50="-"; SAT_P99="-"; SAT_CPU="-"
  local skip=0
  printf '\n%s: %s games, offered rate → achieved moves/s, round trip (ms), server CPU/move (us)\n' "$name" "$GAMES"
  printf '%10s %12s %10s %10s %10s %8s\n' offered achieved p50 p99 p99.9 cpu_us
  for rate in $RATES closed; do
    [ "$skip" = 1 ] && [ "$rate" != closed ] && continue
    if [ "$rate" = closed ]; then interval=0; else interval=$(awk -v g="$GAMES" -v r="$rate" 'BEGIN{printf "%.3f", g*1000/r}'); fi
    run_load "max-moves-$name-$rate" --url "$url" --server-pid "$pid" --games "$GAMES" \
      --move-interval "$interval" --duration "$DURATION" --warmup 2 --ramp 3000 -q 2>/dev/null
    got="$(jf .moves.per_s)"; p50="$(jf .move_rtt_ms.p50)"; p99="$(jf .move_rtt_ms.p99)"
    cpu="$(jf .server.cpu_us_per_move)"
    printf '%10s %12s %10s %10s %10s %8s  errors %s\n' "$rate" "$got" "$p50" "$p99" "$(jf .move_rtt_ms.p999)" "$cpu" "$(jf .errors.total)"
    [ "$got" != "-" ] && echo "$name $rate $got $p50 $p99" >>"$DAT.tmp"
    if [ "$rate" = closed ]; then SAT="$got"; SAT_P50="$p50"; SAT_P99="$p99"; SAT_CPU="$cpu"; continue; fi
    if [ "$p99" != "-" ] && awk -v p="$p99" -v l="$P99_LIMIT" 'BEGIN{exit !(p <= l)}'; then
      if [ "$BEST" = "-" ] || awk -v a="$got" -v b="$BEST" 'BEGIN{exit !(a > b)}'; then BEST="$got"; BEST_P99="$p99"; BEST_CPU="$cpu"; fi
    fi
    # Far past saturation: the next rates only repeat the closed-loop run.
    if [ "$got" != "-" ] && awk -v g="$got" -v r="$rate" 'BEGIN{exit !(g < 0.6 * r)}'; then
      printf '%10s (saturated; higher offered rates skipped)\n' ""
      skip=1
    fi
  done
}

start_redis; start_engage
sweep engage "ws://127.0.0.1:$ENGAGE_PORT" "$ENGAGE_PID"
E_BEST="$BEST"; E_BEST_P99="$BEST_P99"; E_BEST_CPU="$BEST_CPU"; E_SAT="$SAT"; E_SAT_P50="$SAT_P50"; E_SAT_P99="$SAT_P99"; E_SAT_CPU="$SAT_CPU"
stop_pid "$ENGAGE_PID"; stop_pid "$REDIS_PID"
B_SAT="-"; B_SAT_P50="-"; B_SAT_P99="-"; B_SAT_CPU="-"; B_BEST="-"
if [ "$SKIP_BASELINE" != 1 ]; then
  start_redis; start_baseline
  sweep baseline "ws://127.0.0.1:$BASELINE_PORT" "$BASELINE_PID"
  B_BEST="$BEST"; B_SAT="$SAT"; B_SAT_P50="$SAT_P50"; B_SAT_P99="$SAT_P99"; B_SAT_CPU="$SAT_CPU"
  stop_pid "$BASELINE_PID"; stop_pid "$REDIS_PID"
fi
mv "$DAT.tmp" "$DAT"

header "sustained moves/s, $GAMES games, Redis, 2 shared cores"
row "max moves/s with p99 <= $P99_LIMIT ms" "$E_BEST" "$B_BEST" "$(ratio "$E_BEST" "$B_BEST")x" "" ""
row "  p99 there (ms) / server CPU per move (us)" "$E_BEST_P99 / $E_BEST_CPU" "" "" "" ""
row "saturated (closed loop) moves/s" "$E_SAT" "$B_SAT" "$(ratio "$E_SAT" "$B_SAT")x" "" ""
row "  p50 / p99 at saturation (ms)" "$E_SAT_P50 / $E_SAT_P99" "$B_SAT_P50 / $B_SAT_P99" "" "" ""
row "engage max(p99<=10ms) / baseline saturated" "$E_BEST" "$B_SAT" "$(ratio "$E_BEST" "$B_SAT")x" ">= 10x" "$(awk -v r="$(ratio "$E_BEST" "$B_SAT")" 'BEGIN{ if (r=="-") print "-"; else print (r+0 >= 10) ? "met" : "MISSED" }')"
row "server CPU per move at saturation (us)" "$E_SAT_CPU" "$B_SAT_CPU" "$(ratio "$B_SAT_CPU" "$E_SAT_CPU")x" "<= 15 us" "$(verdict_le "$E_SAT_CPU" 15)"
echo "data for the plot: $DAT (bench/load-plot.sh draws it)"
