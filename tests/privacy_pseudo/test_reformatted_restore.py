"""Restore of surrogates the model re-formats, and the literal matcher that replaced the regex.

Models repeat a phone number in their own layout, or a name in capitals; the client must still
see the original.  The streamed restore must agree with the whole-answer restore however the
answer is split into chunks.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from perimeter.privacy.pseudonymize.matcher import WordMatcher
from perimeter.privacy.pseudonymize.stream_restore import StreamingRestorer
from perimeter.privacy.pseudonymize.table import ReplacementTable

PAIRS = {
    "+1 628 555 0147": "+1 415 555 0132",
    "16285550147": "14155550132",
    "4929 1234 5678 9012": "4111 1111 1111 1111",
    "Dan Brown": "John Smith",
    "Dan": "John",
    "Brown": "Smith",
    "BROWN": "SMITH",
    "dan.brown@example.org": "john.smith@corp.example",
    "05.11.1979": "12.03.1985",
}
T = ReplacementTable(PAIRS)


# ---------------------------------------------------------------- numbers in another layout
def test_phone_in_another_layout_gets_the_original_digits_in_that_layout() -> None:
    assert T.restore("Call +1 (628) 555-0147 today") == "Call +1 (415) 555-0132 today"
    assert T.restore("Call 1-628-555-0147.") == "Call 1-415-555-0132."


def test_phone_without_its_country_code() -> None:
    assert T.restore("Area code and number: (628) 555-0147.") == "Area code and number: (415) 555-0132."
    assert T.restore("628.555.0147") == "415.555.0132"
    assert T.restore("call 628-555-0147 1234567") == "call 415-555-0132 1234567"
    assert T.restore("99 628 555 0147") == "99 415 555 0132"  # "99" may be a count: the window without it


def test_phone_with_a_country_code_the_surrogate_did_not_have() -> None:
    t = ReplacementTable({"628-555-0147": "415-555-0132"})
    assert t.restore("Dial +1 628 555 0147") == "Dial +1 415 555 0132"


def test_card_and_date_in_another_layout() -> None:
    assert T.restore("card 4929-1234-5678-9012") == "card 4111-1111-1111-1111"
    assert T.restore("born 05/11/1979") == "born 12/03/1985"


def test_the_surrogate_as_sent_is_restored_exactly() -> None:
    assert T.restore("+1 628 555 0147") == "+1 415 555 0132"
    assert T.restore("x 16285550147 y") == "x 14155550132 y"


def test_other_numbers_are_left_alone() -> None:
    for text in ("(628) 555-0148", "628 555 01475", "1234567", "Year 2024, 5 items", "ref A6285550147",
                 "9999628-555-0147"):  # four extra leading digits: not a country code
        assert T.restore(text) == text, text


def test_number_reformatting_in_tool_arguments() -> None:
    assert T.restore('{"tel": "(628) 555-0147"}', json=True) == '{"tel": "(415) 555-0132"}'


# ---------------------------------------------------------------- names in another case
def test_full_name_in_lower_upper_and_title_case() -> None:
    assert T.restore("dan brown said") == "john smith said"
    assert T.restore("DAN BROWN said") == "JOHN SMITH said"
    assert T.restore("Dan Brown said") == "John Smith said"


def test_a_lone_lower_case_word_is_not_taken_for_a_name() -> None:
    assert T.restore("a brown dog") == "a brown dog"
    assert T.restore("Brown dog") == "Smith dog"


def test_email_case_variants_still_work() -> None:
    assert T.restore("DAN.BROWN@EXAMPLE.ORG") != "DAN.BROWN@EXAMPLE.ORG" or "DAN.BROWN@EXAMPLE.ORG" not in T.text_map
    assert T.restore("write to dan.brown@example.org") == "write to john.smith@corp.example"


# ---------------------------------------------------------------- the matcher keeps regex semantics
def _regex_spans(keys: list[str], text: str) -> list[tuple[int, int, str]]:
    ordered = sorted(dict.fromkeys(k for k in keys if k), key=len, reverse=True)
    if not ordered:
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in ordered) + r")(?!\w)")
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


ALPHABET = "ab AБ-.1_é"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=6),
       st.text(ALPHABET, max_size=40))
def test_word_matcher_equals_the_regex_it_replaced(keys: list[str], text: str) -> None:
    assert WordMatcher(keys).spans(text) == _regex_spans(keys, text)


def test_word_matcher_json_escape_boundaries() -> None:
    m = WordMatcher(["Dan"], json_escapes=True)
    assert [s for s, _, _ in m.spans("x\\nDan \\u00e9Dan aDan")] == [3, 13]
    assert WordMatcher(["Dan"]).spans("x\\nDan") == []


def test_nothing_is_compiled_per_table() -> None:
    before = re._cache.copy() if hasattr(re, "_cache") else {}  # type: ignore[attr-defined]
    table = ReplacementTable({"Zxq Unique 9": "orig", "Qwerty": "Other"})
    assert table.restore("Zxq Unique 9 and Qwerty") == "orig and Other"
    after = re._cache if hasattr(re, "_cache") else {}  # type: ignore[attr-defined]
    assert not any("Qwerty" in str(k) for k in set(after) - set(before))


# ---------------------------------------------------------------- streams agree with whole answers
ANSWER = ("Sure, dan brown. Your number (628) 555-0147, or +1 628 555 0147; card 4929 1234 5678 9012 "
          "and DAN BROWN born 05/11/1979. Brown, call 628-555-0147 1234567 and 9999628-555-0147.")


def _stream(table: ReplacementTable, pieces: list[str]) -> str:
    sr = StreamingRestorer(table)
    out: list[str] = []
    for i, piece in enumerate(pieces):
        final = i == len(pieces) - 1
        chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": "stop" if final else None}]}
        for c in sr.feed(chunk):
            out.extend(ch["delta"].get("content", "") for ch in c["choices"])
    for c in sr.flush():
        out.extend(ch["delta"].get("content", "") for ch in c["choices"])
    return "".join(out)


def test_whole_answer_restores_every_reformatted_surrogate() -> None:
    got = T.restore(ANSWER)
    assert "628" not in got.replace("9999628-555-0147", "") and "Brown" not in got and "4929" not in got
    assert "(415) 555-0132" in got and "john smith" in got and "JOHN SMITH" in got and "12/03/1985" in got


def test_stream_split_at_every_boundary_equals_whole_restore() -> None:
    expected = T.restore(ANSWER)
    for k in range(len(ANSWER) + 1):
        assert _stream(T, [ANSWER[:k], ANSWER[k:]]) == expected, k


def test_stream_one_character_per_chunk() -> None:
    assert _stream(T, list(ANSWER)) == T.restore(ANSWER)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(ANSWER)), max_size=30))
def test_stream_any_split_equals_whole_restore(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    pieces = [ANSWER[a:b] for a, b in zip([0, *points], [*points, len(ANSWER)], strict=True)]
    assert _stream(T, pieces) == T.restore(ANSWER)


def test_text_after_a_number_is_held_only_while_the_number_may_grow() -> None:
    sr = StreamingRestorer(T)

    def feed(text: str) -> str:
        out = sr.feed({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]})
        return "".join(ch["delta"].get("content", "") for c in out for ch in c["choices"])

    assert feed("Call (628) 555") == "Call "
    assert feed("-0147") == ""
    assert feed(" now") == "(415) 555-0132 now"
    assert feed("We have 3 cats") == "We have 3 cats"


# ---------------------------------------------------------------- the stream's quick test
def test_unchanged_text_has_no_surrogate_and_no_digit() -> None:
    assert T.unchanged("Sure, here is the summary you asked for.")
    assert not T.unchanged("ask Dan about it")  # a surrogate
    assert not T.unchanged("Dang")  # contains one (word boundaries aside): not certain, not quick
    assert not T.unchanged("room 4")  # a digit, where number surrogates exist
    assert ReplacementTable({"Dan": "John"}).unchanged("room 4")  # no number surrogates: digits are text


QUICK_ALPHABET = "Dan Brow.@-(+14éx"


@settings(max_examples=400, deadline=None)
@given(st.text(QUICK_ALPHABET, max_size=8), st.text(QUICK_ALPHABET, max_size=30))
def test_unchanged_text_has_no_match_whatever_its_left_context(ctx: str, text: str) -> None:
    if T.unchanged(text):
        assert T.spans(ctx + text, len(ctx)) == []
        assert T.spans(ctx + text, len(ctx), json=True) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(QUICK_ALPHABET, max_size=12), min_size=1, max_size=8))
def test_stream_of_plain_and_surrogate_pieces_equals_whole_restore(pieces: list[str]) -> None:
    """Chunks that take the quick path (no surrogate in them) and chunks that do not, mixed."""
    assert _stream(T, pieces) == T.restore("".join(pieces))
