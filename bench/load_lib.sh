#!/usr/bin/env bash
# Helpers sourced by the bench/load-*.sh scenario scripts: start Redis, engage-server and the
# Node baseline on free loopback ports, run engage-load, stop every process by its PID (also on
# Ctrl-C), compute medians and ratios. Nothing here listens beyond 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENGAGE_LOAD="${ENGAGE_LOAD:-$ROOT/build/engage-load}"
ENGAGE_SERVER="${ENGAGE_SERVER:-$ROOT/build/engage-server}"
ENGAGE_ARGS="${ENGAGE_ARGS:-}"          # extra engage-server options (e.g. raised rate limits)
ENGAGE_THREADS="${ENGAGE_THREADS:-2}"
BASELINE_DIR="${BASELINE_DIR:-${TMPDIR:-/tmp}/engage-baseline}"
RUNS="${RUNS:-3}"                        # runs per configuration; medians are reported
BENCH_OUT="${BENCH_OUT:-$ROOT/bench/load-results}"
SKIP_BASELINE="${SKIP_BASELINE:-0}"
mkdir -p "$BENCH_OUT/logs"

_PIDS=()
_cleanup() {
  local pid
  for pid in "${_PIDS[@]}"; do stop_pid "$pid"; done
  _PIDS=()
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: missing $1" >&2; exit 2; }; }
need jq
need node
need redis-server
[ -x "$ENGAGE_LOAD" ] || { echo "bench: $ENGAGE_LOAD not built (make build)" >&2; exit 2; }

# Prints a free loopback TCP port.
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Stops one process: SIGTERM, up to 5 s, then SIGKILL.
stop_pid() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local keep=() p
  for p in "${_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  _PIDS=("${keep[@]+"${keep[@]}"}")
}

# Waits until 127.0.0.1:$1 accepts TCP connections (at most $2 seconds, default 15).
wait_port() {
  local port="$1" limit="${2:-15}" i
  for i in $(seq $((limit * 20))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench: nothing listening on $port after ${limit}s" >&2
  return 1
}

# Starts a private redis-server; sets REDIS_PORT and REDIS_PID.
start_redis() {
  REDIS_PORT="$(free_port)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --maxclients 20000 --loglevel warning >"$BENCH_OUT/logs/redis-$REDIS_PORT.log" 2>&1 &
  REDIS_PID=$!
  _PIDS+=("$REDIS_PID")
  wait_port "$REDIS_PORT"
}

# Starts engage-server on Redis (REDIS_PORT) or embedded when REDIS_PORT is empty; sets
# ENGAGE_PORT and ENGAGE_PID. Extra arguments go to the server.
start_engage() {
  ENGAGE_PORT="$(free_port)"
  local redis_args=()
  [ -n "${REDIS_PORT:-}" ] && redis_args=(--redis "redis://127.0.0.1:$REDIS_PORT")
  # shellcheck disable=SC2086
  "$ENGAGE_SERVER" --host 127.0.0.1 --port "$ENGAGE_PORT" --threads "$ENGAGE_THREADS" \
    --log-level warn "${redis_args[@]}" $ENGAGE_ARGS "$@" >"$BENCH_OUT/logs/engage-$ENGAGE_PORT.log" 2>&1 &
  ENGAGE_PID=$!
  _PIDS+=("$ENGAGE_PID")
  wait_port "$ENGAGE_PORT"
}

# Installs the baseline's npm dependencies into BASELINE_DIR (a copy of ../shared/baseline).
setup_baseline() {
  if [ ! -f "$BASELINE_DIR/node_modules/socket.io/package.json" ]; then
    local src
    for src in "$ROOT/../shared/baseline" /work/shared/baseline; do [ -f "$src/server.js" ] && break; done
    mkdir -p "$BASELINE_DIR"
    cp "$src/server.js" "$src/package.json" "$BASELINE_DIR/"
    (cd "$BASELINE_DIR" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# Starts the Node baseline on Redis (REDIS_PORT); sets BASELINE_PORT and BASELINE_PID.
start_baseline() {
  setup_baseline
  BASELINE_PORT="$(free_port)"
  (cd "$BASELINE_DIR" && exec env ENGAGE_PORT="$BASELINE_PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    node server.js) >"$BENCH_OUT/logs/baseline-$BASELINE_PORT.log" 2>&1 &
  BASELINE_PID=$!
  _PIDS+=("$BASELINE_PID")
  wait_port "$BASELINE_PORT"
}

# Runs engage-load with a label; the JSON line goes to $BENCH_OUT/<label>.json (appended) and
# to the variable LAST_JSON. Progress and the summary table stay on stderr.
run_load() {
  local label="$1"; shift
  local out
  out="$(timeout --kill-after=10 900 "$ENGAGE_LOAD" --label "$label" "$@" | tail -1)" || true
  if ! jq -e . >/dev/null 2>&1 <<<"$out"; then
    echo "bench: engage-load gave no JSON for $label" >&2
    out='{}'
  fi
  echo "$out" >>"$BENCH_OUT/$label.json"
  LAST_JSON="$out"
}

# Prints the median of the numbers given as arguments, ignoring "-" (none → "-").
median() {
  local v=() x
  for x in "$@"; do [ "$x" = "-" ] || [ -z "$x" ] || v+=("$x"); done
  [ ${#v[@]} -gt 0 ] || { echo "-"; return; }
  printf '%s\n' "${v[@]}" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

# Prints a field of LAST_JSON: jf '.moves.per_s'; "-" when absent or when the run measured
# nothing for that histogram (e.g. jf .move_rtt_ms.p99 with no acknowledged move).
jf() {
  jq -r --arg p "$1" '
    ($p | ltrimstr(".") | split(".")) as $k
    | if ($k | length) > 1 and (getpath($k[0:-1]) | type) == "object" and (getpath($k[0:-1]).count? // 1) == 0
      then "-" else (getpath($k) // "-") end' <<<"$LAST_JSON"
}

# Prints a/b with 2 significant decimals, or "-".
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b+0 == 0) print "-"; else printf "%.2f\n", a / b }'
}

# Prints one result row: what, engage, baseline, ratio, target, verdict.
row() {
  printf '%-46s %14s %14s %9s   %-22s %s\n' "$@"
}
header() {
  printf '\n%s\n' "$1"
  row "measure" "engage" "baseline" "ratio" "target" "verdict"
  row "-------" "------" "--------" "-----" "------" "-------"
}

# Prints "met" or "MISSED" for value <= / >= target.
verdict_le() { awk -v v="$1" -v t="$2" 'BEGIN { if (v == "-") print "-"; else print (v+0 <= t+0) ? "met" : "MISSED" }'; }
verdict_ge() { awk -v v="$1" -v t="$2" 'BEGIN { if (v == "-") print "-"; else print (v+0 >= t+0) ? "met" : "MISSED" }'; }

machine_line() {
  echo "machine: $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), node $(node --version), $(redis-server --version | awk '{print $3}'), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
}
