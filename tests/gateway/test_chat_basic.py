"""Chat completions through the real gateway to a loopback OpenAI-compatible upstream."""

from __future__ import annotations

import httpx
import orjson

from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI


def _cfg(up: FakeOpenAI, **alias: object) -> dict[str, object]:
    return minimal_config([openai_provider("local", up.base_url, model="llama-3")],
                          {"chat": {"targets": ["local"], **alias}})


async def test_non_streaming_roundtrip(upstream: FakeOpenAI, client: httpx.AsyncClient) -> None:
    async with running_gateway(_cfg(upstream)) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions", json={
            "model": "chat", "messages": [{"role": "user", "content": "hello there"}],
            "temperature": 0.2, "custom_vendor_field": {"x": 1}, "response_format": {"type": "json_object"},
        })
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["choices"][0]["message"]["content"] == "echo: hello there"
    assert r.headers["x-perimeter-route"] == "local"
    assert len(r.headers["x-perimeter-request-id"]) >= 16
    sent = upstream.requests[0]
    assert sent["model"] == "llama-3"  # alias mapped to the upstream model
    assert sent["custom_vendor_field"] == {"x": 1}  # unknown fields pass through
    assert sent["response_format"] == {"type": "json_object"}


async def test_streaming_framing_and_usage(upstream: FakeOpenAI, client: httpx.AsyncClient) -> None:
    async with running_gateway(_cfg(upstream)) as gw:
        async with client.stream("POST", f"{gw.base_url}/chat/completions", json={
            "model": "chat", "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": "one two three"}],
        }) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            raw = b"".join([c async for c in r.aiter_bytes()])
    events = [e for e in raw.split(b"\n\n") if e]
    assert all(e.startswith(b"data: ") for e in events)
    assert events[-1] == b"data: [DONE]"
    chunks = [orjson.loads(e[6:]) for e in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "echo: one two three"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 4


async def test_stream_without_include_usage_hides_injected_usage(upstream: FakeOpenAI, client: httpx.AsyncClient) -> None:
    async with running_gateway(_cfg(upstream)) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions", json={
            "model": "chat", "stream": True, "messages": [{"role": "user", "content": "hi"}]})
    chunks = [orjson.loads(e[6:]) for e in r.content.split(b"\n\n") if e and e != b"data: [DONE]"]
    assert all(c["choices"] for c in chunks)
    assert all("usage" not in c for c in chunks)
    # ... but the gateway asked the upstream for usage so it can account tokens
    assert upstream.requests[0]["stream_options"] == {"include_usage": True}


async def test_models_completions_embeddings(upstream: FakeOpenAI, client: httpx.AsyncClient) -> None:
    async with running_gateway(_cfg(upstream, description="general chat")) as gw:
        models = (await client.get(f"{gw.base_url}/models")).json()
        comp = await client.post(f"{gw.base_url}/completions", json={"model": "chat", "prompt": "say"})
        emb = await client.post(f"{gw.base_url}/embeddings", json={"model": "chat", "input": ["a", "bb"]})
    assert [m["id"] for m in models["data"]] == ["chat"]
    assert comp.json()["choices"][0]["text"] == "echo: say"
    assert [d["embedding"][0] for d in emb.json()["data"]] == [1.0, 2.0]


async def test_openai_sdk_against_gateway(upstream: FakeOpenAI) -> None:
    import openai

    async with running_gateway(_cfg(upstream)) as gw:
        sdk = openai.AsyncOpenAI(base_url=gw.base_url, api_key="unused", max_retries=0)
        resp = await sdk.chat.completions.create(model="chat", messages=[{"role": "user", "content": "sdk"}])
        stream = await sdk.chat.completions.create(model="chat", stream=True,
                                                   messages=[{"role": "user", "content": "sdk stream"}])
        parts = [c.choices[0].delta.content or "" async for c in stream if c.choices]
        await sdk.close()
    assert resp.choices[0].message.content == "echo: sdk"
    assert "".join(parts) == "echo: sdk stream"
