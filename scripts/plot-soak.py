"""Plots a yui-bench soak: each node's resident memory and data folder size
over the run, and the data folder against committed transactions.
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
fig, (a, b, c) = plt.subplots(1, 3, figsize=(15, 4.2))
for node, rs in sorted(by_node.items()):
    minutes = [float(r["t_s"]) / 60 for r in rs]
    a.plot(minutes, [int(r["rss_kib"]) / 1024 for r in rs], label=node)
    b.plot(minutes, [int(r["disk_bytes"]) / 2**20 for r in rs], label=node)
    c.plot([int(r["chain_txs"]) / 1000 for r in rs], [int(r["disk_bytes"]) / 2**20 for r in rs], label=node)
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
