#!/usr/bin/env bash
# Start-up to accepting connections: spawn the server, try a TCP connect every 0.5 ms, report the
# time from spawn to the first successful connection and to the first HTTP 200 on /health;
# median of RUNS (default 10). engage on Redis and embedded, the Node baseline on Redis.
# DESIGN.md: ≤ 50 ms. Usage: RUNS=10 bench/load-startup.sh
source "$(dirname "$0")/load_lib.sh"
RUNS="${RUNS:-10}"
machine_line
start_redis
# measure CMD... → prints "<ms to accept> <ms to /health 200>" (node does the timing)
measure() {
  local port="$1"; shift
  node - "$port" "$@" <<'JS'
const { spawn } = require('child_process');
const net = require('net');
const http = require('http');
const [port, cmd, ...args] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
const child = spawn(cmd, args, { stdio: 'ignore', env: { ...process.env, ENGAGE_PORT: port } });
let accepted = null;
const deadline = setTimeout(() => { console.log('- -'); child.kill('SIGKILL'); process.exit(0); }, 15000);
function tryConnect() {
  const s = net.connect({ port: Number(port), host: '127.0.0.1' });
  s.once('connect', () => { s.destroy(); accepted = ms(); tryHealth(); });
  s.once('error', () => { s.destroy(); setTimeout(tryConnect, 0.5); });
}
function tryHealth() {
  http.get({ host: '127.0.0.1', port: Number(port), path: '/health' }, (res) => {
    res.resume();
    if (res.statusCode === 200) { console.log(accepted.toFixed(1), ms().toFixed(1)); clearTimeout(deadline); child.kill('SIGTERM'); setTimeout(() => process.exit(0), 50); }
    else setTimeout(tryHealth, 0.5);
  }).once('error', () => setTimeout(tryHealth, 0.5));
}
tryConnect();
JS
}
declare -a er eh mr mh br bh
for run in $(seq "$RUNS"); do
  p="$(free_port)"; read -r a h < <(measure "$p" "$ENGAGE_SERVER" --host 127.0.0.1 --port "$p" --threads "$ENGAGE_THREADS" --log-level warn --redis "redis://127.0.0.1:$REDIS_PORT"); er+=("$a"); eh+=("$h")
  p="$(free_port)"; read -r a h < <(measure "$p" "$ENGAGE_SERVER" --host 127.0.0.1 --port "$p" --threads "$ENGAGE_THREADS" --log-level warn); mr+=("$a"); mh+=("$h")
  if [ "$SKIP_BASELINE" != 1 ]; then
    setup_baseline
    p="$(free_port)"; read -r a h < <(cd "$BASELINE_DIR" && REDIS_URL="redis://127.0.0.1:$REDIS_PORT" measure "$p" node server.js); br+=("$a"); bh+=("$h")
  fi
done
header "start-up, spawn → first accepted TCP connection / first /health 200 (ms), medians of $RUNS"
row "engage on Redis: accept" "$(median "${er[@]}")" "$(median "${br[@]+"${br[@]}"}")" "$(ratio "$(median "${br[@]+"${br[@]}"}")" "$(median "${er[@]}")")x" "<= 50 ms" "$(verdict_le "$(median "${er[@]}")" 50)"
row "engage on Redis: /health 200" "$(median "${eh[@]}")" "$(median "${bh[@]+"${bh[@]}"}")" "$(ratio "$(median "${bh[@]+"${bh[@]}"}")" "$(median "${eh[@]}")")x" "" ""
row "engage embedded store: accept" "$(median "${mr[@]}")" "" "" "<= 50 ms" "$(verdict_le "$(median "${mr[@]}")" 50)"
row "engage embedded store: /health 200" "$(median "${mh[@]}")" "" "" "" ""
