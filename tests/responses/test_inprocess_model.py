"""Agent-shaped traffic against the in-process llama.cpp model, through the real gateway.

The ``openai`` SDK's Responses API (text, streamed function calls, a function-call round trip
with ``previous_response_id``, structured output) and the ``anthropic`` SDK (tools,
``count_tokens``, the matched stop sequence) — all answered by real inference on the tiny GGUF,
whose tool calls and JSON are shaped by llama.cpp grammars.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

import anthropic
import openai
from pydantic import BaseModel

from tests.fakes.gateway import RunningGateway, minimal_config, running_gateway
from tests.providers_llamacpp.conftest import tiny_model  # noqa: F401  (the session fixture)

TOOL = {"type": "function", "name": "get_weather", "description": "Weather for a city", "parameters": {
    "type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "Oslo"]}},
    "required": ["city"], "additionalProperties": False}, "strict": True}


@contextlib.asynccontextmanager
async def local_gateway(model: Path, tmp_path: Path) -> AsyncIterator[RunningGateway]:
    provider = {"name": "local", "type": "llamacpp", "model_path": str(model), "n_ctx": 2048, "n_threads": 1,
                "seed": 11}
    cfg = minimal_config([provider], {"local": ["local"]}, privacy={"enabled": False},
                         storage={"data_dir": str(tmp_path), "flush_interval": 0.01})
    async with running_gateway(cfg) as gw:
        yield gw


async def test_responses_api_on_the_in_process_model(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    async with local_gateway(tiny_model, tmp_path) as gw:
        client = openai.AsyncOpenAI(base_url=gw.base_url, api_key="x", max_retries=0)
        text = await client.responses.create(model="local", input="hello", max_output_tokens=6)
        assert text.status == "incomplete" and text.output_text and text.usage is not None
        assert text.usage.output_tokens == 6

        async with client.responses.stream(model="local", input="weather in Oslo?", tools=[TOOL],  # type: ignore[list-item]
                                           tool_choice="required", parallel_tool_calls=False,
                                           max_output_tokens=200) as stream:
            events = [e async for e in stream]
            first = await stream.get_final_response()
        assert sum(e.type == "response.function_call_arguments.delta" for e in events) > 3
        call = first.output[-1]
        assert call.type == "function_call" and call.name == "get_weather"
        assert json.loads(call.arguments)["city"] in ("Paris", "Oslo")

        second = await client.responses.create(
            model="local", previous_response_id=first.id, tools=[TOOL], max_output_tokens=5,  # type: ignore[list-item]
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}])
        assert second.output[0].type == "message" and second.previous_response_id == first.id
        await client.close()


class Forecast(BaseModel):
    city: Literal["Paris", "Oslo"]
    sunny: bool


async def test_structured_output_on_the_in_process_model(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    async with local_gateway(tiny_model, tmp_path) as gw:
        client = openai.AsyncOpenAI(base_url=gw.base_url, api_key="x", max_retries=0)
        parsed = await client.responses.parse(model="local", input="forecast?", text_format=Forecast,
                                              max_output_tokens=100)
        assert isinstance(parsed.output_parsed, Forecast)
        chat = await client.chat.completions.parse(model="local", messages=[{"role": "user", "content": "again"}],
                                                   response_format=Forecast, max_tokens=100)
        assert isinstance(chat.choices[0].message.parsed, Forecast)
        await client.close()


async def test_anthropic_sdk_tools_count_tokens_and_stop_sequence(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    tools: Any = [{"name": "get_weather", "description": "Weather", "input_schema": TOOL["parameters"]}]
    messages: Any = [{"role": "user", "content": "weather in Paris?"}]
    async with local_gateway(tiny_model, tmp_path) as gw:
        client = anthropic.AsyncAnthropic(base_url=gw.url, api_key="x", max_retries=0)
        async with client.messages.stream(model="local", max_tokens=200, tools=tools, messages=messages,
                                          tool_choice={"type": "any", "disable_parallel_tool_use": True}) as s:
            msg = await s.get_final_message()
        assert msg.stop_reason == "tool_use"
        use = msg.content[-1]
        assert use.type == "tool_use" and use.name == "get_weather" and use.input["city"] in ("Paris", "Oslo")  # type: ignore[index]

        counted = await client.messages.count_tokens(model="local", messages=messages, tools=tools)
        provider = gw.app.upstreams["local"].provider
        assert counted.input_tokens == await provider.count_tokens(  # type: ignore[attr-defined]
            {"messages": messages, "tools": [{"type": "function", "function": {
                "name": "get_weather", "description": "Weather", "parameters": TOOL["parameters"]}}]}, request_id="t")

        # greedy decoding (the newest SDK has no temperature: send it by hand), so the same text comes again
        greedy: Any = {"temperature": 0}
        plain = await client.messages.create(model="local", max_tokens=30, messages=messages, extra_body=greedy)
        text = plain.content[0].text  # type: ignore[union-attr]
        stop = text[8:11]
        stopped = await client.messages.create(model="local", max_tokens=30, messages=messages, extra_body=greedy,
                                               stop_sequences=[stop])
        assert stopped.stop_reason == "stop_sequence" and stopped.stop_sequence == stop
        assert stopped.content[0].text == text[:text.index(stop)]  # type: ignore[union-attr]

        shaped = await client.messages.create(model="local", max_tokens=100, messages=messages, output_config={
            "format": {"type": "json_schema", "schema": TOOL["parameters"]}})
        assert json.loads(shaped.content[0].text)["city"] in ("Paris", "Oslo")  # type: ignore[union-attr]
        await client.close()
