#!/usr/bin/env bash
# How long the city's block stages take under load: a fresh devnet, the city
# restarted with its Prometheus endpoint (`[metrics] listen`), then
# `yui_block_stage_seconds` read before and after `yui-bench load` offers
# RATE tx/s for SECONDS; prints each stage's mean per height (build: the
# city's own proposals; validate: the others'; commit: every height).
# Usage: scripts/commit-stage.sh RATE SECONDS [METRICS_PORT]
# Binaries: YUI_BIN_DIR, else $CARGO_TARGET_DIR/debug, else target/debug.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=$1; secs=$2; port=${3:-9101}
bin="${YUI_BIN_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/debug}"
dir=$(mktemp -d /tmp/yui-commit-stage.XXXXXX)
trap '"$bin/yui-devnet" --dir "$dir/dn" down >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"$bin/yui-devnet" --dir "$dir/dn" up --no-story >/dev/null
city="$dir/dn/nodes/city"
kill -9 "$(cat "$city/pid")"
sleep 1
printf '\n[metrics]\nlisten = "127.0.0.1:%s"\n' "$port" >> "$city/config.toml"
setsid "$bin/yui-node" start --home "$city" >> "$city/node.log" 2>&1 < /dev/null &
echo $! > "$city/pid"
until curl -sf "127.0.0.1:$port/metrics" >/dev/null; do sleep 0.2; done
sleep 8
scrape() {
  curl -s "127.0.0.1:$port/metrics" |
    grep -E '^yui_block_stage_seconds_(sum|count)\{stage="(build|validate|commit)"\}' || true
}
scrape > "$dir/m0"
"$bin/yui-bench" load --dir "$dir/dn" --node 127.0.0.1:7001 --rate "$rate" \
  --seconds "$secs" --accounts 400 | grep -E '^(sustained|latency|blocks)'
scrape > "$dir/m1"
join <(sort "$dir/m0") <(sort "$dir/m1") | awk '
  { split($1, a, "\""); stage = a[2]; d = $3 - $2
    if ($1 ~ /_sum/) s[stage] = d; else c[stage] = d }
  END { for (st in c) if (c[st] > 0) printf "%-9s %6d heights, mean %6.2f ms\n", st, c[st], 1000 * s[st] / c[st] }'
