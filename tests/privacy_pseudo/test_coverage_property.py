"""Property: whatever the shape of a valid request, no planted value reaches a recording cloud upstream.

Hypothesis builds random valid bodies for ``/v1/chat/completions``, ``/v1/completions``,
``/v1/embeddings`` and ``/v1/messages`` — messages, content parts with extra keys, tool calls
with arguments as JSON text or as an object, tool definitions with JSON schemas, metadata,
``stop``, response formats, fields no API defines — and plants sensitive values at random
user-data positions: as text, inside text, as an object key, as a JSON number, or split over
two content parts.  Every body goes through the real gateway to a loopback OpenAI-compatible
upstream that records what it receives.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.privacy_pseudo.recording import Recording, leaked, run_in_thread

# Values every detector finds on their own, whatever surrounds them (checksums, layouts, a
# full Russian name with patronymic).  Types whose policy is pseudonymize, so requests are served.
TEXT_VALUES = [
    "ИНН 7707083893", "4111 1111 1111 1111", "ivan.petrov@example.com", "+7 912 345-67-89",
    "DE89 3704 0044 0532 0130 00", "SSN 078-05-1120", "Петров Иван Сергеевич", "Смирновой Анны Петровны",
    "sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d",
]
NUMBER_VALUES = [7707083893, 4111111111111111, 5500000000000004]
MARK = "\x00PII\x00"

words = st.sampled_from(["alpha", "beta", "gamma", "note", "data", "ok", "value", "поле", "заметка", "итог"])
sentence = st.lists(words, min_size=1, max_size=4).map(" ".join)
user_text = st.one_of(sentence, sentence.map(lambda s: f"{s} {MARK}"), st.just(MARK))
ident = st.sampled_from(["lookup", "save_client", "get_weather", "crm_search"])
scalar = st.one_of(user_text, st.integers(-1000, 1000), st.booleans(), st.none(), st.just(MARK + "#"))
json_value = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.one_of(words, st.just(MARK)), inner, max_size=3)),
    max_leaves=6,
)
json_object = st.dictionaries(st.one_of(words, st.just(MARK)), json_value, min_size=1, max_size=3)
schema = st.fixed_dictionaries({"type": st.just("object"), "properties": st.dictionaries(
    words, st.fixed_dictionaries({"type": st.just("string")}, optional={
        "description": user_text, "default": user_text, "enum": st.lists(user_text, min_size=1, max_size=2),
        "examples": st.lists(user_text, max_size=2)}), max_size=3)}, optional={"description": user_text})
part = st.fixed_dictionaries({"type": st.just("text"), "text": user_text}, optional={"note": user_text, "meta": json_object})
content = st.one_of(user_text, st.lists(part, min_size=1, max_size=3), st.just([MARK + "SPLIT"]))


@st.composite
def chat_body(draw: st.DrawFn) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if draw(st.booleans()):
        messages.append({"role": "system", "content": draw(content)})
    messages.append({"role": "user", "content": draw(content)})
    if draw(st.booleans()):
        args = draw(json_object)
        as_text = draw(st.booleans())
        messages.append({"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_1", "type": "function",
            "function": {"name": draw(ident), "arguments": orjson.dumps(args).decode() if as_text else args}}]})
        messages.append({"role": "tool", "tool_call_id": "call_1", "content": draw(user_text)})
        messages.append({"role": "user", "content": draw(content)})
    body: dict[str, Any] = {"model": "cloud", "messages": messages}
    optional = draw(st.fixed_dictionaries({}, optional={
        "metadata": st.dictionaries(words, user_text, max_size=3),
        "stop": st.lists(user_text, min_size=1, max_size=2),
        "user": user_text,
        "tools": st.lists(st.fixed_dictionaries({"type": st.just("function"), "function": st.fixed_dictionaries(
            {"name": ident}, optional={"description": user_text, "parameters": schema})}), min_size=1, max_size=2),
        "response_format": st.fixed_dictionaries({"type": st.just("json_schema"), "json_schema": st.fixed_dictionaries(
            {"name": st.just("out"), "schema": schema})}),
        "x_future_field": json_value,
        "temperature": st.floats(0, 1),
    }))
    return {**body, **optional}


@st.composite
def messages_body(draw: st.DrawFn) -> dict[str, Any]:
    blocks = [{"type": "text", "text": draw(user_text)}]
    msgs: list[dict[str, Any]] = [{"role": "user", "content": draw(st.one_of(user_text, st.just(blocks)))}]
    if draw(st.booleans()):
        msgs.append({"role": "assistant", "content": [
            {"type": "text", "text": draw(user_text)},
            {"type": "tool_use", "id": "toolu_1", "name": draw(ident), "input": draw(json_object)}]})
        msgs.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": draw(user_text)}]})
    body: dict[str, Any] = {"model": "cloud", "max_tokens": 20, "messages": msgs}
    optional = draw(st.fixed_dictionaries({}, optional={
        "system": user_text, "metadata": st.fixed_dictionaries({"user_id": user_text}),
        "stop_sequences": st.lists(user_text, min_size=1, max_size=2),
        "tools": st.lists(st.fixed_dictionaries({"name": ident, "input_schema": schema},
                                                optional={"description": user_text}), min_size=1, max_size=2),
    }))
    return {**body, **optional}


completions_body = st.fixed_dictionaries(
    {"model": st.just("cloud"), "prompt": st.one_of(user_text, st.lists(user_text, min_size=1, max_size=3))},
    optional={"suffix": user_text, "user": user_text, "metadata": json_object, "x_extra": json_value})
embeddings_body = st.fixed_dictionaries(
    {"model": st.just("cloud"), "input": st.one_of(user_text, st.lists(user_text, min_size=1, max_size=3))},
    optional={"user": user_text, "x_extra": json_value})

REQUEST = st.one_of(
    st.tuples(st.just("/v1/chat/completions"), chat_body()),
    st.tuples(st.just("/v1/messages"), messages_body()),
    st.tuples(st.just("/v1/completions"), completions_body),
    st.tuples(st.just("/v1/embeddings"), embeddings_body),
)


def plant(value: Any, draw_text: Any, draw_number: Any, planted: list[str]) -> Any:
    """Replace every marker in ``value`` by a concrete sensitive value, recording what was planted."""
    if isinstance(value, str):
        if value == MARK + "#":
            n = draw_number()
            planted.append(str(n))
            return n
        while MARK in value:
            v = draw_text()
            planted.append(v)
            value = value.replace(MARK, v, 1)
        return value
    if isinstance(value, list):
        if value == [MARK + "SPLIT"]:
            v = draw_text()
            planted.append(v)
            cut = len(v) // 2
            return [{"type": "text", "text": f"see {v[:cut]}"}, {"type": "text", "text": f"{v[cut:]} done"}]
        return [plant(v, draw_text, draw_number, planted) for v in value]
    if isinstance(value, dict):
        return {plant(k, draw_text, draw_number, planted): plant(v, draw_text, draw_number, planted)
                for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def rec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recording]:
    yield from run_in_thread(str(tmp_path_factory.mktemp("coverage")))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(request=REQUEST, data=st.data())
def test_no_planted_value_reaches_the_cloud(rec: Recording, request: tuple[str, dict[str, Any]], data: st.DataObject) -> None:
    path, template = request
    planted: list[str] = []
    body = plant(template, lambda: data.draw(st.sampled_from(TEXT_VALUES)),
                 lambda: data.draw(st.sampled_from(NUMBER_VALUES)), planted)
    before = len(rec.cloud.requests)
    r = httpx.post(rec.base_url + path, json=body, timeout=60)
    sent = rec.cloud.requests[before:]
    assert leaked(sent, planted) == [], (path, body, sent)
    assert r.status_code == 200, (r.status_code, r.text, body)
