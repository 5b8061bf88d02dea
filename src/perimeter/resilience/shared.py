"""Circuit state shared by every replica through Redis.

Why: a per-replica breaker means each replica pays ``failure_threshold`` failed (and slow)
requests of its own before it stops calling a dead upstream, and keeps probing it on its own
schedule.  With ``storage.redis_url`` set, one replica's verdict holds for all: when its
breaker opens, every replica's opens for the rest of the cooldown; when its probe succeeds,
every replica's closes.

The hot path stays as it was: breakers are still read from memory, and a closed breaker never
causes a Redis round trip.  Only *transitions* touch Redis, and they are rare:

* a breaker opening by its own verdict → ``SET {prefix}breaker:{provider} <replica> PX cooldown``
  and ``PUBLISH {prefix}breaker {"p": provider, "s": "open", "remaining": s, "r": replica}``;
* a probe closing it again → ``DEL`` the key and ``PUBLISH … "s": "closed"``.

Every replica subscribes to the channel and applies its peers' verdicts as they arrive
(milliseconds, see ``benchmarks/resilience``).  After subscribing — at start and after each
reconnect — it reads the keys (value and ``PTTL``), so a replica that starts, or reconnects,
while a circuit is open learns it too.  When Redis is unreachable the breakers keep working
per replica and the subscriber reconnects with backoff: sharing is an optimisation of fault
handling, never a new way to fail.

Half-open probing stays per replica: after the cooldown each replica may send one probe, so
a recovered upstream sees at most one probe per replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any

import orjson
import redis.asyncio as aioredis

from perimeter.resilience.breaker import BreakerState, CircuitBreaker

log = logging.getLogger("perimeter.resilience")


class SharedBreakers:
    """Publishes this replica's breaker transitions and applies the other replicas' ones."""

    def __init__(self, redis_url: str, prefix: str, breakers: Mapping[str, CircuitBreaker],
                 replica: str | None = None) -> None:
        self.breakers = dict(breakers)
        self.channel = f"{prefix}breaker"
        self._key_prefix = f"{prefix}breaker:"
        self.replica = replica or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._redis: aioredis.Redis = aioredis.Redis.from_url(redis_url, socket_connect_timeout=2,
                                                              socket_timeout=None)
        self._listener: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._subscribed = asyncio.Event()
        #: Peer verdicts applied (``open`` / ``closed``), for /metrics and tests.
        self.applied: dict[str, int] = {"open": 0, "closed": 0}
        for name, breaker in self.breakers.items():
            breaker.on_change = partial(self._changed, name)

    def _key(self, provider: str) -> str:
        return self._key_prefix + provider

    # ------------------------------------------------------------------ lifecycle
    async def start(self, wait: float = 2.0) -> None:
        """Subscribe (and read the open circuits) before the replica reports ready."""
        self._listener = asyncio.create_task(self._listen(), name="perimeter-shared-breakers")
        try:
            await asyncio.wait_for(self._subscribed.wait(), wait)
        except TimeoutError:
            log.warning("shared circuit state: Redis did not answer within %.1fs; breakers are per replica "
                        "until it does", wait)

    async def aclose(self) -> None:
        for breaker in self.breakers.values():
            breaker.on_change = None
        if self._pending:
            await asyncio.wait(self._pending, timeout=2)
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        await self._redis.aclose()

    # ------------------------------------------------------------------ this replica's verdicts
    def _changed(self, provider: str, state: BreakerState) -> None:
        """Called synchronously on a transition: publish without holding up the request."""
        breaker = self.breakers[provider]
        task = asyncio.get_running_loop().create_task(self._publish(provider, state, breaker.remaining()))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _publish(self, provider: str, state: BreakerState, remaining: float) -> None:
        message = orjson.dumps({"p": provider, "s": "open" if state is BreakerState.OPEN else "closed",
                                "remaining": remaining, "r": self.replica})
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                if state is BreakerState.OPEN:
                    pipe.set(self._key(provider), self.replica, px=max(1, int(remaining * 1000)))
                else:
                    pipe.delete(self._key(provider))
                pipe.publish(self.channel, message)
                await pipe.execute()
        except Exception as exc:  # Redis down: this replica's breaker still works on its own
            log.warning("shared circuit state: could not publish %s=%s: %s", provider, state, exc)

    # ------------------------------------------------------------------ the peers' verdicts
    def apply(self, message: bytes | str) -> bool:
        """Apply one published verdict; ``False`` when it is ours, unknown or malformed."""
        try:
            data: Any = orjson.loads(message)
            provider, state, sender = data["p"], data["s"], data["r"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("shared circuit state: ignoring a malformed message on %s", self.channel)
            return False
        breaker = self.breakers.get(provider) if isinstance(provider, str) else None
        if breaker is None or sender == self.replica:
            return False  # a provider this replica does not have (another config version), or our own
        if state == "open":
            remaining = float(data.get("remaining") or 0.0)
            if breaker.state is BreakerState.OPEN and breaker.remaining() >= remaining:
                return False
            breaker.open_from_peer(remaining)
        elif state == "closed":
            if breaker.state is BreakerState.CLOSED:
                return False
            breaker.close_from_peer()
        else:
            return False
        self.applied[state] += 1
        log.info("circuit of provider %s %s by replica %s", provider, state, sender)
        return True

    async def _sync(self) -> None:
        """Open the circuits that are open in Redis now (what was published before we listened)."""
        names = list(self.breakers)
        async with self._redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.pttl(self._key(name))
            ttls = await pipe.execute()
        for name, ttl in zip(names, ttls, strict=True):
            if isinstance(ttl, int) and ttl > 0:
                self.apply(orjson.dumps({"p": name, "s": "open", "remaining": ttl / 1000, "r": "(stored)"}))

    async def _listen(self) -> None:
        backoff = 0.1
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                await self._sync()
                self._subscribed.set()
                backoff = 0.1
                async for msg in pubsub.listen():
                    if msg.get("type") == "message":
                        self.apply(msg["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("shared circuit state: Redis subscription lost (%s); retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
