"""Deterministic randomness for surrogates, derived from an HMAC key.

Why not :mod:`random`: replicas (and future Python versions) must draw exactly the same
surrogate for the same original, so the stream is defined here, byte for byte: HMAC-SHA256 of
``label || attempt || counter`` under the tenant key.  Nobody without the key can link a
surrogate to its original or two tenants' surrogates to each other.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")


def derive_key(secret: bytes, *parts: str) -> bytes:
    """A sub-key of ``secret`` for one purpose (e.g. one tenant)."""
    msg = "\x1f".join(("perimeter/privacy/v1", *parts)).encode()
    return hmac.new(secret, msg, hashlib.sha256).digest()


@lru_cache(maxsize=16384)
def _stream_key(key: bytes, label: str, attempt: int) -> bytes:
    # Cached: a request draws for the same label twice (settle, then render), and names recur
    # across requests.  ``hmac.digest`` is the one-shot C path (no Python HMAC object).
    return hmac.digest(key, f"{label}\x1e{attempt}".encode(), "sha256")


class Draw:
    """A reproducible stream of choices for one original value (and one re-draw attempt)."""

    __slots__ = ("_buf", "_counter", "_key", "_pos", "digest")

    def __init__(self, key: bytes, label: str, attempt: int = 0) -> None:
        self._key = _stream_key(key, label, attempt)
        self.digest = self._key
        self._counter = 0
        self._buf = b""
        self._pos = 0

    def _bytes(self, n: int) -> bytes:
        while len(self._buf) - self._pos < n:
            block = hmac.digest(self._key, self._counter.to_bytes(8, "big"), "sha256")
            self._counter += 1
            self._buf = self._buf[self._pos:] + block
            self._pos = 0
        out = self._buf[self._pos:self._pos + n]
        self._pos += n
        return out

    def below(self, n: int) -> int:
        """Uniform integer in ``[0, n)`` (64-bit draw; bias < 2**-40 for the sizes used here)."""
        if n <= 1:
            return 0
        pos = self._pos
        if len(self._buf) - pos >= 8:  # the common case, without the refill loop
            self._pos = pos + 8
            return int.from_bytes(self._buf[pos:pos + 8], "big") % n
        return int.from_bytes(self._bytes(8), "big") % n

    def digit(self, lo: int = 0) -> str:
        return str(lo + self.below(10 - lo))

    def digits(self, n: int) -> str:
        return "".join(str(self.below(10)) for _ in range(n))

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.below(len(seq))]

    def hex(self, n: int) -> str:
        return self._bytes((n + 1) // 2).hex()[:n]
