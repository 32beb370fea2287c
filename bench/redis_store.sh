#!/usr/bin/env bash
# Redis store benchmark: RedisStore move commits (cas.lua via EVALSHA, pipelined from several
# event loops) against plain redis-benchmark EVALSHA of the same script doing the same work, on
# one private redis-server (free loopback port, AOF on, appendfsync everysec), in one run.
# Usage: bench/redis_store.sh [build-dir]   (env: LOOPS=2 INFLIGHT=64 SECS=5 DOC=400)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
LOOPS=${LOOPS:-2}
INFLIGHT=${INFLIGHT:-64}
SECS=${SECS:-5}
DOC=${DOC:-400}
BIN=$BUILD/redis-store-bench
[ -x "$BIN" ] || { echo "build $BIN first (cmake --build $BUILD --target redis-store-bench)"; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d /tmp/engage-redis-bench-XXXXXX)
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --save '' \
  --daemonize no --logfile "$dir/redis.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.05; done

echo "# machine: $(nproc) cores, $(redis-server --version | cut -d' ' -f3), $(date -u +%FT%TZ)"
echo "# RedisStore (engage), move commit = cas.lua (GET, version check, SET EX, EXPIRE)"
"$BIN" --url "redis://127.0.0.1:$port" --loops "$LOOPS" --inflight "$INFLIGHT" --seconds "$SECS" --doc-bytes "$DOC"
"$BIN" --url "redis://127.0.0.1:$port" --loops "$LOOPS" --inflight 1 --seconds "$SECS" --doc-bytes "$DOC"

# The same script through redis-benchmark: a legacy (version-less) document reads as version
# 0 and the new value keeps it version-less, so every call takes the full successful path.
sha=$(redis-cli -p "$port" SCRIPT LOAD "$(cat src/store/lua/cas.lua)")
doc=$(python3 -c "import sys; n=int(sys.argv[1]); s='{\"roomId\":\"bench\",\"status\":\"active\",\"moves\":\"'; s+='e2e4 '*((n-len(s)-3)//5); print(s+'\"}')" "$DOC")
redis-cli -p "$port" SET bench:legacy "$doc" >/dev/null
# Prints "label: rps, p50, p99, max" from redis-benchmark --csv (the test name holds the document,
# so fields are taken from the end of the line).
summary() {
  tail -n +2 | awk -F'","' -v label="$1" '{gsub(/"/, "", $NF); gsub(/"/, "", $1); n = NF;
    printf "%s %s: %s requests/s, latency ms p50 %s p99 %s max %s\n", label, (n > 8 ? "" : $1), $(n-6), $(n-3), $(n-1), $n}' | sed 's/^"//; s/  / /'
}
redis-benchmark -p "$port" -n 400000 -c 50 -P 16 --csv EVALSHA "$sha" 1 bench:legacy 0 "$doc" 3600 |
  summary "redis-benchmark EVALSHA cas.lua, 50 clients, pipeline 16"
redis-benchmark -p "$port" -n 20000 -c 1 --csv EVALSHA "$sha" 1 bench:legacy 0 "$doc" 3600 |
  summary "redis-benchmark EVALSHA cas.lua, 1 client, no pipeline"
redis-benchmark -p "$port" -n 400000 -c 50 -P 16 --csv -t get,set -d "$DOC" |
  summary "redis-benchmark ${DOC}B, 50 clients, pipeline 16,"
