"""Chunk-level behaviour of the stream restorer and whole-response restoring."""

from __future__ import annotations

import copy
from typing import Any

import orjson

from perimeter.privacy.pseudonymize.restore import ReplacementTable, ResponseRestorer

PAIRS = {"Лукин": "Петров", "Лукину": "Петрову", "Денис": "Иван", "Денис Лукин": "Иван Петров",
         "+7 937 029-43-84": "+7 912 345-67-89", 'a"b': 'c"d'}
R = ResponseRestorer(ReplacementTable(PAIRS))


def chunk(*choices: dict[str, Any], usage: dict[str, int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                           "choices": list(choices)}
    if usage is not None:
        out["usage"] = usage
    return out


def c(index: int = 0, finish: str | None = None, **delta: Any) -> dict[str, Any]:
    return {"index": index, "delta": delta, "finish_reason": finish}


def texts(chunks: list[dict[str, Any]], index: int = 0, field: str = "content") -> str:
    return "".join(ch["delta"].get(field) or "" for k in chunks for ch in k["choices"] if ch["index"] == index)


def test_text_without_surrogate_prefix_is_not_held() -> None:
    sr = R.stream()
    out = sr.feed(chunk(c(role="assistant", content="Hello, this is fine ")))
    assert texts(out) == "Hello, this is fine "


def test_only_a_possible_surrogate_prefix_is_held_then_restored() -> None:
    sr = R.stream()
    assert texts(sr.feed(chunk(c(content="Звоните Лук")))) == "Звоните "
    assert texts(sr.feed(chunk(c(content="ину завтра")))) == "Петрову завтра"
    # A match at the very end may still grow ("Лукин" → "Лукину") or fail the word boundary.
    assert texts(sr.feed(chunk(c(content=" и Лукин")))) == " и "
    assert texts(sr.feed(chunk(c(content="ский")))) == "Лукинский"  # not a word boundary: sent as is
    assert texts(sr.feed(chunk(c(content=" район")))) == " район"


def test_held_text_goes_out_before_the_finish_chunk() -> None:
    sr = R.stream()
    sr.feed(chunk(c(content="Ответ: Денис Лук")))
    out = sr.feed(chunk(c(finish="stop")))
    assert [k["choices"][0]["finish_reason"] for k in out] == [None, "stop"]
    # "Денис Лук" might have become "Денис Лукин": held, then restored word by word before finish.
    assert texts(out) == "Иван Лук"
    assert sr.flush() == []


def test_finish_chunk_with_its_own_text_carries_the_held_part() -> None:
    sr = R.stream()
    sr.feed(chunk(c(content="Это Денис")))
    out = sr.feed(chunk(c(content=" Лукин", finish="stop")))
    assert len(out) == 1 and texts(out) == "Иван Петров"


def test_several_choices_are_independent() -> None:
    sr = R.stream()
    out = sr.feed(chunk(c(0, content="Лук"), c(1, content="Ден")))
    assert texts(out, 0) == "" and texts(out, 1) == ""
    out = sr.feed(chunk(c(1, content="ис!"), c(0, content="ину!")))
    assert texts(out, 0) == "Петрову!" and texts(out, 1) == "Иван!"


def test_usage_chunk_flushes_held_text_first() -> None:
    sr = R.stream()
    sr.feed(chunk(c(content="до свидания, Лукин")))
    out = sr.feed(chunk(usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}))
    assert texts(out[:-1]) == "Петров" and out[-1]["choices"] == [] and "usage" in out[-1]


def test_tool_call_arguments_restored_and_escaped_per_call() -> None:
    sr = R.stream()
    out: list[dict[str, Any]] = []
    pieces0 = ['{"who": "Ден', 'ис Лукин", "q": "a', '"b"}']
    for p in pieces0:
        out += sr.feed(chunk(c(tool_calls=[{"index": 0, "function": {"arguments": p}}])))
    # The second call starts: the first call's held arguments must be sent before it.
    out += sr.feed(chunk(c(tool_calls=[{"index": 1, "id": "call_2", "type": "function",
                                        "function": {"name": "f", "arguments": '{"tel": "+7 937 029-43-84"}'}}])))
    out += sr.feed(chunk(c(finish="tool_calls")))
    args: dict[int, str] = {}
    order: list[int] = []
    for k in out:
        for ch in k["choices"]:
            for call in ch["delta"].get("tool_calls", []):
                args[call["index"]] = args.get(call["index"], "") + call["function"]["arguments"]
                order.append(call["index"])
    # 'a"b' is itself a surrogate: found in its JSON-escaped form and replaced by the escaped original.
    assert orjson.loads(args[0]) == {"who": "Иван Петров", "q": 'c"d'}
    assert orjson.loads(args[1]) == {"tel": "+7 912 345-67-89"}
    assert order.index(1) > max(i for i, x in enumerate(order) if x == 0)
    assert out[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_json_escape_of_an_original_in_tool_arguments() -> None:
    table = ReplacementTable({"Лукин": 'Пет"ров\\'})
    assert orjson.loads(table.restore('{"a": "Лукин"}', json=True)) == {"a": 'Пет"ров\\'}
    assert table.restore("Лукин") == 'Пет"ров\\'


def test_chunks_fully_held_are_dropped_but_role_chunk_is_kept() -> None:
    sr = R.stream()
    first = sr.feed(chunk(c(role="assistant", content="Лук")))
    assert len(first) == 1 and first[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert sr.feed(chunk(c(content="и"))) == []
    assert texts(sr.feed(chunk(c(content="н.")))) == "Петров."


def test_legacy_completion_chunks() -> None:
    sr = R.stream()

    def lc(text: str, finish: str | None = None) -> dict[str, Any]:
        return {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m",
                "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": finish}]}
    got = []
    for k in [*sr.feed(lc("Денис Лу")), *sr.feed(lc("кин")), *sr.feed(lc("", "stop")), *sr.flush()]:
        got.append((k["choices"][0]["text"], k["choices"][0]["finish_reason"]))
    assert "".join(t for t, _ in got) == "Иван Петров"
    assert got[-1][1] == "stop"


def test_restore_response_everywhere_in_a_completion() -> None:
    resp = {
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Лукину привет, ЛУКИН!",
                                     "tool_calls": [{"id": "1", "type": "function",
                                                     "function": {"name": "f", "arguments": '{"n": "Денис Лукин"}'}}]},
             "finish_reason": "tool_calls"},
            {"index": 1, "message": {"role": "assistant", "content": [{"type": "text", "text": "Денис"}]},
             "finish_reason": "stop"},
        ],
    }
    before = copy.deepcopy(resp)
    out = R.restore_response(resp)
    assert out["choices"][0]["message"]["content"] == "Петрову привет, ЛУКИН!"  # no UPPER pair here
    assert orjson.loads(out["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]) == {"n": "Иван Петров"}
    assert out["choices"][1]["message"]["content"][0]["text"] == "Иван"
    assert out != before
    legacy = {"object": "text_completion", "choices": [{"index": 0, "text": "Денис Лукин", "finish_reason": "stop"}]}
    assert R.restore_response(legacy)["choices"][0]["text"] == "Иван Петров"


def test_words_containing_a_surrogate_are_left_alone() -> None:
    t = ReplacementTable(PAIRS)
    assert t.restore("Денисович Лукинский Лукин") == "Денисович Лукинский Петров"
