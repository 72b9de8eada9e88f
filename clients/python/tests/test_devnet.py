"""Against a real network: a devnet of yui-node processes on 127.0.0.1.

The binaries come from $YUI_BIN_DIR (default ${CARGO_TARGET_DIR:-target}/debug
relative to the repository root). The devnet is stopped and its directory
removed at the end, whatever happens.
"""

import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import tomllib
from pathlib import Path

import grpc
import pytest

from yui_client import Expiry, build, load_key_file, ops
from yui_client.chain import BlockHeader, genesis_hash, tx_root
from yui_client.client import Client
from yui_client.light import LightClient, LightClientError
from yui_client.state import holding_key

REPO = Path(__file__).resolve().parents[3]
PEOPLE = ["city", "chamber", "hana", "taro", "sakura-bakery", "aeon-mall", "auditor"]

pytestmark = pytest.mark.devnet


def bin_dir() -> Path:
    d = os.environ.get("YUI_BIN_DIR")
    if d:
        return Path(d)
    target = Path(os.environ.get("CARGO_TARGET_DIR", "target"))
    return (target if target.is_absolute() else REPO / target) / "debug"


def ports_free(first: int) -> bool:
    # gRPC on first..first+5 and libp2p on first+20000.. (the devnet's layout).
    for p in [first + i for i in range(8)] + [first + 20000 + i for i in range(8)]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                return False
    return True


def free_port() -> int:
    for _ in range(200):
        p = random.randrange(20000, 45000)
        if ports_free(p):
            return p
    raise RuntimeError("no free ports")


@pytest.fixture(scope="module")
def devnet():
    devnet_bin = bin_dir() / "yui-devnet"
    assert devnet_bin.exists(), f"{devnet_bin} not found: build the binaries or set YUI_BIN_DIR"
    d = Path(tempfile.mkdtemp(prefix="yui-py-devnet-"))
    port = free_port()
    try:
        up = subprocess.run([str(devnet_bin), "--dir", str(d), "up", "--no-story", "--port", str(port)],
                            capture_output=True, text=True, timeout=120)
        assert up.returncode == 0, f"devnet up failed:\n{up.stdout}\n{up.stderr}"
        target = f"127.0.0.1:{port}"
        client = Client(target)
        deadline = time.time() + 60
        while True:
            try:
                if client.status().height >= 1:
                    break
            except grpc.RpcError:
                pass
            assert time.time() < deadline, "the devnet made no block in 60 s"
            time.sleep(0.2)
        keys = {n: load_key_file(d / "keys" / f"{n}.json") for n in PEOPLE}
        genesis = json.loads((d / "nodes" / "city" / "genesis.json").read_text())
        # The town's aggregates come from the observer alone.
        config = tomllib.loads((d / "nodes" / "observer" / "config.toml").read_text())
        observer = Client(config["api"]["listen"])
        yield {"dir": d, "port": port, "client": client, "observer": observer,
               "keys": keys, "genesis": genesis}
        observer.close()
        client.close()
    finally:
        subprocess.run([str(devnet_bin), "--dir", str(d), "down"], capture_output=True, timeout=60)
        shutil.rmtree(d, ignore_errors=True)


def events(receipt, kind):
    return [e for e in receipt.events if e.kind == kind]


