"""Every place user data travels is a slot; rewriting keeps the body's shape and JSON valid."""

from __future__ import annotations

import copy

import orjson

from perimeter.privacy.entities import Entity
from perimeter.privacy.units import ScanPlan
from perimeter.privacy.walk import IN_JSON, KEY, SEPARATOR, apply, collect

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
    c = collect("chat", CHAT)
    got = {s.path: s.text for s in c.slots}
    args = ("messages", 2, "tool_calls", 0, "function", "arguments", IN_JSON)
    assert got == {
        ("system", 0, "text"): "sys block",
        ("messages", 0, "content"): "system text",
        ("messages", 1, "content", 0, "text"): "part one",
        ("messages", 1, KEY, "name"): "name",
        ("messages", 1, "name"): "ivan_petrov",
        (*args, KEY, "who"): "who",
        (*args, "who"): "x",
        (*args, KEY, "list"): "list",
        (*args, "list", 0): "y",
        ("messages", 2, "tool_calls", 1, "function", "arguments"): "not json",
        ("messages", 3, "content"): "tool result",
        ((), KEY, "user")[1:]: "user",
        ("user",): "end-user-7",
    }
    assert c.unscannable == ["messages[1].content[1] (image_url)"]
    # Structural fields (model, role, ids, tool names, type tags) are not slots.
    assert not any(p[-1] in ("model", "role", "id", "tool_call_id", "type") for p in got)


def test_every_unknown_field_is_user_data_and_long_numbers_are_scanned() -> None:
    body = {
        "model": "m", "temperature": 0.2, "seed": 12345678,
        "messages": [{"role": "user", "content": "hi"}],
        "metadata": {"client": "Иван Петров", "inn": 7707083893, "small": 42},
        "stop": ["Петров"],
        "tools": [{"type": "function", "function": {
            "name": "lookup", "description": "Find Ivan Petrov",
            "parameters": {"type": "object", "properties": {"who": {"type": "string", "enum": ["Ivan Petrov"],
                                                                    "default": "Ivan Petrov"}}}}}],
        "some_future_field": {"nested": ["secret text"]},
        "response_format": {"type": "json_schema", "json_schema": {
            "name": "card", "schema": {"description": "card of Ivan Petrov"}}},
    }
    c = collect("chat", body)
    texts = {s.text for s in c.slots}
    assert {"Иван Петров", "7707083893", "Петров", "Find Ivan Petrov", "Ivan Petrov", "secret text",
            "card of Ivan Petrov", "some_future_field", "client"} <= texts
    assert "42" not in texts and "12345678" not in texts and "lookup" not in texts and "m" not in texts
    assert next(s for s in c.slots if s.text == "7707083893").kind == "number"


def test_a_structural_field_holding_prose_is_scanned() -> None:
    c = collect("chat", {"model": "m", "messages": [{"role": "user", "content": "x",
                                                      "tool_call_id": "Иван Петров 7707083893"}]})
    assert "Иван Петров 7707083893" in {s.text for s in c.slots}


def test_arguments_given_as_an_object_are_walked() -> None:
    body = {"model": "m", "messages": [{"role": "assistant", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": {"inn": 7707083893}}}]}]}
    c = collect("chat", body)
    assert {"inn", "7707083893"} <= {s.text for s in c.slots}


def test_content_parts_are_scanned_joined_and_findings_mapped_back() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "ИНН 77070"}, {"type": "text", "text": "83893, спасибо"}]}]}
    c = collect("chat", body)
    plan = ScanPlan(c)
    assert plan.texts[0] == "ИНН 7707083893, спасибо"
    assert plan.texts[1:] == ["ИНН 77070", "83893, спасибо"]  # each part alone, too
    joined = Entity("RU_INN", 4, 14, "7707083893")
    mapped = plan.map([[joined], [], []])
    assert [s.text for s in mapped.slots] == ["ИНН 7707083893", ", спасибо"]
    assert mapped.per_slot[0] == [Entity("RU_INN", 4, 14, "7707083893")] and mapped.per_slot[1] == []
    assert "".join(s.text for s in mapped.slots) == plan.texts[0]


def test_batched_values_are_one_per_line_and_findings_are_clipped() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}], "metadata": {"a": "John", "b": "Smith"}}
    c = collect("chat", body)
    plan = ScanPlan(c)
    batch = plan.texts[1]
    assert batch == SEPARATOR.join(["metadata", "a", "John", "b", "Smith"])
    start = batch.index("John")
    mapped = plan.map([[], [Entity("PERSON", start, batch.index("Smith") + 5, "…")]])
    found = {s.text: [e.text for e in ents] for s, ents in zip(mapped.slots, mapped.per_slot, strict=True) if ents}
    assert found == {"John": ["John"], "b": ["b"], "Smith": ["Smith"]}


def test_apply_renames_keys_and_writes_numbers_back_as_numbers() -> None:
    body = {"model": "m", "metadata": {"Иван": {"inn": 7707083893}}}
    c = collect("chat", body)
    repl = {("metadata", KEY, "Иван"): "Пётр", ("metadata", "Иван", "inn"): "5012345678"}
    kinds = {s.path: s.kind for s in c.slots}
    new = apply(body, repl, kinds)
    assert new == {"model": "m", "metadata": {"Пётр": {"inn": 5012345678}}}
    assert body["metadata"] == {"Иван": {"inn": 7707083893}}


def test_apply_rewrites_a_copy_and_keeps_arguments_valid_json() -> None:
    body = copy.deepcopy(CHAT)
    slots = [s for s in collect("chat", body).slots if s.kind == "text"]
    new = apply(body, {s.path: s.text.upper() + ' "q"' for s in slots})
    assert body == CHAT  # the original is untouched
    args = orjson.loads(new["messages"][2]["tool_calls"][0]["function"]["arguments"])
    assert args == {"who": 'X "q"', "list": ['Y "q"', 3]}
    assert new["messages"][1]["content"][1] == CHAT["messages"][1]["content"][1]
    assert new["messages"][1]["name"] == 'IVAN_PETROV "q"'
    assert new["messages"][2]["tool_calls"][1]["function"]["arguments"] == 'NOT JSON "q"'


def test_completions_and_embeddings_inputs() -> None:
    c = collect("completions", {"prompt": ["a", "b"], "suffix": "s"})
    assert [s.text for s in c.slots] == ["a", "b", "suffix", "s"] and c.unscannable == []
    c = collect("embeddings", {"input": "one"})
    assert [s.path for s in c.slots] == [("input",)] and c.unscannable == []
    assert collect("embeddings", {"input": [[1, 2, 3]]}).unscannable == ["input[0] (token ids)"]
    assert collect("completions", {"prompt": [15496, 11]}).unscannable == ["prompt[0] (token ids)"]
