"""Native adapters and the Anthropic-compatible endpoint, end to end through the real gateway.

Clients are the official SDKs (``openai``, ``anthropic``) pointed at the gateway on loopback;
upstreams are the loopback vendor fakes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx
import openai
import pytest

from perimeter.api.anthropic import handle_messages
from tests.fakes.anthropic_server import AnthropicTurn, FakeAnthropic
from tests.fakes.gateway import RunningGateway, minimal_config, openai_provider, running_gateway
from tests.fakes.gemini_server import FakeGemini, GeminiTurn
from tests.fakes.openai_server import FakeOpenAI
from tests.providers.openai_stream import assemble, check_stream_shape

NO_RETRY = {"max_retries": 0}


def claude(fake: FakeAnthropic, name: str = "claude") -> dict[str, Any]:
    return {"name": name, "type": "anthropic", "location": "cloud", "base_url": fake.base_url,
            "api_key": fake.api_key, "model": "claude-test", "retry": NO_RETRY}


def gemini(fake: FakeGemini, name: str = "gem") -> dict[str, Any]:
    return {"name": name, "type": "gemini", "location": "cloud", "base_url": fake.base_url,
            "api_key": fake.api_key, "model": "gemini-test", "retry": NO_RETRY}


@contextlib.asynccontextmanager
async def gateway(providers: list[dict[str, Any]], models: dict[str, Any]) -> AsyncIterator[RunningGateway]:
    async with running_gateway(minimal_config(providers, models)) as gw:
        # Until app.ROUTES lists it, mount the Anthropic endpoint on this instance.
        gw.app.routes.setdefault(("POST", "/v1/messages"), handle_messages)
        yield gw





def oai_client(gw: RunningGateway) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=gw.base_url, api_key="unused", max_retries=0)


def claude_client(gw: RunningGateway) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=gw.url, api_key="unused", max_retries=0)


async def raw_stream(gw: RunningGateway, body: dict[str, Any]) -> tuple[httpx.Response, list[dict[str, Any]]]:
    """POST a streaming chat request and parse the OpenAI SSE answer by hand (no SDK leniency)."""
    chunks: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=20) as c, c.stream(
            "POST", f"{gw.base_url}/chat/completions", json={**body, "stream": True}) as r:
        lines = [line async for line in r.aiter_lines()]
    data = [line[6:] for line in lines if line.startswith("data: ")]
    assert data[-1] == "[DONE]", data[-3:]
    chunks = [json.loads(d) for d in data[:-1]]
    return r, chunks


async def test_cross_vendor_streaming_fallback_yields_one_openai_stream(
    fake_claude: FakeAnthropic, fake_oai: FakeOpenAI,
) -> None:
    fake_claude.queue(AnthropicTurn(status=529, error_type="overloaded_error", error_message="Overloaded"))
    models = {"chat": {"targets": ["claude", "oai"]}}
    async with gateway([claude(fake_claude), openai_provider("oai", fake_oai.base_url)], models) as gw:
        r, chunks = await raw_stream(gw, {"model": "chat", "messages": [{"role": "user", "content": "fall back"}],
                                          "stream_options": {"include_usage": True}})
    assert r.status_code == 200 and r.headers["x-perimeter-route"] == "oai"
    assert len(fake_claude.requests) == 1 and len(fake_oai.requests) == 1
    check_stream_shape(chunks, include_usage=True)
    assert assemble(chunks)["content"] == "echo: fall back"


async def test_fallback_when_anthropic_stream_errors_right_after_message_start(
    fake_claude: FakeAnthropic, fake_oai: FakeOpenAI,
) -> None:
    fake_claude.queue(AnthropicTurn(text="never", stream_error_after=1))
    models = {"chat": {"targets": ["claude", "oai"]}}
    async with gateway([claude(fake_claude), openai_provider("oai", fake_oai.base_url)], models) as gw:
        r, chunks = await raw_stream(gw, {"model": "chat", "messages": [{"role": "user", "content": "hi"}]})
    assert r.headers["x-perimeter-route"] == "oai"
    check_stream_shape(chunks, include_usage=False)
    assert assemble(chunks)["content"] == "echo: hi"


async def test_openai_sdk_streams_anthropic_tool_calls(fake_claude: FakeAnthropic) -> None:
    fake_claude.queue(AnthropicTurn(text="Sure.", tool_uses=[{"id": "toolu_9", "name": "get_weather",
                                                              "input": {"city": "Rome"}}]))
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}}}}
    async with gateway([claude(fake_claude)], {"smart": {"targets": ["claude"]}}) as gw:
        client = oai_client(gw)
        stream = await client.chat.completions.create(
            model="smart", messages=[{"role": "user", "content": "weather?"}], tools=[tool], stream=True,  # type: ignore[list-item]
            stream_options={"include_usage": True})
        chunks = [c.model_dump() async for c in stream]
        await client.close()
    check_stream_shape(chunks, include_usage=True)
    msg = assemble(chunks)
    assert msg["content"] == "Sure." and msg["finish_reason"] == "tool_calls"
    assert msg["tool_calls"][0]["id"] == "toolu_9"
    assert json.loads(msg["tool_calls"][0]["function"]["arguments"]) == {"city": "Rome"}
    assert fake_claude.requests[-1]["model"] == "claude-test"


async def test_gemini_through_the_gateway(fake_gemini: FakeGemini) -> None:
    async with gateway([gemini(fake_gemini)], {"gem": {"targets": ["gem"]}}) as gw:
        client = oai_client(gw)
        resp = await client.chat.completions.create(
            model="gem", messages=[{"role": "system", "content": "terse"}, {"role": "user", "content": "hello"}])
        stream = await client.chat.completions.create(
            model="gem", messages=[{"role": "user", "content": "stream me"}], stream=True)
        chunks = [c.model_dump() async for c in stream]
        await client.close()
    assert resp.choices[0].message.content == "echo: hello"
    assert resp.usage is not None and resp.usage.total_tokens > 0
    assert fake_gemini.requests[0]["systemInstruction"] == {"parts": [{"text": "terse"}]}
    check_stream_shape(chunks, include_usage=False)
    assert assemble(chunks)["content"] == "echo: stream me"


async def test_gemini_safety_block_reaches_the_client_as_a_clear_400(fake_gemini: FakeGemini) -> None:
    fake_gemini.queue(GeminiTurn(block_reason="PROHIBITED_CONTENT"))
    async with gateway([gemini(fake_gemini)], {"gem": {"targets": ["gem"]}}) as gw:
        client = oai_client(gw)
        with pytest.raises(openai.BadRequestError) as info:
            await client.chat.completions.create(model="gem", messages=[{"role": "user", "content": "x"}])
        await client.close()
    assert "blocked the prompt: PROHIBITED_CONTENT" in str(info.value)
    assert info.value.code == "safety_block"


async def test_anthropic_sdk_against_openai_upstream(fake_oai: FakeOpenAI) -> None:
    async with gateway([openai_provider("oai", fake_oai.base_url)], {"claude-like": {"targets": ["oai"]}}) as gw:
        client = claude_client(gw)
        msg = await client.messages.create(
            model="claude-like", max_tokens=64, system="be nice",
            messages=[{"role": "user", "content": [{"type": "text", "text": "hello gateway"}]}])
        async with client.messages.stream(
                model="claude-like", max_tokens=64,
                messages=[{"role": "user", "content": "stream please"}]) as stream:
            texts = [t async for t in stream.text_stream]
            final = await stream.get_final_message()
        await client.close()
    assert msg.type == "message" and msg.content[0].type == "text"
    assert msg.content[0].text == "echo: hello gateway"
    assert msg.stop_reason == "end_turn"
    assert msg.usage.input_tokens > 0 and msg.usage.output_tokens == 3
    assert fake_oai.requests[0]["messages"][0] == {"role": "system", "content": "be nice"}
    assert fake_oai.requests[0]["max_tokens"] == 64
    assert len(texts) > 1 and "".join(texts) == "echo: stream please"
    assert final.content[0].text == "echo: stream please"  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == 3
    assert final.usage.input_tokens == 2  # the upstream counted the two prompt words; came via message_delta


async def test_anthropic_sdk_tool_use_round_trip_to_anthropic_upstream(fake_claude: FakeAnthropic) -> None:
    fake_claude.queue(
        AnthropicTurn(tool_uses=[{"id": "toolu_x", "name": "lookup", "input": {"q": "perimeter"}}]),
        AnthropicTurn(text="Found it."),
    )
    tools = [{"name": "lookup", "description": "search", "input_schema": {
        "type": "object", "properties": {"q": {"type": "string"}}}}]
    async with gateway([claude(fake_claude)], {"claude": {"targets": ["claude"]}}) as gw:
        client = claude_client(gw)
        async with client.messages.stream(model="claude", max_tokens=100, tools=tools,  # type: ignore[arg-type]
                                          messages=[{"role": "user", "content": "find perimeter"}]) as stream:
            first = await stream.get_final_message()
        assert first.stop_reason == "tool_use"
        tool_use = first.content[-1]
        assert tool_use.type == "tool_use" and tool_use.input == {"q": "perimeter"} and tool_use.id == "toolu_x"
        second = await client.messages.create(model="claude", max_tokens=100, tools=tools,  # type: ignore[arg-type]
                                              messages=[
            {"role": "user", "content": "find perimeter"},
            {"role": "assistant", "content": [b.model_dump() for b in first.content]},  # type: ignore[misc]
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_x", "content": "a gateway"}]},
        ])
        await client.close()
    assert second.content[0].text == "Found it."  # type: ignore[union-attr]
    upstream = fake_claude.requests[-1]["messages"]
    assert upstream[2]["content"] == [{"type": "tool_result", "tool_use_id": "toolu_x", "content": "a gateway"}]


async def test_anthropic_endpoint_errors_use_anthropic_error_shape(fake_oai: FakeOpenAI) -> None:
    async with gateway([openai_provider("oai", fake_oai.base_url)], {"m": {"targets": ["oai"]}}) as gw:
        async with httpx.AsyncClient(timeout=10) as c:
            r = await c.post(f"{gw.url}/v1/messages", json={"model": "m", "messages": [
                {"role": "user", "content": "x"}]})
        client = claude_client(gw)
        with pytest.raises(anthropic.NotFoundError) as info:
            await client.messages.create(model="nope", max_tokens=5, messages=[{"role": "user", "content": "x"}])
        await client.close()
    assert r.status_code == 400
    assert r.json() == {"type": "error", "error": {"type": "invalid_request_error",
                                                   "message": "max_tokens: Field required (an integer >= 1)"}}
    assert "does not exist" in str(info.value)
    assert fake_oai.requests == []


async def test_anthropic_endpoint_streams_upstream_failure_as_error(fake_claude: FakeAnthropic) -> None:
    fake_claude.queue(AnthropicTurn(status=529, error_type="overloaded_error", error_message="Overloaded"))
    async with gateway([claude(fake_claude)], {"c": {"targets": ["claude"]}}) as gw:
        client = claude_client(gw)
        with pytest.raises(anthropic.APIStatusError) as info:
            async with client.messages.stream(model="c", max_tokens=5,
                                              messages=[{"role": "user", "content": "x"}]) as stream:
                await stream.get_final_message()
        await client.close()
    assert info.value.status_code == 502
    assert "Overloaded" in str(info.value)


async def test_messages_stream_event_sequence_is_well_formed(fake_claude: FakeAnthropic) -> None:
    """Raw SSE from /v1/messages, checked without the SDK's leniency: order, pairing, indices."""
    fake_claude.queue(AnthropicTurn(text="Two tools.", tool_uses=[
        {"id": "toolu_1", "name": "a", "input": {"x": 1}}, {"id": "toolu_2", "name": "b", "input": {"y": [2]}}]))
    body = {"model": "c", "max_tokens": 50, "stream": True, "messages": [{"role": "user", "content": "go"}]}
    async with gateway([claude(fake_claude)], {"c": {"targets": ["claude"]}}) as gw, \
            httpx.AsyncClient(timeout=20) as c, c.stream("POST", f"{gw.url}/v1/messages", json=body) as r:
        raw = (await r.aread()).decode()
    assert r.headers["content-type"].startswith("text/event-stream")
    events = []
    for frame in raw.strip().split("\n\n"):
        name_line, data_line = frame.split("\n")
        name, data = name_line.removeprefix("event: "), json.loads(data_line.removeprefix("data: "))
        assert data["type"] == name
        events.append(data)
    names = [e["type"] for e in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    starts = [e for e in events if e["type"] == "content_block_start"]
    assert [s["index"] for s in starts] == [0, 1, 2]
    assert [s["content_block"]["type"] for s in starts] == ["text", "tool_use", "tool_use"]
    open_block = None
    inputs: dict[int, str] = {}
    for e in events:
        if e["type"] == "content_block_start":
            assert open_block is None
            open_block = e["index"]
        elif e["type"] == "content_block_delta":
            assert e["index"] == open_block
            if e["delta"]["type"] == "input_json_delta":
                inputs[e["index"]] = inputs.get(e["index"], "") + e["delta"]["partial_json"]
        elif e["type"] == "content_block_stop":
            assert e["index"] == open_block
            open_block = None
    assert open_block is None
    assert {k: json.loads(v) for k, v in inputs.items()} == {1: {"x": 1}, 2: {"y": [2]}}
    assert events[-2]["delta"]["stop_reason"] == "tool_use"
    assert events[-2]["usage"]["output_tokens"] > 0
