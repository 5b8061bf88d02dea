"""The Anthropic adapter against a loopback server speaking the Messages API wire format."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.anthropic.config import AnthropicProviderConfig
from perimeter.providers.anthropic.provider import AnthropicProvider
from tests.fakes.anthropic_server import AnthropicTurn, FakeAnthropic
from tests.providers.openai_stream import assemble, check_stream_shape


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
async def provider(fake: FakeAnthropic) -> AsyncIterator[AnthropicProvider]:
    cfg = AnthropicProviderConfig(
        name="claude", location="cloud", type="anthropic", base_url=fake.base_url, api_key=fake.api_key,
        model="claude-test", default_max_tokens=321, timeouts={"connect": 2, "first_byte": 2, "total": 5},
    )
    p = AnthropicProvider(cfg)
    await p.start()
    yield p
    await p.aclose()


async def collect(provider: AnthropicProvider, body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c async for c in provider.chat_stream(body, request_id="r1")]


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}}


async def test_request_translation_lifts_system_merges_roles_and_defaults_max_tokens(
    provider: AnthropicProvider, fake: FakeAnthropic,
) -> None:
    body = {"model": "claude-test", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": [{"type": "text", "text": "Answer in English."}]},
        {"role": "user", "content": "first"},
        {"role": "user", "content": [{"type": "text", "text": "second"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0K"}}]},
    ], "stop": "END", "temperature": 0.2, "user": "u-7"}
    resp = await provider.chat(body, request_id="r1")
    sent = fake.requests[-1]
    assert sent["system"] == "Be brief.\n\nAnswer in English."
    assert sent["max_tokens"] == 321
    assert sent["stop_sequences"] == ["END"] and sent["temperature"] == 0.2
    assert sent["metadata"] == {"user_id": "u-7"}
    assert [m["role"] for m in sent["messages"]] == ["user"]
    assert sent["messages"][0]["content"][2] == {
        "type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0K"}}
    headers = fake.headers[-1]
    assert headers["x-api-key"] == fake.api_key and headers["anthropic-version"] == "2023-06-01"
    assert resp["object"] == "chat.completion"
    assert resp["choices"][0]["message"] == {"role": "assistant", "content": "echo: first second"}
    assert resp["choices"][0]["finish_reason"] == "stop"
    assert resp["usage"]["total_tokens"] == resp["usage"]["prompt_tokens"] + resp["usage"]["completion_tokens"]


async def test_tool_round_trip_non_streaming(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.queue(AnthropicTurn(text="Let me check.", tool_uses=[{"id": "toolu_1", "name": "get_weather",
                                                               "input": {"city": "Paris"}}]))
    body: dict[str, Any] = {"messages": [{"role": "user", "content": "weather in Paris?"}], "tools": [WEATHER_TOOL],
                            "tool_choice": "required", "parallel_tool_calls": False, "max_tokens": 50}
    resp = await provider.chat(body, request_id="r1")
    sent = fake.requests[-1]
    assert sent["model"] == "claude-test" and sent["max_tokens"] == 50
    assert sent["tools"][0]["input_schema"]["required"] == ["city"]
    assert sent["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    choice = resp["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "Let me check."
    call = choice["message"]["tool_calls"][0]
    assert call["id"] == "toolu_1" and call["function"]["name"] == "get_weather"
    assert orjson.loads(call["function"]["arguments"]) == {"city": "Paris"}

    # Second turn: the assistant tool call and the tool result go back upstream as blocks.
    body["messages"] += [choice["message"], {"role": "tool", "tool_call_id": "toolu_1", "content": "21C sunny"}]
    resp2 = await provider.chat(body, request_id="r2")
    sent2 = fake.requests[-1]
    assert [m["role"] for m in sent2["messages"]] == ["user", "assistant", "user"]
    assert sent2["messages"][1]["content"][1] == {"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                                  "input": {"city": "Paris"}}
    assert sent2["messages"][2]["content"] == [{"type": "tool_result", "tool_use_id": "toolu_1",
                                                "content": "21C sunny"}]
    assert resp2["choices"][0]["finish_reason"] == "stop"


async def test_usage_counts_cache_reads_as_cached_prompt_tokens(provider: AnthropicProvider,
                                                                fake: FakeAnthropic) -> None:
    usage = {"input_tokens": 7, "output_tokens": 3, "cache_read_input_tokens": 100,
             "cache_creation_input_tokens": 20}
    fake.queue(AnthropicTurn(text="hi", usage=usage), AnthropicTurn(text="hi", usage=usage))
    resp = await provider.chat({"messages": [{"role": "user", "content": "x"}]}, request_id="r")
    assert resp["usage"]["prompt_tokens"] == 127
    assert resp["usage"]["completion_tokens"] == 3
    assert resp["usage"]["prompt_tokens_details"]["cached_tokens"] == 100
    chunks = await collect(provider, {"messages": [{"role": "user", "content": "x"}],
                                      "stream_options": {"include_usage": True}})
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == resp["usage"]


async def test_stream_text_is_a_well_formed_openai_stream(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.queue(AnthropicTurn(text="Hello there, streaming world", stop_reason="max_tokens"))
    chunks = await collect(provider, {"messages": [{"role": "user", "content": "hi"}]})
    check_stream_shape(chunks, include_usage=False)
    msg = assemble(chunks)
    assert msg["content"] == "Hello there, streaming world"
    assert msg["finish_reason"] == "length"
    assert len(chunks) > 3  # really streamed, not one blob
    assert all(c["id"].startswith("msg_") for c in chunks)


async def test_stream_tool_use_assembles_input_json_deltas(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.queue(AnthropicTurn(text="Checking both.", tool_uses=[
        {"id": "toolu_a", "name": "get_weather", "input": {"city": "Paris", "unit": "celsius"}},
        {"id": "toolu_b", "name": "get_weather", "input": {"city": "Oslo, Norway", "days": [1, 2, 3]}},
    ]))
    chunks = await collect(provider, {"messages": [{"role": "user", "content": "hi"}], "tools": [WEATHER_TOOL],
                                      "stream_options": {"include_usage": True}})
    check_stream_shape(chunks, include_usage=True)
    msg = assemble(chunks)
    assert msg["content"] == "Checking both."
    assert msg["finish_reason"] == "tool_calls"
    assert [c["id"] for c in msg["tool_calls"]] == ["toolu_a", "toolu_b"]
    assert orjson.loads(msg["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris", "unit": "celsius"}
    assert orjson.loads(msg["tool_calls"][1]["function"]["arguments"]) == {"city": "Oslo, Norway", "days": [1, 2, 3]}
    # Argument fragments after the first carry only the index and the arguments piece.
    fragments = [tc for c in chunks if c["choices"] for tc in c["choices"][0]["delta"].get("tool_calls", [])
                 if "id" not in tc]
    assert len(fragments) > 2
    assert all(set(tc) == {"index", "function"} and set(tc["function"]) == {"arguments"} for tc in fragments)


@pytest.mark.parametrize(("status", "etype", "kind", "retryable"), [
    (529, "overloaded_error", "overloaded", True),
    (429, "rate_limit_error", "rate_limited", True),
    (500, "api_error", "upstream_5xx", True),
    (400, "invalid_request_error", "bad_request", False),
])
async def test_http_errors_map_to_provider_errors(
    provider: AnthropicProvider, fake: FakeAnthropic, status: int, etype: str, kind: str, retryable: bool,
) -> None:
    fake.queue(AnthropicTurn(status=status, error_type=etype, error_message="upstream says no",
                             headers={"retry-after": "3"}))
    with pytest.raises(ProviderError) as info:
        await provider.chat({"messages": [{"role": "user", "content": "x"}]}, request_id="r")
    err = info.value
    assert (err.kind, err.retryable) == (kind, retryable)
    assert "upstream says no" in err.message
    if retryable:
        assert err.retry_after == 3.0
    else:
        gw = err.to_gateway_error()
        assert gw.status == 400 and "upstream says no" in gw.message


async def test_bad_api_key_is_retryable_so_the_chain_can_fall_back(fake: FakeAnthropic) -> None:
    cfg = AnthropicProviderConfig(name="c", location="cloud", type="anthropic", base_url=fake.base_url,
                                  api_key="wrong", model="m")
    p = AnthropicProvider(cfg)
    await p.start()
    try:
        with pytest.raises(ProviderError) as info:
            await p.chat({"messages": [{"role": "user", "content": "x"}]}, request_id="r")
    finally:
        await p.aclose()
    assert info.value.retryable and info.value.kind == "auth_error"
    assert "invalid x-api-key" in info.value.message


async def test_stream_error_before_content_raises_before_first_chunk(provider: AnthropicProvider,
                                                                     fake: FakeAnthropic) -> None:
    fake.queue(AnthropicTurn(text="never seen", stream_error_after=1))  # right after message_start
    got: list[dict[str, Any]] = []
    with pytest.raises(ProviderError) as info:
        async for chunk in provider.chat_stream({"messages": [{"role": "user", "content": "x"}]}, request_id="r"):
            got.append(chunk)
    assert got == []
    assert not isinstance(info.value, StreamBroken)
    assert info.value.retryable and info.value.kind == "overloaded"


async def test_stream_error_after_content_is_stream_broken(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.queue(AnthropicTurn(text="a long enough answer", stream_error_after=5))
    got: list[dict[str, Any]] = []
    with pytest.raises(StreamBroken):
        async for chunk in provider.chat_stream({"messages": [{"role": "user", "content": "x"}]}, request_id="r"):
            got.append(chunk)
    assert got and got[0]["choices"][0]["delta"]["role"] == "assistant"


async def test_stream_cut_without_message_stop_is_stream_broken(provider: AnthropicProvider,
                                                                fake: FakeAnthropic) -> None:
    fake.queue(AnthropicTurn(text="a long enough answer", cut_after=6))
    with pytest.raises(StreamBroken):
        await collect(provider, {"messages": [{"role": "user", "content": "x"}]})


async def test_http_error_on_stream_raises_before_yielding(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.queue(AnthropicTurn(status=529, error_type="overloaded_error", error_message="Overloaded"))
    with pytest.raises(ProviderError) as info:
        await collect(provider, {"messages": [{"role": "user", "content": "x"}]})
    assert info.value.kind == "overloaded" and not isinstance(info.value, StreamBroken)


async def test_first_byte_timeout_is_retryable_timeout(fake: FakeAnthropic) -> None:
    cfg = AnthropicProviderConfig(name="c", location="cloud", type="anthropic", base_url=fake.base_url,
                                  api_key=fake.api_key, model="m",
                                  timeouts={"connect": 1, "first_byte": 0.2, "total": 5})
    p = AnthropicProvider(cfg)
    await p.start()
    fake.queue(AnthropicTurn(delay=1.0))
    try:
        with pytest.raises(ProviderError) as info:
            await p.chat({"messages": [{"role": "user", "content": "x"}]}, request_id="r")
    finally:
        await p.aclose()
    assert info.value.kind == "timeout" and info.value.retryable


async def test_connection_refused_is_retryable() -> None:
    cfg = AnthropicProviderConfig(name="c", location="cloud", type="anthropic", base_url="http://127.0.0.1:9",
                                  api_key="k", model="m")
    p = AnthropicProvider(cfg)
    await p.start()
    try:
        with pytest.raises(ProviderError) as info:
            await collect(p, {"messages": [{"role": "user", "content": "x"}]})
    finally:
        await p.aclose()
    assert info.value.kind == "connection_error" and info.value.retryable


async def test_untranslatable_request_is_a_clear_client_error(provider: AnthropicProvider) -> None:
    with pytest.raises(ProviderError) as info:
        await provider.chat({"messages": [{"role": "user", "content": "x"}], "n": 2}, request_id="r")
    assert not info.value.retryable and info.value.to_gateway_error().status == 400
    assert "n=1" in info.value.message
