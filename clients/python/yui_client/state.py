"""State keys, the records a wallet reads, and Jellyfish Merkle proofs
(docs/encoding.md §12, §13)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Optional

from .borsh import Reader, Writer
from .codec import MERCHANT_CLASSES, ROLES, to_bytes32

PLACEHOLDER = b"SPARSE_MERKLE_PLACEHOLDER_HASH__"
LEAF_DOMAIN = b"JMT::LeafNode"
INTERNAL_DOMAIN = b"JMT::IntrnalNode"
SIBLINGS_MAX = 256


def sha256(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


# --- keys -------------------------------------------------------------------

def account_key(address) -> bytes:
    return b"a" + to_bytes32(address)


def holding_key(address, asset: str) -> bytes:
    return b"b" + to_bytes32(address) + Writer().string(asset).bytes()


def asset_key(asset: str) -> bytes:
    return b"s" + Writer().string(asset).bytes()


def invoice_key(merchant, invoice_id: str) -> bytes:
    return b"i" + to_bytes32(merchant) + Writer().string(invoice_id).bytes()


def contract_account(contract_id: str) -> bytes:
    """H(str("yui/contract-account/v1") ‖ str(id)): a contract's account address."""
    return sha256(Writer().string("yui/contract-account/v1").string(contract_id).bytes())


# --- records ----------------------------------------------------------------

def _read_role(r: Reader) -> dict:
    idx = r.u8()
    if idx >= len(ROLES):
        raise ValueError(f"unknown role index {idx}")
    role = {"role": ROLES[idx]}
    if idx == 0:
        role["of"] = r.string()
    elif idx == 1:
        c = r.u8()
        if c >= len(MERCHANT_CLASSES):
            raise ValueError(f"unknown merchant class {c}")
        role["of"] = MERCHANT_CLASSES[c]
    return role


@dataclass(frozen=True)
class Account:
    nonce: int
    roles: list
    name: str

    @classmethod
    def from_bytes(cls, b: bytes) -> "Account":
        r = Reader(b)
        out = cls(r.u64(), r.vec(lambda: _read_role(r)), r.string())
        r.finish()
        return out


@dataclass(frozen=True)
class Lot:
    amount: int
    expires_at: Optional[int]


@dataclass(frozen=True)
class Holding:
    lots: list
    last_change_ms: int

    @classmethod
    def from_bytes(cls, b: bytes) -> "Holding":
        r = Reader(b)
        lots = r.vec(lambda: Lot(r.u64(), r.option(r.u64)))
        out = cls(lots, r.u64())
        r.finish()
        return out

    @property
    def balance(self) -> int:
        return sum(lot.amount for lot in self.lots)

    def balance_at(self, time_ms: int) -> int:
        """The balance counting only lots not yet expired at `time_ms`."""
        return sum(l.amount for l in self.lots if l.expires_at is None or l.expires_at > time_ms)


# --- proofs -----------------------------------------------------------------

def leaf_hash(key_hash: bytes, value_hash: bytes) -> bytes:
    return sha256(LEAF_DOMAIN + key_hash + value_hash)


def internal_hash(left: bytes, right: bytes) -> bytes:
    return sha256(INTERNAL_DOMAIN + left + right)


@dataclass(frozen=True)
class SparseMerkleProof:
    leaf: Optional[tuple[bytes, bytes]]  # (key_hash, value_hash)
    siblings: list  # each ("null",), ("internal", l, r) or ("leaf", k, v); bottom first

    @classmethod
    def from_bytes(cls, b: bytes) -> "SparseMerkleProof":
        r = Reader(b)
        leaf = r.option(lambda: (r.fixed(32), r.fixed(32)))

        def sibling():
            tag = r.u8()
            if tag == 0:
                return ("null",)
            if tag == 1:
                return ("internal", r.fixed(32), r.fixed(32))
            if tag == 2:
                return ("leaf", r.fixed(32), r.fixed(32))
            raise ValueError(f"unknown sibling tag {tag}")

        siblings = r.vec(sibling)
        r.finish()
        return cls(leaf, siblings)

    @staticmethod
    def sibling_hash(s) -> bytes:
        if s[0] == "null":
            return PLACEHOLDER
        if s[0] == "internal":
            return internal_hash(s[1], s[2])
        return leaf_hash(s[1], s[2])


class ProofError(ValueError):
    pass


def _common_prefix_bits(a: bytes, b: bytes) -> int:
    n = 0
    for x, y in zip(a, b):
        d = x ^ y
        if d == 0:
            n += 8
            continue
        return n + (8 - d.bit_length())
    return n


def verify_proof(state_root: bytes, key: bytes, value: Optional[bytes], proof: bytes) -> None:
    """Checks that `key` holds `value` (None: is absent) under `state_root`; raises ProofError."""
    p = SparseMerkleProof.from_bytes(proof)
    n = len(p.siblings)
    if n > SIBLINGS_MAX:
        raise ProofError("more than 256 siblings")
    kh = sha256(key)
    if value is not None:
        if p.leaf is None:
            raise ProofError("inclusion proof without a leaf")
        if p.leaf[0] != kh:
            raise ProofError("the proof's leaf is another key")
        if p.leaf[1] != sha256(value):
            raise ProofError("the proof's leaf holds another value")
    elif p.leaf is not None:
        if p.leaf[0] == kh:
            raise ProofError("exclusion proof whose leaf is the key itself")
        if _common_prefix_bits(p.leaf[0], kh) < n:
            raise ProofError("exclusion proof's leaf is not in the key's subtree")
    h = leaf_hash(*p.leaf) if p.leaf is not None else PLACEHOLDER
    for i, s in enumerate(p.siblings):
        depth = n - 1 - i
        bit = (kh[depth // 8] >> (7 - depth % 8)) & 1
        sh = SparseMerkleProof.sibling_hash(s)
        h = internal_hash(sh, h) if bit else internal_hash(h, sh)
    if h != bytes(state_root):
        raise ProofError("the proof does not lead to the state root")
