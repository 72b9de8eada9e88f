"""`yui audit export` read back by an independent reader (pyarrow).

A small simulated town (`yui-devnet year`) is written as a real chain and
served by the devnet; its blocks are exported from the node as Parquet and
from an archive (`yui audit fetch`) as CSV, and pseudonymously. The test
checks the files' schemas, their row counts against the replay's, that CSV
and Parquet hold the same rows, and that the events account for every
balance: per account and asset, what the events moved in less what they
moved out is the balance at the end, and per asset, minted less burned less
what sits in open jobs' escrow is the sum of balances.
"""

import csv
import json
import shutil
import subprocess
import tempfile
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from test_devnet import bin_dir, free_port  # noqa: E402

pytestmark = pytest.mark.devnet

INT, UINT, TEXT = pa.int64(), pa.uint64(), pa.string()
TIME = pa.timestamp("ms", tz="UTC")
# Every table's columns: name, type, nullable (docs/export.md).
SCHEMAS = {
    "blocks": [
        ("height", INT, False), ("time", TIME, False), ("hash", TEXT, False),
        ("prev_hash", TEXT, False), ("proposer", TEXT, False), ("transactions", INT, False),
        ("failed", INT, False), ("events", INT, False), ("round", INT, False),
        ("signatures", INT, False), ("tx_root", TEXT, False), ("receipts_root", TEXT, False),
        ("state_root", TEXT, False), ("validators_hash", TEXT, False),
    ],
    "transactions": [
        ("height", INT, False), ("time", TIME, False), ("tx_index", INT, False),
        ("hash", TEXT, False), ("operation", TEXT, False), ("signer", TEXT, False),
        ("nonce", UINT, False), ("result", TEXT, False), ("events", INT, False),
    ],
    "events": [
        ("height", INT, False), ("time", TIME, False), ("tx_index", INT, True),
        ("event_index", INT, False), ("part", INT, False), ("kind", TEXT, False),
        ("asset", TEXT, True), ("from", TEXT, True), ("to", TEXT, True), ("party", TEXT, True),
        ("amount", UINT, True), ("fee", UINT, True), ("source", TEXT, True),
        ("reference", TEXT, True), ("detail", TEXT, True), ("expires_at", TIME, True),
    ],
    "balances": [
        ("period", TEXT, False), ("height", INT, False), ("time", TIME, False),
        ("asset", TEXT, False), ("account", TEXT, False), ("balance", UINT, False),
    ],
    "accounts": [
        ("account", TEXT, False), ("name", TEXT, True), ("roles", TEXT, False),
        ("merchant_class", TEXT, True), ("first_height", INT, False),
    ],
}
# Events that move value: (from gives amount, to receives amount), or how
# they move it otherwise (docs/export.md, "Value in the events").
INTO_ESCROW = {"job_posted"}
OUT_OF_ESCROW = {"job_paid", "job_auto_released", "job_cancelled", "job_expired", "job_resolved"}
MOVES = {"minted", "transferred", "paid", "refunded", "burned", "expired"}


