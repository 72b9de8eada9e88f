#!/usr/bin/env bash
# The devnet's throughput table: for each offered rate, a fresh devnet as
# `yui-devnet up --no-story` starts it (load offered the moment it returns:
# ready means ready), `yui-bench load` for SECONDS from 400 accounts, and
# beside it
#   - CPU per committed transaction per node, from /proc over the offering
#     and until the last submission is answered;
#   - bytes on the wire per committed transaction: everything the loopback
#     carried during the offering (gRPC submissions and replies, and the
#     six nodes' libp2p traffic), from /proc/net/dev;
#   - the largest resident memory of a node at the end;
# and prints, before each rate, `yui-bench probe`'s memory answer time.
# Appends one CSV line per rate to OUT:
#   offered,in_window,p50_ms,p99_ms,max_ms,first_third_p50_ms,last_third_p50_ms,
#   blocks_per_s,refused,cpu_us_per_tx_node,bytes_per_tx,rss_max_mib
# Usage: scripts/bench-table.sh OUT SECONDS RATE...
# Binaries: YUI_BIN_DIR, else $CARGO_TARGET_DIR/debug, else target/debug.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1; secs=$2; shift 2
bin="${YUI_BIN_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/debug}"
dir=$(mktemp -d /tmp/yui-bench-devnet.XXXXXX)
trap '"$bin/yui-devnet" --dir "$dir/dn" down >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
lo_bytes() { awk '/^ *lo:/ {sub(/^ *lo:/, ""); print $1}' /proc/net/dev; }
for rate in "$@"; do
  # The machine's spell at this moment (BENCHMARKS.md, "How to
  # measure"), before the devnet starts.
  "$bin/yui-bench" probe | sed "s/^/[$rate] /"
  "$bin/yui-devnet" --dir "$dir/dn" down >/dev/null 2>&1 || true
  rm -rf "$dir/dn"
  "$bin/yui-devnet" --dir "$dir/dn" up --no-story >/dev/null
  pids=$(for f in "$dir"/dn/nodes/*/pid; do cat "$f"; echo; done)
  cpu() { for p in $pids; do awk '{print $14+$15}' "/proc/$p/stat"; done | paste -sd+ | bc; }
  log="$dir/load-$rate.txt"
  "$bin/yui-bench" load --dir "$dir/dn" --node 127.0.0.1:7001 --rate "$rate" \
    --seconds "$secs" --accounts 400 --csv "$dir/load.csv" > "$log" 2>&1 &
  load=$!
  # Accounts are funded first; measure from the offering on.
  until grep -q '^offering' "$log" 2>/dev/null; do sleep 0.1; done
  c0=$(cpu); b0=$(lo_bytes)
  wait $load
  c1=$(cpu); b1=$(lo_bytes)
  grep -v '^offering' "$log" | sed "s/^/[$rate] /"
  row=$(tail -1 "$dir/load.csv")
  # The run lasts until every submission is answered, so its CPU and bytes
  # are divided by every transaction committed in it (the measured ones
  # and the warm-up second's), not only those inside the window.
  committed=$(grep -o '(\([0-9]*\) of' "$log" | tr -dc 0-9)
  committed=$((committed + $(echo "$row" | cut -d, -f1)))
  per_tx=$(echo "($c1 - $c0) / $(getconf CLK_TCK) / $committed / 6 * 1000000" | bc -l)
  bytes=$(echo "($b1 - $b0) / $committed" | bc -l)
  rss=$(for p in $pids; do awk '/VmRSS/ {print int($2/1024)}' "/proc/$p/status"; done | sort -n | tail -1)
  printf '%s,%.0f,%.0f,%s\n' "$row" "$per_tx" "$bytes" "$rss" | tee -a "$out"
done
