"""Fallback, retries, Retry-After, timeouts, breaker and balancing through the real gateway."""

from __future__ import annotations

import asyncio
import time

import httpx
import orjson

from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI, Fault

MSG = {"model": "chat", "messages": [{"role": "user", "content": "ping"}]}
FAST_RETRY = {"max_retries": 1, "backoff_base": 0.01, "backoff_max": 0.02}


def _cfg(*ups: FakeOpenAI, retry: dict[str, float] | None = None, breaker: dict[str, float] | None = None,
         timeouts: dict[str, float] | None = None, group: bool = False) -> dict[str, object]:
    extra: dict[str, object] = {"retry": retry or {"max_retries": 0}}
    if breaker:
        extra["breaker"] = breaker
    if timeouts:
        extra["timeouts"] = timeouts
    providers = [openai_provider(u.name, u.base_url, **extra) for u in ups]
    targets: list[object] = [[u.name for u in ups]] if group else [u.name for u in ups]
    return minimal_config(providers, {"chat": {"targets": targets}})


async def test_falls_back_on_5xx(upstream: FakeOpenAI, upstream2: FakeOpenAI, client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("status", status=503, times=-1))
    async with running_gateway(_cfg(upstream, upstream2)) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions", json=MSG)
    assert r.status_code == 200
    assert r.headers["x-perimeter-route"] == "up2"
    assert len(upstream.requests) == 1 and len(upstream2.requests) == 1


async def test_retries_same_provider_on_429_honouring_retry_after(upstream: FakeOpenAI, client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("status", status=429, retry_after="0.3"))
    async with running_gateway(_cfg(upstream, retry=FAST_RETRY)) as gw:
        t0 = time.perf_counter()
        r = await client.post(f"{gw.base_url}/chat/completions", json=MSG)
        took = time.perf_counter() - t0
    assert r.status_code == 200
    assert len(upstream.requests) == 2
    assert took >= 0.3  # waited as the upstream asked


async def test_long_retry_after_falls_back_instead_of_waiting(upstream: FakeOpenAI, upstream2: FakeOpenAI,
                                                               client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("status", status=429, retry_after="120"))
    async with running_gateway(_cfg(upstream, upstream2, retry=FAST_RETRY)) as gw:
        t0 = time.perf_counter()
        r = await client.post(f"{gw.base_url}/chat/completions", json=MSG)
    assert r.status_code == 200 and r.headers["x-perimeter-route"] == "up2"
    assert time.perf_counter() - t0 < 5
    assert len(upstream.requests) == 1


async def test_client_error_is_not_retried(upstream: FakeOpenAI, upstream2: FakeOpenAI, client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("status", status=400, message="max_tokens is too large: 99999999"))
    async with running_gateway(_cfg(upstream, upstream2, retry=FAST_RETRY)) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions", json=MSG)
    assert r.status_code == 400
    assert "max_tokens is too large" in r.json()["error"]["message"]
    assert len(upstream2.requests) == 0


async def test_first_byte_timeout_falls_back(upstream: FakeOpenAI, upstream2: FakeOpenAI, client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("delay", delay=3.0))
    async with running_gateway(_cfg(upstream, upstream2, timeouts={"first_byte": 0.3})) as gw:
        t0 = time.perf_counter()
        r = await client.post(f"{gw.base_url}/chat/completions", json=MSG)
    assert r.status_code == 200 and r.headers["x-perimeter-route"] == "up2"
    assert time.perf_counter() - t0 < 2.5


async def test_all_providers_fail_gives_openai_error(upstream: FakeOpenAI, upstream2: FakeOpenAI,
                                                     client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("status", status=500, times=-1))
    upstream2.fail(Fault("drop", times=-1))
    async with running_gateway(_cfg(upstream, upstream2)) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions", json=MSG)
    assert r.status_code == 502
    err = r.json()["error"]
    assert err["type"] == "upstream_error" and "all providers for model 'chat' failed" in err["message"]


async def test_breaker_opens_then_half_opens(upstream: FakeOpenAI, upstream2: FakeOpenAI, client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("status", status=500, times=2))
    cfg = _cfg(upstream, upstream2, breaker={"failure_threshold": 2, "cooldown": 0.5})
    async with running_gateway(cfg) as gw:
        for _ in range(2):
            assert (await client.post(f"{gw.base_url}/chat/completions", json=MSG)).headers["x-perimeter-route"] == "up2"
        # open: up1 is skipped without being called
        r = await client.post(f"{gw.base_url}/chat/completions", json=MSG)
        assert r.headers["x-perimeter-route"] == "up2" and len(upstream.requests) == 2
        metrics = (await client.get(f"{gw.url}/metrics")).text
        assert 'perimeter_breaker_state{provider="up1"} 2' in metrics
        await asyncio.sleep(0.6)
        # half-open probe succeeds and closes the breaker
        r = await client.post(f"{gw.base_url}/chat/completions", json=MSG)
        assert r.headers["x-perimeter-route"] == "up1" and len(upstream.requests) == 3
        metrics = (await client.get(f"{gw.url}/metrics")).text
        assert 'perimeter_breaker_state{provider="up1"} 0' in metrics


