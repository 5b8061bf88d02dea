"""Circuit state shared through a real Redis: one replica's verdict holds for every replica."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from perimeter.resilience.breaker import BreakerState, CircuitBreaker
from perimeter.resilience.shared import SharedBreakers
from tests.accounting.backends import NEED_REDIS, REDIS_URL, clear_redis

pytestmark = NEED_REDIS


@pytest.fixture
async def replicas() -> AsyncIterator[Callable[..., asyncio.Future[tuple[CircuitBreaker, SharedBreakers]]]]:
    """Start "replicas": each its own breaker for provider ``up`` and its own Redis subscriber."""
    assert REDIS_URL
    prefix = f"perimeter-test-{uuid.uuid4().hex[:10]}:"
    started: list[SharedBreakers] = []

    async def start(threshold: int = 2, cooldown: float = 5.0) -> tuple[CircuitBreaker, SharedBreakers]:
        breaker = CircuitBreaker(threshold, cooldown)
        shared = SharedBreakers(REDIS_URL, prefix, {"up": breaker})
        await shared.start()
        started.append(shared)
        return breaker, shared

    try:
        yield start  # type: ignore[misc]
    finally:
        for s in started:
            await s.aclose()
        clear_redis(prefix)


async def _until(cond: Callable[[], bool], timeout: float = 3.0) -> float:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)
    return time.monotonic() - t0


async def test_one_replicas_failures_open_the_circuit_for_all(replicas) -> None:  # type: ignore[no-untyped-def]
    (a, _), (b, sb), (c, sc) = [await replicas() for _ in range(3)]
    a.record_failure()
    await asyncio.sleep(0.2)
    assert b.state is BreakerState.CLOSED and c.state is BreakerState.CLOSED  # one failure is not a verdict
    a.record_failure()  # threshold reached on a alone
    assert a.state is BreakerState.OPEN
    await _until(lambda: b.state is BreakerState.OPEN and c.state is BreakerState.OPEN)
    assert not b.allow() and not c.allow()
    assert 4.0 < b.remaining() <= 5.0  # the rest of a's cooldown, not a fresh one
    assert sb.applied["open"] == 1 and sc.applied["open"] == 1


async def test_a_successful_probe_closes_it_everywhere(replicas) -> None:  # type: ignore[no-untyped-def]
    (a, _), (b, _) = await replicas(threshold=1, cooldown=0.3), await replicas(threshold=1, cooldown=0.3)
    a.record_failure()
    await _until(lambda: b.state is BreakerState.OPEN)
    await asyncio.sleep(0.35)
    assert a.allow()  # a's probe
    a.record_success()
    await _until(lambda: b.state is BreakerState.CLOSED)
    assert b.allow() and b.allow()  # closed, not half-open with one probe


async def test_a_replica_that_starts_while_open_learns_it(replicas) -> None:  # type: ignore[no-untyped-def]
    a, _ = await replicas(threshold=1, cooldown=5.0)
    a.record_failure()
    late: CircuitBreaker | None = None
    await asyncio.sleep(0.1)  # published and stored before the late replica exists
    late, shared = await replicas(threshold=1, cooldown=5.0)
    assert late.state is BreakerState.OPEN and 4.0 < late.remaining() <= 5.0
    assert shared.applied["open"] == 1


async def test_a_closed_breaker_never_talks_to_redis(replicas) -> None:  # type: ignore[no-untyped-def]
    breaker, shared = await replicas()
    for _ in range(1000):
        assert breaker.allow()
        breaker.record_success()
    breaker.record_failure()  # below the threshold: still closed, still local
    assert not shared._pending  # no publish was even scheduled


async def test_redis_down_leaves_breakers_working_per_replica() -> None:
    breaker = CircuitBreaker(1, 5.0)
    shared = SharedBreakers("redis://127.0.0.1:9/0", "perimeter-test-down:", {"up": breaker})
    t0 = time.monotonic()
    await shared.start(wait=0.3)
    assert time.monotonic() - t0 < 2
    try:
        breaker.record_failure()  # the publish fails (logged); the local verdict stands
        assert breaker.state is BreakerState.OPEN and not breaker.allow()
        await asyncio.sleep(0.1)
    finally:
        await shared.aclose()


async def test_foreign_and_malformed_messages_are_ignored(replicas) -> None:  # type: ignore[no-untyped-def]
    breaker, shared = await replicas()
    assert not shared.apply(b"not json")
    assert not shared.apply(b'{"p": "other-provider", "s": "open", "remaining": 3, "r": "x"}')
    assert not shared.apply(b'{"p": "up", "s": "open", "remaining": 3, "r": "%s"}' % shared.replica.encode())
    assert breaker.state is BreakerState.CLOSED