def test_every_value_operation(devnet):
    c, k = devnet["client"], devnet["keys"]
    city, hana, taro = k["city"], k["hana"], k["taro"]
    bakery, mall = k["sakura-bakery"], k["aeon-mall"]
    campaign = devnet["genesis"]["campaigns"][0]
    assert campaign["charge_asset"] == "coin"

    def bal(key):
        return c.balances(key)

    city_coin0 = bal(city).get("coin", 0)

    # Charge with the campaign: coins plus the bonus points.
    r = c.send(city, ops.charge(hana.address, "coin", 10_000, "bank-py-1", campaign["id"]))
    minted = events(r, "minted")
    bonus = 10_000 * campaign["rate_bps"] // 10_000
    assert [(e.asset, e.amount, bytes(e.to)) for e in minted] == [
        ("coin", 10_000, hana.address), (campaign["bonus_asset"], bonus, hana.address)]
    assert bal(hana) == {"coin": 10_000, "point": bonus}

    # Charge without a campaign.
    r = c.send(city, ops.charge(taro.address, "coin", 2_000, "bank-py-2"))
    assert [(e.asset, e.amount) for e in events(r, "minted")] == [("coin", 2_000)]
    assert bal(taro) == {"coin": 2_000}

    # Grant points.
    r = c.send(city, ops.grant(hana.address, "point", 300, "清掃ボランティア", "cleanup-py-1"))
    assert [(e.asset, e.amount) for e in events(r, "minted")] == [("point", 300)]
    assert bal(hana) == {"coin": 10_000, "point": bonus + 300}

    # Transfer coins.
    r = c.send(hana, ops.transfer(taro.address, "coin", 1_500))
    (t,) = events(r, "transferred")
    assert (bytes(getattr(t, "from")), bytes(t.to), t.amount) == (hana.address, taro.address, 1_500)
    assert bal(hana)["coin"] == 8_500 and bal(taro) == {"coin": 3_500}

    # Pay by pay_priority: points (priority 5) before coins (10).
    points = bonus + 300
    r = c.send(hana, ops.pay(bakery.address, "SB-PY-1", 1_000))
    (p,) = events(r, "paid")
    assert {a.asset: a.amount for a in p.parts} == {"point": points, "coin": 1_000 - points}
    assert bal(hana) == {"coin": 8_500 - (1_000 - points)}
    assert bal(bakery) == {"point": points, "coin": 1_000 - points}

    # Pay naming the asset.
    r = c.send(taro, ops.pay(mall.address, "AEON-PY-1", 700, ["coin"]))
    (p,) = events(r, "paid")
    assert [(a.asset, a.amount) for a in p.parts] == [("coin", 700)]
    assert bal(taro) == {"coin": 2_800} and bal(mall) == {"coin": 700}

    # Refund: the last-drawn asset (coin) comes back first.
    r = c.send(bakery, ops.refund("SB-PY-1", 300))
    (rf,) = events(r, "refunded")
    assert {a.asset: a.amount for a in rf.parts} == {"coin": 300}
    assert bal(hana) == {"coin": 8_500 - (1_000 - points) + 300}
    assert bal(bakery) == {"point": points, "coin": 1_000 - points - 300}

    # Redeem: the fee (150 bps of coin) to the fee account, the rest burned.
    r = c.send(mall, ops.redeem("coin", 400, "payout-py-1"))
    (rd,) = events(r, "redeemed")
    assert (rd.amount, rd.fee) == (400, 6)
    assert bal(mall) == {"coin": 300}
    assert bal(city).get("coin", 0) == city_coin0 + 6

    # Burn.
    before = bal(hana)["coin"]
    r = c.send(hana, ops.burn("coin", 100))
    (b,) = events(r, "burned")
    assert b.amount == 100
    assert bal(hana)["coin"] == before - 100

    # Hana's history holds her transactions, newest first (the burn).
    h = c.history(hana, limit=5)
    assert bytes(h.entries[0].receipt.tx_hash) == bytes(r.tx_hash)
    assert h.entries[0].tx.operation == "burn"

    # Supply adds up: coin issued - burned = what the holders hold.
    coin = next(a for a in c.list_assets() if a.id == "coin")
    held = sum(bal(k[n]).get("coin", 0) for n in ["city", "hana", "taro", "sakura-bakery", "aeon-mall"])
    assert coin.issued - coin.burned - coin.expired == held


