#!/usr/bin/env bash
# Memory per idle connected Socket.IO client of engage-server alone (embedded store, no Redis):
# starts the server, reads its VmRSS, holds CLIENTS idle WebSocket clients on NSP with
# engage-load (separate processes, not counted), reads VmRSS again while they are all
# connected (and /metrics' process_resident_memory_bytes), prints one line per run and the
# median of (RSS connected - RSS at start) / clients. DESIGN.md: <= 2 KiB, RSS at start <= 10 MiB.
# Usage: CLIENTS=10000 RUNS=3 THREADS=2 NSP=/play-along bench/mem-idle-clients.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SERVER="${ENGAGE_SERVER:-$ROOT/build/engage-server}"
LOAD="${ENGAGE_LOAD:-$ROOT/build/engage-load}"
CLIENTS="${CLIENTS:-10000}"
RUNS="${RUNS:-3}"
THREADS="${THREADS:-2}"
NSP="${NSP:-/play-along}"
PROCS="${PROCS:-2}"
SERVER_ARGS="${SERVER_ARGS:-}"
HOLD="${HOLD:-4}"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
SPID=""
cleanup() { [ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true; }
trap cleanup EXIT

echo "# $(date -u +%FT%TZ) clients=$CLIENTS threads=$THREADS nsp=$NSP loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
echo "# server: $SERVER $SERVER_ARGS"
per=()
for run in $(seq "$RUNS"); do
  port="$(free_port)"
  # shellcheck disable=SC2086
  "$SERVER" --host 127.0.0.1 --port "$port" --threads "$THREADS" --log-level warn \
    $SERVER_ARGS >/dev/null 2>&1 &
  SPID=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  sleep 0.5
  start="$(rss_kib "$SPID")"
  "$LOAD" --url "ws://127.0.0.1:$port" --idle "$CLIENTS" --idle-namespace "$NSP" \
    --processes "$PROCS" --ramp "${RAMP:-5000}" --connect-concurrency "${CONC:-500}" --warmup 1 \
    --duration "$((HOLD + 2))" --ramp-timeout 120 -q >/tmp/mem-idle-$$.json 2>/dev/null &
  lpid=$!
  # Wait until every client joined its namespace (engage_sockets in /metrics), let it settle, sample.
  connected=0
  for _ in $(seq 600); do
    connected="$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "engage_sockets" {printf "%d", $2}')"
    [ "${connected:-0}" = "$CLIENTS" ] && break
    sleep 0.2
  done
  sleep "$HOLD"
  after="$(rss_kib "$SPID")"
  metric="$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^process_resident_memory_bytes/ {printf "%.0f", $2/1024}')"
  wait "$lpid" || true
  kill -TERM "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=""
  p="$(awk -v a="$after" -v s="$start" -v n="$CLIENTS" 'BEGIN{printf "%.3f", (a-s)/n}')"
  per+=("$p")
  echo "run $run: rss start ${start} KiB, connected ${connected}, rss ${after} KiB (/metrics ${metric} KiB), per client ${p} KiB"
done
med="$(printf '%s\n' "${per[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')"
echo "median per idle client: $med KiB ($(awk -v m="$med" 'BEGIN{printf "%.0f", m*1024}') B)"
