#!/usr/bin/env bash
# Measures the network edge's memory per idle WebSocket client: builds net-idle-memory (release)
# and runs it. Usage: bench/net-idle-memory.sh [clients=5000] [loops=1] [reuse_port=1] [build-dir=build]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
clients=${1:-5000}; loops=${2:-1}; reuse=${3:-1}; dir=${4:-build}
cd "$root"
if [ ! -x "$dir/net-idle-memory" ]; then
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$dir" -j2 --target net-idle-memory
fi
"$dir/net-idle-memory" "$clients" "$loops" "$reuse"