def test_certificate_and_proofs(devnet):
    c, k = devnet["client"], devnet["keys"]
    hana, city = k["hana"], k["city"]
    trusted = genesis_hash(devnet["genesis"])  # from the file on disk, not the node
    assert bytes(c.status().genesis_hash) == trusted
    doc, node_hash = c.genesis()
    assert node_hash == trusted
    lc = LightClient(c, trusted)  # the genesis JSON comes from the node, checked by its hash

    # A block with a transaction: certificate, then its tx root from an auditor's read.
    receipt = c.send(city, ops.charge(hana.address, "coin", 50, "bank-py-cert"))
    header = lc.certified_header(receipt.height)
    assert header.height == receipt.height
    full = c.block(height=receipt.height, auth=c.audit_auth(k["auditor"]))
    hashes = [bytes(t.hash) for t in full.txs]
    assert all(hashlib.sha256(bytes(t.raw)).digest() == bytes(t.hash) for t in full.txs)
    assert bytes(receipt.tx_hash) in hashes
    assert tx_root(hashes) == header.tx_root
    assert bytes(full.raw).startswith(header.to_bytes())
    # The chain links back to genesis.
    assert lc.certified_header(1).prev_hash == trusted
    assert header.prev_hash == lc.certified_header(receipt.height - 1).hash()

    # Latest block; a tampered header or certificate is refused.
    latest = c.latest_block()
    lc.verify_block(latest)
    forged = type(latest)()
    forged.CopyFrom(latest)
    forged.header.state_root = bytes(32)
    with pytest.raises(LightClientError):
        lc.verify_block(forged)
    forged.CopyFrom(latest)
    sig = bytearray(forged.certificate.signatures[0].signature)
    sig[5] ^= 1
    forged.certificate.signatures[0].signature = bytes(sig)
    with pytest.raises(LightClientError):
        lc.verify_block(forged)

    # Balances proved against a certified state root match the API's.
    vb = lc.verified_balance(hana, "coin")
    assert vb.balance == c.balance(hana, "coin") and vb.balance > 0
    acct, hdr = lc.verified_account(hana)
    assert acct.name == "hana" and acct.nonce == c.account(hana).nonce
    # An absent holding is proved absent.
    assert lc.verified_balance(hana, "festival").balance == 0
    # A node lying about the value is caught.
    r = c.proof("holding", hana.address, "coin", c.read_auth(hana))
    assert bytes(r.key) == holding_key(hana.address, "coin")
    from yui_client.state import ProofError, verify_proof
    lie = bytearray(r.value)
    lie[4] ^= 1  # the first lot's amount
    with pytest.raises(ProofError):
        verify_proof(r.state_root, r.key, bytes(lie), r.proof)


def test_refusals_carry_the_documented_status(devnet):
    c, k = devnet["client"], devnet["keys"]
    hana, taro = k["hana"], k["taro"]
    if c.balance(hana, "coin") == 0:
        c.send(k["city"], ops.charge(hana.address, "coin", 100, "bank-py-refusals"))

    def code_of(f):
        with pytest.raises(grpc.RpcError) as e:
            f()
        return e.value.code()

    stx = c.sign(hana, ops.transfer(taro.address, "coin", 1))
    bad = stx.to_bytes()[:-64] + bytes([stx.signature[0] ^ 1]) + stx.signature[1:]
    assert code_of(lambda: c.submit(bad)) == grpc.StatusCode.UNAUTHENTICATED
    nonce = c.account(hana).nonce
    later = Expiry.time(int(time.time() * 1000) + 60_000)
    other_chain = build(hana, "another-town", nonce, later, ops.transfer(taro.address, "coin", 1))
    assert code_of(lambda: c.submit(other_chain)) == grpc.StatusCode.UNAUTHENTICATED
    assert code_of(lambda: c.submit(b"\x01\x02")) == grpc.StatusCode.INVALID_ARGUMENT
    assert code_of(lambda: c.send(hana, ops.charge(hana.address, "coin", 5, "x-1"))) == \
        grpc.StatusCode.PERMISSION_DENIED
    assert code_of(lambda: c.send(hana, ops.transfer(taro.address, "coin", 10**12))) == \
        grpc.StatusCode.FAILED_PRECONDITION
    assert code_of(lambda: c.send(hana, ops.transfer(taro.address, "gold", 1))) == \
        grpc.StatusCode.NOT_FOUND
    assert code_of(lambda: c.send(hana, ops.transfer(taro.address, "coin", 1), nonce=0)) == \
        grpc.StatusCode.ALREADY_EXISTS
    # Reading someone else's account.
    assert code_of(lambda: c.account(hana, subject=taro.address)) == grpc.StatusCode.PERMISSION_DENIED
    # A refused transaction used no nonce.
    assert c.account(hana).nonce == nonce


def test_a_payout_run_over_one_stream(devnet):
    c, k = devnet["client"], devnet["keys"]
    city, hana, taro = k["city"], k["hana"], k["taro"]
    nonce = c.account(city).nonce
    later = Expiry.time(int(time.time() * 1000) + 60_000)
    runs = [build(city, c.chain_id, nonce + i, later,
                  ops.charge(who.address, "coin", 7, f"payout-py-{i}"))
            for i, who in enumerate([hana, taro, hana])]
    sig = runs[2].signature
    forged = runs[2].to_bytes()[:-64] + bytes([sig[0] ^ 1]) + sig[1:]
    before = c.balance(taro, "coin")
    answers = c.submit_stream([runs[0], runs[1], b"\x01\x02", forged])
    assert [a[0] for a in answers] == [grpc.StatusCode.OK, grpc.StatusCode.OK,
                                       grpc.StatusCode.INVALID_ARGUMENT,
                                       grpc.StatusCode.UNAUTHENTICATED]
    for (_, _, r), stx in zip(answers[:2], runs):
        assert r.committed and r.receipt.success and bytes(r.tx_hash) == stx.hash()
    assert "signature" in answers[3][1]
    assert c.balance(taro, "coin") == before + 7


