#!/usr/bin/env bash
# The devnet over a wide-area network: each node in a network namespace of
# its own, its link delayed (the city hall, the chamber and the coordinators
# at different distances, with jitter and loss). Under steady load it
# measures three phases: the WAN, the WAN with the last block's proposer
# cut off (a partition isolating the leader), and the WAN healed; then it
# checks that every node holds the same chain.
#
#   sudo devnet/wan.sh                       # target/debug binaries
#   YUI_WAN_RATE=300 YUI_WAN_SECONDS=30 devnet/wan.sh
#
# The links: where the kernel has `tc netem`, veth pairs on a bridge whose
# egress netem delays; where it has not but has TUN devices, the packets go
# through devnet/wanlink.py, which delays and drops them in user space; with
# neither (or YUI_WAN_LINKS=none), links without delay, said so. Needs root
# and iproute2 (`ip`, `tc`); says so and exits 0 where they are missing.
# YUI_WAN_LINKS=netem|tun|none chooses. Everything it creates (namespaces
# yui-wan-*, bridge yuiwan0, devices yw-*/yt-*, processes) is removed on
# exit. Nodes talk only to 10.77.0.0/24 inside the namespaces it made.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-${CARGO_TARGET_DIR:-target}/debug}
DIR=${YUI_WAN_DIR:-/tmp/yui-wan}
RATE=${YUI_WAN_RATE:-200}
SECONDS_PER_PHASE=${YUI_WAN_SECONDS:-20}
PORT=7301
NET=10.77.0
BRIDGE=yuiwan0
# One-way delay and jitter of each node's link (ms): a pair's delay is the
# sum of its two links (10–40 ms one way between the parties), 1 % loss each.
declare -A DELAY=([city]=5 [chamber]=10 [coord-kita]=15 [coord-minami]=20 [observer]=5 [coord-higashi]=20)
JITTER=3
LOSS=1  # percent

