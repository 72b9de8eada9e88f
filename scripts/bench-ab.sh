#!/usr/bin/env bash
# Two builds alternated at one offered rate: round by round, a fresh devnet
# and one run of scripts/bench-table.sh for build A, then for build B, so
# that both see the same spells of a machine whose speed drifts within the
# hour (BENCHMARKS.md compares builds this way). Each build's rows go to
# OUT-a.csv and OUT-b.csv (bench-table.sh's columns); a line per run here.
# A build is a folder holding yui-devnet, yui-node, yui-bench and yui.
# Usage: scripts/bench-ab.sh OUT RATE ROUNDS SECONDS BUILD_A BUILD_B
#   e.g. scripts/bench-ab.sh /tmp/tick 5000 3 30 /tmp/before /tmp/after
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1; rate=$2; rounds=$3; secs=$4; a=$5; b=$6
for build in "$a" "$b"; do
  for f in yui-devnet yui-node yui-bench yui; do
    [ -x "$build/$f" ] || { echo "$build/$f: missing" >&2; exit 2; }
  done
done
echo "columns: offered,in_window,p50_ms,p99_ms,max_ms,first_third_p50_ms,last_third_p50_ms,blocks_per_s,refused,cpu_us_per_tx_node,bytes_per_tx,rss_max_mib"
for r in $(seq 1 "$rounds"); do
  for v in a b; do
    build=$a; [ "$v" = b ] && build=$b
    YUI_BIN_DIR="$build" bash scripts/bench-table.sh "$out-$v.csv" "$secs" "$rate" > "$out-$v-$r.log" 2>&1
    echo "round $r, $v: $(tail -1 "$out-$v.csv")"
  done
done
