"""Tool calls and JSON output from real llama.cpp inference on the tiny GGUF, through grammars.

The tiny model has random weights, so whatever it writes under a grammar is the grammar's
doing: every call names an offered tool and its arguments satisfy the tool's schema, every
JSON answer satisfies its schema.  Schemas here use enums and booleans so a random model
still finishes within a few dozen tokens.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from perimeter.errors import ProviderError
from perimeter.providers.llamacpp.provider import LlamaCppProvider
from perimeter.providers.llamacpp.structured import MARKER, CallParser, ContentSplitter
from tests.providers.openai_stream import assemble, check_stream_shape
from tests.providers_llamacpp.conftest import ProviderFactory

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city", "parameters": {
    "type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "Oslo", "Rome"]},
                                     "celsius": {"type": "boolean"}},
    "required": ["city", "celsius"], "additionalProperties": False}}}
CLOCK = {"type": "function", "function": {"name": "clock", "parameters": {
    "type": "object", "properties": {"zone": {"type": "string", "enum": ["UTC", "MSK"]}}, "required": ["zone"],
    "additionalProperties": False}}}
ASK = [{"role": "user", "content": "Weather in Paris, please."}]


@pytest.fixture
async def big(make_provider: ProviderFactory) -> LlamaCppProvider:
    """The tool list in the system prompt is long in the tiny model's character-level tokens."""
    return await make_provider(n_ctx=2048)


def _check_call(call: dict[str, Any]) -> None:
    assert call["type"] == "function" and call["id"].startswith("call_")
    args = json.loads(call["function"]["arguments"])
    if call["function"]["name"] == "get_weather":
        assert set(args) == {"city", "celsius"} and args["city"] in ("Paris", "Oslo", "Rome")
        assert isinstance(args["celsius"], bool)
    else:
        assert call["function"]["name"] == "clock" and args in ({"zone": "UTC"}, {"zone": "MSK"})


async def test_required_tool_call_is_valid_by_construction(big: LlamaCppProvider) -> None:
    for seed in range(3):
        resp = await big.chat({"messages": ASK, "tools": [WEATHER, CLOCK], "tool_choice": "required",
                               "parallel_tool_calls": False, "max_tokens": 200, "seed": seed}, request_id="t")
        choice = resp["choices"][0]
        assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
        calls = choice["message"]["tool_calls"]
        assert len(calls) == 1
        _check_call(calls[0])


async def test_named_tool_choice_and_parallel_calls(big: LlamaCppProvider) -> None:
    resp = await big.chat({"messages": ASK, "tools": [WEATHER, CLOCK], "max_tokens": 400, "seed": 1,
                           "tool_choice": {"type": "function", "function": {"name": "clock"}}}, request_id="t")
    calls = resp["choices"][0]["message"]["tool_calls"]
    assert calls and all(c["function"]["name"] == "clock" for c in calls)
    for c in calls:
        _check_call(c)
    assert len(calls) <= 8 and len({c["id"] for c in calls}) == len(calls)


