#!/usr/bin/env bash
# Times perft(6) from the start position, one thread: build/engage-chess against Debian's
# Stockfish (/usr/games/stockfish), in the same run on the same machine. Each program is run
# RUNS times (default 5) as a whole process fed "position startpos / go perft 6 / quit"; the
# median wall time is reported, with the median start-up time (the same input without the
# perft) so it can be subtracted, and the ratio against the target (<= 2x Stockfish).
# Usage: bench/chess-perft.sh   (env: ENGAGE_CHESS, STOCKFISH, RUNS, DEPTH)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
engage=${ENGAGE_CHESS:-$root/build/engage-chess}
stockfish=${STOCKFISH:-/usr/games/stockfish}
runs=${RUNS:-5}
depth=${DEPTH:-6}
expected=119060324  # perft(6) of the start position
[ "$depth" = 6 ] || expected=""

for bin in "$engage" "$stockfish"; do
  [ -x "$bin" ] || { echo "chess-perft: $bin not found or not executable" >&2; exit 1; }
done

# Prints the wall time in milliseconds of one run of $1 fed $2; checks the node count.
run_once() {
  local bin=$1 input=$2 out start end nodes
  out=$(mktemp)
  start=$(date +%s%N)
  printf '%b' "$input" | "$bin" >"$out" 2>/dev/null
  end=$(date +%s%N)
  if [[ $input == *perft* ]]; then
    nodes=$(grep -o 'Nodes searched: [0-9]*' "$out" | awk '{print $3}')
    if [ -n "$expected" ] && [ "$nodes" != "$expected" ]; then
      echo "chess-perft: $bin printed '$nodes' nodes, expected $expected" >&2
      rm -f "$out"; exit 1
    fi
  fi
  rm -f "$out"
  echo $(( (end - start) / 1000000 ))
}

# Prints the median of its arguments.
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

perft_input="position startpos\ngo perft $depth\nquit\n"
idle_input="position startpos\nquit\n"

sf_version=$("$stockfish" <<<"quit" 2>/dev/null | head -1)
echo "perft($depth) from the start position, one thread, median of $runs runs (wall ms)"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "stockfish: $sf_version"

# Interleave the programs run by run so that both see the same machine state.
e=() s=() ei=() si=()
for ((i = 0; i < runs; i++)); do
  e+=("$(run_once "$engage" "$perft_input")")
  s+=("$(run_once "$stockfish" "$perft_input")")
  ei+=("$(run_once "$engage" "$idle_input")")
  si+=("$(run_once "$stockfish" "$idle_input")")
done
e_ms=$(median "${e[@]}"); s_ms=$(median "${s[@]}")
e_idle=$(median "${ei[@]}"); s_idle=$(median "${si[@]}")
echo "runs: engage-chess ${e[*]} ms; stockfish ${s[*]} ms"

ratio=$(awk -v e="$e_ms" -v s="$s_ms" 'BEGIN {printf "%.2f", e / s}')
ratio_net=$(awk -v e="$e_ms" -v s="$s_ms" -v ei="$e_idle" -v si="$s_idle" \
  'BEGIN {d = s - si; if (d <= 0) d = 1; printf "%.2f", (e - ei) / d}')
printf '%-14s %8s ms   (start-up %4s ms)\n' "engage-chess" "$e_ms" "$e_idle"
printf '%-14s %8s ms   (start-up %4s ms)\n' "stockfish" "$s_ms" "$s_idle"
verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 2.0) ? "OK" : "OVER TARGET"}')
echo "ratio engage/stockfish: ${ratio}x (without start-up: ${ratio_net}x); target <= 2x: $verdict"
[ "$verdict" = OK ]
