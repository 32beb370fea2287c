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

# Prints "<wall ms> <cpu ms>" (cpu = user + sys) of one run of $1 fed $2; checks the nodes.
run_once() {
  local bin=$1 input=$2 out timing nodes
  out=$(mktemp)
  timing=$( { TIMEFORMAT='%R %U %S'; time printf '%b' "$input" | "$bin" >"$out" 2>/dev/null; } 2>&1)
  if [[ $input == *perft* ]]; then
    nodes=$(grep -o 'Nodes searched: [0-9]*' "$out" | awk '{print $3}')
    if [ -n "$expected" ] && [ "$nodes" != "$expected" ]; then
      echo "chess-perft: $bin printed '$nodes' nodes, expected $expected" >&2
      rm -f "$out"; exit 1
    fi
  fi
  rm -f "$out"
  awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' <<<"$timing"
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
ew=() ec=() sw=() sc=() eiw=() eic=() siw=() sic=()
for ((i = 0; i < runs; i++)); do
  read -r w c < <(run_once "$engage" "$perft_input"); ew+=("$w"); ec+=("$c")
  read -r w c < <(run_once "$stockfish" "$perft_input"); sw+=("$w"); sc+=("$c")
  read -r w c < <(run_once "$engage" "$idle_input"); eiw+=("$w"); eic+=("$c")
  read -r w c < <(run_once "$stockfish" "$idle_input"); siw+=("$w"); sic+=("$c")
done
echo "runs (wall ms): engage-chess ${ew[*]}; stockfish ${sw[*]}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
e_w=$(median "${ew[@]}"); e_c=$(median "${ec[@]}"); s_w=$(median "${sw[@]}"); s_c=$(median "${sc[@]}")
ei_w=$(median "${eiw[@]}"); ei_c=$(median "${eic[@]}"); si_w=$(median "${siw[@]}"); si_c=$(median "${sic[@]}")

printf '%-14s wall %6s ms  cpu %6s ms   (start-up: wall %4s ms, cpu %4s ms)\n' \
  engage-chess "$e_w" "$e_c" "$ei_w" "$ei_c"
printf '%-14s wall %6s ms  cpu %6s ms   (start-up: wall %4s ms, cpu %4s ms)\n' \
  stockfish "$s_w" "$s_c" "$si_w" "$si_c"
ratio=$(awk -v e="$e_w" -v s="$s_w" 'BEGIN {printf "%.2f", e / s}')
ratio_cpu=$(awk -v e="$e_c" -v s="$s_c" 'BEGIN {printf "%.2f", e / s}')
ratio_net=$(awk -v e="$e_c" -v s="$s_c" -v ei="$ei_c" -v si="$si_c" \
  'BEGIN {d = s - si; if (d <= 0) d = 1; printf "%.2f", (e - ei) / d}')
verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 2.0) ? "OK" : "OVER TARGET"}')
echo "ratio engage/stockfish: wall ${ratio}x, cpu ${ratio_cpu}x, cpu without start-up" \
  "${ratio_net}x; target <= 2x (wall): $verdict"
[ "$verdict" = OK ]
