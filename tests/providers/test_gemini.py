"""The Gemini adapter against a loopback server speaking the generateContent wire format."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.gemini.config import GeminiProviderConfig
from perimeter.providers.gemini.provider import GeminiProvider
from tests.fakes.gemini_server import FakeGemini, GeminiTurn
from tests.providers.openai_stream import assemble, check_stream_shape


@pytest.fixture
async def fake() -> AsyncIterator[FakeGemini]:
    async with FakeGemini() as server:
        yield server


@pytest.fixture
async def provider(fake: FakeGemini) -> AsyncIterator[GeminiProvider]:
    cfg = GeminiProviderConfig(name="gem", location="cloud", type="gemini", base_url=fake.base_url,
                               api_key=fake.api_key, model="gemini-test",
                               timeouts={"connect": 2, "first_byte": 2, "total": 5})
    p = GeminiProvider(cfg)
    await p.start()
    yield p
    await p.aclose()


async def collect(provider: GeminiProvider, body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c async for c in provider.chat_stream(body, request_id="r1")]


TOOL = {"type": "function", "function": {
    "name": "lookup", "description": "Find a record",
    "parameters": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                   "properties": {"q": {"type": "string"}}, "additionalProperties": False},
}}


async def test_request_translation_roles_system_and_generation_config(provider: GeminiProvider,
                                                                      fake: FakeGemini) -> None:
    body = {"model": "models/gemini-test", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "hi!"},
        {"role": "user", "content": [{"type": "text", "text": "again"},
                                     {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4A"}}]},
    ], "temperature": 0.3, "top_p": 0.9, "max_tokens": 77, "stop": ["END"], "seed": 5,
        "response_format": {"type": "json_object"}}
    resp = await provider.chat(body, request_id="r1")
    sent = fake.requests[-1]
    assert fake.paths[-1] == "/v1beta/models/gemini-test:generateContent"
    assert sent["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert [c["role"] for c in sent["contents"]] == ["user", "model", "user"]
    assert sent["contents"][2]["parts"][1] == {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4A"}}
    assert sent["generationConfig"] == {"temperature": 0.3, "topP": 0.9, "seed": 5, "maxOutputTokens": 77,
                                        "stopSequences": ["END"], "responseMimeType": "application/json"}
    assert resp["object"] == "chat.completion"
    assert resp["choices"][0]["message"]["content"] == "echo: again"
    assert resp["choices"][0]["finish_reason"] == "stop"
    assert resp["model"] == "gemini-test-001"


async def test_function_calling_round_trip(provider: GeminiProvider, fake: FakeGemini) -> None:
    fake.queue(GeminiTurn(function_calls=[{"name": "lookup", "args": {"q": "alpha"}},
                                          {"name": "lookup", "args": {"q": "beta"}}]))
    body: dict[str, Any] = {"messages": [{"role": "user", "content": "find alpha and beta"}], "tools": [TOOL],
                            "tool_choice": {"type": "function", "function": {"name": "lookup"}}}
    resp = await provider.chat(body, request_id="r1")
    sent = fake.requests[-1]
    decl = sent["tools"][0]["functionDeclarations"][0]
    assert decl["name"] == "lookup" and "additionalProperties" not in decl["parameters"]
    assert sent["toolConfig"] == {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["lookup"]}}
    msg = resp["choices"][0]["message"]
    assert resp["choices"][0]["finish_reason"] == "tool_calls"
    assert msg["content"] is None
    ids = [c["id"] for c in msg["tool_calls"]]
    assert len(set(ids)) == 2 and all(i.startswith("call_") for i in ids)
    assert [orjson.loads(c["function"]["arguments"]) for c in msg["tool_calls"]] == [{"q": "alpha"}, {"q": "beta"}]

    body["messages"] += [msg,
                         {"role": "tool", "tool_call_id": ids[0], "content": '{"found": 1}'},
                         {"role": "tool", "tool_call_id": ids[1], "content": "nothing"}]
    resp2 = await provider.chat(body, request_id="r2")
    sent2 = fake.requests[-1]
    assert [c["role"] for c in sent2["contents"]] == ["user", "model", "user"]
    assert sent2["contents"][2]["parts"] == [
        {"functionResponse": {"name": "lookup", "response": {"found": 1}}},
        {"functionResponse": {"name": "lookup", "response": {"content": "nothing"}}},
    ]
    assert resp2["choices"][0]["finish_reason"] == "stop"


async def test_usage_metadata_maps_cached_and_thought_tokens(provider: GeminiProvider, fake: FakeGemini) -> None:
    usage = {"promptTokenCount": 50, "candidatesTokenCount": 8, "cachedContentTokenCount": 30,
             "thoughtsTokenCount": 12}
    fake.queue(GeminiTurn(text="ok", usage=usage), GeminiTurn(text="ok then", usage=usage))
    resp = await provider.chat({"messages": [{"role": "user", "content": "x"}]}, request_id="r")
    assert resp["usage"]["prompt_tokens"] == 50
    assert resp["usage"]["completion_tokens"] == 20
    assert resp["usage"]["total_tokens"] == 70
    assert resp["usage"]["prompt_tokens_details"]["cached_tokens"] == 30
    assert resp["usage"]["completion_tokens_details"]["reasoning_tokens"] == 12
    chunks = await collect(provider, {"messages": [{"role": "user", "content": "x"}],
                                      "stream_options": {"include_usage": True}})
    check_stream_shape(chunks, include_usage=True)
    assert chunks[-1]["usage"] == resp["usage"]


async def test_stream_text_and_function_calls(provider: GeminiProvider, fake: FakeGemini) -> None:
    fake.queue(GeminiTurn(text="Looking that up for you now"),
               GeminiTurn(text="One moment.", function_calls=[{"name": "lookup", "args": {"q": "a, b"}}]))
    chunks = await collect(provider, {"messages": [{"role": "user", "content": "x"}]})
    assert fake.paths[-1] == "/v1beta/models/gemini-test:streamGenerateContent?alt=sse"
    check_stream_shape(chunks, include_usage=False)
    assert len(chunks) > 3
    assert assemble(chunks) == {"content": "Looking that up for you now", "tool_calls": [], "finish_reason": "stop"}

    chunks = await collect(provider, {"messages": [{"role": "user", "content": "x"}], "tools": [TOOL]})
    check_stream_shape(chunks, include_usage=False)
    msg = assemble(chunks)
    assert msg["content"] == "One moment." and msg["finish_reason"] == "tool_calls"
    assert orjson.loads(msg["tool_calls"][0]["function"]["arguments"]) == {"q": "a, b"}


async def test_blocked_prompt_is_a_clear_safety_error(provider: GeminiProvider, fake: FakeGemini) -> None:
    ratings = [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}]
    fake.queue(GeminiTurn(block_reason="SAFETY", safety_ratings=ratings),
               GeminiTurn(block_reason="SAFETY", safety_ratings=ratings))
    with pytest.raises(ProviderError) as info:
        await provider.chat({"messages": [{"role": "user", "content": "x"}]}, request_id="r")
    err = info.value
    assert err.kind == "safety_block" and not err.retryable
    gw = err.to_gateway_error()
    assert gw.status == 400 and gw.code == "safety_block"
    assert "blocked the prompt: SAFETY" in gw.message and "HARM_CATEGORY_DANGEROUS_CONTENT" in gw.message
    got: list[dict[str, Any]] = []
    with pytest.raises(ProviderError) as info2:
        async for c in provider.chat_stream({"messages": [{"role": "user", "content": "x"}]}, request_id="r"):
            got.append(c)
    assert got == [] and info2.value.kind == "safety_block" and not isinstance(info2.value, StreamBroken)


async def test_candidate_stopped_for_safety_with_nothing_to_show(provider: GeminiProvider, fake: FakeGemini) -> None:
    fake.queue(GeminiTurn(text="", finish_reason="SAFETY"))
    with pytest.raises(ProviderError) as info:
        await provider.chat({"messages": [{"role": "user", "content": "x"}]}, request_id="r")
    assert info.value.kind == "safety_block" and "stopped the answer: SAFETY" in info.value.message


async def test_partial_answer_then_safety_stop_is_content_filter(provider: GeminiProvider,
                                                                 fake: FakeGemini) -> None:
    fake.queue(GeminiTurn(text="Partial answer here", finish_reason="SAFETY"))
    chunks = await collect(provider, {"messages": [{"role": "user", "content": "x"}]})
    msg = assemble(chunks)
    assert msg["content"] == "Partial answer here" and msg["finish_reason"] == "content_filter"


@pytest.mark.parametrize(("status", "gstatus", "kind", "retryable"), [
    (429, "RESOURCE_EXHAUSTED", "rate_limited", True),
    (503, "UNAVAILABLE", "overloaded", True),
    (500, "INTERNAL", "upstream_5xx", True),
    (400, "INVALID_ARGUMENT", "bad_request", False),
])
async def test_http_errors(provider: GeminiProvider, fake: FakeGemini, status: int, gstatus: str, kind: str,
                           retryable: bool) -> None:
    details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}] if status == 429 else []
    fake.queue(GeminiTurn(status=status, error_status=gstatus, error_message="quota or model trouble",
                          error_details=details))
    with pytest.raises(ProviderError) as info:
        await collect(provider, {"messages": [{"role": "user", "content": "x"}]})
    err = info.value
    assert (err.kind, err.retryable) == (kind, retryable) and "quota or model trouble" in err.message
    if status == 429:
        assert err.retry_after == 7.0


async def test_invalid_api_key_is_retryable_auth_error(fake: FakeGemini) -> None:
    p = GeminiProvider(GeminiProviderConfig(name="g", location="cloud", type="gemini", base_url=fake.base_url,
                                            api_key="wrong", model="m"))
    await p.start()
    try:
        with pytest.raises(ProviderError) as info:
            await p.chat({"messages": [{"role": "user", "content": "x"}]}, request_id="r")
    finally:
        await p.aclose()
    assert info.value.kind == "auth_error" and info.value.retryable
    assert "API key not valid" in info.value.message


async def test_stream_cut_midway_is_stream_broken(provider: GeminiProvider, fake: FakeGemini) -> None:
    fake.queue(GeminiTurn(text="a fairly long answer that streams", cut_after=2))
    got: list[dict[str, Any]] = []
    with pytest.raises(StreamBroken):
        async for c in provider.chat_stream({"messages": [{"role": "user", "content": "x"}]}, request_id="r"):
            got.append(c)
    assert len(got) == 2


async def test_tool_result_without_matching_call_is_a_clear_error(provider: GeminiProvider) -> None:
    body = {"messages": [{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "nope", "content": "1"}]}
    with pytest.raises(ProviderError) as info:
        await provider.chat(body, request_id="r")
    assert not info.value.retryable and "tool_call_id 'nope'" in info.value.message


async def test_multiple_candidates_become_choices(provider: GeminiProvider, fake: FakeGemini) -> None:
    resp = await provider.chat({"messages": [{"role": "user", "content": "hey"}], "n": 2}, request_id="r")
    assert [c["index"] for c in resp["choices"]] == [0, 1]
    assert fake.requests[-1]["generationConfig"]["candidateCount"] == 2
