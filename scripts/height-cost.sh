#!/usr/bin/env bash
# What one more height costs the devnet's six nodes under load, by stage.
#
# The same offered load twice, each on a fresh devnet: once with
# `block.interval_ms` SHORT (more, smaller heights) and once with LONG
# (fewer, larger ones). perf samples every yui-node over the measured
# window; their CPU comes from /proc and the heights from `yui status`.
# The difference in CPU divided by the difference in heights per second is
# what an extra height costs; each stage's part (the stages of
# scripts/perf-stages.py) is its share of the samples times the CPU.
# At a rate that fills both cores with SHORT, part of the difference is
# contention (work runs slower on a busy machine), so the figures are
# upper bounds.
#
# Needs perf (Debian: linux-perf) and inferno (cargo install inferno).
# Usage: scripts/height-cost.sh RATE SECONDS SHORT_MS LONG_MS [PORT]
#   e.g. scripts/height-cost.sh 3000 24 40 160
set -euo pipefail
cd "$(dirname "$0")/.."
rate=$1; secs=$2; short=$3; long=$4; port=${5:-7301}
bin="${YUI_BIN_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/debug}"
(( secs > 8 )) || { echo "SECONDS must be over 8" >&2; exit 2; }
work=$(mktemp -d)
stop() {
  for d in "$work"/devnet-*; do
    [ -d "$d" ] && "$bin/yui-devnet" --dir "$d" down > /dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap stop EXIT

# One run with block.interval_ms = $1: writes $work/$1.folded and
# $work/$1.meta (cores, heights per second).
run() {
  local iv=$1 d="$work/devnet-$1" b="$work/bin-$1"
  mkdir -p "$b"
  # yui-devnet starts the yui-node beside it: here a wrapper that sets the
  # interval in each node's config.toml once `yui-node init` wrote it.
  cp "$bin/yui-devnet" "$b/"
  cat > "$b/yui-node" <<EOF
#!/usr/bin/env bash
if [ "\$1" != init ]; then exec "$bin/yui-node" "\$@"; fi
"$bin/yui-node" "\$@"
home=""; prev=""
for a in "\$@"; do [ "\$prev" = --home ] && home=\$a; prev=\$a; done
sed -i "s/^interval_ms = .*/interval_ms = $iv/" "\$home/config.toml"
EOF
  chmod +x "$b/yui-node"
  echo "block.interval_ms = $iv: starting a fresh devnet…"
  "$b/yui-devnet" --dir "$d" up --no-story --port "$port" > /dev/null
  sleep 10
  local pids; pids=$(awk 1 "$d"/nodes/*/pid | paste -sd,)
  cpu() { for p in ${pids//,/ }; do awk '{print $14+$15}' "/proc/$p/stat"; done | paste -sd+ | bc; }
  height() { "$bin/yui" --node "127.0.0.1:$port" status | awk '{print $4}'; }
  "$bin/yui-bench" load --dir "$d" --node "127.0.0.1:$port" --rate "$rate" \
    --seconds "$secs" --accounts 400 > "$work/$iv.load.txt" 2>&1 &
  local lp=$!
  until grep -q '^offering' "$work/$iv.load.txt" 2>/dev/null; do sleep 0.05; done
  sleep 2
  local c0 h0 c1 h1 window=$((secs - 4))
  c0=$(cpu); h0=$(height)
  echo "  perf on six nodes for $window s…"
  perf record -F 199 --call-graph dwarf,16384 -p "$pids" -o "$work/$iv.data" \
    -- sleep "$window" 2> /dev/null
  c1=$(cpu); h1=$(height)
  wait "$lp"
  grep -E '^(sustained|latency)' "$work/$iv.load.txt" | sed 's/^/  /'
  "$b/yui-devnet" --dir "$d" down > /dev/null
  echo "  folding the profile…"
  perf script --no-inline -i "$work/$iv.data" 2> /dev/null | inferno-collapse-perf --all > "$work/$iv.folded"
  rm -f "$work/$iv.data"
  echo "$(echo "($c1 - $c0) / $(getconf CLK_TCK) / $window" | bc -l) $(echo "($h1 - $h0) / $window" | bc -l)" > "$work/$iv.meta"
}

run "$short"
run "$long"
python3 - "$work" "$short" "$long" <<'EOF'
import importlib.util, sys
work, short, long_ = sys.argv[1:4]
spec = importlib.util.spec_from_file_location("stages", "scripts/perf-stages.py")
stages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stages)

def shares(path):
    counts, total = stages.stage_counts(path)
    return {k: v / total for k, v in counts.items()} if total else {}

def meta(iv):
    cores, hps = map(float, open(f"{work}/{iv}.meta").read().split())
    return cores, hps

(ca, ha), (cb, hb) = meta(short), meta(long_)
sa, sb = shares(f"{work}/{short}.folded"), shares(f"{work}/{long_}.folded")
print(f"interval {short} ms: {ha:.2f} heights/s, {ca:.3f} cores; "
      f"{long_} ms: {hb:.2f} heights/s, {cb:.3f} cores")
if ha - hb <= 0.5:
    sys.exit("the two intervals gave about the same heights per second: nothing to divide by")
per = lambda a, b: (a - b) / (ha - hb) * 1000
print(f"an extra height: {per(ca, cb):.1f} ms of CPU over six nodes, "
      f"{per(ca, cb) / 6:.1f} ms per node")
print(f"{'stage':34} {'ms per extra height, six nodes':>31}")
for name in [n for n, _ in stages.STAGES] + ["other"]:
    print(f"{name:34} {per(sa.get(name, 0) * ca, sb.get(name, 0) * cb):31.2f}")
EOF