def test_the_towns_aggregates_are_k_safe_and_open_to_anyone(devnet):
    from yui_client._pb.yui.v1 import analytics_pb2
    # A validator keeps no aggregates on the devnet: the observer serves them.
    with pytest.raises(grpc.RpcError) as e:
        devnet["client"].figures()
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    c = devnet["observer"]
    r = c.figures()
    assert r.k == 10 and r.height > 0 and r.time_zone == "Asia/Tokyo"
    assert r.figures
    # A devnet of a few residents: figures of fewer than k = 10 accounts are withheld.
    withheld = [f for f in r.figures if f.withheld_reason]
    assert withheld
    for f in r.figures:
        assert f.HasField("value") == (f.withheld == analytics_pb2.WITHHELD_NONE)
        assert bool(f.withheld_reason) == (f.withheld != analytics_pb2.WITHHELD_NONE)
    with pytest.raises(grpc.RpcError) as e:
        c.figures(k=3)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    coin = c.figures(period="week", asset="coin")
    assert all(cell.asset == "coin" for cell in coin.flows)
    assert any("-W" in p for p in coin.periods)


def test_prepare_gives_the_bytes_this_client_encodes(devnet):
    """Transactions.Prepare (if the node has it) agrees with this client's encoding."""
    from yui_client import Transaction
    from yui_client._pb.yui.v1 import api_pb2
    c, k = devnet["client"], devnet["keys"]
    hana, taro, bakery = k["hana"], k["taro"], k["sakura-bakery"]
    later = int(time.time() * 1000) + 60_000
    typed = {
        "charge": api_pb2.PrepareCharge(to=hana.address, asset="coin", amount=10, deposit_ref="d-1"),
        "grant": api_pb2.PrepareGrant(to=hana.address, asset="point", amount=5, reason="祭り",
                                      event_id="ev-1"),
        "transfer": api_pb2.PrepareTransfer(to=taro.address, asset="coin", amount=7),
        "pay": api_pb2.PreparePay(merchant=bakery.address, invoice_id="SB-P", amount=9,
                                  assets=["point", "coin"]),
        "refund": api_pb2.PrepareRefund(invoice_id="SB-P", amount=3),
        "redeem": api_pb2.PrepareRedeem(asset="coin", amount=4, payout_ref="po-1"),
        "burn": api_pb2.PrepareBurn(asset="coin", amount=1),
    }
    ours = {
        "charge": ops.charge(hana.address, "coin", 10, "d-1"),
        "grant": ops.grant(hana.address, "point", 5, "祭り", "ev-1"),
        "transfer": ops.transfer(taro.address, "coin", 7),
        "pay": ops.pay(bakery.address, "SB-P", 9, ["point", "coin"]),
        "refund": ops.refund("SB-P", 3),
        "redeem": ops.redeem("coin", 4, "po-1"),
        "burn": ops.burn("coin", 1),
    }
    job = {"op": "post_job", "job_id": "walk-py-1", "asset": "yui", "reward": 500,
           "coordinator": k["chamber"].address.hex(), "accept_deadline_ms": later,
           "required_credential": None, "description_hash": "ab" * 32}
    for name, msg in list(typed.items()) + [("post_job", None)]:
        req = api_pb2.PrepareRequest(signer=hana.address, nonce=42, expire_at_time_ms=later)
        if msg is None:
            req.operation_json = json.dumps(job)
            op = job
        else:
            getattr(req, name).CopyFrom(msg)
            op = ours[name]
        try:
            r = c.transactions.Prepare(req, timeout=10)
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.UNIMPLEMENTED:
                pytest.skip("this yui-node has no Transactions.Prepare")
            raise
        tx = Transaction(r.chain_id, hana.address, 42, Expiry.time(later), op)
        assert (r.nonce, r.expire_at_time_ms) == (42, later)
        assert bytes(r.tx_bytes) == tx.to_bytes(), name
        assert bytes(r.sign_bytes) == tx.sign_bytes(), name
