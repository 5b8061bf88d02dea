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


_DIGITS = "0123456789"
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class KeyedMac:
    """HMAC-SHA256 under one key, with the key's two pad blocks hashed once (RFC 2104).

    The same MAC as ``hmac.digest(key, msg, "sha256")``, at less than half its cost per message:
    OpenSSL's one-shot HMAC sets up a keyed context on every call, and a request draws a dozen
    MACs under a few keys (the tenant key for every label, each label's stream key per block).
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._outer = hashlib.sha256(key.translate(_OPAD))

    def digest(self, msg: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(msg)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


@lru_cache(maxsize=256)
def keyed_mac(key: bytes) -> KeyedMac:
    """The :class:`KeyedMac` of a long-lived key (a tenant key), built once."""
    return KeyedMac(key)


@lru_cache(maxsize=16384)
def _stream_key(key: bytes, label: str, attempt: int) -> bytes:
    # Cached: a request draws for the same label twice (settle, then render), and names recur
    # across requests.
    return keyed_mac(key).digest(f"{label}\x1e{attempt}".encode())


def stream_digest(key: bytes, label: str, attempt: int = 0) -> bytes:
    """``Draw(key, label, attempt).digest`` without the :class:`Draw` (to order labels by it)."""
    return _stream_key(key, label, attempt)


@lru_cache(maxsize=16384)
def index_below(key: bytes, label: str, attempt: int, n: int) -> int:
    """``Draw(key, label, attempt).below(n)``, cached: a pure function of its arguments, and the
    names it picks recur (every turn of a conversation, common first names across requests)."""
    return Draw(key, label, attempt).below(n)


class Draw:
    """A reproducible stream of choices for one original value (and one re-draw attempt)."""

    __slots__ = ("_buf", "_counter", "_key", "_mac", "_pos", "digest")

    def __init__(self, key: bytes, label: str, attempt: int = 0) -> None:
        self._key = _stream_key(key, label, attempt)
        self.digest = self._key
        self._mac: KeyedMac | None = None  # made on the first block: many draws only sort by digest
        self._counter = 0
        self._buf = b""
        self._pos = 0

    def _bytes(self, n: int) -> bytes:
        while len(self._buf) - self._pos < n:
            mac = self._mac
            if mac is None:
                mac = self._mac = KeyedMac(self._key)
            block = mac.digest(self._counter.to_bytes(8, "big"))
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
        """``n`` decimal digits: the same as ``n`` calls of ``below(10)``, drawn in one go."""
        if n <= 0:
            return ""
        raw = self._bytes(8 * n)
        return "".join([_DIGITS[int.from_bytes(raw[i:i + 8], "big") % 10] for i in range(0, 8 * n, 8)])

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self.below(len(seq))]

    def hex(self, n: int) -> str:
        return self._bytes((n + 1) // 2).hex()[:n]
