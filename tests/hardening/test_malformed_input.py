"""Issue 12 defects 1 and 5: malformed or hostile bodies are a 400 at the edge, in the API's own
error format, reach no upstream, and never move a provider's circuit breaker."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI

ANTHROPIC = {"x-api-key": "unused", "anthropic-version": "2023-06-01"}


def _nested(depth: int) -> Any:
    v: Any = "x"
    for _ in range(depth):
        v = {"a": v}
    return v


def _deep_json(prefix: bytes, depth: int) -> bytes:
    """``prefix`` (an object's opening, up to a key) followed by a value nested ``depth`` deep."""
    return prefix + b'{"a":' * depth + b'"x"' + b"}" * depth + b"}"


def _anthropic(**over: Any) -> dict[str, Any]:
    return {"model": "chat", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}], **over}


def _user(content: Any) -> dict[str, Any]:
    return _anthropic(messages=[{"role": "user", "content": content}])


# Each of these answered 500 (or went upstream unchecked) before; the fragment names the place.
ANTHROPIC_CASES = [
    (_user([{"type": "image", "source": "https://x/y.png"}]), "messages.0.content.0.source"),
    (_user([{"type": "tool_result", "tool_use_id": "t1", "content": 5}]), "messages.0.content.0.content"),
    (_anthropic(metadata="x"), "metadata"),
    (_anthropic(stop_sequences=5), "stop_sequences"),
    (_anthropic(stop_sequences=["ok", 5]), "stop_sequences.1"),
    (_anthropic(tools=5), "tools"),
    (_anthropic(tools=[{"name": "f"}]), "tools.0.input_schema"),
    (_user([{"type": "text", "text": 5}]), "messages.0.content.0.text"),
    (_user([{"type": "tool_use", "id": "t", "name": "f", "input": "not an object"}]), "messages.0.content.0.input"),
    (_anthropic(tool_choice={"type": "tool"}), "tool_choice.name"),
    (_anthropic(temperature=3), "temperature"),
    (_anthropic(system=[{"type": "text", "text": None}]), "system.0.text"),
    (_anthropic(thinking={"type": "enabled"}), "thinking.budget_tokens"),
    (_user([{"type": "text", "text": "x", "cache_control": {"type": "forever"}}]), "cache_control.type"),
]

OPENAI_CASES = [
    ({"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}, "messages[0].content[0].text"),
    ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": "https://x"}]}]},
     "messages[0].content[0].image_url"),
    ({"tools": [{"type": "function", "function": "f"}]}, "tools[0].function"),
    ({"tools": [{"type": "function", "function": {"description": "no name"}}]}, "tools[0].function.name"),
    ({"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function"}]}]},
     "messages[0].tool_calls[0].function"),
    ({"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
                                                          "function": {"name": "f", "arguments": 5}}]}]},
     "messages[0].tool_calls[0].function.arguments"),
    ({"messages": [{"role": "tool", "content": "r"}]}, "messages[0].tool_call_id"),
    ({"messages": [{"role": "user"}]}, "messages[0].content"),
    ({"tool_choice": "sometimes"}, "tool_choice"),
    ({"response_format": {"type": "json_schema"}}, "response_format.json_schema"),
    ({"logit_bias": {"50256": "x"}}, "logit_bias.50256"),
    ({"n": 0}, "'n'"),
    ({"max_tokens": 0}, "'max_tokens'"),
    ({"stream_options": {"include_usage": "yes"}}, "stream_options.include_usage"),
]


@pytest.fixture
async def gw(upstream: FakeOpenAI):  # type: ignore[no-untyped-def]
    cfg = minimal_config([openai_provider("local", upstream.base_url, retry={"max_retries": 0},
                                          breaker={"failure_threshold": 2, "cooldown": 60})],
                         {"chat": ["local"], "other": ["local"]},
                         privacy={"enabled": False})  # images must reach the shape checks, not the privacy policy
    async with running_gateway(cfg) as g:
        yield g


@pytest.mark.parametrize(("body", "where"), ANTHROPIC_CASES)
async def test_anthropic_shapes_are_checked(gw, client: httpx.AsyncClient, upstream: FakeOpenAI,  # type: ignore[no-untyped-def]
                                            body: dict[str, Any], where: str) -> None:
    r = await client.post(f"{gw.url}/v1/messages", json=body, headers=ANTHROPIC)
    assert r.status_code == 400, r.text
    err = r.json()
    assert err["type"] == "error" and err["error"]["type"] == "invalid_request_error"  # Anthropic's shape
    assert where in err["error"]["message"]
    assert upstream.requests == []


@pytest.mark.parametrize(("change", "where"), OPENAI_CASES)
async def test_openai_shapes_are_checked(gw, client: httpx.AsyncClient, upstream: FakeOpenAI,  # type: ignore[no-untyped-def]
                                         change: dict[str, Any], where: str) -> None:
    body = {"model": "chat", "messages": [{"role": "user", "content": "hi"}], **change}
    r = await client.post(f"{gw.base_url}/chat/completions", json=body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"} and where in err["message"]
    assert upstream.requests == []


async def test_documented_shapes_still_pass(gw, client: httpx.AsyncClient, upstream: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    """Validation must not refuse what the APIs document (tools, images, tool results, new fields)."""
    body = {"model": "chat", "messages": [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "look"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "42"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        "tool_choice": {"type": "function", "function": {"name": "f"}}, "some_future_param": {"x": 1}}
    r = await client.post(f"{gw.base_url}/chat/completions", json=body)
    assert r.status_code == 200, r.text
    assert upstream.requests[-1]["some_future_param"] == {"x": 1}  # unknown fields pass through
    r = await client.post(f"{gw.url}/v1/messages", headers=ANTHROPIC, json=_anthropic(
        system=[{"type": "text", "text": "sys", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "hi"},
                                               {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                                            "data": "AAAA"}}]},
                  {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
                  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1",
                                                "content": [{"type": "text", "text": "42"}]}]}],
        tools=[{"name": "f", "input_schema": {"type": "object"}}], metadata={"user_id": "u1"},
        stop_sequences=["\n\n"]))
    assert r.status_code == 200, r.text


async def test_deep_bodies_are_400_and_never_count_against_a_provider(
        gw, client: httpx.AsyncClient, upstream: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    """Defect 1: three 300-deep bodies on one alias made another tenant's alias answer 503."""
    deep = _deep_json(b'{"model": "chat", "messages": [{"role": "user", "content": "x"}], "extra": ', 300)
    for _ in range(5):
        r = await client.post(f"{gw.base_url}/chat/completions", content=deep,
                              headers={"content-type": "application/json"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "json_too_deep", r.text
        r = await client.post(f"{gw.url}/v1/messages", headers=ANTHROPIC,
                              content=orjson.dumps({**_anthropic(), "metadata": _nested(100)}))
        assert r.status_code == 400 and r.json()["type"] == "error"
    assert upstream.requests == []
    health = (await client.get(f"{gw.url}/admin/health")).json()
    assert health["providers"]["local"]["breaker"] == "closed"
    ok = await client.post(f"{gw.base_url}/chat/completions",
                           json={"model": "other", "messages": [{"role": "user", "content": "fine"}]})
    assert ok.status_code == 200
    assert (await client.get(f"{gw.url}/health/ready")).status_code == 200
    # 60 levels (tool JSON schemas nest deeply) are fine
    r = await client.post(f"{gw.base_url}/chat/completions",
                          json={"model": "chat", "messages": [{"role": "user", "content": "x"}], "x": _nested(60)})
    assert r.status_code == 200