async def test_balances_least_outstanding(upstream: FakeOpenAI, upstream2: FakeOpenAI, client: httpx.AsyncClient) -> None:
    upstream.first_byte_delay = 0.2
    upstream2.first_byte_delay = 0.2
    async with running_gateway(_cfg(upstream, upstream2, group=True)) as gw:
        rs = await asyncio.gather(*[client.post(f"{gw.base_url}/chat/completions", json=MSG) for _ in range(10)])
    assert all(r.status_code == 200 for r in rs)
    assert len(upstream.requests) == 5 and len(upstream2.requests) == 5


async def test_balancing_skips_a_slow_replica(upstream: FakeOpenAI, upstream2: FakeOpenAI, client: httpx.AsyncClient) -> None:
    upstream.first_byte_delay = 1.0  # a replica that is busy: its requests stay outstanding
    async with running_gateway(_cfg(upstream, upstream2, group=True)) as gw:
        # two concurrent requests: one lands on each replica; up1's stays outstanding
        first = [asyncio.create_task(client.post(f"{gw.base_url}/chat/completions", json=MSG)) for _ in range(2)]
        await asyncio.sleep(0.3)
        rs = [await client.post(f"{gw.base_url}/chat/completions", json=MSG) for _ in range(4)]
        await asyncio.gather(*first)
    assert {r.headers["x-perimeter-route"] for r in rs} == {"up2"}


def _events(raw: bytes) -> list[bytes]:
    return [e for e in raw.split(b"\n\n") if e]


async def test_stream_broken_before_first_byte_falls_back(upstream: FakeOpenAI, upstream2: FakeOpenAI,
                                                          client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("drop"))
    async with running_gateway(_cfg(upstream, upstream2)) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions", json={**MSG, "stream": True})
    assert r.status_code == 200 and r.headers["x-perimeter-route"] == "up2"
    assert _events(r.content)[-1] == b"data: [DONE]"


async def test_non_sse_answer_to_stream_falls_back(upstream: FakeOpenAI, upstream2: FakeOpenAI,
                                                   client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("not_sse"))
    async with running_gateway(_cfg(upstream, upstream2)) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions", json={**MSG, "stream": True})
    assert r.status_code == 200 and r.headers["x-perimeter-route"] == "up2"


async def test_stream_broken_after_start_ends_with_error_event(upstream: FakeOpenAI, upstream2: FakeOpenAI,
                                                               client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("truncate", after_chunks=2))
    body = {"model": "chat", "stream": True, "messages": [{"role": "user", "content": "a b c d e f"}]}
    async with running_gateway(_cfg(upstream, upstream2)) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions", json=body)
    events = _events(r.content)
    assert r.status_code == 200  # the head was already sent ...
    assert b"data: [DONE]" not in events  # ... but the stream does not pretend to be complete
    last = orjson.loads(events[-1][6:])
    assert last["error"]["type"] == "upstream_error"
    assert len(upstream2.requests) == 0  # no silent splice of two different answers


async def test_stream_error_event_from_upstream_is_surfaced(upstream: FakeOpenAI, client: httpx.AsyncClient) -> None:
    upstream.fail(Fault("stream_error", after_chunks=1, message="model crashed"))
    async with running_gateway(_cfg(upstream)) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions",
                              json={"model": "chat", "stream": True, "messages": [{"role": "user", "content": "x y z"}]})
    last = orjson.loads(_events(r.content)[-1][6:])
    assert "model crashed" in last["error"]["message"]


async def test_client_disconnect_cancels_upstream_stream(upstream: FakeOpenAI) -> None:
    upstream.chunk_delay = 0.05
    words = " ".join(f"w{i}" for i in range(200))
    body = {"model": "chat", "stream": True, "messages": [{"role": "user", "content": words}]}
    async with running_gateway(_cfg(upstream)) as gw:
        async with httpx.AsyncClient(timeout=10) as c, c.stream("POST", f"{gw.base_url}/chat/completions", json=body) as r:
            got = 0
            async for _ in r.aiter_bytes():
                got += 1
                if got >= 3:
                    break
        for _ in range(100):
            if upstream.cancelled_streams:
                break
            await asyncio.sleep(0.02)
        assert upstream.cancelled_streams == 1 and upstream.completed_streams == 0
        # the server is still healthy
        async with httpx.AsyncClient(timeout=10) as c:
            assert (await c.get(f"{gw.url}/health/live")).status_code == 200
            assert (await c.post(f"{gw.base_url}/chat/completions", json=MSG)).status_code == 200
