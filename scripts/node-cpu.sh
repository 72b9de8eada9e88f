#!/usr/bin/env bash
# Each node's CPU per committed payment, on a fresh devnet as `yui-devnet up
# --no-story` starts it, while `yui-bench load` offers RATE tx/s for SECONDS
# from 400 accounts: the validators' share beside the nodes that do not
# vote (the observer and coord-higashi's follower), from /proc over the
# offering until the last submission is answered.
#   STOP_NON_VOTERS=1  stops the two nodes that do not vote (SIGSTOP) before
#                      the load: what the validators commit without them
#                      sharing the cores (a measurement, not a way to run).
# Usage: scripts/node-cpu.sh RATE SECONDS
# Binaries: YUI_BIN_DIR, else $CARGO_TARGET_DIR/debug, else target/debug.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=$1; secs=$2
bin="${YUI_BIN_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/debug}"
dir=$(mktemp -d /tmp/yui-node-cpu.XXXXXX)
# Nodes stopped by STOP_NON_VOTERS go on again before `down` stops them.
cleanup() {
  for n in observer coord-higashi; do
    kill -CONT "$(cat "$dir/dn/nodes/$n/pid" 2>/dev/null)" 2>/dev/null || true
  done
  "$bin/yui-devnet" --dir "$dir/dn" down >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"$bin/yui-bench" probe
"$bin/yui-devnet" --dir "$dir/dn" up --no-story >/dev/null
names=$(ls "$dir/dn/nodes")
pid() { cat "$dir/dn/nodes/$1/pid"; }
if [ "${STOP_NON_VOTERS:-0}" = 1 ]; then
  kill -STOP "$(pid observer)" "$(pid coord-higashi)"
fi
snap() { for n in $names; do echo "$n $(awk '{print $14+$15}' "/proc/$(pid "$n")/stat")"; done; }
log="$dir/load.txt"
"$bin/yui-bench" load --dir "$dir/dn" --node 127.0.0.1:7001 --rate "$rate" \
  --seconds "$secs" --accounts 400 > "$log" 2>&1 &
load=$!
until grep -q '^offering' "$log" 2>/dev/null; do sleep 0.1; done
snap > "$dir/c0"
wait $load
snap > "$dir/c1"
grep -v '^offering' "$log"
committed=$(grep -o '(\([0-9]*\) of' "$log" | tr -dc 0-9)
tck=$(getconf CLK_TCK)
join "$dir/c0" "$dir/c1" | awk -v tx="$committed" -v tck="$tck" \
  '{ us = ($3 - $2) / tck / tx * 1e6; sum += us; printf "%-14s %7.1f µs per payment\n", $1, us }
   END { printf "%-14s %7.1f µs per payment\n", "all nodes", sum }'