skip() { echo "wan: skipped: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, tc)"
command -v ip >/dev/null && command -v tc >/dev/null || skip "needs iproute2 (ip, tc)"
for b in yui-devnet yui-node yui yui-bench; do
    [ -x "$BIN/$b" ] || { echo "wan: $BIN/$b is missing: cargo build --bins"; exit 1; }
done

NAMES=()
WANLINK=""
# Removes what this script creates, also a previous run's leftovers.
cleanup() {
    set +e
    if [ -n "$WANLINK" ]; then
        kill "$WANLINK" 2>/dev/null
        wait "$WANLINK" 2>/dev/null
        sed 's/^wanlink:/wan: packets:/' "$DIR/wanlink.log"
        WANLINK=""
    fi
    for ns in $(ip netns list | awk '/^yui-wan-/ {print $1}'); do
        ip netns pids "$ns" | xargs -r kill -9
    done
    sleep 0.5
    for ns in $(ip netns list | awk '/^yui-wan-/ {print $1}'); do
        ip netns del "$ns"
    done
    for link in $(ip -br link | awk '/^yw-[0-9]+@/ {sub(/@.*/, "", $1); print $1}'); do
        ip link del "$link" 2>/dev/null
    done
    ip link del "$BRIDGE" 2>/dev/null
    set -e
}
cleanup
trap cleanup EXIT

# The devnet's keys, genesis and configs, on 127.0.0.1 first.
rm -rf "$DIR"
"$BIN/yui-devnet" --dir "$DIR" up --no-story --port "$PORT" >"$DIR.up.log" 2>&1 || {
    cat "$DIR.up.log"; exit 1; }
"$BIN/yui-devnet" --dir "$DIR" down >/dev/null 2>&1 || true

# Each node's index from its gRPC port; its addresses move to 10.77.0.<i+1>.
for home in "$DIR"/nodes/*/; do
    n=$(basename "$home")
    NAMES+=("$n")
done
index_of() { sed -n "s/^listen = \"127.0.0.1:\([0-9]*\)\"/\1/p" "$DIR/nodes/$1/config.toml" | head -1; }
for n in "${NAMES[@]}"; do
    i=$(( $(index_of "$n") - PORT ))
    for other in "${NAMES[@]}"; do
        sed -i -e "s#127.0.0.1:$((PORT + i))\"#$NET.$((i + 1)):$((PORT + i))\"#" \
               -e "s#/ip4/127.0.0.1/tcp/$((PORT + 20000 + i))\"#/ip4/$NET.$((i + 1))/tcp/$((PORT + 20000 + i))\"#g" \
               "$DIR/nodes/$other/config.toml"
    done
done

# How the links are delayed: the kernel's netem, else user space through
# TUN devices, else not at all.
LINKS=${YUI_WAN_LINKS:-}
if [ -z "$LINKS" ]; then
    modprobe sch_netem 2>/dev/null || true
    ip netns add yui-wan-probe
    if tc -n yui-wan-probe qdisc add dev lo root netem delay 1ms 2>/dev/null; then
        LINKS=netem
    elif [ -c /dev/net/tun ] && command -v python3 >/dev/null; then
        LINKS=tun
        echo "wan: this kernel has no netem (sch_netem): the links are delayed in user space (devnet/wanlink.py)"
    else
        LINKS=none
        echo "wan: this kernel has neither netem nor TUN devices: the links get no delay or loss; the partition and healing still run"
    fi
    ip netns del yui-wan-probe
fi

declare -A ADDR GRPC INDEX
for n in "${NAMES[@]}"; do
    i=$(( $(sed -n "s/^listen = \"$NET\.[0-9]*:\([0-9]*\)\"/\1/p" "$DIR/nodes/$n/config.toml" | head -1) - PORT ))
    INDEX[$n]=$i
    ADDR[$n]="$NET.$((i + 1))"
    GRPC[$n]="$NET.$((i + 1)):$((PORT + i))"
    ip netns add "yui-wan-$n"
    ip -n "yui-wan-$n" link set lo up
done
# A node's device inside its namespace, which the partition takes down.
device() { if [ "$LINKS" = tun ]; then echo "yt-${INDEX[$1]}"; else echo "yw-${INDEX[$1]}-ns"; fi; }

if [ "$LINKS" = tun ]; then
    specs=("yt-host=$NET.254:0")
    for n in "${NAMES[@]}"; do specs+=("$(device "$n")=${ADDR[$n]}:${DELAY[$n]}"); done
    rm -f "$DIR/wanlink.ready"
    python3 devnet/wanlink.py --ready "$DIR/wanlink.ready" --seed 1 --jitter "$JITTER" \
        --loss-percent "$LOSS" "${specs[@]}" >"$DIR/wanlink.log" 2>&1 &
    WANLINK=$!
    for _ in $(seq 1 50); do [ -s "$DIR/wanlink.ready" ] && break; sleep 0.1; done
    [ -s "$DIR/wanlink.ready" ] || { cat "$DIR/wanlink.log"; exit 1; }
    ip addr add "$NET.254/24" dev yt-host
    ip link set yt-host up
    for n in "${NAMES[@]}"; do
        d=$(device "$n")
        ip link set "$d" netns "yui-wan-$n"
        ip -n "yui-wan-$n" addr add "${ADDR[$n]}/24" dev "$d"
        ip -n "yui-wan-$n" link set "$d" up
    done
else
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.254/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
    for n in "${NAMES[@]}"; do
        i=${INDEX[$n]}
        ns="yui-wan-$n"
        ip link add "yw-$i" type veth peer name "yw-$i-ns"
        ip link set "yw-$i-ns" netns "$ns"
        ip link set "yw-$i" master "$BRIDGE" up
        ip -n "$ns" addr add "${ADDR[$n]}/24" dev "yw-$i-ns"
        ip -n "$ns" link set "yw-$i-ns" up
        # Egress delay from the node, and towards it (the bridge side).
        if [ "$LINKS" = netem ]; then
            tc -n "$ns" qdisc add dev "yw-$i-ns" root netem delay "${DELAY[$n]}ms" "${JITTER}ms" loss "${LOSS}%"
            tc qdisc add dev "yw-$i" root netem delay "${DELAY[$n]}ms" "${JITTER}ms" loss "${LOSS}%"
        fi
    done
fi
for n in "${NAMES[@]}"; do
    ip netns exec "yui-wan-$n" "$BIN/yui-node" start --home "$DIR/nodes/$n" \
        >>"$DIR/nodes/$n/node.log" 2>&1 &
    disown
done

CITY="${GRPC[city]}"
yui() { "$BIN/yui" --node "$CITY" "$@"; }
height() { "$BIN/yui" --node "$1" --output json status 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])' 2>/dev/null || echo 0; }
if [ "$LINKS" != none ]; then
    echo "wan: ${#NAMES[@]} nodes in namespaces, links by $LINKS, one-way delays (ms): $(for n in "${NAMES[@]}"; do printf '%s %s  ' "$n" "${DELAY[$n]}"; done)± ${JITTER} ms, loss ${LOSS} % per link"
else
    echo "wan: ${#NAMES[@]} nodes in namespaces, links without delay"
fi
for _ in $(seq 1 120); do
    [ "$(height "$CITY")" -ge 3 ] && break
    sleep 0.5
done
sleep 5

CSV="$DIR/phases.csv"
: >"$CSV"
phase() {
    echo "wan: phase '$1': $RATE payments/s for $SECONDS_PER_PHASE s"
    "$BIN/yui-bench" load --dir "$DIR" --node "$CITY" --rate "$RATE" --seconds "$SECONDS_PER_PHASE" \
        --accounts 200 --csv "$CSV.tmp" >"$DIR/phase-$1.log" 2>&1 || true
    tail -n 3 "$DIR/phase-$1.log"
    if [ -s "$CSV.tmp" ]; then sed "s/^/$1,/" "$CSV.tmp" >>"$CSV"; rm -f "$CSV.tmp"; fi
}

phase wan

# The last block's proposer, cut off from every other node.
proposer=$(yui --output json block | python3 -c 'import json,sys; print(json.load(sys.stdin)["proposer"])')
leader=$(yui --output json status | P="$proposer" python3 -c '
import json, os, sys
print(next((v["name"] for v in json.load(sys.stdin)["validators"] if v["key"] == os.environ["P"]), ""))')
[ -n "$leader" ] && [ -n "${GRPC[$leader]:-}" ] || { echo "wan: no node has the proposer key $proposer"; exit 1; }
# The load goes to another validator than the one cut off.
if [ "$leader" = city ]; then CITY="${GRPC[chamber]}"; fi
echo "wan: isolating the leader, $leader (${ADDR[$leader]})"
ip -n "yui-wan-$leader" link set "$(device "$leader")" down
phase partition
echo "wan: healing"
ip -n "yui-wan-$leader" link set "$(device "$leader")" up
phase healed

# Every node at the same height holds the same block.
sleep 5
top=$(height "$CITY")
for n in "${NAMES[@]}"; do
    for _ in $(seq 1 60); do
        [ "$(height "${GRPC[$n]}")" -ge "$top" ] && break
        sleep 0.5
    done
done
# Each block names the previous one's hash, so one block hash at a height
# shared by all means the same chain up to it.
hashes=$(for n in "${NAMES[@]}"; do
    "$BIN/yui" --node "${GRPC[$n]}" --output json block "$top" |
        python3 -c "import json,sys; print(json.load(sys.stdin)['hash'])" 2>/dev/null || echo "unreadable-$n"
done | sort -u | wc -l)
forks=$((hashes - 1))
echo "wan: heights 1..$top identical on all ${#NAMES[@]} nodes: $([ $forks = 0 ] && echo yes || echo NO)"
echo "phase,offered,in_window_tx_s,p50_ms,p99_ms,max_ms,p50_first_third_ms,p50_last_third_ms,blocks_s,not_committed"
cat "$CSV"
[ $forks = 0 ]
