"""Every place user data travels is a slot; rewriting keeps the body's shape and JSON valid."""

from __future__ import annotations

import copy

import orjson

from perimeter.privacy.walk import IN_JSON, apply, collect

CHAT = {
    "model": "m",
    "system": [{"type": "text", "text": "sys block"}],
    "messages": [
        {"role": "system", "content": "system text"},
        {"role": "user", "name": "ivan_petrov", "content": [
            {"type": "text", "text": "part one"}, {"type": "image_url", "image_url": {"url": "data:x"}},
        ]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "1", "type": "function", "function": {"name": "f", "arguments": '{"who": "x", "list": ["y", 3]}'}},
            {"id": "2", "type": "function", "function": {"name": "g", "arguments": "not json"}},
        ]},
        {"role": "tool", "tool_call_id": "1", "content": "tool result"},
    ],
    "user": "end-user-7",
}


def test_collects_all_text_slots_and_reports_unscannable_parts() -> None:
    slots, unscannable = collect("chat", CHAT)
    got = {s.path: s.text for s in slots}
    assert got == {
        ("system", 0, "text"): "sys block",
        ("messages", 0, "content"): "system text",
        ("messages", 1, "content", 0, "text"): "part one",
        ("messages", 1, "name"): "ivan_petrov",
        ("messages", 2, "tool_calls", 0, "function", "arguments", IN_JSON, "who"): "x",
        ("messages", 2, "tool_calls", 0, "function", "arguments", IN_JSON, "list", 0): "y",
        ("messages", 2, "tool_calls", 1, "function", "arguments"): "not json",
        ("messages", 3, "content"): "tool result",
        ("user",): "end-user-7",
    }
    assert unscannable == ["messages[1].content[1] (image_url)"]


def test_apply_rewrites_a_copy_and_keeps_arguments_valid_json() -> None:
    body = copy.deepcopy(CHAT)
    slots, _ = collect("chat", body)
    new = apply(body, {s.path: s.text.upper() + ' "q"' for s in slots})
    assert body == CHAT  # the original is untouched
    args = orjson.loads(new["messages"][2]["tool_calls"][0]["function"]["arguments"])
    assert args == {"who": 'X "q"', "list": ['Y "q"', 3]}
    assert new["messages"][1]["content"][1] == CHAT["messages"][1]["content"][1]
    assert new["messages"][1]["name"] == 'IVAN_PETROV "q"'
    assert new["messages"][2]["tool_calls"][1]["function"]["arguments"] == 'NOT JSON "q"'


def test_completions_and_embeddings_inputs() -> None:
    slots, bad = collect("completions", {"prompt": ["a", "b"], "suffix": "s"})
    assert [s.text for s in slots] == ["a", "b", "s"] and bad == []
    slots, bad = collect("embeddings", {"input": "one"})
    assert [s.path for s in slots] == [("input",)] and bad == []
    _, bad = collect("embeddings", {"input": [[1, 2, 3]]})
    assert bad == ["input[0] (token ids)"]
    _, bad = collect("completions", {"prompt": [15496, 11]})
    assert bad == ["prompt[0] (token ids)"]
