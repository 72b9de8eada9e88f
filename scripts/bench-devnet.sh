#!/usr/bin/env bash
# Open-loop load on the running 4-validator devnet, with each node's CPU (from
# /proc utime+stime over the run) and resident memory at the end.
# Usage: scripts/bench-devnet.sh RATE [SECONDS [yui-bench load options…]]
# (default options: --csv docs/bench/devnet-4.csv; contract calls:
#  scripts/bench-devnet.sh 500 15 --call counter:tick --csv docs/bench/contracts-devnet.csv)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug"
rate=${1:-1000}; secs=${2:-15}
tick=$(getconf CLK_TCK)
declare -A before
for h in .devnet/nodes/*/; do
  pid=$(cat "$h/pid"); before[$pid]=$(awk '{print $14+$15}' /proc/$pid/stat)
done
t0=$(date +%s.%N)
extra=("${@:3}")
[ ${#extra[@]} -eq 0 ] && extra=(--csv docs/bench/devnet-4.csv)
"$bin/yui-bench" load --rate "$rate" --seconds "$secs" --accounts 400 "${extra[@]}" | tail -5
t1=$(date +%s.%N)
printf '%-14s %8s %10s\n' node "cpu%" "rss MiB"
for h in .devnet/nodes/*/; do
  pid=$(cat "$h/pid"); now=$(awk '{print $14+$15}' /proc/$pid/stat)
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  cpu=$(echo "($now - ${before[$pid]}) / $tick / ($t1 - $t0) * 100" | bc -l)
  printf '%-14s %8.0f %10.0f\n' "$(basename "$h")" "$cpu" "$((rss / 1024))"
done
