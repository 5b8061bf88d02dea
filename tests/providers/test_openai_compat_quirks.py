"""Two things real OpenAI-compatible servers do differently from OpenAI, smoothed by the adapter.

Found with llama-cpp-python's server (tests/interop): it ignores ``max_completion_tokens`` and it
repeats a tool call's ``id``/``type``/``name`` in every stream delta.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from perimeter.providers.openai_compat.tool_deltas import ToolCallDeltas
from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI


def delta(args: str, name: str = "get_weather", call_id: str = "call_0") -> dict[str, Any]:
    """A chunk as llama-cpp-python's server streams it: everything repeated, plus function_call."""
    return {"choices": [{"index": 0, "delta": {
        "role": None, "content": None, "function_call": {"name": name, "arguments": args},
        "tool_calls": [{"index": 0, "id": call_id, "type": "function", "function": {"name": name, "arguments": args}}],
    }}]}


def test_repeated_tool_call_identity_is_sent_once() -> None:
    fixer = ToolCallDeltas()
    chunks = [delta("{"), delta('"city": "Rome"'), delta("}")]
    for c in chunks:
        fixer.fix(c)
    first, *rest = (c["choices"][0]["delta"] for c in chunks)
    assert first["tool_calls"][0] == {"index": 0, "id": "call_0", "type": "function",
                                      "function": {"name": "get_weather", "arguments": "{"}}
    assert first["function_call"]["name"] == "get_weather"
    for d in rest:
        assert d["tool_calls"][0] == {"index": 0, "function": {"arguments": d["tool_calls"][0]["function"]["arguments"]}}
        assert "name" not in d["function_call"]
    # What a client assembles by concatenation (LangChain, the openai SDK's helpers):
    name = "".join(d["tool_calls"][0]["function"].get("name", "") for d in (first, *rest))
    args = "".join(d["tool_calls"][0]["function"]["arguments"] for d in (first, *rest))
    assert (name, args) == ("get_weather", '{"city": "Rome"}')


def test_openai_shaped_streams_pass_unchanged() -> None:
    fixer = ToolCallDeltas()
    chunks = [
        {"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": ""}},
            {"index": 1, "id": "b", "type": "function", "function": {"name": "g", "arguments": ""}}]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]}}]},
        {"choices": [{"index": 0, "delta": {"content": "x"}}]},
    ]
    before = copy.deepcopy(chunks)
    for c in chunks:
        fixer.fix(c)
    assert chunks == before


@pytest.mark.parametrize(("ptype", "filled"), [("openai_compat", True), ("openai", False)])
async def test_max_completion_tokens_also_goes_as_max_tokens_to_compatible_servers(ptype: str, filled: bool) -> None:
    async with FakeOpenAI(name="up") as fake:
        cfg = minimal_config([openai_provider("up", fake.base_url, type=ptype)], {"m": {"targets": ["up"]}})
        async with running_gateway(cfg) as gw, httpx.AsyncClient(timeout=20) as c:
            for stream in (False, True):
                r = await c.post(gw.base_url + "/chat/completions", json={
                    "model": "m", "messages": [{"role": "user", "content": "hi"}], "max_completion_tokens": 7,
                    "stream": stream})
                assert r.status_code == 200
            r = await c.post(gw.base_url + "/chat/completions", json={
                "model": "m", "messages": [{"role": "user", "content": "hi"}], "max_completion_tokens": 7,
                "max_tokens": 5})
    for body in fake.requests[:2]:
        assert body["max_completion_tokens"] == 7 and body.get("max_tokens") == (7 if filled else None)
    assert fake.requests[2]["max_tokens"] == 5  # a client's own max_tokens is never overwritten
