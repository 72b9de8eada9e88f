#!/usr/bin/env bash
# CPU profile of every yui-node of a running devnet under load: perf samples
# all six processes while `yui-bench load` offers RATE tx/s for SECONDS,
# then writes a flame graph and the cost per committed transaction per node
# of each stage (scripts/perf-stages.py). CPU comes from /proc over the
# load run; perf gives each stage's share of it.
# Needs perf (Debian: linux-perf); the flame graph needs inferno (cargo
# install inferno), else the stages come from scripts/perf-collapse.py.
# Usage: scripts/profile-devnet.sh DEVNET_DIR PORT RATE SECONDS OUT_PREFIX
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1; port=$2; rate=$3; secs=$4; out=$5
bin="${YUI_BIN_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/debug}"
pids=$(for f in "$dir"/nodes/*/pid; do cat "$f"; echo; done)
cpu() { for p in $pids; do awk '{print $14+$15}' /proc/$p/stat; done | paste -sd+ | bc; }
perf record -F 199 --call-graph dwarf,8192 -p "$(echo $pids | tr ' ' ,)" -o "$out.perf.data" -- sleep $((secs + 2)) 2>/dev/null &
rec=$!
c0=$(cpu)
"$bin/yui-bench" load --dir "$dir" --node "127.0.0.1:$port" --rate "$rate" --seconds "$secs" --accounts 400 | tee "$out.load.txt"
c1=$(cpu)
wait $rec || true
tx=$(awk '/^sustained|^committed/ {for(i=1;i<=NF;i++) if ($i=="tx/s") print $(i-1)}' "$out.load.txt" | head -1)
per=$(echo "($c1 - $c0) / $(getconf CLK_TCK) / ($tx * $secs) / 6 * 1000000" | bc -l)
printf 'CPU per committed transaction per node: %.0f µs\n' "$per" | tee -a "$out.load.txt"
# --no-inline: perf resolves no inlined frames with addr2line, which took
# minutes per profile; the stages are told apart by their outer frames.
if command -v inferno-collapse-perf >/dev/null && command -v inferno-flamegraph >/dev/null; then
  perf script --no-inline -i "$out.perf.data" 2>/dev/null | inferno-collapse-perf --all > "$out.folded"
  inferno-flamegraph --title "yui-node ×6 at $rate tx/s offered" < "$out.folded" > "$out.svg"
else
  echo "inferno not found (cargo install inferno): the stages without a flame graph" >&2
  perf script --no-inline -F comm,pid,tid,ip,sym -i "$out.perf.data" 2>/dev/null |
    python3 scripts/perf-collapse.py > "$out.folded"
fi
python3 scripts/perf-stages.py "$out.folded" "$per" | tee "$out.stages.txt"
rm -f "$out.perf.data"
