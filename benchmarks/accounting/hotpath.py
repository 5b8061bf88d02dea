"""Accounting's own CPU per request, without HTTP: admit → record → audit → release → written.

    .venv/bin/python -m benchmarks.accounting.hotpath [--backend sqlite|postgres] [--requests 20000]

The saturation benchmark (``run.py``) is the number the issue asks for, but on a 2-core
machine shared with other jobs its req/s swing by 2x between rounds.  This one drives the
same objects the gateway uses (``build_accounting``: key cache, limiter, recorder, journal,
batched writer) with 32 concurrent tasks and reports process CPU time (all threads: the event
loop *and* the database writer thread) per request, until every row is in the database.  It
is far steadier, and it is what the saturation ratio is made of: the gateway process with
accounting off spends ~0.35-0.5 ms of CPU per request, so 15% is a budget of ~50-75 µs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from typing import Any

from perimeter.accounting.config import LimitsConfig
from perimeter.accounting.services import build_accounting
from perimeter.config import Config
from perimeter.context import Principal, RequestContext


def _config(backend: str, work: str, schema: str, prefix: str) -> Config:
    storage: dict[str, Any] = {"data_dir": work}
    if backend == "postgres":
        storage.update(database_url=os.environ["PERIMETER_TEST_POSTGRES_URL"], database_schema=schema,
                       redis_url=os.environ["PERIMETER_TEST_REDIS_URL"], redis_prefix=prefix)
    return Config.model_validate({
        "server": {"mode": "production", "admin_key": "bench-admin-key-0123456789"},
        "providers": [{"name": "local", "type": "openai_compat", "location": "on_prem",
                       "base_url": "http://127.0.0.1:9/v1", "model": "llama"}],
        "models": {"chat": ["local"]},
        "storage": storage,
    })


def _ctx(key: str, i: int) -> RequestContext:
    return RequestContext(request_id=f"req-{i}", endpoint="chat", alias="chat",
                          body={"model": "chat", "messages": [{"role": "user", "content": "hello"}]}, headers={},
                          api_key=key)


async def _empty(services: Any, key: str, i: int) -> None:
    """The harness alone (subtracted from the figures)."""
    _ctx(key, i)
    await asyncio.sleep(0)


async def _one(services: Any, key: str, i: int) -> None:
    ctx = _ctx(key, i)
    await services.gatekeeper.admit(ctx)
    ctx.provider, ctx.provider_model, ctx.location = "local", "llama", "on_prem"
    ctx.usage = {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
    await asyncio.sleep(0)  # the upstream call
    services.recorder.record(ctx)
    services.audit.append("request", {"request_id": ctx.request_id, "alias": ctx.alias, "provider": ctx.provider,
                                      "location": ctx.location, "status": 200, "entities": {},
                                      "key_id": ctx.principal.key_id if isinstance(ctx.principal, Principal) else None})
    await services.gatekeeper.release(ctx)


async def run(backend: str, requests: int, rounds: int) -> None:
    work = tempfile.mkdtemp(prefix="perimeter-hotpath-")
    schema, prefix = f"hot_{uuid.uuid4().hex[:8]}", f"hot-{uuid.uuid4().hex[:8]}:"
    services = await build_accounting(_config(backend, work, schema, prefix))
    try:
        key, rec = await services.keys.create(name="bench", team="bench", limits=LimitsConfig(
            rpm=10_000_000, tpm=10_000_000_000, max_concurrent=10_000, budget=1e9))
        services.key_cache.put(rec)
        per: list[float] = []
        base: list[float] = []
        for r in range(2 * rounds + 2):
            step = _one if r % 2 else _empty
            await services.flush()
            t0, w0 = time.process_time(), time.perf_counter()
            sem = asyncio.Semaphore(32)

            async def task(i: int, sem: asyncio.Semaphore = sem, step: Any = step) -> None:
                async with sem:
                    await step(services, key, i)

            await asyncio.gather(*[task(r * requests + i) for i in range(requests)])
            if hasattr(services.limiter, "flush"):
                await services.limiter.flush()
            await services.flush()
            cpu = (time.process_time() - t0) / requests * 1e6
            wall = (time.perf_counter() - w0) / requests * 1e6
            if r >= 2:  # round 0/1 warm caches and connections
                (per if step is _one else base).append(cpu)
                print(f"round {r // 2} {'accounting' if step is _one else 'harness   '}: {cpu:6.1f} µs CPU/request "
                      f"(all threads), {wall:6.1f} µs wall/request", flush=True)
        net = statistics.median(a - b for a, b in zip(per, base, strict=True))
        print(f"\nbackend={backend}: median {net:.1f} µs of CPU per request for keys + limits + ledger + audit "
              f"(harness subtracted; {rounds} rounds x {requests} requests; loadavg {os.getloadavg()[0]:.1f})")
    finally:
        await services.aclose()
        if backend == "postgres":
            import psycopg
            import redis

            with psycopg.connect(os.environ["PERIMETER_TEST_POSTGRES_URL"], autocommit=True) as c:
                c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            rc = redis.Redis.from_url(os.environ["PERIMETER_TEST_REDIS_URL"])
            ks = list(rc.scan_iter(match=f"{prefix}*"))
            if ks:
                rc.delete(*ks)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    import uvloop

    uvloop.install()
    asyncio.run(run(args.backend, args.requests, args.rounds))


if __name__ == "__main__":
    main()
