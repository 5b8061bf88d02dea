"""The Anthropic adapter keeps what Anthropic can say beyond the OpenAI shape.

Thinking (and its signature, which the fake checks when it comes back), prompt-cache
breakpoints and the cache tokens they produce, the matched stop sequence, the prompt's usage
at the start of a stream, and ``count_tokens`` — against the loopback Messages API fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from perimeter.errors import ProviderError
from perimeter.providers.anthropic.config import AnthropicProviderConfig
from perimeter.providers.anthropic.provider import AnthropicProvider
from tests.fakes.anthropic_server import AnthropicTurn, FakeAnthropic, count_tokens, sign
from tests.providers.openai_stream import assemble, check_stream_shape

THINK = {"type": "enabled", "budget_tokens": 2048}
TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {
    "type": "object", "properties": {"q": {"type": "string"}}}}}
EPHEMERAL = {"type": "ephemeral"}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
async def provider(fake: FakeAnthropic) -> AsyncIterator[AnthropicProvider]:
    cfg = AnthropicProviderConfig(name="claude", location="cloud", type="anthropic", base_url=fake.base_url,
                                  api_key=fake.api_key, model="claude-test", default_max_tokens=4096)
    p = AnthropicProvider(cfg)
    await p.start()
    yield p
    await p.aclose()


async def test_thinking_comes_back_with_its_signature_and_is_replayed(
        provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.queue(AnthropicTurn(thinking="The user wants a lookup.", redacted=["EuYBCkQYAiJA"],
                             tool_uses=[{"id": "toolu_1", "name": "lookup", "input": {"q": "x"}}]),
               AnthropicTurn(text="Done."))
    first_body: dict[str, Any] = {"messages": [{"role": "user", "content": "look x up"}], "tools": [TOOL],
                                  "thinking": THINK, "max_tokens": 4000}
    first = await provider.chat(first_body, request_id="r1")
    assert fake.requests[-1]["thinking"] == THINK
    msg = first["choices"][0]["message"]
    assert msg["reasoning_content"] == "The user wants a lookup."
    assert msg["thinking_blocks"] == [
        {"type": "thinking", "thinking": "The user wants a lookup.", "signature": sign("The user wants a lookup.")},
        {"type": "redacted_thinking", "data": "EuYBCkQYAiJA"}]
    second_body = {**first_body, "messages": [
        *first_body["messages"], msg,
        {"role": "tool", "tool_call_id": "toolu_1", "content": "found"}]}
    second = await provider.chat(second_body, request_id="r2")
    assert second["choices"][0]["message"]["content"] == "Done."
    sent = fake.requests[-1]["messages"][1]["content"]
    assert [b["type"] for b in sent] == ["thinking", "redacted_thinking", "tool_use"]


async def test_a_tampered_thinking_block_is_refused_upstream(provider: AnthropicProvider) -> None:
    msg = {"role": "assistant", "content": "ok", "thinking_blocks": [
        {"type": "thinking", "thinking": "edited", "signature": sign("original")}]}
    with pytest.raises(ProviderError) as err:
        await provider.chat({"messages": [{"role": "user", "content": "a"}, msg, {"role": "user", "content": "b"}]},
                            request_id="r")
    assert err.value.status == 400 and "signature" in err.value.message


async def test_streamed_thinking_signature_early_usage_and_stop_sequence(
        provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    fake.queue(AnthropicTurn(thinking="Count the words first.", text="alpha beta END gamma"))
    body = {"messages": [{"role": "user", "content": "go"}], "thinking": THINK, "stop": ["END"],
            "stream_options": {"include_usage": True}}
    chunks = [c async for c in provider.chat_stream(body, request_id="r")]
    check_stream_shape(chunks, include_usage=True)
    assert chunks[0]["usage"]["prompt_tokens"] == count_tokens(fake.requests[-1])  # from message_start
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content") or "" for c in chunks if c["choices"])
    assert reasoning == "Count the words first."
    sigs = [b for c in chunks if c["choices"] for b in c["choices"][0]["delta"].get("thinking_blocks") or ()]
    assert sigs == [{"type": "thinking", "signature": sign("Count the words first.")}]
    assert assemble(chunks)["content"] == "alpha beta "
    last = [c for c in chunks if c["choices"]][-1]["choices"][0]
    assert last["finish_reason"] == "stop" and last["stop_reason"] == "END"


async def test_cache_control_is_passed_through_and_cache_tokens_reported(
        provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    long_doc = "policy text " * 400
    body = {"messages": [
        {"role": "system", "content": [{"type": "text", "text": long_doc, "cache_control": EPHEMERAL}]},
        {"role": "user", "content": [{"type": "text", "text": "q1", "cache_control": {"type": "ephemeral",
                                                                                     "ttl": "1h"}}]}],
        "tools": [{**TOOL, "cache_control": EPHEMERAL}], "cache_control": EPHEMERAL}
    first = await provider.chat(body, request_id="r1")
    sent = fake.requests[-1]
    assert sent["system"] == [{"type": "text", "text": long_doc, "cache_control": EPHEMERAL}]
    assert sent["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert sent["tools"][0]["cache_control"] == EPHEMERAL and sent["cache_control"] == EPHEMERAL
    d1 = first["usage"]["prompt_tokens_details"]
    assert d1["cache_creation_tokens"] > 700 and d1["cached_tokens"] == 0
    assert d1["cache_creation_1h_tokens"] == d1["cache_creation_tokens"]
    second = await provider.chat(body, request_id="r2")
    d2 = second["usage"]["prompt_tokens_details"]
    assert d2["cached_tokens"] == d1["cache_creation_tokens"] and d2["cache_creation_tokens"] == 0
    assert second["usage"]["prompt_tokens"] == first["usage"]["prompt_tokens"]


async def test_system_without_breakpoints_stays_a_string(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    await provider.chat({"messages": [{"role": "system", "content": "a"}, {"role": "system", "content": [
        {"type": "text", "text": "b"}]}, {"role": "user", "content": "hi"}]}, request_id="r")
    assert fake.requests[-1]["system"] == "a\n\nb"


async def test_count_tokens_asks_the_vendor(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    body = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "how many?"}],
            "tools": [TOOL], "max_tokens": 10, "temperature": 0.5}
    n = await provider.count_tokens(body, request_id="r")
    sent = fake.requests[-1]
    assert set(sent) == {"model", "messages", "system", "tools"}
    assert n == count_tokens(sent)


@pytest.mark.parametrize(("effort", "max_tokens", "budget"), [
    ("low", 8000, 2048), ("high", 5000, 4999), ("minimal", 900, None), ("none", 8000, None)])
async def test_reasoning_effort_becomes_a_thinking_budget_that_fits(
        provider: AnthropicProvider, fake: FakeAnthropic, effort: str, max_tokens: int, budget: int | None) -> None:
    await provider.chat({"messages": [{"role": "user", "content": "x"}], "reasoning_effort": effort,
                         "max_completion_tokens": max_tokens}, request_id="r")
    sent = fake.requests[-1]
    if budget is None:
        assert "thinking" not in sent
    else:
        assert sent["thinking"] == {"type": "enabled", "budget_tokens": budget}


async def test_json_schema_response_format_becomes_output_config(provider: AnthropicProvider, fake: FakeAnthropic) -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    await provider.chat({"messages": [{"role": "user", "content": "x"}],
                         "response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": schema}}},
                        request_id="r")
    assert fake.requests[-1]["output_config"] == {"format": {"type": "json_schema", "schema": schema}}
