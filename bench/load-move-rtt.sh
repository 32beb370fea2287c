#!/usr/bin/env bash
# Move round trip (emit make_move → own move_update) at GAMES games × 1 move/s, engage vs the
# Node baseline, both on their own local Redis, same load generator, RUNS alternating runs each.
# DESIGN.md targets: 1,000 games p99 ≤ 1 ms (original p50 0.7, p99 14.3 ms); 2,500 games p99
# ≤ 2 ms (original p99 52–58 ms). Usage: GAMES=1000 DURATION=20 RUNS=3 bench/load-move-rtt.sh
source "$(dirname "$0")/load_lib.sh"
GAMES="${GAMES:-1000}"
DURATION="${DURATION:-20}"
INTERVAL="${INTERVAL:-1000}"
TARGET_P99="${TARGET_P99:-$([ "$GAMES" -ge 2500 ] && echo 2 || echo 1)}"
machine_line
tag="move-rtt-${GAMES}g"
common=(--games "$GAMES" --move-interval "$INTERVAL" --duration "$DURATION" --warmup 3 --ramp 2000 -p 1 -q)

declare -a e50 e99 e999 ecpu b50 b99 b999 bcpu erate brate
for run in $(seq "$RUNS"); do
  start_redis
  start_engage
  run_load "$tag-engage" --url "ws://127.0.0.1:$ENGAGE_PORT" --server-pid "$ENGAGE_PID" "${common[@]}"
  e50+=("$(jf .move_rtt_ms.p50)"); e99+=("$(jf .move_rtt_ms.p99)")
  e999+=("$(jf .move_rtt_ms.p999)"); ecpu+=("$(jf .server.cpu_us_per_move)")
  erate+=("$(jf .moves.per_s)")
  echo "run $run engage:   $(jq -c '{moves:.moves.per_s, rtt:.move_rtt_ms, errors:.errors.total, cpu_us_per_move:.server.cpu_us_per_move}' <<<"$LAST_JSON")" >&2
  stop_pid "$ENGAGE_PID"; stop_pid "$REDIS_PID"
  if [ "$SKIP_BASELINE" != 1 ]; then
    start_redis
    start_baseline
    run_load "$tag-baseline" --url "ws://127.0.0.1:$BASELINE_PORT" --server-pid "$BASELINE_PID" "${common[@]}"
    b50+=("$(jf .move_rtt_ms.p50)"); b99+=("$(jf .move_rtt_ms.p99)")
    b999+=("$(jf .move_rtt_ms.p999)"); bcpu+=("$(jf .server.cpu_us_per_move)")
    brate+=("$(jf .moves.per_s)")
    echo "run $run baseline: $(jq -c '{moves:.moves.per_s, rtt:.move_rtt_ms, errors:.errors.total, cpu_us_per_move:.server.cpu_us_per_move}' <<<"$LAST_JSON")" >&2
    stop_pid "$BASELINE_PID"; stop_pid "$REDIS_PID"
  fi
done

m() { median "$@"; }
header "move round trip, $GAMES games x $((1000 / INTERVAL)) move/s, Redis, medians of $RUNS runs (ms)"
row "moves/s acknowledged" "$(m "${erate[@]}")" "$(m "${brate[@]+"${brate[@]}"}")" "" "" ""
row "p50" "$(m "${e50[@]}")" "$(m "${b50[@]+"${b50[@]}"}")" "$(ratio "$(m "${b50[@]+"${b50[@]}"}")" "$(m "${e50[@]}")")x" "" ""
row "p99" "$(m "${e99[@]}")" "$(m "${b99[@]+"${b99[@]}"}")" "$(ratio "$(m "${b99[@]+"${b99[@]}"}")" "$(m "${e99[@]}")")x" "<= $TARGET_P99 ms" "$(verdict_le "$(m "${e99[@]}")" "$TARGET_P99")"
row "p99.9" "$(m "${e999[@]}")" "$(m "${b999[@]+"${b999[@]}"}")" "$(ratio "$(m "${b999[@]+"${b999[@]}"}")" "$(m "${e999[@]}")")x" "" ""
row "server CPU per move (us)" "$(m "${ecpu[@]}")" "$(m "${bcpu[@]+"${bcpu[@]}"}")" "$(ratio "$(m "${bcpu[@]+"${bcpu[@]}"}")" "$(m "${ecpu[@]}")")x" "<= 15 us" "$(verdict_le "$(m "${ecpu[@]}")" 15)"
echo "raw JSON lines: $BENCH_OUT/$tag-*.json"