def yui(*args, timeout=120):
    r = subprocess.run([str(bin_dir() / "yui"), *args], capture_output=True, text=True,
                       timeout=timeout)
    assert r.returncode == 0, f"yui {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def town():
    devnet_bin = bin_dir() / "yui-devnet"
    assert devnet_bin.exists(), f"{devnet_bin} not found: build the binaries or set YUI_BIN_DIR"
    d = Path(tempfile.mkdtemp(prefix="yui-py-export-"))
    port = free_port()
    try:
        up = subprocess.run(
            [str(devnet_bin), "--dir", str(d), "year", "--residents", "150", "--merchants", "12",
             "--days", "45", "--seed", "11", "--port", str(port)],
            capture_output=True, text=True, timeout=300)
        assert up.returncode == 0, f"yui-devnet year failed:\n{up.stdout}\n{up.stderr}"
        node = f"127.0.0.1:{port}"
        key = str(d / "keys" / "auditor.json")
        # The validators go on from the year's last block: fix the height.
        height = json.loads(yui("--node", node, "--output", "json", "status"))["height"]
        archive = d / "town.yuiarch"
        yui("--node", node, "audit", "fetch", "--key", key, "--out", str(archive),
            "--height", str(height))
        out = {"dir": d, "height": height, "archive": archive}
        # Parquet from the node, CSV and a pseudonymous copy from the archive.
        out["parquet"] = d / "pq"
        yui("--node", node, "audit", "export", "--key", key, "--format", "parquet",
            "--out", str(out["parquet"]), "--height", str(height), "--period", "week")
        subprocess.run([str(devnet_bin), "--dir", str(d), "down"], capture_output=True, timeout=60)
        out["csv"] = d / "csv"
        yui("audit", "export", "--archive", str(archive), "--format", "csv",
            "--out", str(out["csv"]), "--period", "week")
        out["pseudo"] = d / "pseudo"
        yui("audit", "export", "--archive", str(archive), "--format", "parquet",
            "--out", str(out["pseudo"]), "--period", "week", "--pseudonymous")
        out["replay"] = json.loads(yui("--output", "json", "audit", "replay", "--archive",
                                       str(archive)))
        yield out
    finally:
        subprocess.run([str(devnet_bin), "--dir", str(d), "down"], capture_output=True, timeout=60)
        shutil.rmtree(d, ignore_errors=True)


def table(town, name, copy="parquet"):
    return pq.read_table(town[copy] / f"{name}.parquet")


def test_schemas_are_typed_as_documented(town):
    for name, columns in SCHEMAS.items():
        schema = table(town, name).schema
        got = [(f.name, f.type, f.nullable) for f in schema]
        # A required column reads as not nullable; compare names and types
        # exactly, and that every nullable column is one the docs list so.
        assert [(n, t) for n, t, _ in got] == [(n, t) for n, t, _ in columns], name
        for (n, _, nullable), (_, _, may_be_null) in zip(got, columns):
            assert nullable == may_be_null, f"{name}.{n}"
        meta = pq.read_metadata(town["parquet"] / f"{name}.parquet")
        assert meta.created_by.startswith("yui audit export")
        kv = meta.metadata
        assert kv[b"yui.time_zone"] == b"Asia/Tokyo" and kv[b"yui.period"] == b"week"
        assert int(kv[b"yui.final_height"]) == town["height"]


def test_row_counts_match_the_replay(town):
    replay = town["replay"]
    summary = json.loads((town["parquet"] / "export.json").read_text())
    assert summary["final_height"] == town["height"] == replay["final_height"]
    assert summary["final_state_root"] == replay["final_state_root"]
    assert table(town, "transactions").num_rows == replay["transactions"] > 200
    assert table(town, "blocks").num_rows == replay["blocks"] == town["height"]
    blocks = table(town, "blocks").to_pydict()
    assert sum(blocks["transactions"]) == replay["transactions"]
    assert sum(blocks["failed"]) == replay["failed_transactions"]
    assert sum(blocks["events"]) <= table(town, "events").num_rows
    for name, t in summary["tables"].items():
        assert table(town, name).num_rows == t["rows"]
    ops = set(table(town, "transactions").column("operation").to_pylist())
    assert {"charge", "pay", "redeem"} <= ops


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        return header, list(r)


def test_csv_and_parquet_hold_the_same_rows(town):
    for name, columns in SCHEMAS.items():
        header, rows = csv_rows(town["csv"] / f"{name}.csv")
        assert header == [c[0] for c in columns]
        t = table(town, name).to_pylist()
        assert len(rows) == len(t), name
        for i, (c, p) in enumerate(zip(rows, t)):
            for (col, typ, _), text in zip(columns, c):
                v = p[col]
                if v is None:
                    assert text == "", (name, i, col)
                elif typ == TIME:
                    # The instant, written in the town's zone.
                    assert text.endswith("+09:00"), text
                    assert datetime.fromisoformat(text) == v, (name, i, col)
                else:
                    assert text == str(v), (name, i, col)


