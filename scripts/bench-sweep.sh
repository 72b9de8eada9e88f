#!/usr/bin/env bash
# Offered-load sweep against a fresh devnet: one yui-bench run per rate, one
# CSV line each, then the chart. Usage: scripts/bench-sweep.sh [rates...]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug"
out=docs/bench/single-node.csv
rates=("${@:-1000 2000 4000 6000 8000 10000}")
echo "rate,sustained_tps,p50_ms,p99_ms,max_ms" > "$out"
for r in ${rates[@]}; do
  "$bin/yui-devnet" down >/dev/null 2>&1 || true
  "$bin/yui-devnet" up --no-story >/dev/null
  "$bin/yui-bench" load --rate "$r" --seconds 15 --accounts 400 --csv "$out"
done
"$bin/yui-devnet" down >/dev/null
python3 scripts/plot-bench.py "$out" docs/bench/single-node.png
