#!/usr/bin/env bash
# Two builds measured at the same time: a fresh devnet of each (`yui-devnet
# up --no-story`, build A's gRPC ports from 7001, B's from 7101), and a
# `yui-bench load` of RATE tx/s from 400 accounts on each at once for
# SECONDS. Both share the machine's cores and its spell of speed, which
# moves a single run's figures by more than most changes do
# (BENCHMARKS.md); alternated runs see different moments, a pair sees one.
# Prints, per build and round, the payments committed in the window, p50,
# p99, heights a second and the CPU per committed payment per node (every
# yui-node's from /proc over the offering). Rounds swap the ports, so
# neither build always has the first ones.
# Compares CPU per payment, not capacity: the two devnets halve the
# machine, so offer each at most about 2,000.
# A build is a folder holding yui-devnet, yui-node and yui-bench.
# Usage: scripts/bench-pair.sh RATE SECONDS ROUNDS BUILD_A BUILD_B
#   e.g. scripts/bench-pair.sh 1200 20 4 /tmp/before /tmp/after
set -euo pipefail
rate=$1; secs=$2; rounds=$3; a=$4; b=$5
for build in "$a" "$b"; do
  for f in yui-devnet yui-node yui-bench; do
    [ -x "$build/$f" ] || { echo "$build/$f: missing" >&2; exit 2; }
  done
done
work=$(mktemp -d /tmp/yui-bench-pair.XXXXXX)
cleanup() {
  for d in "$work"/*/dn; do
    [ -d "$d" ] && "$a/yui-devnet" --dir "$d" down >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
cpu() { # the devnet's nodes' CPU so far, in clock ticks
  for f in "$1"/dn/nodes/*/pid; do awk '{print $14+$15}' "/proc/$(cat "$f")/stat"; done |
    paste -sd+ | bc
}
# One build's load, and its nodes' CPU from the moment its generator
# starts offering (after funding its accounts) until the last answer.
measure() { # build dir port
  "$1/yui-bench" load --dir "$2/dn" --node "127.0.0.1:$3" --rate "$rate" \
    --seconds "$secs" --accounts 400 > "$2/load.txt" 2>&1 &
  local load=$!
  until grep -q '^offering' "$2/load.txt" 2>/dev/null; do sleep 0.1; done
  cpu "$2" > "$2/cpu0"
  wait $load
  cpu "$2" > "$2/cpu1"
}
report() { # label dir
  local log="$2/load.txt" tx
  tx=$(grep -o '(\([0-9]*\) of' "$log" | tr -dc 0-9)
  printf '%-2s in window %5s tx/s  p50 %8s ms  p99 %8s ms  %4s heights/s  %6.1f µs per payment per node\n' \
    "$1" "$(awk '/^sustained/ {print $2}' "$log")" \
    "$(awk '/^latency/ {print $4}' "$log" | tr -d ,)" \
    "$(awk '/^latency/ {print $7}' "$log" | tr -d ,)" \
    "$(awk '/^blocks/ {print $2}' "$log")" \
    "$(echo "($(cat "$2/cpu1") - $(cat "$2/cpu0")) / $(getconf CLK_TCK) / $tx / 6 * 1000000" | bc -l)"
}
for r in $(seq 1 "$rounds"); do
  # Odd rounds give A the ports from 7001, even rounds B.
  if [ $((r % 2)) = 1 ]; then pa=7001; pb=7101; else pa=7101; pb=7001; fi
  rm -rf "$work/a" "$work/b"
  mkdir -p "$work/a" "$work/b"
  "$a/yui-devnet" --dir "$work/a/dn" up --port "$pa" --no-story > "$work/a/up.txt" 2>&1 &
  ua=$!
  "$b/yui-devnet" --dir "$work/b/dn" up --port "$pb" --no-story > "$work/b/up.txt" 2>&1 &
  ub=$!
  wait $ua $ub
  measure "$a" "$work/a" "$pa" &
  ma=$!
  measure "$b" "$work/b" "$pb" &
  mb=$!
  wait $ma $mb
  echo "round $r (A on $pa, B on $pb):"
  report A "$work/a"
  report B "$work/b"
  "$a/yui-devnet" --dir "$work/a/dn" down >/dev/null 2>&1 || true
  "$b/yui-devnet" --dir "$work/b/dn" down >/dev/null 2>&1 || true
done
