"""Property tests: restore(pseudonymize(x)) == x, and streaming equals whole-text restoring."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perimeter.privacy.entities import Entity
from perimeter.privacy.pseudonymize.pseudonymizer import Pseudonymizer
from perimeter.privacy.pseudonymize.restore import ReplacementTable
from perimeter.privacy.pseudonymize.stream_restore import StreamingRestorer

SAMPLES: list[tuple[str, str]] = [
    ("PERSON", "Иван Петров"), ("PERSON", "Ивану Петрову"), ("PERSON", "Петровой Анны Сергеевны"),
    ("PERSON", "Сидоров С.С."), ("PERSON", "Кузнецовым"), ("PERSON", "John Smith"), ("PERSON", "Dr. Mary Jones"),
    ("PERSON", "Ким"), ("PHONE", "+7 (912) 345-67-89"), ("PHONE", "89161234567"), ("PHONE", "+1 415-555-2671"),
    ("RU_INN", "7707083893"), ("RU_INN", "500100732259"), ("EMAIL", "ivan.petrov@sber.ru"),
    ("EMAIL", "a.b@gmail.com"), ("CREDIT_CARD", "4111 1111 1111 1111"), ("RU_SNILS", "112-233-445 95"),
    ("IBAN", "DE89 3704 0044 0532 0130 00"), ("SECRET", "sk-proj-AbC123xyzQQ9"), ("IP_ADDRESS", "10.0.0.12"),
    ("ADDRESS", "ул. Ленина, д. 5, кв. 12"), ("DATE_OF_BIRTH", "12.03.1985"), ("RU_PASSPORT", "45 12 345678"),
    ("US_SSN", "078-05-1120"), ("RU_OGRN", "1027700132195"), ("RU_BANK_ACCOUNT", "40817810099910004312"),
    ("ORGANIZATION", "ООО «Ромашка»"), ("UNKNOWN_KIND", "zz-top-secret-42"),
]
FILLER = ["привет", "договор", "и", "hello", "the", "report", "сумма", "100", "руб.", "—", "ok", "(см.", "ниже)"]
SEPARATORS = [" ", ", ", ". ", ": ", "\n", " (", ") ", "; "]

PZ = Pseudonymizer(b"roundtrip-secret-0123456789abcdef")
PLACEHOLDERS = Pseudonymizer(b"roundtrip-secret-0123456789abcdef", mode="placeholder")

segment = st.one_of(st.sampled_from(FILLER).map(lambda w: ("", w)), st.sampled_from(SAMPLES))
document = st.lists(st.tuples(segment, st.sampled_from(SEPARATORS)), min_size=1, max_size=14)


def build(doc: list[tuple[tuple[str, str], str]]) -> tuple[str, list[Entity]]:
    text, ents = "", []
    for (etype, value), sep in doc:
        if etype:
            ents.append(Entity(etype, len(text), len(text) + len(value), value))
        text += value + sep
    return text, ents


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(document, min_size=1, max_size=3), st.sampled_from(["team:a", "team:b"]), st.booleans())
def test_restore_of_pseudonymized_is_identity(docs: list[list[tuple[tuple[str, str], str]]], tenant: str,
                                              placeholder: bool) -> None:
    built = [build(d) for d in docs]
    texts = [t for t, _ in built]
    pz = PLACEHOLDERS if placeholder else PZ
    out = pz.run(tenant, texts, [e for _, e in built])
    table = ReplacementTable(out.pairs)
    for original, sent, (_, ents) in zip(texts, out.texts, built, strict=True):
        for e in ents:
            if e.type not in ("PERSON",) or placeholder:
                assert e.text not in sent  # every value left the text
        assert table.restore(sent) == original
        # The same text inside tool-call arguments (JSON, escaped either way) restores too.
        for ascii_only in (True, False):
            args = json.dumps({"note": sent}, ensure_ascii=ascii_only)
            assert json.loads(table.restore(args, json=True)) == {"note": original}


def _pseudonymized_answer() -> tuple[str, ReplacementTable]:
    text, ents = build([(s, " ") for s in SAMPLES[:12]] + [(("", "конец"), ".")])
    out = PZ.run("t", [text], [ents])
    return out.texts[0], ReplacementTable(out.pairs)


ANSWER, TABLE = _pseudonymized_answer()


def _stream(table: ReplacementTable, pieces: list[str], field: str = "content") -> str:
    sr = StreamingRestorer(table)
    out = []
    for i, piece in enumerate(pieces):
        final = i == len(pieces) - 1
        chunk = {"id": "c", "object": "chat.completion.chunk",
                 "choices": [{"index": 0, "delta": {field: piece}, "finish_reason": "stop" if final else None}]}
        for c in sr.feed(chunk):
            for ch in c["choices"]:
                out.append(ch["delta"].get(field, ""))
    for c in sr.flush():
        out.extend(ch["delta"].get(field, "") for ch in c["choices"])
    return "".join(out)


def test_stream_split_at_every_boundary_equals_whole_restore() -> None:
    expected = TABLE.restore(ANSWER)
    assert expected != ANSWER
    for k in range(len(ANSWER) + 1):
        assert _stream(TABLE, [ANSWER[:k], ANSWER[k:]]) == expected, k


def test_stream_one_character_per_chunk() -> None:
    assert _stream(TABLE, list(ANSWER)) == TABLE.restore(ANSWER)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(ANSWER)), max_size=25))
def test_stream_any_split_equals_whole_restore(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    pieces = [ANSWER[a:b] for a, b in zip([0, *points], [*points, len(ANSWER)], strict=True)]
    assert _stream(TABLE, pieces) == TABLE.restore(ANSWER)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2000), max_size=20), st.booleans())
def test_streamed_tool_arguments_restore_to_valid_json(cuts: list[int], ascii_only: bool) -> None:
    args = json.dumps({"to": ANSWER, "n": 1}, ensure_ascii=ascii_only)
    points = sorted({c % (len(args) + 1) for c in cuts})
    pieces = [args[a:b] for a, b in zip([0, *points], [*points, len(args)], strict=True)]
    sr = StreamingRestorer(TABLE)
    got = []
    for i, piece in enumerate(pieces):
        chunk = {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]},
                              "finish_reason": "tool_calls" if i == len(pieces) - 1 else None}]}
        for c in sr.feed(chunk):
            for ch in c["choices"]:
                for call in ch["delta"].get("tool_calls", []):
                    got.append(call["function"]["arguments"])
    assert json.loads("".join(got)) == {"to": TABLE.restore(ANSWER), "n": 1}
