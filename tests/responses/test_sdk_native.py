"""``responses: native``: the gateway calls the upstream's own ``/v1/responses``.

The fake speaks the Responses wire format and enforces what the real API does (unknown
parameters refused, each ``function_call_output`` answering a ``function_call`` in the same
input, no ``previous_response_id`` it does not hold), so a passing test means the adapter's
requests are ones OpenAI accepts.
"""

from __future__ import annotations

import json

import httpx
import openai

from tests.fakes.gateway import RunningGateway
from tests.fakes.openai_server import FakeOpenAI, Fault

Pair = tuple[RunningGateway, openai.AsyncOpenAI]
TOOL = {"type": "function", "name": "lookup", "description": "search",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}}


async def test_create_goes_to_upstream_responses_statelessly(native: Pair, upstream: FakeOpenAI) -> None:
    _, client = native
    r = await client.responses.create(model="m", input="hi there", instructions="Be brief.", max_output_tokens=40,
                                      reasoning={"effort": "low"})
    assert upstream.paths == ["/v1/responses"]
    sent = upstream.requests[-1]
    assert sent["model"] == "gpt-test" and sent["store"] is False and "previous_response_id" not in sent
    assert sent["input"] == [{"type": "message", "role": "system", "content": "Be brief."},
                             {"type": "message", "role": "user", "content": "hi there"}]
    assert sent["max_output_tokens"] == 40 and sent["reasoning"] == {"effort": "low"}
    assert r.output_text == "echo: hi there" and r.status == "completed"
    assert [o.type for o in r.output] == ["reasoning", "message"]
    assert r.output[0].content is not None and r.output[0].content[0].text == "thinking it over"
    assert r.usage is not None and r.usage.output_tokens_details.reasoning_tokens == 3


async def test_function_call_round_trip_with_our_previous_response_id(native: Pair, upstream: FakeOpenAI) -> None:
    _, client = native
    async with client.responses.stream(model="m", input="find perimeter", tools=[TOOL]) as stream:  # type: ignore[list-item]
        first = await stream.get_final_response()
    call = first.output[-1]
    assert call.type == "function_call" and call.name == "lookup"
    assert json.loads(call.arguments) == {"echo": "find perimeter"}
    second = await client.responses.create(model="m", previous_response_id=first.id, tools=[TOOL],  # type: ignore[list-item]
                                           input=[{"type": "function_call_output", "call_id": call.call_id,
                                                   "output": "a gateway"}])
    assert second.output_text == "tool said: a gateway"
    sent = upstream.requests[-1]
    assert "previous_response_id" not in sent and sent["store"] is False
    assert [i["type"] for i in sent["input"]] == ["message", "function_call", "function_call_output"]
    assert sent["tools"] == [{**TOOL, "strict": False}]


async def test_chat_clients_use_the_responses_api_too_unless_they_need_chat_only_parameters(
        native: Pair, upstream: FakeOpenAI) -> None:
    _, client = native
    chat = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "via chat"}])
    assert chat.choices[0].message.content == "echo: via chat" and upstream.paths[-1] == "/v1/responses"
    chunks = [c async for c in await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "streamed"}], stream=True)]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: streamed"
    assert chunks[-1].choices[0].finish_reason == "stop"
    await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}], stop=["END"])
    assert upstream.paths[-1] == "/v1/chat/completions" and upstream.requests[-1]["stop"] == ["END"]


async def test_stream_cut_before_the_terminal_event_fails_the_response(native: Pair, upstream: FakeOpenAI) -> None:
    g, _ = native
    upstream.fail(Fault("truncate", after_chunks=5))
    async with httpx.AsyncClient() as http, http.stream(
            "POST", f"{g.base_url}/responses", json={"model": "m", "input": "cut me", "stream": True}) as r:
        body = (await r.aread()).decode()
    assert r.status_code == 200
    events = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
    assert events[-1]["type"] == "response.failed"
    assert events[-1]["response"]["status"] == "failed" and events[-1]["response"]["error"]["message"]
    assert "response.completed" not in [e["type"] for e in events]
