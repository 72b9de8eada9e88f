"""Plots a yui-bench sweep: sustained throughput and submit-to-commit latency
against offered load. Usage: plot-bench.py SWEEP.csv OUT.png [TITLE] (needs matplotlib)."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

rows = list(csv.DictReader(open(sys.argv[1])))
# scripts/bench-table.sh names the columns offered and in_window.
for r in rows:
    r.setdefault("rate", r.get("offered"))
    r.setdefault("sustained_tps", r.get("in_window"))
# Optional 4th argument: what is offered (default: payments).
what = sys.argv[4] if len(sys.argv) > 4 else "payments"
rate = [int(r["rate"]) for r in rows]
fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
a.plot(rate, [float(r["sustained_tps"]) for r in rows], "o-", label="committed")
a.plot(rate, rate, ":", color="grey", label="offered")
a.set_xlabel(f"offered load ({what}/s)")
a.set_ylabel("committed inside the window (tx/s)")
a.set_title("Throughput")
a.legend()
for key, style in (("p50_ms", "o-"), ("p99_ms", "s--")):
    b.plot(rate, [float(r[key]) for r in rows], style, label=key.replace("_ms", ""))
b.set_xlabel(f"offered load ({what}/s)")
b.set_ylabel("submit → commit latency (ms)")
b.set_yscale("log")
b.set_title("Latency")
b.legend()
fig.suptitle(sys.argv[3] if len(sys.argv) > 3 else "Yui, one validator, 2-core machine shared with the load generator")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
