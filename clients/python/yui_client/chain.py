"""Genesis, blocks, votes and commit certificates (docs/encoding.md §10, §11)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .borsh import Reader, Writer
from .codec import ASSET_CLASS_FIELDS, encode_fields, encode_value, to_bytes32
from .keys import verify

BLOCK_DOMAIN = "yui/block/v1"
VOTE_DOMAIN = "yui/consensus/vote/v1"
PROPOSAL_DOMAIN = "yui/consensus/proposal/v1"
PREVOTE, PRECOMMIT = 0, 1


def sha256(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


# --- genesis ---------------------------------------------------------------

def genesis_bytes(doc: dict | str) -> bytes:
    """borsh(Genesis) from the genesis JSON, in the order the JSON lists things."""
    if isinstance(doc, str):
        doc = json.loads(doc)
    w = Writer()
    w.string(doc["chain_id"])
    w.u64(doc["genesis_time_ms"])
    vals = doc["validators"]
    w.seq_len(len(vals))
    for v in vals:
        w.string(v["name"]).fixed(to_bytes32(v["public_key"]), 32).u64(v["power"])
    accounts = doc["accounts"]
    w.seq_len(len(accounts))
    for a in accounts:
        w.string(a["name"]).fixed(to_bytes32(a["address"]), 32)
        encode_value(w, ("vec", "role"), a.get("roles", []))
        w.bool(a.get("member", False))
    assets = doc["assets"]
    w.seq_len(len(assets))
    for cls in assets:
        encode_fields(w, ASSET_CLASS_FIELDS, cls)
    campaigns = doc.get("campaigns", [])
    w.seq_len(len(campaigns))
    for c in campaigns:
        w.string(c["id"]).string(c["charge_asset"]).string(c["bonus_asset"])
        w.u32(c["rate_bps"]).u64(c["budget_remaining"])
    return w.bytes()


def genesis_hash(doc: dict | str) -> bytes:
    """H(borsh(Genesis)), no domain tag: block 1's prev_hash."""
    return sha256(genesis_bytes(doc))


# --- validator sets ----------------------------------------------------------

@dataclass(frozen=True)
class Validator:
    public_key: bytes
    power: int
    name: str = ""


@dataclass(frozen=True)
class ValidatorSet:
    validators: tuple[Validator, ...]

    @classmethod
    def of(cls, items) -> "ValidatorSet":
        """From dicts (genesis JSON), ValidatorInfo messages, or Validators."""
        out = []
        for v in items:
            if isinstance(v, Validator):
                out.append(v)
            elif isinstance(v, dict):
                out.append(Validator(to_bytes32(v["public_key"]), int(v["power"]), v.get("name", "")))
            else:  # a yui.v1.ValidatorInfo
                out.append(Validator(bytes(v.public_key), int(v.power), v.name))
        return cls(tuple(out))

    @property
    def total_power(self) -> int:
        return sum(v.power for v in self.validators)

    def to_bytes(self) -> bytes:
        w = Writer()
        w.seq_len(len(self.validators))
        for v in self.validators:
            w.fixed(v.public_key, 32).u64(v.power)
        w.u64(self.total_power)
        return w.bytes()

    def hash(self) -> bytes:
        """H(borsh(ValidatorSet { validators: [(key, power)], total_power })), names dropped."""
        return sha256(self.to_bytes())

    def quorum_threshold(self) -> int:
        """floor(2t/3); a quorum is power strictly greater than this."""
        t = self.total_power
        return t // 3 * 2 + t % 3 * 2 // 3


# --- blocks ----------------------------------------------------------------

