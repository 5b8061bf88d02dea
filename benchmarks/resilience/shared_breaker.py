"""What sharing circuit state through Redis costs, and how fast a verdict spreads.

``make bench-breaker`` (needs Redis: ``PERIMETER_BENCH_REDIS_URL``, default the local one).

1. The hot path: ``allow()`` + ``record_success()`` on a closed breaker, a plain one vs one
   wired to :class:`SharedBreakers` — medians of 7 runs of 200k calls, interleaved.
2. For scale: one Redis ``GET`` round trip from asyncio (what a "read the shared state on every
   request" design would add), median of 2,000.
3. Propagation: from one replica's breaker opening to another replica's breaker being open,
   through real Redis pub/sub — median and p95 of 50 trials.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid

import redis.asyncio as aioredis

from perimeter.resilience.breaker import BreakerState, CircuitBreaker
from perimeter.resilience.shared import SharedBreakers

URL = os.environ.get("PERIMETER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def closed_path_ns(breaker: CircuitBreaker, n: int = 200_000) -> float:
    allow, ok = breaker.allow, breaker.record_success
    t0 = time.perf_counter_ns()
    for _ in range(n):
        allow()
        ok()
    return (time.perf_counter_ns() - t0) / n


async def main() -> None:
    prefix = f"perimeter-bench-{uuid.uuid4().hex[:8]}:"
    plain = CircuitBreaker()
    wired = CircuitBreaker()
    shared = SharedBreakers(URL, prefix, {"p": wired})
    await shared.start()
    runs_plain, runs_wired = [], []
    for _ in range(7):
        runs_plain.append(closed_path_ns(plain))
        runs_wired.append(closed_path_ns(wired))
    p, w = statistics.median(runs_plain), statistics.median(runs_wired)
    print(f"closed breaker, allow+record_success: plain {p:.0f} ns, shared {w:.0f} ns (ratio {w / p:.2f})")

    r = aioredis.Redis.from_url(URL)
    await r.set(prefix + "probe", "1")
    gets = []
    for _ in range(2000):
        t0 = time.perf_counter_ns()
        await r.get(prefix + "probe")
        gets.append(time.perf_counter_ns() - t0)
    print(f"one Redis GET round trip (what a per-request read would add): median {statistics.median(gets) / 1000:.0f} µs")

    a_breaker = CircuitBreaker(1, 30.0)
    b_breaker = CircuitBreaker(1, 30.0)
    a = SharedBreakers(URL, prefix, {"q": a_breaker})
    b = SharedBreakers(URL, prefix, {"q": b_breaker})
    await a.start()
    await b.start()
    lat = []
    for _ in range(50):
        t0 = time.perf_counter()
        a_breaker.record_failure()
        while b_breaker.state is not BreakerState.OPEN:
            await asyncio.sleep(0)
        lat.append(time.perf_counter() - t0)
        a_breaker.record_success()  # close both again
        while b_breaker.state is not BreakerState.CLOSED:
            await asyncio.sleep(0)
    lat.sort()
    print(f"open on one replica -> open on another: median {statistics.median(lat) * 1000:.2f} ms, "
          f"p95 {lat[int(len(lat) * 0.95)] * 1000:.2f} ms ({len(lat)} trials)")
    for s in (shared, a, b):
        await s.aclose()
    keys = [k async for k in r.scan_iter(match=prefix + "*")]
    if keys:
        await r.delete(*keys)
    await r.aclose()


if __name__ == "__main__":
    asyncio.run(main())
