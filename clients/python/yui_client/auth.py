"""Read authorisations (docs/encoding.md §8)."""

from __future__ import annotations

import time

from .borsh import Writer
from .codec import to_bytes32
from .keys import Keypair

READ_DOMAIN = "yui/read/v1"
ZERO_ADDRESS = bytes(32)


def read_sign_bytes(chain_id: str, reader: bytes, subject: bytes, time_ms: int) -> bytes:
    """str("yui/read/v1") ‖ str(chain_id) ‖ reader ‖ subject ‖ u64 time_ms."""
    return (
        Writer()
        .string(READ_DOMAIN)
        .string(chain_id)
        .fixed(to_bytes32(reader), 32)
        .fixed(to_bytes32(subject), 32)
        .u64(time_ms)
        .bytes()
    )


def sign_read(key: Keypair, chain_id: str, subject: bytes, time_ms: int | None = None):
    """Returns (reader, time_ms, signature) for a read of `subject`'s data."""
    if time_ms is None:
        time_ms = int(time.time() * 1000)
    sig = key.sign(read_sign_bytes(chain_id, key.address, subject, time_ms))
    return key.address, time_ms, sig
