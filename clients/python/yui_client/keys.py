"""Ed25519 keys, addresses, signatures and key files (docs/encoding.md §2, §7)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

# The order of the ed25519 base point: a signature's S must be below it.
_L = 2**252 + 27742317777372353535851937790883648493
_P = 2**255 - 19


@dataclass(frozen=True)
class Keypair:
    """A 32-byte seed and its public key, which is the account's address."""

    seed: bytes
    address: bytes

    @classmethod
    def from_seed(cls, seed: bytes) -> "Keypair":
        seed = bytes(seed)
        if len(seed) != 32:
            raise ValueError("an ed25519 seed is 32 bytes")
        return cls(seed, bytes(SigningKey(seed).verify_key))

    @property
    def address_hex(self) -> str:
        return self.address.hex()

    def sign(self, message: bytes) -> bytes:
        """RFC 8032 signature (64 bytes R ‖ S) over the message itself, no pre-hash."""
        return SigningKey(self.seed).sign(bytes(message)).signature

    def to_json(self) -> str:
        return json.dumps({"address": self.address.hex(), "secret_seed": self.seed.hex()}, indent=2)

    def __repr__(self) -> str:  # never print the seed
        return f"Keypair(address={self.address.hex()})"


def load_key_file(path: str | os.PathLike) -> Keypair:
    """Reads a key file `{"address": hex, "secret_seed": hex}`; refuses a mismatched address."""
    doc = json.loads(Path(path).read_text())
    kp = Keypair.from_seed(bytes.fromhex(doc["secret_seed"]))
    if kp.address.hex() != doc["address"].lower():
        raise ValueError(f"{path}: the address does not match the secret seed")
    return kp


def save_key_file(path: str | os.PathLike, kp: Keypair) -> None:
    """Writes a key file with mode 0600; never overwrites one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(kp.to_json())


def _canonical_point_encoding(b: bytes) -> bool:
    y = int.from_bytes(b, "little") & ((1 << 255) - 1)
    return y < _P


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Strict ed25519 verification, close to the nodes' `verify_strict`.

    libsodium already refuses small-order keys and R, non-canonical S and
    invalid points; the explicit checks below make the canonical-encoding
    rules visible rather than relying on a library version.
    """
    public_key, signature = bytes(public_key), bytes(signature)
    if len(public_key) != 32 or len(signature) != 64:
        return False
    if int.from_bytes(signature[32:], "little") >= _L:
        return False
    if not _canonical_point_encoding(public_key) or not _canonical_point_encoding(signature[:32]):
        return False
    try:
        VerifyKey(public_key).verify(bytes(message), signature)
        return True
    except (BadSignatureError, ValueError, Exception):  # noqa: BLE001 - any failure refuses
        return False
