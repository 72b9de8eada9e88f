#!/usr/bin/env bash
# How a run at one offered rate changes over its length: a fresh devnet as
# `yui-devnet up --no-story` starts it, `yui-bench load` for SECONDS from
# 400 accounts, and every 2 s a line with the six nodes' CPU (cores, utime +
# stime from /proc), the load generator's, and heights per second at the
# city; then the load generator's summary. Shows whether the chain keeps
# its height rate as the state grows, or makes longer heights of larger
# blocks with the cores full (docs/bench/journal/5-2026-12-06-day-to-12-07-later.md, "Why a run's latency rises").
# Usage: scripts/bench-drift.sh RATE SECONDS
# Binaries: YUI_BIN_DIR, else $CARGO_TARGET_DIR/debug, else target/debug.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=$1; secs=$2
bin="${YUI_BIN_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/debug}"
dir=$(mktemp -d /tmp/yui-bench-drift.XXXXXX)
trap '"$bin/yui-devnet" --dir "$dir/dn" down >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"$bin/yui-devnet" --dir "$dir/dn" up --no-story >/dev/null
pids=$(for f in "$dir"/dn/nodes/*/pid; do cat "$f"; echo; done)
"$bin/yui-bench" load --dir "$dir/dn" --node 127.0.0.1:7001 --rate "$rate" \
  --seconds "$secs" --accounts 400 > "$dir/load.txt" 2>&1 &
load=$!
until grep -q '^offering' "$dir/load.txt" 2>/dev/null; do sleep 0.1; done
ticks() { for p in "$@"; do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0; done | paste -sd+ | bc; }
height() { "$bin/yui" --node 127.0.0.1:7001 status 2>/dev/null | grep -o 'height [0-9]*' | cut -d' ' -f2; }
hz=$(getconf CLK_TCK)
c0=$(ticks $pids); g0=$(ticks $load); h0=$(height); t=0
# Each line covers 2 s in which the load generator ran throughout.
while sleep 2 && kill -0 $load 2>/dev/null; do
  t=$((t + 2))
  c1=$(ticks $pids); g1=$(ticks $load); h1=$(height)
  printf 't=%s nodes=%.2f gen=%.2f h/s=%.1f\n' "$t" \
    "$(echo "($c1 - $c0) / $hz / 2" | bc -l)" "$(echo "($g1 - $g0) / $hz / 2" | bc -l)" \
    "$(echo "(${h1:-$h0} - $h0) / 2" | bc -l)"
  c0=$c1; g0=$g1; h0=${h1:-$h0}
done
wait $load || true
grep -E '^(sustained|latency|flat)' "$dir/load.txt"
