"""Transactions: bytes, signing and hash (docs/encoding.md §3)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .borsh import Writer
from .codec import to_bytes32, write_operation
from .keys import Keypair

TX_DOMAIN = "yui/tx/v1"
TX_BYTES_MAX = 4096


@dataclass(frozen=True)
class Expiry:
    """`Expiry::Height(h)` (index 0) or `Expiry::Time(ms)` (index 1); both inclusive."""

    kind: str  # "height" or "time"
    value: int

    @classmethod
    def height(cls, h: int) -> "Expiry":
        return cls("height", h)

    @classmethod
    def time(cls, ms: int) -> "Expiry":
        return cls("time", ms)

    def write(self, w: Writer) -> None:
        if self.kind == "height":
            w.u8(0)
        elif self.kind == "time":
            w.u8(1)
        else:
            raise ValueError(f"unknown expiry kind {self.kind!r}")
        w.u64(self.value)


@dataclass(frozen=True)
class Transaction:
    chain_id: str
    signer: bytes
    nonce: int
    expiry: Expiry
    op: dict

    def to_bytes(self) -> bytes:
        """borsh(Transaction)."""
        w = Writer()
        w.string(self.chain_id)
        w.fixed(to_bytes32(self.signer), 32)
        w.u64(self.nonce)
        self.expiry.write(w)
        write_operation(w, self.op)
        return w.bytes()

    def sign_bytes(self) -> bytes:
        """borsh(("yui/tx/v1" as bytes, tx)): what the signer signs."""
        return Writer().string(TX_DOMAIN).raw(self.to_bytes()).bytes()

    def sign(self, key: Keypair) -> "SignedTransaction":
        if key.address != to_bytes32(self.signer):
            raise ValueError("the key is not the transaction's signer")
        return SignedTransaction(self, key.sign(self.sign_bytes()))


@dataclass(frozen=True)
class SignedTransaction:
    tx: Transaction
    signature: bytes

    def to_bytes(self) -> bytes:
        """borsh(SignedTransaction): the transaction, then the 64 signature bytes."""
        if len(self.signature) != 64:
            raise ValueError("a signature is 64 bytes")
        return self.tx.to_bytes() + bytes(self.signature)

    def hash(self) -> bytes:
        """The transaction's id: SHA-256 of the whole signed encoding, no domain tag."""
        return hashlib.sha256(self.to_bytes()).digest()


def build(key: Keypair, chain_id: str, nonce: int, expiry: Expiry, op: dict) -> SignedTransaction:
    """Builds and signs a transaction of `op` (an operation in its JSON form)."""
    return Transaction(chain_id, key.address, nonce, expiry, op).sign(key)