async def test_streamed_tool_call_deltas_assemble_into_a_valid_call(big: LlamaCppProvider) -> None:
    body = {"messages": ASK, "tools": [WEATHER], "tool_choice": "required", "parallel_tool_calls": False,
            "max_tokens": 200, "seed": 3, "stream_options": {"include_usage": True}}
    chunks = [c async for c in big.chat_stream(body, request_id="t")]
    check_stream_shape(chunks, include_usage=True)
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    first_call = next(d["tool_calls"][0] for d in deltas if d.get("tool_calls"))
    assert first_call["id"].startswith("call_") and first_call["function"] == {"name": "get_weather",
                                                                              "arguments": ""}
    fragments = [d["tool_calls"][0]["function"]["arguments"] for d in deltas if d.get("tool_calls")][1:]
    assert len(fragments) > 3  # arguments arrive as they are generated, not in one piece
    folded = assemble(chunks)
    assert folded["finish_reason"] == "tool_calls"
    _check_call(folded["tool_calls"][0])
    non_stream = await big.chat({k: v for k, v in body.items() if k != "stream_options"}, request_id="t")
    assert non_stream["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == \
        folded["tool_calls"][0]["function"]["arguments"]  # same seed, same answer, streamed or not


async def test_auto_tool_choice_leaves_a_text_answer_as_text(big: LlamaCppProvider) -> None:
    resp = await big.chat({"messages": ASK, "tools": [WEATHER], "max_tokens": 12, "seed": 2}, request_id="t")
    message = resp["choices"][0]["message"]
    assert "tool_calls" not in message and message["content"] and MARKER not in message["content"]
    prompt = big.format_chat(ASK, [WEATHER])
    assert "<tools>" in prompt and '"name": "get_weather"' in prompt and "<tool_call>" in prompt


async def test_tool_results_are_rendered_for_a_template_without_tools(big: LlamaCppProvider) -> None:
    history = [*ASK, {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather",
                                                           "arguments": '{"city": "Paris", "celsius": true}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "18 and sunny"}]
    prompt = big.format_chat(history, [WEATHER])
    assert ('<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", '
            '"celsius": true}}\n</tool_call><|im_end|>') in prompt
    assert "<|im_start|>user\n<tool_response>\n18 and sunny\n</tool_response><|im_end|>" in prompt
    resp = await big.chat({"messages": history, "tools": [WEATHER], "max_tokens": 8}, request_id="t")
    assert resp["choices"][0]["finish_reason"] in ("length", "stop", "tool_calls")


async def test_a_template_that_knows_tools_renders_them_itself(make_provider: ProviderFactory) -> None:
    template = ("{% if tools %}TOOLS:{% for t in tools %}{{ t.function.name }};{% endfor %}|{% endif %}"
                "{% for m in messages %}{{ m.role }}:{{ m.content or '' }}"
                "{% for c in m.tool_calls or [] %}[{{ c.function.name }} {{ c.function.arguments | tojson }}]"
                "{% endfor %}|{% endfor %}assistant:")
    provider = await make_provider(chat_format=template)
    history = [*ASK, {"role": "assistant", "content": "", "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "clock", "arguments": '{"zone": "UTC"}'}}]}]
    assert provider.format_chat(history, [WEATHER, CLOCK]) == (
        'TOOLS:get_weather;clock;|user:Weather in Paris, please.|assistant:[clock {"zone": "UTC"}]|assistant:')


async def test_json_schema_output_satisfies_the_schema(big: LlamaCppProvider) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "w", "schema": WEATHER["function"]["parameters"]}}
    for seed in range(4):
        resp = await big.chat({"messages": ASK, "response_format": fmt, "max_tokens": 80, "seed": seed},
                              request_id="t")
        choice = resp["choices"][0]
        assert choice["finish_reason"] == "stop"
        doc = json.loads(choice["message"]["content"])
        assert doc["city"] in ("Paris", "Oslo", "Rome") and isinstance(doc["celsius"], bool) and len(doc) == 2


async def test_json_object_mode_only_writes_json_objects(big: LlamaCppProvider) -> None:
    finished = 0
    for seed in range(16):
        resp = await big.chat({"messages": ASK, "response_format": {"type": "json_object"}, "max_tokens": 40,
                               "seed": seed, "temperature": 1.5}, request_id="t")
        choice = resp["choices"][0]
        assert choice["message"]["content"].startswith("{")
        if choice["finish_reason"] == "stop":
            finished += 1
            assert isinstance(json.loads(choice["message"]["content"]), dict)
    assert finished >= 1


async def test_json_answer_or_tool_calls_under_one_grammar(big: LlamaCppProvider) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "z", "schema": CLOCK["function"]["parameters"]}}
    kinds = set()
    for seed in range(6):
        resp = await big.chat({"messages": ASK, "tools": [WEATHER], "response_format": fmt, "max_tokens": 200,
                               "seed": seed, "parallel_tool_calls": False}, request_id="t")
        message = resp["choices"][0]["message"]
        if message.get("tool_calls"):
            kinds.add("call")
            _check_call(message["tool_calls"][0])
        else:
            kinds.add("json")
            assert json.loads(message["content"]) in ({"zone": "UTC"}, {"zone": "MSK"})
    assert kinds == {"call", "json"}, kinds  # the model chose both ways over the seeds, valid either way


async def test_count_tokens_is_the_models_own(big: LlamaCppProvider) -> None:
    n = await big.count_tokens({"messages": ASK, "tools": [WEATHER]}, request_id="t")
    assert n == len(big.tokenize(big.format_chat(ASK, [WEATHER]), special=True))
    assert n > await big.count_tokens({"messages": ASK}, request_id="t")


async def test_stop_string_that_ended_the_answer_is_reported(provider: LlamaCppProvider) -> None:
    plain = await provider.chat({"messages": ASK, "max_tokens": 30, "seed": 5}, request_id="t")
    text = plain["choices"][0]["message"]["content"]
    stop = text[10:13]  # a piece the model is going to write with this seed
    resp = await provider.chat({"messages": ASK, "max_tokens": 30, "seed": 5, "stop": ["@@never", stop]},
                               request_id="t")
    choice = resp["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["stop_reason"] == stop
    assert choice["message"]["content"] == text[:text.index(stop)]


async def test_bad_schemas_are_refused_before_generating(big: LlamaCppProvider) -> None:
    bad = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {
        "x": {"$ref": "https://example.com/remote.json"}}}}}
    with pytest.raises(ProviderError) as info:
        await big.chat({"messages": ASK, "tools": [bad], "tool_choice": "required"}, request_id="t")
    assert info.value.status == 400 and info.value.body is not None
    assert info.value.body["error"]["param"] == "tools[0].function.parameters"


def test_content_splitter_finds_the_trigger_across_pieces() -> None:
    s = ContentSplitter(["STOP"])
    assert s.feed("Let me check <to") == ("Let me check ", None, "")
    assert s.feed("ol_call>\n{") == ("", MARKER, "<tool_call>\n{")
    s = ContentSplitter(["STOP"])
    assert s.feed("a <b> c ST") == ("a <b> c ", None, "")
    assert s.feed("OP d") == ("", "STOP", "")
    s = ContentSplitter([])
    assert s.feed("no trigger <tool") == ("no trigger ", None, "")
    assert s.flush() == "<tool"


def test_call_parser_streams_names_and_arguments() -> None:
    text = ('<tool_call>\n{"name": "get_weather", "arguments": {"city" :"Oslo", "q": "a}\\"b"} }\n</tool_call>\n'
            '<tool_call>\n{"name": "clock", "arguments": {"zone": "UTC"}}\n</tool_call>')
    parser = CallParser()
    events = [ev for i in range(0, len(text), 3) for ev in parser.feed(text[i:i + 3])]
    assert [e[0] for e in events if e[0] == "call"] == ["call", "call"]
    assert [c.name for c in parser.calls] == ["get_weather", "clock"]
    assert json.loads(parser.calls[0].arguments) == {"city": "Oslo", "q": 'a}"b'}
    assert "".join(e[2] for e in events if e[0] == "args" and e[1] == 1) == '{"zone": "UTC"}'
