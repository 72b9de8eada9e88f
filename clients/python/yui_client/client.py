"""A thin gRPC client for a Yui node: submit, read one's own account, blocks and proofs."""

from __future__ import annotations

import json
import time
from typing import Optional

import grpc

from ._pb.yui.v1 import analytics_pb2, analytics_pb2_grpc, api_pb2, api_pb2_grpc, types_pb2
from .auth import ZERO_ADDRESS, sign_read
from .codec import to_bytes32
from .keys import Keypair
from .tx import Expiry, SignedTransaction, build

SUBMIT_WAIT_MAX_MS = 60_000
# Pauses before sending a transaction again after RESOURCE_EXHAUSTED (the
# node is overloaded or the chain is behind: docs/encoding.md).
RETRY_PAUSES_S = (0.5, 1.0, 2.0, 4.0)


class NotCommitted(RuntimeError):
    """The node admitted the transaction but did not report its commit in time."""


class TxFailed(RuntimeError):
    """The transaction was committed but its operation failed (its nonce is used)."""

    def __init__(self, receipt):
        super().__init__(receipt.error)
        self.receipt = receipt


class Client:
    """One node's gRPC API. `chain_id` is read from the node unless given."""

    def __init__(self, target: str, chain_id: Optional[str] = None, timeout_s: float = 30.0):
        self.channel = grpc.insecure_channel(target)
        self.timeout_s = timeout_s
        self.transactions = api_pb2_grpc.TransactionsStub(self.channel)
        self.accounts = api_pb2_grpc.AccountsStub(self.channel)
        self.assets = api_pb2_grpc.AssetsStub(self.channel)
        self.chain = api_pb2_grpc.ChainStub(self.channel)
        self.governance = api_pb2_grpc.GovernanceStub(self.channel)
        self.analytics = analytics_pb2_grpc.AnalyticsStub(self.channel)
        self._chain_id = chain_id

    def close(self) -> None:
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- chain ------------------------------------------------------------

    @property
    def chain_id(self) -> str:
        if self._chain_id is None:
            self._chain_id = self.status().chain_id
        return self._chain_id

    def status(self):
        return self.chain.GetStatus(api_pb2.GetStatusRequest(), timeout=self.timeout_s)

    def genesis(self) -> tuple[dict, bytes]:
        r = self.chain.GetGenesis(api_pb2.GetGenesisRequest(), timeout=self.timeout_s)
        return json.loads(r.json), bytes(r.hash)

    def block(self, height: int = 0, block_hash: bytes = b"", auth=None):
        return self.chain.GetBlock(api_pb2.GetBlockRequest(height=height, hash=block_hash, auth=auth),
                                   timeout=self.timeout_s)

    def latest_block(self, auth=None):
        return self.chain.GetLatestBlock(api_pb2.GetLatestBlockRequest(auth=auth),
                                         timeout=self.timeout_s)

    def figures(self, period: str = "month", asset: str = "", k: int = 0):
        """The town's k-safe aggregates (`Analytics.Figures`, open to anyone):
        every period's figures and flow cells. `period` is day, week or month;
        `k` 0 means the node's floor, less is refused (INVALID_ARGUMENT)."""
        p = analytics_pb2.Period.Value("PERIOD_" + period.upper())
        return self.analytics.Figures(analytics_pb2.FiguresRequest(period=p, asset=asset, k=k),
                                      timeout=self.timeout_s)

    def list_assets(self):
        return self.assets.ListAssets(api_pb2.ListAssetsRequest(), timeout=self.timeout_s).assets

    # --- reads ------------------------------------------------------------

    def read_auth(self, key: Keypair, subject=None) -> types_pb2.ReadAuth:
        """A ReadAuth by `key` for reading `subject`'s data (default: its own)."""
        subject = key.address if subject is None else to_bytes32(subject)
        reader, time_ms, sig = sign_read(key, self.chain_id, subject)
        return types_pb2.ReadAuth(reader=reader, time_ms=time_ms, signature=sig)

    def audit_auth(self, key: Keypair) -> types_pb2.ReadAuth:
        """An auditor's chain-wide authorisation (subject: the zero address)."""
        return self.read_auth(key, ZERO_ADDRESS)

    def account(self, key: Keypair, subject=None):
        address = key.address if subject is None else to_bytes32(subject)
        return self.accounts.GetAccount(
            api_pb2.GetAccountRequest(address=address, auth=self.read_auth(key, address)),
            timeout=self.timeout_s)

    def balances(self, key: Keypair, subject=None) -> dict[str, int]:
        return {b.asset: b.total for b in self.account(key, subject).balances}

    def balance(self, key: Keypair, asset: str, subject=None) -> int:
        return self.balances(key, subject).get(asset, 0)

    def history(self, key: Keypair, limit: int = 20, subject=None):
        address = key.address if subject is None else to_bytes32(subject)
        return self.accounts.GetHistory(
            api_pb2.GetHistoryRequest(address=address, auth=self.read_auth(key, address),
                                      limit=limit),
            timeout=self.timeout_s)

    def proof(self, kind: str, address: bytes = b"", id: str = "", auth=None,
              storage_key: bytes = b""):
        return self.chain.GetProof(
            api_pb2.GetProofRequest(kind=kind, address=address, id=id, auth=auth,
                                    storage_key=storage_key),
            timeout=self.timeout_s)

    # --- transactions -------------------------------------------------------

    def submit(self, stx: SignedTransaction | bytes, wait: bool = True,
               wait_timeout_ms: int = 20_000):
        raw = stx if isinstance(stx, (bytes, bytearray)) else stx.to_bytes()
        return self.transactions.Submit(
            api_pb2.SubmitRequest(tx=bytes(raw), wait_for_commit=wait,
                                  wait_timeout_ms=min(wait_timeout_ms, SUBMIT_WAIT_MAX_MS)),
            timeout=self.timeout_s + wait_timeout_ms / 1000)

    def submit_retrying(self, stx: SignedTransaction | bytes, wait: bool = True,
                        wait_timeout_ms: int = 20_000):
        """`submit`, sending the same bytes again after each pause of
        `RETRY_PAUSES_S` while the node answers RESOURCE_EXHAUSTED; any other
        refusal, or the last RESOURCE_EXHAUSTED, is raised."""
        for pause in (*RETRY_PAUSES_S, None):
            try:
                return self.submit(stx, wait=wait, wait_timeout_ms=wait_timeout_ms)
            except grpc.RpcError as e:
                if pause is None or e.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                    raise
                time.sleep(pause)

    def submit_stream(self, stxs, wait: bool = True, wait_timeout_ms: int = 20_000):
        """Submits many transactions over one `SubmitStream` (for a till
        server or a payout run). Returns one `(code, message, response)` per
        transaction, in the order given: `code` is the `grpc.StatusCode`
        `submit` would have raised or returned with (OK), `response` the
        `SubmitResponse` when OK. Raises `grpc.RpcError` if the stream itself
        ends with a status (an unreadable message)."""
        raws = [s if isinstance(s, (bytes, bytearray)) else s.to_bytes() for s in stxs]
        reqs = (api_pb2.SubmitRequest(tx=bytes(r), wait_for_commit=wait,
                                      wait_timeout_ms=min(wait_timeout_ms, SUBMIT_WAIT_MAX_MS))
                for r in raws)
        by_code = {c.value[0]: c for c in grpc.StatusCode}
        out = [None] * len(raws)
        for a in self.transactions.SubmitStream(
                reqs, timeout=self.timeout_s + wait_timeout_ms / 1000):
            out[a.seq] = (by_code[a.code], a.message, a.response if a.code == 0 else None)
        if any(o is None for o in out):
            raise RuntimeError("the node ended the stream before answering every transaction")
        return out

    def transaction(self, tx_hash: bytes):
        return self.transactions.GetTransaction(api_pb2.GetTransactionRequest(tx_hash=tx_hash),
                                                timeout=self.timeout_s)

    def sign(self, key: Keypair, op: dict, nonce: Optional[int] = None,
             expiry: Optional[Expiry] = None) -> SignedTransaction:
        """Signs `op` with the account's next nonce and a time expiry one minute ahead."""
        if nonce is None:
            nonce = self.account(key).nonce
        if expiry is None:
            expiry = Expiry.time(int(time.time() * 1000) + 60_000)
        return build(key, self.chain_id, nonce, expiry, op)

    def send(self, key: Keypair, op: dict, check: bool = True, **kw):
        """Signs, submits and waits for the commit; returns the receipt.

        While the node answers RESOURCE_EXHAUSTED it sends the same bytes again
        after a pause (`submit_retrying`). Raises `grpc.RpcError` if the node
        refuses the transaction, `NotCommitted`
        if it is not committed in time, and (with `check`) `TxFailed` if its
        operation failed in the block.
        """
        wait_timeout_ms = kw.pop("wait_timeout_ms", 20_000)
        stx = self.sign(key, op, **kw)
        r = self.submit_retrying(stx, wait=True, wait_timeout_ms=wait_timeout_ms)
        if bytes(r.tx_hash) != stx.hash():
            raise RuntimeError("the node reports another transaction hash than the client computed")
        if not r.committed:
            raise NotCommitted(stx.hash().hex())
        if check and not r.receipt.success:
            raise TxFailed(r.receipt)
        return r.receipt
