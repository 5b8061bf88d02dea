"""Fault suite: loopback upstreams that reset mid-body, trickle keep-alives, hang, send broken
JSON, rate-limit and fail in bursts.  For each fault: no request hangs, no 200 hides the failure,
the configured fallback serves, the breaker ends in the right state, and a tenant on another
alias is not slowed down (issue 12, defect 3 among them)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import orjson
import pytest

from tests.fakes.gateway import RunningGateway, minimal_config, openai_provider, running_gateway
from tests.fakes.raw_upstream import Behaviour, RawUpstream

TIMEOUTS = {"connect": 1, "first_byte": 0.8, "total": 1.6}
#: No request may take longer than this, whatever the upstream does (timeouts above + slack).
BOUND = 6.0


def _config(flaky: RawUpstream, backup: RawUpstream, other: RawUpstream) -> dict[str, Any]:
    common = {"retry": {"max_retries": 0}, "timeouts": TIMEOUTS}
    return minimal_config(
        [openai_provider("flaky", flaky.base_url, breaker={"failure_threshold": 2, "cooldown": 60}, **common),
         openai_provider("backup", backup.base_url, **common),
         openai_provider("other", other.base_url, **common)],
        {"chat": ["flaky", "backup"],  # a fallback is configured
         "solo": ["flaky"],            # none is
         "tenant2": ["other"]},        # another tenant's alias, on its own provider
        privacy={"enabled": False})


async def _call(client: httpx.AsyncClient, gw: RunningGateway, alias: str, stream: bool) -> tuple[int, dict[str, str],
                                                                                                    bytes, float]:
    body = {"model": alias, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    t0 = time.perf_counter()
    r = await asyncio.wait_for(client.post(f"{gw.base_url}/chat/completions", json=body), BOUND)
    return r.status_code, dict(r.headers), r.content, time.perf_counter() - t0


def _stream_ok(raw: bytes) -> bool:
    """A stream that really finished: content, and the closing [DONE], no error event."""
    return b"data: [DONE]" in raw and b'"error"' not in raw


FAULTS = [
    # (behaviour, stream?)
    (Behaviour("reset_mid_body"), False),
    (Behaviour("trickle", interval=0.2), True),           # keep-alives only: first_byte must fire
    (Behaviour("trickle_body", interval=0.2), False),     # a JSON body one byte at a time: total must fire
    (Behaviour("hang"), False),
    (Behaviour("hang"), True),
    (Behaviour("malformed"), False),
    (Behaviour("status", status=429, retry_after="30"), False),
    (Behaviour("status", status=503), True),
]


@pytest.mark.parametrize(("fault", "stream"), FAULTS, ids=[f"{f.kind}-{f.status}-{'stream' if s else 'json'}"
                                                           for f, s in FAULTS])
async def test_fault_falls_back_fails_loudly_and_isolates(fault: Behaviour, stream: bool) -> None:
    async with RawUpstream("flaky", default=fault) as flaky, RawUpstream("backup") as backup, \
            RawUpstream("other") as other, running_gateway(_config(flaky, backup, other)) as gw, \
            httpx.AsyncClient(timeout=BOUND + 5) as client:
        # the other tenant keeps calling while the faulty requests run
        async def tenant2() -> list[tuple[int, float]]:
            out = []
            for _ in range(8):
                status, _, raw, took = await _call(client, gw, "tenant2", stream)
                assert (not stream) or _stream_ok(raw)
                out.append((status, took))
                await asyncio.sleep(0.1)
            return out

        neighbour = asyncio.create_task(tenant2())
        # 1. with a fallback configured, the client gets the backup's answer
        status, headers, raw, took = await _call(client, gw, "chat", stream)
        assert status == 200 and headers["x-perimeter-route"] == "backup", raw[:300]
        assert headers["x-perimeter-reason"].startswith("fallback:backup"), headers
        assert (not stream and b"backup answers" in raw) or _stream_ok(raw)
        assert took < BOUND
        # 2. without one, a clear error (never a 200, never a hang)
        status, headers, raw, took = await _call(client, gw, "solo", stream)
        assert status in (429, 502, 504), raw[:300]
        assert orjson.loads(raw)["error"]["message"]
        if status == 429:
            assert int(headers["retry-after"]) >= 1
        assert took < BOUND
        # 3. the other tenant was served throughout, and fast
        results = await neighbour
        assert all(s == 200 for s, _ in results), results
        assert max(t for _, t in results) < 1.0, results
        # 4. two upstream failures opened flaky's breaker; nothing else moved
        health = (await client.get(f"{gw.url}/admin/health")).json()["providers"]
        assert health["flaky"]["breaker"] == "open", health
        assert health["backup"]["breaker"] == health["other"]["breaker"] == "closed"
        assert health["flaky"]["in_flight"] == 0  # nothing left hanging on the faulty upstream
        # 5. while open, the fallback serves at once
        status, headers, _, took = await _call(client, gw, "chat", stream)
        assert status == 200 and headers["x-perimeter-route"] == "backup" and took < 1.0


async def test_stream_that_trickles_after_content_ends_with_an_error_not_a_clean_finish() -> None:
    """Defect 3: content first, then only keep-alives: the total deadline ends the stream, the
    client sees an error event (no [DONE]), and the request is not held open."""
    async with RawUpstream("flaky", default=Behaviour("trickle_after_content", interval=0.2)) as flaky, \
            RawUpstream("backup") as backup, RawUpstream("other") as other, \
            running_gateway(_config(flaky, backup, other)) as gw, httpx.AsyncClient(timeout=BOUND + 5) as client:
        status, _, raw, took = await _call(client, gw, "chat", True)
        assert status == 200  # the head went out with the first content
        assert b"flaky answers" not in raw and b"flaky " in raw  # the upstream's first chunk arrived
        assert b"data: [DONE]" not in raw and b"total timeout" in raw, raw
        assert TIMEOUTS["total"] - 0.1 < took < TIMEOUTS["total"] + 2


async def test_5xx_burst_opens_then_recovers_through_one_probe() -> None:
    async with RawUpstream("flaky", script=[Behaviour("status", status=502)] * 3) as flaky, \
            RawUpstream("backup") as backup, RawUpstream("other") as other:
        cfg = _config(flaky, backup, other)
        cfg["providers"][0]["breaker"] = {"failure_threshold": 3, "cooldown": 0.5}
        async with running_gateway(cfg) as gw, httpx.AsyncClient(timeout=BOUND) as client:
            served = [(await _call(client, gw, "chat", False))[1]["x-perimeter-route"] for _ in range(5)]
            assert served == ["backup"] * 5  # three failures fell back, then the open breaker skipped it
            assert len(flaky.requests) == 3
            assert (await client.get(f"{gw.url}/admin/health")).json()["providers"]["flaky"]["breaker"] == "open"
            await asyncio.sleep(0.6)
            status, headers, _, _ = await _call(client, gw, "chat", False)  # the probe: flaky is fine again
            assert status == 200 and headers["x-perimeter-route"] == "flaky"
            assert headers["x-perimeter-reason"] == "primary"
            assert (await client.get(f"{gw.url}/admin/health")).json()["providers"]["flaky"]["breaker"] == "closed"