def test_the_events_account_for_every_balance(town):
    ev = table(town, "events").to_pylist()
    bal = table(town, "balances").to_pylist()
    last = max(b["height"] for b in bal)
    assert last == town["height"]
    final = {(b["asset"], b["account"]): b["balance"] for b in bal if b["height"] == last}
    net = defaultdict(int)
    minted, burned, escrow = defaultdict(int), defaultdict(int), defaultdict(int)
    for e in ev:
        k, a, n = e["kind"], e["asset"], e["amount"]
        if k in MOVES:
            if e["from"] is not None:
                net[(a, e["from"])] -= n
            if e["to"] is not None:
                net[(a, e["to"])] += n
            if k == "minted":
                minted[a] += n
            if k == "burned":
                burned[a] += n
        elif k == "redeemed":
            # The merchant gives `amount`; the fee goes to the operator, the rest is burned.
            net[(a, e["from"])] -= n
            net[(a, e["to"])] += e["fee"]
            burned[a] += n - e["fee"]
        elif k in INTO_ESCROW:
            net[(a, e["from"])] -= n
            escrow[a] += n
        elif k in OUT_OF_ESCROW:
            net[(a, e["to"])] += n
            escrow[a] -= n
    assert {k: v for k, v in net.items() if v != 0} == final
    assets = town["replay"]["assets"]
    for a in minted:
        held = sum(v for (asset, _), v in final.items() if asset == a)
        assert minted[a] - burned[a] - escrow[a] == held, a
        assert minted[a] == assets[a]["minted"] and burned[a] == assets[a]["burned"], a
    assert sum(minted.values()) > 0 and sum(burned.values()) > 0


def test_balances_are_per_week_and_never_zero(town):
    bal = table(town, "balances").to_pylist()
    assert all(b["balance"] > 0 for b in bal)
    periods = sorted({b["period"] for b in bal})
    assert len(periods) >= 6 and all("-W" in p for p in periods)
    # Each period's rows share the period's last block.
    ends = defaultdict(set)
    for b in bal:
        ends[b["period"]].add(b["height"])
    assert all(len(h) == 1 for h in ends.values())


def test_accounts_tell_merchants_by_class(town):
    accounts = table(town, "accounts").to_pylist()
    held = {b["account"] for b in table(town, "balances").to_pylist()}
    known = {a["account"] for a in accounts}
    assert held <= known
    assert set(table(town, "transactions").column("signer").to_pylist()) <= known
    merchants = [a for a in accounts if a["merchant_class"] is not None]
    assert len(merchants) == 12
    assert {a["merchant_class"] for a in merchants} <= {"small_local", "large", "public"}
    assert all(a["roles"].startswith("merchant:") for a in merchants)
    # Spending at merchants by class, as an analyst would join it.
    cls = {a["account"]: a["merchant_class"] for a in merchants}
    by_class = defaultdict(int)
    for e in table(town, "events").to_pylist():
        if e["kind"] == "paid" and e["from"] not in cls:
            by_class[cls[e["to"]]] += e["amount"]
    assert by_class["small_local"] > 0


def test_a_pseudonymous_copy_names_no_account(town):
    plain_bal = table(town, "balances").to_pylist()
    addresses = {b["account"] for b in plain_bal} | set(
        table(town, "transactions").column("signer").to_pylist())
    pseudo = {n: table(town, n, "pseudo") for n in SCHEMAS}
    text = set()
    for t in pseudo.values():
        for col in t.column_names:
            if t.schema.field(col).type == TEXT:
                text.update(v for v in t.column(col).to_pylist() if v is not None)
    assert not addresses & text
    signers = set(pseudo["transactions"].column("signer").to_pylist())
    assert signers and all(len(s) == 32 for s in signers)
    # The same balances, under other names.
    key = lambda rows: sorted((b["period"], b["asset"], b["balance"]) for b in rows)  # noqa: E731
    assert key(pseudo["balances"].to_pylist()) == key(plain_bal)
    assert pseudo["events"].num_rows == table(town, "events").num_rows
    assert json.loads((town["pseudo"] / "export.json").read_text())["pseudonymous"] is True
    # No names, and no class of fewer than k = 10 shops (12 shops in three classes).
    accounts = pseudo["accounts"].to_pylist()
    assert all(a["name"] is None and a["merchant_class"] is None for a in accounts)
    assert sum(a["roles"] == "merchant" for a in accounts) == 12
