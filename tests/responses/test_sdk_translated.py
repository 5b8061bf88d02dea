"""``/v1/responses`` through the real gateway with the ``openai`` SDK, translated to chat completions.

The upstream is the loopback OpenAI fake's ``/chat/completions``; what it received shows the
translation, what the SDK parses shows the answer is well formed (the SDK checks the typed
event sequence: item identities, indexes, the terminal event).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from pydantic import BaseModel

from tests.fakes.gateway import RunningGateway
from tests.fakes.openai_server import FakeOpenAI

Pair = tuple[RunningGateway, openai.AsyncOpenAI]

WEATHER = {"type": "function", "name": "get_weather", "description": "Weather for a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                          "additionalProperties": False}, "strict": True}


async def test_create_text_with_instructions(gw: Pair, upstream: FakeOpenAI) -> None:
    _, client = gw
    raw = await client.responses.with_raw_response.create(
        model="m", input="Hello there", instructions="Be brief.", max_output_tokens=50, temperature=0.3,
        metadata={"ticket": "T-1"})
    r = raw.parse()
    assert r.output_text == "echo: Hello there"
    assert r.status == "completed" and r.model == "m" and r.id.startswith("resp_")
    assert r.instructions == "Be brief." and r.max_output_tokens == 50 and r.metadata == {"ticket": "T-1"}
    assert r.usage is not None and r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens > 0
    assert raw.headers["x-perimeter-route"] == "up"
    sent = upstream.requests[-1]
    assert sent["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]
    assert sent["max_completion_tokens"] == 50 and sent["temperature"] == 0.3
    assert "metadata" not in sent and "instructions" not in sent and "input" not in sent


async def test_stream_emits_the_documented_event_sequence(gw: Pair) -> None:
    _, client = gw
    async with client.responses.stream(model="m", input="stream me please") as stream:
        events = [ev async for ev in stream]
        final = await stream.get_final_response()
    types = [e.type for e in events]
    assert types[:4] == ["response.created", "response.in_progress", "response.output_item.added",
                         "response.content_part.added"]
    assert types[-4:] == ["response.output_text.done", "response.content_part.done", "response.output_item.done",
                          "response.completed"]
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) > 1 and "".join(deltas) == "echo: stream me please"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert final.output_text == "echo: stream me please" and final.status == "completed"
    assert final.usage is not None and final.usage.output_tokens > 0
    stored = await client.responses.retrieve(final.id)
    assert stored.output_text == final.output_text and stored.id == final.id


async def test_function_call_round_trip_with_full_input(gw: Pair, upstream: FakeOpenAI) -> None:
    _, client = gw
    first = await client.responses.create(model="m", input="weather in Paris?", tools=[WEATHER],  # type: ignore[list-item]
                                          tool_choice="required", store=False)
    call = first.output[-1]
    assert call.type == "function_call" and call.name == "get_weather"
    assert json.loads(call.arguments) == {"echo": "echo: weather in Paris?"}
    sent = upstream.requests[-1]
    assert sent["tools"][0] == {"type": "function", "function": {
        "name": "get_weather", "parameters": WEATHER["parameters"], "description": "Weather for a city", "strict": True}}
    assert sent["tool_choice"] == "required"
    second = await client.responses.create(model="m", tools=[WEATHER], input=[  # type: ignore[list-item]
        {"role": "user", "content": "weather in Paris?"},
        {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
        {"type": "function_call_output", "call_id": call.call_id, "output": "18C and sunny"},
    ])
    assert second.output_text == "tool said: 18C and sunny"
    msgs = upstream.requests[-1]["messages"]
    assert msgs[1] == {"role": "assistant", "content": None, "tool_calls": [
        {"id": call.call_id, "type": "function", "function": {"name": "get_weather", "arguments": call.arguments}}]}
    assert msgs[2] == {"role": "tool", "tool_call_id": call.call_id, "content": "18C and sunny"}


async def test_streamed_function_call_then_previous_response_id(gw: Pair, upstream: FakeOpenAI) -> None:
    _, client = gw
    async with client.responses.stream(model="m", input="weather in Oslo?", tools=[WEATHER]) as stream:  # type: ignore[list-item]
        events = [ev async for ev in stream]
        first = await stream.get_final_response()
    types = [e.type for e in events]
    assert "response.function_call_arguments.delta" in types and "response.function_call_arguments.done" in types
    added = next(e for e in events if e.type == "response.output_item.added")
    assert added.item.type == "function_call" and added.item.status == "in_progress"
    call = first.output[-1]
    assert call.type == "function_call" and json.loads(call.arguments) == {"echo": "echo: weather in Oslo?"}
    second = await client.responses.create(model="m", previous_response_id=first.id, tools=[WEATHER],  # type: ignore[list-item]
                                           input=[{"type": "function_call_output", "call_id": call.call_id,
                                                   "output": "-3C"}])
    assert second.output_text == "tool said: -3C" and second.previous_response_id == first.id
    roles = [m["role"] for m in upstream.requests[-1]["messages"]]
    assert roles == ["user", "assistant", "tool"]


class Weather(BaseModel):
    city: str
    celsius: int
    sunny: bool


async def test_structured_output_parses_into_a_model(gw: Pair, upstream: FakeOpenAI) -> None:
    _, client = gw
    parsed = await client.responses.parse(model="m", input="weather as JSON", text_format=Weather)
    assert parsed.output_parsed == Weather(city="echo", celsius=0, sunny=True)
    rf = upstream.requests[-1]["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["name"] == "Weather"
    assert rf["json_schema"]["strict"] is True and set(rf["json_schema"]["schema"]["properties"]) == {
        "city", "celsius", "sunny"}
    async with client.responses.stream(model="m", input="again", text_format=Weather) as stream:
        final = await stream.get_final_response()
    assert final.output_parsed == Weather(city="echo", celsius=0, sunny=True)


async def test_previous_response_chain_retrieve_input_items_and_delete(gw: Pair, upstream: FakeOpenAI) -> None:
    _, client = gw
    a = await client.responses.create(model="m", input="my name is Ann", instructions="first instructions")
    b = await client.responses.create(model="m", input="what is my name?", previous_response_id=a.id,
                                      instructions="second instructions")
    msgs = upstream.requests[-1]["messages"]
    # instructions are not carried over: only this turn's come first
    assert msgs == [{"role": "system", "content": "second instructions"},
                    {"role": "user", "content": "my name is Ann"},
                    {"role": "assistant", "content": "echo: my name is Ann"},
                    {"role": "user", "content": "what is my name?"}]
    c = await client.responses.create(model="m", input="third", previous_response_id=b.id)
    assert [m["content"] for m in upstream.requests[-1]["messages"]] == [
        "my name is Ann", "echo: my name is Ann", "what is my name?", "echo: what is my name?", "third"]
    items = await client.responses.input_items.list(c.id)
    assert [i.type for i in items.data] == ["message"]
    assert (await client.responses.retrieve(b.id)).previous_response_id == a.id
    await client.responses.delete(a.id)
    with pytest.raises(openai.NotFoundError):
        await client.responses.retrieve(a.id)
    with pytest.raises(openai.NotFoundError) as err:  # the chain is broken: refuse, never forget silently
        await client.responses.create(model="m", input="fourth", previous_response_id=c.id)
    assert "previous_response_id" in str(err.value.body)


async def test_store_false_is_not_kept(gw: Pair) -> None:
    _, client = gw
    r = await client.responses.create(model="m", input="ephemeral", store=False)
    assert r.store is False
    with pytest.raises(openai.NotFoundError):
        await client.responses.retrieve(r.id)
    with pytest.raises(openai.NotFoundError):
        await client.responses.create(model="m", input="next", previous_response_id=r.id)


async def test_max_output_tokens_cut_reports_incomplete(gw: Pair) -> None:
    _, client = gw
    r = await client.responses.create(model="m", input="one two three four five", max_output_tokens=2)
    assert r.status == "incomplete" and r.incomplete_details is not None
    assert r.incomplete_details.reason == "max_output_tokens" and r.output_text == "echo: one"
    async with client.responses.stream(model="m", input="one two three four five", max_output_tokens=2) as stream:
        events = [ev async for ev in stream]
    assert events[-1].type == "response.incomplete"
    assert events[-1].response.output[0].status == "incomplete"


@pytest.mark.parametrize(("body", "param", "code"), [
    ({"model": "m", "input": "x", "stop": ["a"]}, "stop", "unknown_parameter"),
    ({"model": "m", "input": "x", "tools": [{"type": "web_search"}], "tool_choice": {"type": "function", "name": "f"}},
     "tool_choice", None),
    ({"model": "m", "input": "x", "tools": ["web_search"]}, "tools[0]", None),
    ({"model": "m", "input": "x", "background": True}, "background", "unsupported_parameter"),
    ({"model": "m", "input": "x", "conversation": "conv_1"}, "conversation", "unsupported_parameter"),
    ({"model": "m", "input": 42}, "input", None),
    ({"model": "m"}, "input", "missing_required_parameter"),
    ({"input": "x"}, "model", "missing_required_parameter"),
    ({"model": "m", "input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0]", None),
    ({"model": "m", "input": [{"role": "user", "content": [{"type": "input_image", "file_id": "f"}]}]},
     "input[0].content[0]", None),
    ({"model": "m", "input": "x", "text": {"format": {"type": "xml"}}}, "text.format", None),
    ({"model": "m", "input": "x", "max_output_tokens": "many"}, "max_output_tokens", None),
    ({"model": "m", "input": "x", "reasoning": {"effort": "huge"}}, "reasoning.effort", None),
])
async def test_bad_requests_get_a_400_naming_the_parameter(gw: Pair, upstream: FakeOpenAI, body: dict[str, Any],
                                                           param: str, code: str | None) -> None:
    g, _ = gw
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{g.base_url}/responses", json=body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["param"] == param and err["type"] == "invalid_request_error" and err["message"]
    if code is not None:
        assert err["code"] == code
    assert upstream.requests == []


async def test_unknown_response_ids_are_404_in_openai_shape(gw: Pair) -> None:
    g, client = gw
    with pytest.raises(openai.NotFoundError) as err:
        await client.responses.retrieve("resp_nope")
    assert err.value.code == "response_not_found"
    async with httpx.AsyncClient() as http:
        r = await http.delete(f"{g.base_url}/responses/resp_nope")
        assert r.status_code == 404 and r.json()["error"]["param"] == "response_id"
        r = await http.post(f"{g.base_url}/responses/resp_nope/cancel")
        assert r.status_code == 400
        r = await http.patch(f"{g.base_url}/responses/resp_nope")
        assert r.status_code == 404


async def test_reasoning_items_in_input_are_dropped_with_a_header(gw: Pair, upstream: FakeOpenAI) -> None:
    g, _ = gw
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{g.base_url}/responses", json={"model": "m", "input": [
            {"role": "user", "content": "q"},
            {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "opaque"},
            {"role": "assistant", "content": [{"type": "output_text", "text": "a"}]},
            {"role": "user", "content": "q2"}]})
    assert r.status_code == 200 and r.headers["x-perimeter-dropped"] == "reasoning"
    assert [m["role"] for m in upstream.requests[-1]["messages"]] == ["user", "assistant", "user"]


async def test_hosted_tools_are_dropped_with_a_header(gw: Pair, upstream: FakeOpenAI) -> None:
    g, _ = gw
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{g.base_url}/responses", json={
            "model": "m", "input": "search the web", "tools": [WEATHER, {"type": "web_search"}, {
                "type": "namespace", "name": "agents", "tools": []}], "client_metadata": {"session_id": "s"}})
    assert r.status_code == 200 and r.headers["x-perimeter-dropped"] == "tools.web_search,tools.namespace"
    sent = upstream.requests[-1]
    assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather"] and "client_metadata" not in sent
