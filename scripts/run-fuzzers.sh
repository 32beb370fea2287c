#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, from its seed corpus in
# fuzz/corpus/<name>/ (if any). Fails if any target finds a crash. Usage: run-fuzzers.sh DIR SECONDS
set -euo pipefail
dir=${1:-build-fuzz}; secs=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
n=0
for f in "$dir"/*_fuzz; do
  [ -x "$f" ] || continue
  name=$(basename "$f" _fuzz)
  work=$(mktemp -d)
  seeds=()
  [ -d "$root/fuzz/corpus/$name" ] && seeds=("$root/fuzz/corpus/$name")
  echo "fuzz: $name for ${secs}s"
  # A fixed seed keeps the short CI run repeatable; `make fuzz FUZZ_SECONDS=600` explores more.
  if ! "$f" -seed=1 -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$work/" "$work" "${seeds[@]}" >"$work/log" 2>&1; then
    tail -40 "$work/log"; echo "fuzz: $name FAILED (artifacts in $work)"; exit 1
  fi
  grep -E "^#[0-9]+.*DONE" "$work/log" | tail -1 || true
  rm -rf "$work"
  n=$((n+1))
done
echo "fuzz: $n targets ok"
