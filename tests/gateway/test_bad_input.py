"""Bad input gets a clear 4xx in the OpenAI error shape and leaves the server healthy."""

from __future__ import annotations

import httpx
import pytest

from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI

CASES = [
    (b"{not json", 400, "not valid JSON"),
    (b"", 400, "empty"),
    (b'{"model": "chat", "messages": [{"role": "user", "content": "\xff\xfe"}]}', 400, "not valid UTF-8"),
    (b'[1, 2]', 400, "must be a JSON object"),
    (b'{"messages": [{"role": "user", "content": "x"}]}', 400, "model"),
    (b'{"model": "chat"}', 400, "'messages' is required"),
    (b'{"model": "chat", "messages": []}', 400, "non-empty array"),
    (b'{"model": "chat", "messages": "hello"}', 400, "non-empty array"),
    (b'{"model": "chat", "messages": [{"role": "wizard", "content": "x"}]}', 400, "messages[0].role"),
    (b'{"model": "chat", "messages": [{"role": "user", "content": 5}]}', 400, "messages[0].content"),
    (b'{"model": "chat", "stream": "yes", "messages": [{"role": "user", "content": "x"}]}', 400, "'stream' must be a boolean"),
    (b'{"model": "chat", "max_tokens": "10", "messages": [{"role": "user", "content": "x"}]}', 400, "'max_tokens' must be an integer"),
    (b'{"model": "chat", "temperature": "hot", "messages": [{"role": "user", "content": "x"}]}', 400, "'temperature' must be a number"),
    (b'{"model": "gpt-99", "messages": [{"role": "user", "content": "x"}]}', 404, "Available models: chat"),
]


@pytest.fixture
async def gw(upstream: FakeOpenAI):  # type: ignore[no-untyped-def]
    cfg = minimal_config([openai_provider("local", upstream.base_url)], {"chat": ["local"]},
                         server={"max_body_bytes": 4096})
    async with running_gateway(cfg) as g:
        yield g


@pytest.mark.parametrize(("raw", "status", "fragment"), CASES)
async def test_bad_request_bodies(gw, client: httpx.AsyncClient, upstream: FakeOpenAI,  # type: ignore[no-untyped-def]
                                  raw: bytes, status: int, fragment: str) -> None:
    r = await client.post(f"{gw.base_url}/chat/completions", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert fragment in err["message"]
    assert set(err) == {"message", "type", "param", "code"}
    assert r.headers["x-perimeter-request-id"]
    assert upstream.requests == []
    # and the server still serves good requests
    ok = await client.post(f"{gw.base_url}/chat/completions",
                           json={"model": "chat", "messages": [{"role": "user", "content": "fine"}]})
    assert ok.status_code == 200


async def test_oversize_body_is_413(gw, client: httpx.AsyncClient, upstream: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    big = {"model": "chat", "messages": [{"role": "user", "content": "x" * 10_000}]}
    r = await client.post(f"{gw.base_url}/chat/completions", json=big)
    assert r.status_code == 413
    assert "max_body_bytes" in r.json()["error"]["message"]

    async def chunked():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 1000

    r = await client.post(f"{gw.base_url}/chat/completions", content=chunked())
    assert r.status_code == 413
    assert upstream.requests == []


async def test_unknown_route_and_method(gw, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{gw.url}/v2/chat")
    assert r.status_code == 404 and "/v1/chat/completions" in r.json()["error"]["message"]
    r = await client.get(f"{gw.base_url}/chat/completions")
    assert r.status_code == 405 and "POST" in r.json()["error"]["message"]


async def test_internal_error_keeps_the_api_shape(gw, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    # Break one stage on purpose (a bug in a stage must not turn into a bare 500 page).
    class BrokenRouter:
        async def decide(self, ctx):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    gw.app.pipeline.router = BrokenRouter()
    r = await client.post(f"{gw.base_url}/chat/completions",
                          json={"model": "chat", "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 500
    err = r.json()["error"]
    assert err["code"] == "internal_error" and r.headers["x-perimeter-request-id"] in err["message"]
    assert "boom" not in err["message"]  # internals stay in the server log
    assert (await client.get(f"{gw.url}/health/live")).status_code == 200
