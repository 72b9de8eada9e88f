"""Borsh, as Yui uses it (docs/encoding.md §1): a writer and a strict reader."""

from __future__ import annotations

import struct

U8_MAX = 0xFF
U32_MAX = 0xFFFF_FFFF
U64_MAX = 0xFFFF_FFFF_FFFF_FFFF


class DecodeError(ValueError):
    """Bytes that are not the canonical borsh of the expected type."""


class Writer:
    """Appends borsh fields to a byte buffer."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def bytes(self) -> bytes:
        return bytes(self._buf)

    def u8(self, v: int) -> "Writer":
        if not 0 <= v <= U8_MAX:
            raise ValueError(f"u8 out of range: {v}")
        self._buf.append(v)
        return self

    def bool(self, v: bool) -> "Writer":
        if not isinstance(v, bool):
            raise TypeError(f"bool expected, got {v!r}")
        return self.u8(1 if v else 0)

    def u32(self, v: int) -> "Writer":
        if not 0 <= v <= U32_MAX:
            raise ValueError(f"u32 out of range: {v}")
        self._buf += struct.pack("<I", v)
        return self

    def u64(self, v: int) -> "Writer":
        if not 0 <= v <= U64_MAX:
            raise ValueError(f"u64 out of range: {v}")
        self._buf += struct.pack("<Q", v)
        return self

    def fixed(self, b: bytes, n: int) -> "Writer":
        """`[u8; n]`: the bytes themselves, no length."""
        b = bytes(b)
        if len(b) != n:
            raise ValueError(f"{n} bytes expected, got {len(b)}")
        self._buf += b
        return self

    def raw(self, b: bytes) -> "Writer":
        """Bytes appended with no length (for keys and hashed concatenations)."""
        self._buf += bytes(b)
        return self

    def byte_vec(self, b: bytes) -> "Writer":
        """`Vec<u8>` / `&[u8]`: u32 length, then the bytes."""
        b = bytes(b)
        self.u32(len(b))
        self._buf += b
        return self

    def string(self, s: str) -> "Writer":
        """`String`: u32 length in UTF-8 bytes, then the bytes."""
        if not isinstance(s, str):
            raise TypeError(f"str expected, got {s!r}")
        return self.byte_vec(s.encode("utf-8"))

    def seq_len(self, n: int) -> "Writer":
        return self.u32(n)

    def option_tag(self, present: bool) -> "Writer":
        return self.u8(1 if present else 0)


def string(s: str) -> bytes:
    """`str(s)` of the spec: borsh String."""
    return Writer().string(s).bytes()


class Reader:
    """Reads borsh strictly: every read checks bounds, `finish` refuses trailing bytes."""

    def __init__(self, data: bytes) -> None:
        self._data = bytes(data)
        self._pos = 0

    def _take(self, n: int) -> bytes:
        if self._pos + n > len(self._data):
            raise DecodeError(f"unexpected end of input at {self._pos} (+{n})")
        b = self._data[self._pos : self._pos + n]
        self._pos += n
        return b

    def u8(self) -> int:
        return self._take(1)[0]

    def bool(self) -> bool:
        b = self.u8()
        if b > 1:
            raise DecodeError(f"invalid bool byte {b}")
        return b == 1

    def u32(self) -> int:
        return struct.unpack("<I", self._take(4))[0]

    def u64(self) -> int:
        return struct.unpack("<Q", self._take(8))[0]

    def fixed(self, n: int) -> bytes:
        return self._take(n)

    def byte_vec(self) -> bytes:
        return self._take(self.u32())

    def string(self) -> str:
        try:
            return self.byte_vec().decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecodeError(f"invalid UTF-8: {e}") from None

    def option(self, read):
        tag = self.u8()
        if tag == 0:
            return None
        if tag == 1:
            return read()
        raise DecodeError(f"invalid option tag {tag}")

    def vec(self, read) -> list:
        return [read() for _ in range(self.u32())]

    def remaining(self) -> int:
        return len(self._data) - self._pos

    def finish(self) -> None:
        if self._pos != len(self._data):
            raise DecodeError(f"{len(self._data) - self._pos} trailing bytes")
