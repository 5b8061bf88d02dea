"""Speed shortcuts of the scan (round 5) must never change what is found.

Each gate skips work only where that work cannot find anything; these tests hold each gate
against the work it skips, on corpus texts and on texts mutated (by hypothesis) to put cue
words, odd spaces and case-folding traps next to capitalised words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perimeter.privacy.detect import folded_re, names_cues, names_en, names_ru, names_ru_chat
from perimeter.privacy.detect.folded_re import twin_of
from perimeter.privacy.detect.slot_gate import group_may_start, prefix_of, tail_of

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "privacy" / "corpus"
SLOTS = [names_cues._TITLE, names_cues._GREETING, names_cues._SIGN_OFF, names_cues._RELATION, names_cues._INTRO,
         names_cues._VERB_OBJECT]
# Pieces a mutation splices in: cue words of every slot, separators, and characters that
# ``re.IGNORECASE`` folds oddly ("ſ" matches "s", "K" (Kelvin) matches "k").
PIECES = ["Dear ", "my colleague ", "My Friend, ", "I am ", "I’m ", "this is ", "Mr. ", "Sig.ra ", "M. ", "Hi ",
          "Best,\n", "\n— ", "Thanks! — ", "--\n", "invite ", "ask ", "co-worker ", "ſon ", "\u212aid ", "Anna ",
          "Keller", " ", "\u00a0", ",", "\n", "-", ".", "Ngozi Adeyemi", "Ji-hoon", "İ"]


def _corpus_texts() -> list[str]:
    out = []
    for split in ("dev", "blind5", "independent"):
        for line in (CORPUS / f"{split}.jsonl").read_text("utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    return out


TEXTS = _corpus_texts()


def _group_starts_at(rx: re.Pattern[str], text: str, lo: int, s: int) -> bool:
    """Brute force: some match of ``rx`` starting in ``[lo, s]`` has group 1 at ``s``."""
    end = min(len(text), s + 160)
    return any((m := rx.match(text, p, end)) is not None and m.start(1) == s for p in range(lo, s + 1))


def test_every_slot_pattern_gets_a_gate() -> None:
    for rx in SLOTS:
        assert prefix_of(rx.pattern) is not None, rx.pattern[:40]
        assert tail_of(rx) is not None


def test_prefix_is_cut_before_the_first_capturing_group_only() -> None:
    assert prefix_of(r"(?<![\w])(?:Mr|Dr)\.?[ ]+([A-Z]\w+)") == r"(?<![\w])(?:Mr|Dr)\.?[ ]+"
    assert prefix_of(r"[(]x(?P<n>y)") == r"[(]x"
    assert prefix_of(r"\(a(b)") == r"\(a"
    assert prefix_of(r"a\b(c)") is None  # looks past its end
    assert prefix_of(r"a(?=b)(c)") is None
    assert prefix_of(r"a$(c)") is None
    assert prefix_of(r"(c)d") is None  # nothing before the group to test
    assert tail_of(re.compile(r"(?:a(b))")) is None  # the prefix leaves a bracket open


def test_gate_opens_for_real_slots() -> None:
    text = "Hello, I am Anna Keller. My colleague Ngozi Adeyemi and Dr. Ruth Okafor."
    for word, rx in (("Anna", names_cues._INTRO), ("Ngozi", names_cues._RELATION), ("Ruth", names_cues._TITLE)):
        s = text.index(word)
        assert group_may_start(rx, text, max(0, s - 60), s)
        assert _group_starts_at(rx, text, max(0, s - 60), s)
    s = text.index("Anna")
    assert not group_may_start(names_cues._RELATION, text, max(0, s - 60), s)


def _check_text(text: str) -> None:
    for t in re.finditer(r"[A-Z]", text):
        s = t.start()
        lo = max(0, s - 60)
        for rx in SLOTS:
            if not group_may_start(rx, text, lo, s):
                assert not _group_starts_at(rx, text, lo, s), (rx.pattern[:30], text[max(0, s - 40):s + 20])


def test_gate_never_closes_on_a_slot_in_the_corpus() -> None:
    for text in TEXTS[::5]:
        _check_text(text[:1500])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=st.integers(min_value=0, max_value=len(TEXTS) - 1),
    edits=st.lists(st.tuples(st.integers(min_value=0, max_value=400), st.sampled_from(PIECES)), min_size=1, max_size=6),
)
def test_gate_never_closes_on_a_slot_in_mutated_texts(doc: int, edits: list[tuple[int, str]]) -> None:
    text = TEXTS[doc][:400]
    for at, piece in edits:
        at = min(at, len(text))
        text = text[:at] + piece + text[at:]
    _check_text(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=st.integers(min_value=0, max_value=len(TEXTS) - 1),
    edits=st.lists(st.tuples(st.integers(min_value=0, max_value=400), st.sampled_from(PIECES)), min_size=1, max_size=6),
)
def test_cued_names_are_the_same_without_the_gate(doc: int, edits: list[tuple[int, str]]) -> None:
    text = TEXTS[doc][:400]
    for at, piece in edits:
        at = min(at, len(text))
        text = text[:at] + piece + text[at:]
    gated = names_cues.find_cued_names(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(names_cues, "group_may_start", lambda *_args: True)
        assert names_cues.find_cued_names(text) == gated


# --------------------------------------------------------------- folded_re: IGNORECASE twins
FOLD_PIECES = ["Я ", "ЭТО ", "зовут ", "Звать ", "ᲃаша", "ОЛЯ", "talked to ", "TALKED TO ", "Spoke With ", "my gf ", "MY BOSS ", "I'M ", "i am ", "ask ", "Call ",
               "ſpoke to ", "\u212aate", "İ", "ı", "ﬁ", "ß", "Σ", "ᲃ", "john ", "Smith", "\t", "’", "-", "cc "]


def test_lower_cue_has_a_folded_twin_and_unsafe_patterns_get_none() -> None:
    assert twin_of(names_en._LOWER_CUE) is not None
    assert twin_of(re.compile("Anna|bob", re.IGNORECASE)) is None  # an upper-case literal
    assert twin_of(re.compile("(a)\\1", re.IGNORECASE)) is None  # a back-reference
    assert twin_of(re.compile("a(?-i:b)", re.IGNORECASE)) is None  # a scoped case flag
    assert twin_of(re.compile("µs", re.IGNORECASE)) is None  # folds onto "μ" beyond the trap table
    assert twin_of(re.compile("abc")) is None  # nothing to gain without the flag


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=st.integers(min_value=0, max_value=len(TEXTS) - 1),
    edits=st.lists(st.tuples(st.integers(min_value=0, max_value=400), st.sampled_from(FOLD_PIECES)), min_size=0, max_size=8),
)
def test_folded_twin_finds_exactly_what_ignorecase_finds(doc: int, edits: list[tuple[int, str]]) -> None:
    text = TEXTS[doc][:400]
    for at, piece in edits:
        at = min(at, len(text))
        text = text[:at] + piece + text[at:]
    for rx in (names_en._LOWER_CUE, names_ru_chat._AFTER_INTRO):
        expected = [(m.span(), m.groups()) for m in rx.finditer(text)]
        assert [(m.span(), m.groups()) for m in folded_re.finditer(rx, text)] == expected
        first = rx.search(text)
        got = folded_re.search(rx, text)
        assert (first and (first.span(), first.groups())) == (got and (got.span(), got.groups()))


def test_folded_twin_on_the_whole_corpus() -> None:
    for rx in (names_en._LOWER_CUE, names_ru_chat._AFTER_INTRO):
        assert twin_of(rx) is not None
        for text in TEXTS:
            assert [m.span() for m in folded_re.finditer(rx, text)] == [m.span() for m in rx.finditer(text)]


# --------------------------------------------------------- folded_re: opening-word gate
RU_PIECES = ["спроси ", "СКАЖИ ", "Позвонить ", "ᲃпроси ", "напишите ", "передай ", "у ", "к ", "лене ", "\u1c80", "\n"]


def test_leading_words_come_from_the_pattern() -> None:
    assert folded_re.leading_words(names_ru._CUE_VERB) == ("напиши", "передай", "позвони", "попроси", "скажи", "спроси")
    assert folded_re.leading_words(re.compile(r"\b(?:ab|cd)x|ef")) == ("ab", "cd", "ef")
    assert folded_re.leading_words(re.compile(r"a?b")) is None
    assert folded_re.leading_words(re.compile(r"(?:ab|[cd])")) is None
    assert folded_re.leading_words(re.compile("Ab", re.IGNORECASE)) is None  # no exact twin


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=st.integers(min_value=0, max_value=len(TEXTS) - 1),
    edits=st.lists(st.tuples(st.integers(min_value=0, max_value=400), st.sampled_from(RU_PIECES)), min_size=0, max_size=6),
)
def test_opening_word_gate_never_skips_a_match(doc: int, edits: list[tuple[int, str]]) -> None:
    text = TEXTS[doc][:400]
    for at, piece in edits:
        at = min(at, len(text))
        text = text[:at] + piece + text[at:]
    for rx in (names_ru._CUE_VERB, names_ru._PERSON_CUE, names_en._LOWER_CUE):
        if rx.search(text) is not None:
            assert folded_re.may_match(rx, text), (rx.pattern[:30], text)
    with pytest.MonkeyPatch.context() as mp:
        gated = names_ru.find_lowercase_names(text)
        mp.setattr(folded_re.Openings, "within", lambda *_args: True)
        assert names_ru.find_lowercase_names(text) == gated


def test_openings_say_where_a_windowed_search_can_match() -> None:
    text = "ну скажи лене, а потом ᲃпроси у саши"
    gate = folded_re.Openings(names_ru._CUE_VERB, text)
    for lo in range(len(text)):
        for hi in range(lo, min(len(text), lo + 30) + 1):
            if names_ru._CUE_VERB.search(text, lo, hi) is not None:
                assert gate.within(lo, hi), (lo, hi)
    assert not gate.within(0, 3)
    assert gate.within(3, 4)


# ------------------------------------------- the lower-case name rules' literal gates (hyperscan)
LOWER_PIECES = [*FOLD_PIECES, "mrs ", "Dr. ", "tío ", "nana\u00a0", "hey ", "thx, ", "Hello ", "yo\u00a0", " can u ", " please ",
                "\u00a0plz ", " said ", " dm'd ", " dmd ", "\u00a0pinged ", "just ", "sam", "dee", "okonkwo", "\n", ". "]


def _lower_matches(text: str, ix: object) -> list[list[tuple[int, int]]]:
    from perimeter.privacy.detect.prescan import TextIndex, matches_at

    assert ix is None or isinstance(ix, TextIndex)
    out = [[m.span() for m in f(text, ix)] for f in (names_cues._lower_titles, names_cues._lower_greetings,
                                                     names_cues._lower_before_verbs)]
    starts = ix.literal_starts("lower_name_cues") if ix is not None else None
    cues = folded_re.finditer(names_en._LOWER_CUE, text) if starts is None else matches_at(names_en._LOWER_CUE, text, starts)
    return [*out, [m.span() for m in cues]]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    doc=st.integers(min_value=0, max_value=len(TEXTS) - 1),
    edits=st.lists(st.tuples(st.integers(min_value=0, max_value=400), st.sampled_from(LOWER_PIECES)), min_size=0, max_size=8),
    lower=st.booleans(),
)
def test_lower_name_gates_from_the_literal_pass_close_only_where_nothing_matches(
        doc: int, edits: list[tuple[int, str]], lower: bool) -> None:
    from perimeter.privacy.detect.prescan import TextIndex

    text = TEXTS[doc][:400]
    for at, piece in edits:
        at = min(at, len(text))
        text = text[:at] + piece + text[at:]
    text = text.lower() if lower else text
    assert _lower_matches(text, TextIndex(text)) == _lower_matches(text, None)
