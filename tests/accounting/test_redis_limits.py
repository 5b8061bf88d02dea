"""Shared counters in Redis: two limiter instances stand for two gateway replicas."""

from __future__ import annotations

import asyncio
import time

import pytest

from perimeter.accounting.config import LimitsConfig
from perimeter.accounting.limits import Admission, Scope
from perimeter.accounting.redis_limits import RedisLimiter
from tests.accounting.backends import NEED_REDIS, REDIS_URL

pytestmark = NEED_REDIS


def _now_mid_window() -> float:
    """A fixed instant in the middle of a minute window (the clock is passed explicitly)."""
    return (time.time() // 60) * 60 + 30


@pytest.mark.parametrize("lease", [True, False], ids=["lease", "per-request"])
async def test_rpm_is_shared_between_replicas(redis_prefix: str, lease: bool) -> None:
    assert REDIS_URL
    a, b = RedisLimiter(REDIS_URL, redis_prefix, lease=lease), RedisLimiter(REDIS_URL, redis_prefix, lease=lease)
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


@pytest.mark.parametrize("lease", [True, False], ids=["lease", "per-request"])
async def test_concurrency_tokens_and_budget(redis_prefix: str, lease: bool) -> None:
    assert REDIS_URL
    a, b = RedisLimiter(REDIS_URL, redis_prefix, lease=lease), RedisLimiter(REDIS_URL, redis_prefix, lease=lease)

    async def settle() -> None:
        """With leases a replica reads other replicas' tokens/spend at most LEASE_FRESH late."""
        if lease:
            await asyncio.sleep(RedisLimiter.LEASE_FRESH + 0.02)

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
        await settle()
        d = await a.admit(bud, now)
        assert d.denial is not None and d.denial.kind == "budget"
        assert d.denial.used == pytest.approx(1.2)
        assert await a.spent("team:t", "daily", now) == pytest.approx(1.2)
        # the admission script reports spend so far, so the router's check needs no round trip
        ok = await b.admit([Scope("team:t", LimitsConfig(tpm=10**9, budget_period="daily"))], now)
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


async def _counter(prefix: str, name: str) -> int:
    import redis.asyncio as aioredis

    assert REDIS_URL
    r = aioredis.from_url(REDIS_URL)
    try:
        return int(await r.get(f"{prefix}lim:{name}") or 0)
    finally:
        await r.aclose()


async def test_leases_never_admit_more_than_rpm_in_total(redis_prefix: str) -> None:
    """Two leasing replicas, far more demand than quota: never more than N; after unused
    leases flow back, exactly N in total."""
    assert REDIS_URL
    a, b = RedisLimiter(REDIS_URL, redis_prefix), RedisLimiter(REDIS_URL, redis_prefix)
    now = _now_mid_window()
    scopes = [Scope("key:lease", LimitsConfig(rpm=300))]
    admitted = 0
    try:
        for _ in range(10):
            wave = await asyncio.gather(*[(a if i % 2 else b).admit(scopes, now) for i in range(400)])
            admitted += sum(r.denial is None for r in wave)
            assert admitted <= 300
            taken = await _counter(redis_prefix, f"key:lease:r:{int(now // 60)}")
            assert taken <= 300  # what Redis counts as taken (used + leased) never exceeds N either
            await a.flush()
            await b.flush()  # unused leases flow back
            if admitted == 300:
                break
        assert admitted == 300
    finally:
        await a.aclose()
        await b.aclose()


async def test_leased_concurrency_is_never_exceeded_and_flows_back(redis_prefix: str) -> None:
    assert REDIS_URL
    a, b = RedisLimiter(REDIS_URL, redis_prefix), RedisLimiter(REDIS_URL, redis_prefix)
    now = _now_mid_window()
    scopes = [Scope("key:cc", LimitsConfig(max_concurrent=40))]
    try:
        holding: list[tuple[RedisLimiter, Admission]] = []
        for _ in range(10):
            lims = [a if i % 2 else b for i in range(200)]
            wave = await asyncio.gather(*[lim.admit(scopes, now) for lim in lims])
            holding += [(lim, r) for lim, r in zip(lims, wave, strict=True) if r.denial is None]
            assert len(holding) <= 40  # in flight across both replicas
            await a.flush()
            await b.flush()
            if len(holding) == 40:
                break
        assert len(holding) == 40
        assert await _counter(redis_prefix, "key:cc:c") == 40
        for lim, adm in holding:
            await lim.release(scopes, adm, 0, 0.0, now)
        await a.flush()
        await b.flush()
        assert await _counter(redis_prefix, "key:cc:c") == 0  # every slot came back
    finally:
        await a.aclose()
        await b.aclose()


async def test_near_a_limit_every_admission_is_a_round_trip(redis_prefix: str) -> None:
    assert REDIS_URL
    a = RedisLimiter(REDIS_URL, redis_prefix)
    now = _now_mid_window()
    small = [Scope("key:small", LimitsConfig(rpm=6, max_concurrent=3))]
    try:
        results = [await a.admit(small, now) for _ in range(3)]
        assert all(r.denial is None for r in results) and a.round_trips == 3 and a.local_admissions == 0
        assert await _counter(redis_prefix, f"key:small:r:{int(now // 60)}") == 3  # one slot each, no block
        assert await _counter(redis_prefix, "key:small:c") == 3
        d = await a.admit(small, now)
        assert d.denial is not None and d.denial.kind == "concurrency"
    finally:
        await a.aclose()


async def test_far_from_limits_admission_is_local(redis_prefix: str) -> None:
    assert REDIS_URL
    a = RedisLimiter(REDIS_URL, redis_prefix)
    scopes = [Scope("key:big", LimitsConfig(rpm=10**6, tpm=10**9, max_concurrent=10**4, budget=1e6))]
    try:
        for _ in range(200):
            adm = await a.admit(scopes)
            assert adm.denial is None and adm.rpm_remaining is not None and adm.rpm_remaining > 0
            await a.release(scopes, adm, 10, 0.001)
        assert a.local_admissions >= 150 and a.round_trips <= 50
        await a.flush()
        assert await _counter(redis_prefix, f"key:big:r:{int(time.time() // 60)}") in (200, 0)  # 0: minute turned
        assert await _counter(redis_prefix, "key:big:c") == 0
    finally:
        await a.aclose()
