#!/usr/bin/env bash
# Draws bench/load-latency.png (move round trip p50/p99 against achieved moves/s, engage vs the
# Node baseline) with gnuplot from the latency-vs-load.dat written by bench/load-max-moves.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DAT="${1:-${BENCH_OUT:-$ROOT/bench/load-results}/latency-vs-load.dat}"
PNG="${2:-$ROOT/bench/load-latency.png}"
command -v gnuplot >/dev/null || { echo "load-plot: gnuplot missing (apt-get install gnuplot-nox)" >&2; exit 2; }
[ -s "$DAT" ] || { echo "load-plot: no data in $DAT (run bench/load-max-moves.sh)" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for s in engage baseline; do awk -v s="$s" '$1 == s && $2 != "closed" {print $3, $4, $5}' "$DAT" | sort -g >"$tmp/$s"; done
gnuplot <<GP
set terminal pngcairo size 900,520 noenhanced font ",10"
set output "$PNG"
set title "Move round trip vs load: 1,000 games, Redis, 2 cores shared by server, Redis, load generator (and, here, other builds: load avg ~12)"
set xlabel "moves/s acknowledged"
set ylabel "round trip (ms, log scale)"
set logscale y
set grid
set xrange [0:*]
set key top left
set arrow from graph 0, first 10 to graph 1, first 10 nohead dt 2 lc rgb "#aa0000"
set label "p99 target 10 ms" at graph 0.70, first 12 tc rgb "#aa0000"
plot "$tmp/engage" using 1:3 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "engage p99", \
     "$tmp/engage" using 1:2 with linespoints dt 2 pt 6 lc rgb "#1f77b4" title "engage p50", \
     "$tmp/baseline" using 1:3 with linespoints lw 2 pt 5 lc rgb "#d62728" title "Node baseline p99", \
     "$tmp/baseline" using 1:2 with linespoints dt 2 pt 4 lc rgb "#d62728" title "Node baseline p50"
GP
echo "load-plot: wrote $PNG"
