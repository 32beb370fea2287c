#!/usr/bin/env bash
# Runs loadtest/artillery.yml (Artillery 2 + artillery-engine-socketio-v3) against engage and/or
# the Node baseline on free loopback ports and fails when any virtual user failed.
#
#   bench/artillery-smoke.sh                   # engage (embedded store), 10 s smoke run
#   bench/artillery-smoke.sh both              # engage, then the baseline (copied from ../shared)
#   ARTILLERY_ENV=guide bench/artillery-smoke.sh engage-redis baseline   # ~1,000 users each
#   ENGAGE_SERVER=build-x/engage-server ENGAGE_ARGS=... ARTILLERY_SCRIPT=other.yml ...  # overrides
#
# Targets: engage (embedded store), engage-redis (a private redis-server), baseline, both
# (= engage baseline). Artillery is installed into ARTILLERY_DIR (default
# $TMPDIR/engage-artillery) when missing (npm registry only; no browser download). Not part of
# `make test`: Artillery is ~1,100 npm packages and a run takes 40 s or more.
# shellcheck disable=SC2086
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ARTILLERY_DIR="${ARTILLERY_DIR:-${TMPDIR:-/tmp}/engage-artillery}"
ENGAGE_SERVER="${ENGAGE_SERVER:-$ROOT/build/engage-server}"
ENGAGE_ARGS="${ENGAGE_ARGS:-}"     # extra engage-server options, word-split
BASELINE_DIR="${BASELINE_DIR:-${TMPDIR:-/tmp}/engage-baseline}"
ARTILLERY_ENV="${ARTILLERY_ENV:-}"   # empty = the 10 s smoke phase; guide = ~1,000 users
OUT="${OUT:-${TMPDIR:-/tmp}/engage-artillery-runs}"
SCRIPT="${ARTILLERY_SCRIPT:-$ROOT/loadtest/artillery.yml}"
mkdir -p "$OUT"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(engage)
[ "${targets[*]}" = both ] && targets=(engage baseline)

_PIDS=()
# Stops one process we started: SIGTERM, up to 5 s, then SIGKILL.
stop_pid() {
  local pid="$1" _
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${_PIDS[@]+"${_PIDS[@]}"}"; do stop_pid "$pid"; done
  _PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() { command -v "$1" >/dev/null 2>&1 || { echo "artillery-smoke: missing $1" >&2; exit 2; }; }
need node
need npm
need jq

# Prints a free loopback TCP port.
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Waits until 127.0.0.1:$1 accepts TCP connections (at most 15 s).
wait_port() {
  local _
  for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "artillery-smoke: nothing listening on $1" >&2
  return 1
}

ARTILLERY="$ARTILLERY_DIR/node_modules/.bin/artillery"
if [ ! -x "$ARTILLERY" ] || [ ! -d "$ARTILLERY_DIR/node_modules/artillery-engine-socketio-v3" ]; then
  echo "artillery-smoke: installing artillery@2 + artillery-engine-socketio-v3 into $ARTILLERY_DIR" >&2
  mkdir -p "$ARTILLERY_DIR"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$ARTILLERY_DIR" --no-audit --no-fund \
    --loglevel=error artillery@2 artillery-engine-socketio-v3 >&2
fi

# Starts a private redis-server; sets REDIS_PORT.
start_redis() {
  need redis-server
  REDIS_PORT="$(free_port)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --loglevel warning >"$OUT/redis-$REDIS_PORT.log" 2>&1 &
  _PIDS+=("$!")
  wait_port "$REDIS_PORT"
}

# Starts the server named $1 on a free port; sets PORT.
start_target() {
  PORT="$(free_port)"
  case "$1" in
    engage | engage-redis)
      [ -x "$ENGAGE_SERVER" ] || { echo "artillery-smoke: $ENGAGE_SERVER not built" >&2; exit 2; }
      local store=()
      if [ "$1" = engage-redis ]; then start_redis; store=(--redis "redis://127.0.0.1:$REDIS_PORT"); fi
      "$ENGAGE_SERVER" --host 127.0.0.1 --port "$PORT" --log-level warn "${store[@]+"${store[@]}"}" \
        $ENGAGE_ARGS >"$OUT/$1-$PORT.log" 2>&1 &
      _PIDS+=("$!")
      ;;
    baseline)
      if [ ! -f "$BASELINE_DIR/node_modules/socket.io/package.json" ]; then
        local src
        for src in "$ROOT/../shared/baseline" /work/shared/baseline; do [ -f "$src/server.js" ] && break; done
        mkdir -p "$BASELINE_DIR"
        cp "$src/server.js" "$src/package.json" "$BASELINE_DIR/"
        (cd "$BASELINE_DIR" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
      fi
      start_redis
      (cd "$BASELINE_DIR" && exec env ENGAGE_PORT="$PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
        node server.js) >"$OUT/baseline-$PORT.log" 2>&1 &
      _PIDS+=("$!")
      ;;
    *) echo "artillery-smoke: unknown target $1 (engage, engage-redis, baseline, both)" >&2; exit 2 ;;
  esac
  wait_port "$PORT"
}

status=0
for t in "${targets[@]}"; do
  start_target "$t"
  report="$OUT/$t-${ARTILLERY_ENV:-smoke}-$(date +%H%M%S).json"
  env_args=()
  [ -n "$ARTILLERY_ENV" ] && env_args=(-e "$ARTILLERY_ENV")
  echo "artillery-smoke: $t on 127.0.0.1:$PORT (${ARTILLERY_ENV:-smoke}), report $report" >&2
  ARTILLERY_DISABLE_TELEMETRY=true timeout --kill-after=10 600 "$ARTILLERY" run --quiet \
    --target "http://127.0.0.1:$PORT" "${env_args[@]+"${env_args[@]}"}" --output "$report" "$SCRIPT" \
    >"$OUT/$t-artillery.log" 2>&1 || { echo "artillery-smoke: artillery exited $? ($OUT/$t-artillery.log)" >&2; status=1; }
  cleanup
  if [ ! -s "$report" ]; then
    echo "artillery-smoke: $t: no report" >&2; status=1; continue
  fi
  # One line per target: users created/completed/failed, errors, and p50/p99 of each reply.
  jq -r --arg t "$t" '.aggregate as $a
    | ($a.counters["vusers.created"] // 0) as $c | ($a.counters["vusers.completed"] // 0) as $d
    | ($a.counters["vusers.failed"] // 0) as $f
    | [$a.counters | to_entries[] | select(.key | startswith("errors.")) | "\(.key | ltrimstr("errors."))=\(.value)"] as $e
    | [$a.summaries // {} | to_entries[] | select(.key | startswith("socketio."))
       | "\(.key | ltrimstr("socketio.")) p50 \(.value.p50) p99 \(.value.p99) ms"] as $s
    | "\($t): vusers created \($c) completed \($d) failed \($f)"
      + (if ($e | length) > 0 then "; errors " + ($e | join(", ")) else "" end)
      + (if ($s | length) > 0 then "; " + ($s | join("; ")) else "" end)' "$report"
  jq -e '(.aggregate.counters["vusers.failed"] // 0) == 0
         and (.aggregate.counters["vusers.completed"] // 0) > 0
         and (.aggregate.counters["vusers.completed"] == .aggregate.counters["vusers.created"])' \
    "$report" >/dev/null || { echo "artillery-smoke: $t: FAILED virtual users" >&2; status=1; }
done
exit "$status"
