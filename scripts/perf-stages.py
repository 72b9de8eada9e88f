#!/usr/bin/env python3
"""Splits a folded perf profile of the devnet's yui-node processes into
stages and gives each stage's CPU per committed transaction per node.

Usage: perf-stages.py PROFILE.folded CPU_US_PER_TX_PER_NODE

A sample belongs to the first stage (in the order below) that any frame of
its stack matches, so a signature check inside admission counts as
signatures, and RocksDB reads inside execution count as RocksDB.
The CPU per committed transaction per node (from /proc over the load run,
see profile-devnet.sh) is split by each stage's share of the samples.
"""
import re
import sys

STAGES = [
    ("signatures (ed25519)", r"ed25519|curve25519|verify_batch|signature::"),
    ("state tree (JMT)", r"\bjmt::|commitment::update"),
    ("RocksDB", r"rocksdb|librocksdb|storage::Store"),
    ("gRPC (tonic, h2, hyper)", r"\btonic::|\bh2::|\bhyper|tower|api::"),
    ("libp2p (gossip, noise, yamux)", r"libp2p|yamux|snow::|noise|multistream"),
    ("execution (ledger)", r"yui_ledger::exec|BlockExecutor|check_tx|run_op"),
    ("consensus and engine", r"yui_consensus|engine::|chain::Shared::commit"),
    ("admission and mempool", r"mempool|admit|verified::"),
    ("encoding and hashing", r"borsh|sha2|Sha256|\bsha256"),
    ("memory allocation", r"malloc|free|realloc|memcpy|memmove|alloc::"),
    ("async runtime and kernel", r"tokio|\[kernel|syscall|futex|epoll|entry_SYSCALL|\[unknown\]"),
]


def stage_counts(folded):
    """Samples per stage of a folded profile (with "other"), and the total."""
    counts = {name: 0 for name, _ in STAGES}
    counts["other"] = 0
    total = 0
    pats = [(n, re.compile(p)) for n, p in STAGES]
    with open(folded) as f:
        for line in f:
            stack, _, n = line.rstrip().rpartition(" ")
            n = int(n)
            total += n
            for name, pat in pats:
                if pat.search(stack):
                    counts[name] += n
                    break
            else:
                counts["other"] += n
    return counts, total


def main():
    folded, per_tx = sys.argv[1], float(sys.argv[2])
    counts, total = stage_counts(folded)
    print(f"{total} samples; {per_tx:.0f} µs CPU per committed transaction per node")
    print(f"{'stage':34} {'share':>7} {'µs per tx per node':>20}")
    for name, c in sorted(counts.items(), key=lambda kv: -kv[1]):
        share = c / total if total else 0
        print(f"{name:34} {share*100:6.1f}% {share*per_tx:20.1f}")


if __name__ == "__main__":
    main()
