#!/usr/bin/env bash
# Measures engage-server CPU per move at saturation (issue 7): 50 closed-loop games for 10 s,
# on Redis and on the embedded store, RUNS times each (fresh server and Redis per run); prints
# each run (with the machine's load average before it) and the medians.
# Usage: ENGAGE_SERVER=build-hot/engage-server ENGAGE_LOAD=build-hot/engage-load bench/load-cpu-per-move.sh
source "$(dirname "$0")/load_lib.sh"
GAMES="${GAMES:-50}"
DURATION="${DURATION:-10}"
STORES="${STORES:-redis embedded}"
# Rate limits off: a closed loop plays (and restarts games) far faster than a person.
ENGAGE_ARGS="${ENGAGE_ARGS:---rate-moves-per-minute 0 --rate-events-per-second 0 --rate-rooms-per-hour 0}"
machine_line
for store in $STORES; do
  cpu=()
  for run in $(seq "$RUNS"); do
    before="$(cut -d' ' -f1-3 /proc/loadavg)"
    REDIS_PORT=""
    [ "$store" = redis ] && start_redis
    start_engage
    run_load "cpu-per-move-$store" --url "ws://127.0.0.1:$ENGAGE_PORT" --server-pid "$ENGAGE_PID" \
      --games "$GAMES" --move-interval 0 --duration "$DURATION" -q 2>/dev/null
    stop_pid "$ENGAGE_PID"
    [ "$store" = redis ] && stop_pid "$REDIS_PID"
    c="$(jf .server.cpu_us_per_move)"
    cpu+=("$c")
    printf '%-8s run %d: %8s us/move  %7s moves/s  server cpu %6s s  errors %s  load before %s\n' \
      "$store" "$run" "$c" "$(jf .moves.per_s)" "$(jf .server.cpu_s)" "$(jf .errors.measured)" "$before"
  done
  printf '%-8s median: %s us/move\n' "$store" "$(median "${cpu[@]}")"
done
