"""What Claude Code-style clients need from ``/v1/messages``, with the ``anthropic`` SDK.

Thinking with tools round-tripped to an Anthropic upstream (the fake checks the signature and
that the continued tool-use turn starts with its thinking block), the same request to an
OpenAI-compatible upstream (thinking dropped, and the response says so), prompt caching,
``count_tokens``, the matched stop sequence and the input token count in ``message_start``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx
import pytest

from tests.fakes.anthropic_server import AnthropicTurn, FakeAnthropic, count_tokens, sign
from tests.fakes.gateway import RunningGateway, minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI

THINK = {"type": "enabled", "budget_tokens": 1024}
TOOLS = [{"name": "lookup", "description": "search", "input_schema": {
    "type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}]


def claude(fake: FakeAnthropic) -> dict[str, Any]:
    return {"name": "claude", "type": "anthropic", "location": "cloud", "base_url": fake.base_url,
            "api_key": fake.api_key, "model": "claude-test", "retry": {"max_retries": 0}}


@contextlib.asynccontextmanager
async def client_for(providers: list[dict[str, Any]], **extra: Any) -> AsyncIterator[
        tuple[RunningGateway, anthropic.AsyncAnthropic]]:
    extra.setdefault("privacy", {"enabled": False})
    async with running_gateway(minimal_config(providers, {"c": [providers[0]["name"]]}, **extra)) as gw:
        client = anthropic.AsyncAnthropic(base_url=gw.url, api_key="unused", max_retries=0)
        try:
            yield gw, client
        finally:
            await client.close()




async def test_thinking_and_tools_round_trip_through_the_gateway(fake_claude: FakeAnthropic) -> None:
    fake_claude.queue(AnthropicTurn(thinking="I should search.", tool_uses=[
        {"id": "toolu_7", "name": "lookup", "input": {"q": "perimeter"}}]), AnthropicTurn(text="It is a gateway."))
    async with client_for([claude(fake_claude)]) as (_, client):
        async with client.messages.stream(model="c", max_tokens=2048, thinking=THINK, tools=TOOLS,  # type: ignore[arg-type]
                                          messages=[{"role": "user", "content": "what is perimeter?"}]) as stream:
            first = await stream.get_final_message()
        assert [b.type for b in first.content] == ["thinking", "tool_use"]
        thinking = first.content[0]
        assert thinking.type == "thinking" and thinking.thinking == "I should search."
        assert thinking.signature == sign("I should search.")
        raw = await client.messages.with_raw_response.create(
            model="c", max_tokens=2048, thinking=THINK, tools=TOOLS,  # type: ignore[arg-type]
            messages=[{"role": "user", "content": "what is perimeter?"},
                      {"role": "assistant", "content": [b.model_dump() for b in first.content]},  # type: ignore[misc]
                      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_7",
                                                    "content": "a gateway"}]}])
        second = await raw.parse()
    assert second.content[-1].text == "It is a gateway."  # type: ignore[union-attr]
    assert "x-perimeter-dropped" not in raw.headers
    assert fake_claude.requests[-1]["thinking"] == THINK


async def test_thinking_is_dropped_with_a_header_for_other_vendors(fake_oai: FakeOpenAI) -> None:
    async with client_for([openai_provider("oai", fake_oai.base_url)]) as (_, client):
        raw = await client.messages.with_raw_response.create(
            model="c", max_tokens=2048, thinking=THINK, messages=[
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "s"},
                                                  {"type": "text", "text": "b"}]},
                {"role": "user", "content": [{"type": "text", "text": "c", "cache_control": {"type": "ephemeral"}}]}])
    assert raw.headers["x-perimeter-dropped"] == "thinking,cache_control"
    assert (await raw.parse()).content[0].text == "echo: c"  # type: ignore[union-attr]
    sent = fake_oai.requests[-1]
    assert "thinking" not in sent and all("thinking_blocks" not in m for m in sent["messages"])
    assert sent["messages"][2]["content"] == [{"type": "text", "text": "c"}]


async def test_prompt_caching_reaches_the_client_and_the_ledger(fake_claude: FakeAnthropic, tmp_path: Any) -> None:
    system = [{"type": "text", "text": "house rules " * 300, "cache_control": {"type": "ephemeral"}}]
    storage = {"data_dir": str(tmp_path), "flush_interval": 0.01}
    async with client_for([claude(fake_claude)], storage=storage) as (gw, client):
        first = await client.messages.create(model="c", max_tokens=50, system=system,  # type: ignore[arg-type]
                                             messages=[{"role": "user", "content": "q1"}])
        second = await client.messages.create(model="c", max_tokens=50, system=system,  # type: ignore[arg-type]
                                              messages=[{"role": "user", "content": "q2"}])
        assert gw.app.parts is not None and gw.app.parts.accounting is not None
        await gw.app.parts.accounting.flush()
        db = gw.app.parts.accounting.db
        rows = await db.run(lambda tx: tx.execute(
            "SELECT prompt_tokens, cached_tokens, cache_write_tokens FROM ledger ORDER BY ts"), write=False)
    assert fake_claude.requests[0]["system"] == system
    assert first.usage.cache_creation_input_tokens and first.usage.cache_creation_input_tokens > 500
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    written = first.usage.cache_creation_input_tokens
    assert rows[0][1:] == (0, written) and rows[1][1:] == (written, 0)


async def test_count_tokens_by_vendor_by_model_and_by_estimate(fake_claude: FakeAnthropic, fake_oai: FakeOpenAI) -> None:
    msgs = [{"role": "user", "content": "How many tokens is this?"}]
    async with client_for([claude(fake_claude)]) as (_, client):
        counted = await client.messages.count_tokens(model="c", messages=msgs, system="Be brief.",  # type: ignore[arg-type]
                                                     tools=TOOLS)  # type: ignore[arg-type]
    assert counted.input_tokens == count_tokens(fake_claude.requests[-1])
    assert "max_tokens" not in fake_claude.requests[-1]
    async with client_for([openai_provider("oai", fake_oai.base_url)]) as (_, client):
        estimate = await client.messages.count_tokens(model="c", messages=msgs)  # type: ignore[arg-type]
    assert 5 <= estimate.input_tokens <= 40 and fake_oai.requests == []  # nothing to count with upstream


async def test_count_tokens_to_a_cloud_vendor_is_pseudonymized(fake_claude: FakeAnthropic) -> None:
    privacy = {"secret": "count-tokens-secret-0123456789", "default_action": "pseudonymize"}
    async with client_for([claude(fake_claude)], privacy=privacy) as (_, client):
        await client.messages.count_tokens(model="c", messages=[  # type: ignore[arg-type]
            {"role": "user", "content": "Write to ann.smith@example.com"}])
    assert "ann.smith@example.com" not in json.dumps(fake_claude.requests[-1])


@pytest.mark.parametrize("stream", [False, True])
async def test_matched_stop_sequence_is_reported(fake_claude: FakeAnthropic, stream: bool) -> None:
    fake_claude.queue(AnthropicTurn(text="one two STOP three"))
    async with client_for([claude(fake_claude)]) as (_, client):
        kwargs: dict[str, Any] = {"model": "c", "max_tokens": 50, "stop_sequences": ["STOP", "HALT"],
                                  "messages": [{"role": "user", "content": "count"}]}
        if stream:
            async with client.messages.stream(**kwargs) as s:
                msg = await s.get_final_message()
        else:
            msg = await client.messages.create(**kwargs)
    assert msg.stop_reason == "stop_sequence" and msg.stop_sequence == "STOP"
    assert msg.content[0].text == "one two "  # type: ignore[union-attr]


async def _message_start(gw: RunningGateway, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=20) as c, c.stream("POST", f"{gw.url}/v1/messages",
                                                            json={**body, "stream": True}) as r:
        raw = (await r.aread()).decode()
    first = raw.split("\n\n")[0].split("\n")[1].removeprefix("data: ")
    event: dict[str, Any] = json.loads(first)
    assert event["type"] == "message_start"
    return event


async def test_message_start_carries_the_input_token_count(fake_claude: FakeAnthropic, fake_oai: FakeOpenAI) -> None:
    body = {"model": "c", "max_tokens": 20, "messages": [{"role": "user", "content": "count my prompt please"}]}
    async with client_for([claude(fake_claude)]) as (gw, _):
        start = await _message_start(gw, body)
    assert start["message"]["usage"]["input_tokens"] == count_tokens(fake_claude.requests[-1])
    async with client_for([openai_provider("oai", fake_oai.base_url)]) as (gw, _):
        start = await _message_start(gw, body)
    assert start["message"]["usage"]["input_tokens"] > 0  # the gateway's own count: the upstream says it last


async def test_thinking_with_personal_data_round_trips_through_pseudonymization(fake_claude: FakeAnthropic) -> None:
    """Anthropic thinks about the surrogate; the client reads the original; sent back, the block is
    pseudonymized to the very text Anthropic signed (surrogates are stable), so it is accepted."""
    fake_claude.queue(AnthropicTurn(thinking="The user wrote: {last_user}", tool_uses=[
        {"id": "toolu_p", "name": "lookup", "input": {"q": "mail"}}]), AnthropicTurn(text="Sent."))
    privacy = {"secret": "thinking-privacy-secret-0123456789", "default_action": "pseudonymize"}
    ask = "Email ann.smith@example.com about the invoice"
    async with client_for([claude(fake_claude)], privacy=privacy) as (_, client):
        first = await client.messages.create(model="c", max_tokens=2048, thinking=THINK, tools=TOOLS,  # type: ignore[arg-type]
                                             messages=[{"role": "user", "content": ask}])
        thinking = first.content[0]
        assert thinking.type == "thinking" and thinking.thinking == f"The user wrote: {ask}"  # restored
        second = await client.messages.create(
            model="c", max_tokens=2048, thinking=THINK, tools=TOOLS,  # type: ignore[arg-type]
            messages=[{"role": "user", "content": ask},
                      {"role": "assistant", "content": [b.model_dump() for b in first.content]},  # type: ignore[misc]
                      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_p", "content": "ok"}]}])
    assert second.content[-1].text == "Sent."  # type: ignore[union-attr]
    assert "ann.smith@example.com" not in json.dumps(fake_claude.requests)
    sent = fake_claude.requests[-1]["messages"][1]["content"][0]
    assert sent["signature"] == sign(sent["thinking"])  # the signature reached Anthropic untouched
