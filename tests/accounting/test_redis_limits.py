"""Shared counters in Redis: two limiter instances stand for two gateway replicas."""

from __future__ import annotations

import asyncio
import time

import pytest

from perimeter.accounting.config import LimitsConfig
from perimeter.accounting.limits import Admission, RedisLimiter, Scope
from tests.accounting.backends import NEED_REDIS, REDIS_URL

pytestmark = NEED_REDIS


def _now_mid_window() -> float:
    """A fixed instant in the middle of a minute window (the clock is passed explicitly)."""
    return (time.time() // 60) * 60 + 30


async def test_rpm_is_shared_between_replicas(redis_prefix: str) -> None:
    assert REDIS_URL
    a, b = RedisLimiter(REDIS_URL, redis_prefix), RedisLimiter(REDIS_URL, redis_prefix)
    now = _now_mid_window()
    scopes = [Scope("key:k1", LimitsConfig(rpm=10))]
    try:
        results = await asyncio.gather(*[(a if i % 2 else b).admit(scopes, now) for i in range(30)])
        admitted = [r for r in results if r.denial is None]
        assert len(admitted) == 10  # N in total, not N per replica
        denied = [r.denial for r in results if r.denial is not None]
        assert all(d.kind == "rpm" and d.limit == 10 for d in denied)
        assert sorted(r.rpm_remaining for r in admitted) == list(range(10))  # type: ignore[type-var]
        # The next window starts fresh.
        nxt = await a.admit(scopes, now + 60)
        assert nxt.denial is None
    finally:
        await a.aclose()
        await b.aclose()


async def test_concurrency_tokens_and_budget(redis_prefix: str) -> None:
    assert REDIS_URL
    a, b = RedisLimiter(REDIS_URL, redis_prefix), RedisLimiter(REDIS_URL, redis_prefix)
    now = _now_mid_window()
    conc = [Scope("key:c", LimitsConfig(max_concurrent=2))]
    tok = [Scope("key:t", LimitsConfig(tpm=100))]
    bud = [Scope("team:t", LimitsConfig(budget=1.0, budget_period="daily"))]
    try:
        h1, h2 = await a.admit(conc, now), await b.admit(conc, now)
        assert h1.denial is None and h2.denial is None
        d = await a.admit(conc, now)
        assert d.denial is not None and d.denial.kind == "concurrency"
        await b.release(conc, h2, 0, 0.0, now)
        await b.flush()
        assert (await a.admit(conc, now)).denial is None

        t = await a.admit(tok, now)
        await a.release(tok, t, 120, 0.0, now)  # tokens are counted after the call
        await a.flush()
        d = await b.admit(tok, now)
        assert d.denial is not None and d.denial.kind == "tpm" and d.denial.used == 120

        x = await a.admit(bud, now)
        await a.release(bud, x, 10, 0.6, now)
        await a.flush()
        y = await b.admit(bud, now)
        await b.release(bud, y, 10, 0.6, now)
        await b.flush()
        d = await a.admit(bud, now)
        assert d.denial is not None and d.denial.kind == "budget"
        assert d.denial.used == pytest.approx(1.2)
        assert await a.spent("team:t", "daily", now) == pytest.approx(1.2)
        # the admission script reports spend so far, so the router's check needs no round trip
        ok = await b.admit([Scope("team:t", LimitsConfig(budget_period="daily"))], now)
        assert ok.denial is None and await b.spent("team:t", "daily") == pytest.approx(1.2)
    finally:
        await a.aclose()
        await b.aclose()


async def test_redis_down_raises_so_the_gatekeeper_can_decide() -> None:
    lim = RedisLimiter("redis://127.0.0.1:1/0", "x:")
    try:
        with pytest.raises(Exception, match=r"(?i)connect|refused"):
            await lim.admit([Scope("key:k", LimitsConfig(rpm=1))])
    finally:
        await lim.aclose()
    assert isinstance(Admission(None), Admission)