@dataclass(frozen=True)
class BlockHeader:
    chain_id: str
    height: int
    time_ms: int
    prev_hash: bytes
    tx_root: bytes
    receipts_root: bytes
    state_root: bytes
    proposer: bytes
    validators_hash: bytes

    @classmethod
    def from_proto(cls, h) -> "BlockHeader":
        return cls(h.chain_id, h.height, h.time_ms, bytes(h.prev_hash), bytes(h.tx_root),
                   bytes(h.receipts_root), bytes(h.state_root), bytes(h.proposer),
                   bytes(h.validators_hash))

    def to_bytes(self) -> bytes:
        w = Writer()
        w.string(self.chain_id).u64(self.height).u64(self.time_ms)
        for h in (self.prev_hash, self.tx_root, self.receipts_root, self.state_root,
                  self.proposer, self.validators_hash):
            w.fixed(h, 32)
        return w.bytes()

    def hashed_bytes(self) -> bytes:
        return Writer().string(BLOCK_DOMAIN).raw(self.to_bytes()).bytes()

    def hash(self) -> bytes:
        """H(str("yui/block/v1") ‖ borsh(header))."""
        return sha256(self.hashed_bytes())


def tx_root(tx_hashes: list[bytes]) -> bytes:
    """Leaves H(00 ‖ h); nodes H(01 ‖ l ‖ r); an odd last node goes up unchanged."""
    if not tx_hashes:
        return sha256(b"")
    level = [sha256(b"\x00" + bytes(h)) for h in tx_hashes]
    while len(level) > 1:
        nxt = [sha256(b"\x01" + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


# --- votes and certificates ------------------------------------------------

def vote_sign_bytes(chain_id: str, kind: int, height: int, round_: int,
                    block_hash: bytes | None) -> bytes:
    w = Writer().string(VOTE_DOMAIN).string(chain_id).u8(kind).u64(height).u32(round_)
    if block_hash is None:
        w.option_tag(False)
    else:
        w.option_tag(True).fixed(block_hash, 32)
    return w.bytes()


@dataclass(frozen=True)
class CommitCertificate:
    height: int
    round: int
    block_hash: bytes
    signatures: tuple[tuple[int, bytes], ...] = field(default_factory=tuple)

    @classmethod
    def from_bytes(cls, raw: bytes) -> "CommitCertificate":
        r = Reader(raw)
        height, round_, block_hash = r.u64(), r.u32(), r.fixed(32)
        sigs = tuple(r.vec(lambda: (r.u32(), r.fixed(64))))
        r.finish()
        return cls(height, round_, block_hash, sigs)

    @classmethod
    def from_proto(cls, c) -> "CommitCertificate":
        return cls(c.height, c.round, bytes(c.block_hash),
                   tuple((s.validator, bytes(s.signature)) for s in c.signatures))

    def to_bytes(self) -> bytes:
        w = Writer().u64(self.height).u32(self.round).fixed(self.block_hash, 32)
        w.seq_len(len(self.signatures))
        for idx, sig in self.signatures:
            w.u32(idx).fixed(sig, 64)
        return w.bytes()


class CertificateError(ValueError):
    pass


def verify_certificate(cert: CommitCertificate, header: BlockHeader, vset: ValidatorSet) -> int:
    """Checks `cert` commits `header` under `vset`; returns the signing power.

    The steps of docs/encoding.md §11: the set's hash is the header's
    validators_hash; the certificate names the header's height and hash;
    indices strictly increase and lie inside the set; each signature verifies
    strictly over the precommit bytes; the power is > floor(2t/3).
    """
    if vset.hash() != header.validators_hash:
        raise CertificateError("the validator set does not match the header's validators_hash")
    if cert.height != header.height:
        raise CertificateError(f"certificate height {cert.height} != header height {header.height}")
    if cert.block_hash != header.hash():
        raise CertificateError("the certificate is for another block hash")
    msg = vote_sign_bytes(header.chain_id, PRECOMMIT, cert.height, cert.round, cert.block_hash)
    power, last = 0, -1
    for idx, sig in cert.signatures:
        if idx <= last:
            raise CertificateError("validator indices are not strictly increasing")
        last = idx
        if idx >= len(vset.validators):
            raise CertificateError(f"validator index {idx} outside the set")
        v = vset.validators[idx]
        if not verify(v.public_key, msg, sig):
            raise CertificateError(f"validator {idx}'s signature does not verify")
        power += v.power
    if power <= vset.quorum_threshold():
        raise CertificateError(f"power {power} of {vset.total_power} is not a quorum")
    return power
