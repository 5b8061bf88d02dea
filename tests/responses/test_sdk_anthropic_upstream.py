"""A Responses client whose alias is served by Anthropic: reasoning effort becomes a thinking
budget, and the thinking block (with its signature) survives the trip through the client.

Anthropic refuses a continued tool-use turn without its thinking block, and the fake checks
both that and the signature; the block travels as a ``reasoning`` item whose
``encrypted_content`` the client sends back (``previous_response_id`` or the full input).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import AnthropicTurn, FakeAnthropic, sign
from tests.responses.conftest import gateway_for

TOOL = {"type": "function", "name": "lookup", "description": "search",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as f:
        yield f


@pytest.mark.parametrize("stream", [False, True])
async def test_reasoning_round_trip_keeps_anthropic_thinking(tmp_path: Path, fake: FakeAnthropic, stream: bool) -> None:
    fake.queue(AnthropicTurn(thinking="Search first.", tool_uses=[{"id": "toolu_1", "name": "lookup",
                                                                   "input": {"q": "perimeter"}}]),
               AnthropicTurn(text="A gateway."), AnthropicTurn(text="Still a gateway."))
    provider = {"name": "claude", "type": "anthropic", "location": "cloud", "base_url": fake.base_url,
                "api_key": fake.api_key, "model": "claude-test", "retry": {"max_retries": 0}}
    async with gateway_for(tmp_path, [provider], {"c": ["claude"]}) as (_, client):
        kwargs = {"model": "c", "input": "what is perimeter?", "tools": [TOOL], "reasoning": {"effort": "low"},
                  "max_output_tokens": 4000}
        if stream:
            async with client.responses.stream(**kwargs) as s:  # type: ignore[arg-type]
                first = await s.get_final_response()
        else:
            first = await client.responses.create(**kwargs)  # type: ignore[arg-type]
        assert fake.requests[0]["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        reasoning, call = first.output[0], first.output[-1]
        assert reasoning.type == "reasoning" and reasoning.content is not None
        assert reasoning.content[0].text == "Search first."
        assert reasoning.encrypted_content == "anthropic-thinking:" + sign("Search first.")
        assert call.type == "function_call"
        output = {"type": "function_call_output", "call_id": call.call_id, "output": "a gateway"}
        second = await client.responses.create(model="c", previous_response_id=first.id, tools=[TOOL],  # type: ignore[list-item]
                                               reasoning={"effort": "low"}, max_output_tokens=4000,
                                               input=[output])  # type: ignore[list-item]
        assert second.output_text == "A gateway."
        sent = fake.requests[-1]["messages"][1]["content"]
        assert [b["type"] for b in sent] == ["thinking", "tool_use"] and sent[0]["signature"] == sign("Search first.")
        replay = [{"role": "user", "content": "what is perimeter?"},
                  *[item.model_dump(exclude_none=True) for item in first.output], output]
        third = await client.responses.create(model="c", input=replay, tools=[TOOL], store=False,  # type: ignore[arg-type]
                                              reasoning={"effort": "low"}, max_output_tokens=4000)
        assert third.output_text == "Still a gateway."
