"""Issue 12 defects 1, 2 and 8 in the call loop: local errors never count against a provider,
the half-open probe slot is always released, a full local queue says so (with Retry-After),
and a client that sends half a body leaves no traceback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from perimeter.assembly import build_upstreams
from perimeter.config import parse_config
from perimeter.context import RequestContext
from perimeter.errors import GatewayError
from perimeter.pipeline import Pipeline
from perimeter.resilience.breaker import BreakerState
from perimeter.stages import RouteDecision, RouteTarget
from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
async def pipeline(upstream: FakeOpenAI) -> AsyncIterator[Pipeline]:
    cfg = parse_config(minimal_config(
        [openai_provider("local", upstream.base_url, breaker={"failure_threshold": 1, "cooldown": 0.05}),
         openai_provider("cloud", upstream.base_url, location="cloud", breaker={"failure_threshold": 1, "cooldown": 0.05})],
        {"chat": ["local"], "cloudy": ["cloud"]}))
    ups = build_upstreams(cfg)
    for up in ups.values():
        await up.provider.start()
    try:
        yield Pipeline(cfg, ups)
    finally:
        for up in ups.values():
            await up.provider.aclose()


def _ctx(alias: str, **body: Any) -> RequestContext:
    return RequestContext(request_id="t", endpoint="chat", alias=alias, headers={},
                          body={"model": alias, "messages": [{"role": "user", "content": "hi"}], **body})


async def test_a_body_that_cannot_be_encoded_is_a_400_and_not_the_providers_fault(
        pipeline: Pipeline, upstream: FakeOpenAI) -> None:
    deep: Any = "x"
    for _ in range(300):  # what a 300-deep JSON body became before the edge capped depth
        deep = {"a": deep}
    for _ in range(3):
        with pytest.raises(GatewayError) as info:
            await pipeline.chat(_ctx("chat", extra=deep))
        assert info.value.status == 400 and info.value.code == "unencodable_body"
    breaker = pipeline.upstreams["local"].breaker
    assert breaker.state is BreakerState.CLOSED and breaker.available()
    assert upstream.requests == []
    assert (await pipeline.chat(_ctx("chat")))["choices"]  # and the provider still serves


async def test_the_half_open_probe_is_released_when_preparing_the_body_fails(pipeline: Pipeline) -> None:
    """Defect 2: an exception in _body_for() used to leave the probe reserved, the provider down
    until restart."""
    cloud = pipeline.upstreams["cloud"]
    cloud.breaker.record_failure()
    assert cloud.breaker.state is BreakerState.OPEN
    await asyncio.sleep(0.06)  # cooldown over: the next call is the half-open probe
    ctx = _ctx("cloudy")
    ctx.require_on_prem = True  # _body_for refuses to send it to a cloud provider
    decision = RouteDecision([RouteTarget(["cloud"], None)], "test")
    with pytest.raises(GatewayError) as info:
        await pipeline._run(ctx, decision, lambda up, body: up.provider.chat(body, request_id="t"))
    assert info.value.code == "no_on_prem_provider"
    assert cloud.breaker.available(), "the probe slot leaked"
    result = await pipeline.chat(_ctx("cloudy"))  # the probe goes through and closes the breaker
    assert result["choices"] and cloud.breaker.state is BreakerState.CLOSED


async def test_a_full_llamacpp_queue_says_queue_full_with_retry_after(tiny_model: Path, client: httpx.AsyncClient) -> None:
    cfg = minimal_config([{"name": "llm", "type": "llamacpp", "model_path": str(tiny_model), "n_ctx": 256,
                           "n_threads": 1, "max_concurrency": 1, "max_queue": 0, "retry": {"max_retries": 0},
                           "breaker": {"failure_threshold": 1, "cooldown": 60}}],
                         {"local": ["llm"]}, privacy={"enabled": False})
    body = {"model": "local", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 48}
    async with running_gateway(cfg) as gw:
        rs = await asyncio.gather(*[client.post(f"{gw.base_url}/chat/completions", json=body) for _ in range(6)])
        codes = [r.status_code for r in rs]
        assert 200 in codes and 429 in codes, codes
        full = next(r for r in rs if r.status_code == 429)
        assert full.json()["error"]["code"] == "queue_full" and int(full.headers["retry-after"]) >= 1
        assert "at capacity" in full.json()["error"]["message"]
        # a full queue says nothing about the provider's health: the breaker stays closed
        health = (await client.get(f"{gw.url}/admin/health")).json()
        assert health["providers"]["llm"]["breaker"] == "closed"
        assert (await client.post(f"{gw.base_url}/chat/completions", json=body)).status_code == 200


async def test_a_short_body_and_a_hang_up_log_no_traceback(
        upstream: FakeOpenAI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    cfg = minimal_config([openai_provider("local", upstream.base_url)], {"chat": ["local"]})
    uvicorn_log = logging.getLogger("uvicorn.error")  # uvicorn's loggers do not propagate to the root
    async with running_gateway(cfg) as gw:
        caplog.clear()
        uvicorn_log.addHandler(caplog.handler)
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
            writer.write(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                         b"content-length: 1000\r\n\r\n{\"model\": ")
            await writer.drain()
            await asyncio.sleep(0.1)
            writer.close()
            await asyncio.sleep(0.3)
        finally:
            uvicorn_log.removeHandler(caplog.handler)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info], caplog.text
        ok = await client.post(f"{gw.base_url}/chat/completions",
                               json={"model": "chat", "messages": [{"role": "user", "content": "x"}]})
        assert ok.status_code == 200
    assert upstream.requests and all(r["messages"][0]["content"] == "x" for r in upstream.requests)
