"""Plots a yui-bench soak: each node's resident memory and data folder size
over the run, the data folder against committed transactions, the chain's
committed rate, and (for soaks that recorded them) each node's reads from the
disk beside the machine's available memory.
Usage: plot-soak.py SOAK.csv OUT.png [TITLE] (needs matplotlib)."""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

rows = list(csv.DictReader(open(sys.argv[1])))
by_node = defaultdict(list)
for r in rows:
    by_node[r["node"]].append(r)
reads = bool(rows) and "read_bytes" in rows[0]
fig, axes = plt.subplots(1, 5 if reads else 4, figsize=(25 if reads else 20, 4.2))
a, b, c, rate = axes[:4]
chain = next(iter(sorted(by_node.items())))[1]
pts = [(float(r["t_s"]), int(r["chain_txs"])) for r in chain]
rate.plot([(t0 + t1) / 120 for (t0, _), (t1, _) in zip(pts, pts[1:])],
          [(n1 - n0) / max(t1 - t0, 1e-9) for (t0, n0), (t1, n1) in zip(pts, pts[1:])], "k-")
rate.set_xlabel("minutes into the soak")
rate.set_ylabel("committed (tx/s)")
rate.set_title("The chain's committed rate")
rate.set_ylim(bottom=0)
rate.grid(alpha=0.3)
for node, rs in sorted(by_node.items()):
    minutes = [float(r["t_s"]) / 60 for r in rs]
    a.plot(minutes, [int(r["rss_kib"]) / 1024 for r in rs], label=node)
    b.plot(minutes, [int(r["disk_bytes"]) / 2**20 for r in rs], label=node)
    c.plot([int(r["chain_txs"]) / 1000 for r in rs], [int(r["disk_bytes"]) / 2**20 for r in rs], label=node)
if reads:
    d = axes[4]
    for node, rs in sorted(by_node.items()):
        pts = [(float(r["t_s"]), int(r["read_bytes"])) for r in rs]
        xs = [(t0 + t1) / 120 for (t0, _), (t1, _) in zip(pts, pts[1:])]
        ys = [(b1 - b0) / 2**20 / max(t1 - t0, 1e-9) for (t0, b0), (t1, b1) in zip(pts, pts[1:])]
        d.plot(xs, ys, label=node)
    first = next(iter(sorted(by_node.items())))[1]
    m = d.twinx()
    m.plot([float(r["t_s"]) / 60 for r in first], [int(r["mem_available_kib"]) / 2**20 for r in first],
           "k--", label="machine's available memory")
    m.set_ylabel("available memory (GiB, dashed)")
    m.set_ylim(bottom=0)
    d.set_xlabel("minutes into the soak")
    d.set_ylabel("read from the disk (MiB/s)")
    d.set_title("Disk reads and available memory")
    d.grid(alpha=0.3)
a.set_xlabel("minutes into the soak")
a.set_ylabel("resident memory (MiB)")
a.set_title("Memory (VmRSS)")
a.set_ylim(bottom=0)
b.set_xlabel("minutes into the soak")
b.set_ylabel("data folder (MiB)")
b.set_title("Disk over time")
c.set_xlabel("transactions committed since the start (thousands)")
c.set_ylabel("data folder (MiB)")
c.set_title("Disk against committed transactions")
for ax in (a, b, c):
    ax.grid(alpha=0.3)
a.legend(fontsize=8)
fig.suptitle(sys.argv[3] if len(sys.argv) > 3 else "Yui soak")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=100)
