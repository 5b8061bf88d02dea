"""Conversation stickiness: once a conversation carried sensitive data, it stays on-prem.

A conversation is recognised by any of:

* an explicit id — ``x-perimeter-conversation`` header or ``ctx.conversation_id``;
* the OpenAI ``user`` field (all of that end user's requests, for the TTL);
* the history itself — the next turn of a chat resends the earlier messages, so the hash of
  the whole message list of a sensitive request is remembered, and every later request whose
  messages *start with* that list (checked for each prefix) is the same conversation.

Keys are keyed BLAKE2b digests scoped to the caller's key id; no text is stored anywhere.
The default store is an in-process TTL/LRU map; with ``storage.redis_url`` it is Redis, so
every replica sees the mark.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict
from typing import Any, Protocol

import orjson

from perimeter.context import RequestContext
from perimeter.routing.features import content_text

CONVERSATION_HEADER = "x-perimeter-conversation"


class StickyStore(Protocol):
    async def any_marked(self, keys: list[bytes]) -> bool: ...

    async def mark(self, keys: list[bytes], ttl: float) -> None: ...

    async def aclose(self) -> None: ...


class MemoryStickyStore:
    """TTL + LRU map in this process (bounded: the oldest marks go first)."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[bytes, float] = OrderedDict()

    async def any_marked(self, keys: list[bytes]) -> bool:
        now = time.monotonic()
        for k in keys:
            exp = self._data.get(k)
            if exp is not None:
                if exp > now:
                    return True
                del self._data[k]
        return False

    async def mark(self, keys: list[bytes], ttl: float) -> None:
        exp = time.monotonic() + ttl
        for k in keys:
            self._data[k] = exp
            self._data.move_to_end(k)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    async def aclose(self) -> None:
        self._data.clear()


class RedisStickyStore:
    """Marks shared by all replicas (``SET key 1 PX ttl``; lookups with one ``EXISTS``)."""

    def __init__(self, url: str, prefix: str = "perimeter:sticky:") -> None:
        import redis.asyncio as aioredis

        self._redis: Any = aioredis.from_url(url)
        self.prefix = prefix.encode()

    async def any_marked(self, keys: list[bytes]) -> bool:
        if not keys:
            return False
        n = await self._redis.exists(*[self.prefix + k.hex().encode() for k in keys])
        return int(n) > 0

    async def mark(self, keys: list[bytes], ttl: float) -> None:
        if not keys:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for k in keys:
                pipe.set(self.prefix + k.hex().encode(), b"1", px=max(int(ttl * 1000), 1))
            await pipe.execute()

    async def aclose(self) -> None:
        await self._redis.aclose()


def _secret() -> bytes:
    # Replicas sharing Redis must derive the same keys: take the secret from the environment
    # when set; a per-process random secret is fine for the in-memory store.
    env = os.environ.get("PERIMETER_STICKY_SECRET")
    return env.encode() if env else os.urandom(32)


class ConversationKeys:
    """Derives the opaque keys that identify a request's conversation."""

    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = (secret or _secret())[:64]

    def _h(self, *parts: bytes) -> bytes:
        h = hashlib.blake2b(key=self.secret, digest_size=16)
        for p in parts:
            h.update(len(p).to_bytes(4, "little"))
            h.update(p)
        return h.digest()

    def explicit(self, ctx: RequestContext) -> list[bytes]:
        scope = (ctx.principal.key_id if ctx.principal else "").encode()
        keys = []
        conv = ctx.conversation_id or ctx.headers.get(CONVERSATION_HEADER)
        if conv:
            keys.append(self._h(b"c", scope, conv.encode()))
        user = ctx.body.get("user")
        if isinstance(user, str) and user:
            keys.append(self._h(b"u", scope, user.encode()))
        return keys

    def history(self, ctx: RequestContext) -> tuple[list[bytes], bytes | None]:
        """``(keys of every message-list prefix, key of the whole list)``."""
        messages = ctx.body.get("messages")
        if not isinstance(messages, list) or not messages:
            return [], None
        # Scoped to the caller and end user, so identical openings of two users never collide.
        user = ctx.body.get("user")
        scope = orjson.dumps([ctx.principal.key_id if ctx.principal else "", user if isinstance(user, str) else ""])
        h = hashlib.blake2b(key=self.secret, digest_size=16)
        h.update(b"m" + len(scope).to_bytes(4, "little") + scope)
        prefixes = []
        for m in messages:
            if not isinstance(m, dict):
                continue
            item = orjson.dumps([str(m.get("role", "")), content_text(m.get("content")), m.get("tool_calls")])
            h.update(len(item).to_bytes(4, "little"))
            h.update(item)
            prefixes.append(h.copy().digest())
        return prefixes, (prefixes[-1] if prefixes else None)


class Stickiness:
    """Check and set the on-prem mark of a request's conversation."""

    def __init__(self, store: StickyStore, keys: ConversationKeys | None = None, ttl: float = 86_400.0) -> None:
        self.store = store
        self.keys = keys or ConversationKeys()
        self.ttl = ttl

    async def apply(self, ctx: RequestContext) -> bool:
        """Mark the conversation if ``ctx`` is sensitive; else report whether it was marked.

        Returns True when this request must stay on-prem because of an earlier turn.
        """
        explicit = self.keys.explicit(ctx)
        prefixes, whole = self.keys.history(ctx)
        if ctx.require_on_prem:
            await self.store.mark([*explicit, *([whole] if whole else [])], self.ttl)
            return False
        if await self.store.any_marked([*explicit, *prefixes]):
            # Keep the mark alive and extend it to this turn's full history.
            await self.store.mark([*explicit, *([whole] if whole else [])], self.ttl)
            return True
        return False


def make_store(redis_url: str | None) -> StickyStore:
    return RedisStickyStore(redis_url) if redis_url else MemoryStickyStore()
