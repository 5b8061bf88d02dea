"""The shared pre-scan (``prescan.TextIndex``) and the one-pass trigger words (``literals``).

Both only decide *where* the detectors look; they must never change *what* is found.  These
tests check each shortcut against the plain regex pass it replaces, on the corpus and on texts
built to hit the edge cases (non-ASCII digits, "–"/"№", characters that case-fold oddly).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect import literals
from perimeter.privacy.detect.addresses import _EN_TRIGGER, _RU_TRIGGER
from perimeter.privacy.detect.keywords import _KEYWORDS, nearest_context
from perimeter.privacy.detect.prescan import FOLD_TRAPS, TextIndex, matches_at
from perimeter.privacy.detect.secrets import _TRIGGER, _VENDOR_TRIGGER

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "privacy" / "corpus"
ODD = ["İ", "ı", "ſ", "\u1c83", "\u1c84", "٣", "７", "\x01", "\x02", "–", "№", "\u00a0", "\n", "Σ", "ß", "K"]
EDGE_CASES = [
    "\u1c83ерия 45 10 номер 123456", "ſeries 45 10 number 123456", "СЕРИЯ 4510 № 123456",
    "bık 044525225 р/с 40702810900000000001 к/с 30101810400000000225", "ИНН ٧٧٠٧٠٨٣٨٩٣",
    "ИНН ７７０７０８３８９３", "\x01 7707083893 \x02 45 10 № 123456",
    "İstanbul İNN 7707083893 serİes 4510 номер 123456 passwordİ=Kofe_2024!",
    "ĞĞĞ 1.2.3.4 host 10.0.0.1 ::1 fe80::1 2001:db8::ff00:42:8329", "GB82WEST12345698765432 DE89 3704 0044 0532 0130 00",
    "sk-proj-abcdefghijklmnopqrstuvwxyz012345 ghp_abcdefghijklmnopqrstuvwxyz0123456789 \u1c80",
    "пароль: Kofe_2024! дата рождения 01.02.1990 г.р. ı", "XP.O. Box 12, PO Box 34, Springfield, IL 62704",
    "SG.abcdéfghijklmnopq.rstuvwxyzabcdéfghijklmnopqrstuvwxyz0123 glpat-ключ_abcdefghijklmnopqrstu",
    "\U0001f600 пароль: Kofe_2024! ИНН 7707083893, ул. Ленина, д. 5, token=abcDEF123456789xyz \U0001f600 ул. Мира, 7",
]


def _corpus_texts() -> list[str]:
    texts = []
    for split in ("dev", "heldout", "fresh"):
        for line in (CORPUS / f"{split}.jsonl").read_text("utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    docs = _corpus_texts()
    joined = "\n\n".join(docs)
    rng = random.Random(11)
    mutated = []
    for _ in range(400):
        at = rng.randrange(len(joined))
        chars = list(joined[at : at + 300])
        for _ in range(rng.randrange(1, 6)):
            chars[rng.randrange(len(chars))] = rng.choice(ODD)
        mutated.append("".join(chars))
    return docs + EDGE_CASES + mutated


def _digit_windows_reference(text: str, pad: int, min_len: int) -> list[tuple[int, int]]:
    """The digit-region windows as the detectors computed them before the pre-scan existed."""
    region = re.compile(r"\d[\d \t\u00a0\-–./№()+\n]{" + str(min_len - 2) + r",}\d")
    spans: list[tuple[int, int]] = []
    for m in region.finditer(text):
        a, b = max(0, m.start() - pad), min(len(text), m.end() + pad)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def test_digit_windows_match_the_regex_they_replace(texts: list[str]) -> None:
    for text in texts:
        ix = TextIndex(text)
        for pad, min_len in ((2, 9), (3, 7), (2, 7)):
            assert ix.digit_regions(pad, min_len) == _digit_windows_reference(text, pad, min_len), text[:80]


def test_non_ascii_digits_count_as_digits_like_backslash_d() -> None:
    assert TextIndex("ИНН ７７０７０８３８９３").exotic_digits
    assert not TextIndex("ИНН 7707083893, № 5 – ок").exotic_digits
    assert [e.text for e in Scanner(ner=False).scan("ИНН ７７０７０８３８９３")] == ["７７０７０８３８９３"]


@pytest.mark.parametrize("hyperscan", [True, False])
def test_trigger_words_give_exactly_what_finditer_gives(texts: list[str], hyperscan: bool) -> None:
    if hyperscan and not literals._hs:
        pytest.skip("hyperscan is not installed on this platform (pure-Python path tested below)")
    literals.use_hyperscan(hyperscan)
    try:
        for text in texts:
            ix = TextIndex(text)
            for rx, group in ((_TRIGGER, "secret_words"), (_RU_TRIGGER, "ru_streets"),
                              (_EN_TRIGGER, "en_streets"), (_VENDOR_TRIGGER, "vendor_prefixes")):
                expected = [m.span() for m in rx.finditer(ix.haystack(group))]
                assert [m.span() for m in ix.literal_matches(rx, group)] == expected, (group, text[:80])
            for group in ("birth_before", "birth_after", "passport_series", "bik"):
                words = re.compile(literals.alternation(literals.HAYSTACKS[literals.HAYSTACK_OF[group]][group]))
                starts = ix.literal_starts(group, fallback_find=True)
                assert starts is not None
                assert sorted(set(starts)) == sorted({m.start() for m in _overlapping(words, ix.haystack(group))})
    finally:
        literals.use_hyperscan(True)


def _overlapping(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    at = 0
    while (m := rx.search(text, at)) is not None:
        yield m
        at = m.start() + 1


def test_pattern_stage_is_the_same_with_and_without_hyperscan(texts: list[str]) -> None:
    if not literals._hs:
        pytest.skip("hyperscan is not installed on this platform")
    scanner = Scanner(ner=False)
    with_hs = [scanner.scan_patterns(t) for t in texts]
    literals.use_hyperscan(False)
    try:
        without = [scanner.scan_patterns(t) for t in texts]
    finally:
        literals.use_hyperscan(True)
    assert sum(map(len, with_hs)) > 500  # the corpus is full of values: this compares real findings
    for a, b, text in zip(with_hs, without, texts, strict=True):
        assert sorted(a, key=repr) == sorted(b, key=repr), text[:80]


def test_matches_at_is_finditer_when_every_match_starts_at_a_candidate() -> None:
    rx = re.compile(r"пр-|пр-д|ab\w*")
    text = "пр-д abab пр- xab ab_c"
    starts = sorted(m.start() for m in _overlapping(re.compile("пр-|ab"), text))
    assert [m.span() for m in matches_at(rx, text, starts)] == [m.span() for m in rx.finditer(text)]


def test_fold_traps_list_every_character_that_case_folds_onto_a_keyword_letter() -> None:
    letters = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    any_letter = re.compile(f"[{letters}]", re.IGNORECASE)
    traps = {chr(cp) for cp in range(0x80, 0x110000)
             if not 0xD800 <= cp < 0xE000 and any_letter.fullmatch(chr(cp)) and chr(cp).lower() not in letters}
    assert traps == set(FOLD_TRAPS)
    for trap, letter in FOLD_TRAPS.items():
        assert re.fullmatch(letter, trap, re.IGNORECASE)


def test_folded_text_finds_what_ignorecase_finds() -> None:
    text = "ſeries 45 10 number 123456, \u1c83ерия 4510 № 654321, İNN"
    ix = TextIndex(text)
    assert len(ix.folded) == len(text)
    series = re.compile("сери|series", re.IGNORECASE)
    assert ix.literal_starts("passport_series", fallback_find=True) == [m.start() for m in series.finditer(text)]


def test_nearest_context_matches_the_grouped_pattern(texts: list[str]) -> None:
    def reference(text: str, start: int) -> str | None:
        last = None
        for m in _KEYWORDS.finditer(text[max(0, start - 48) : start].lower()):
            last = m.lastgroup
        return last

    rng = random.Random(5)
    joined = "\n".join(texts[:300])
    soup = " ".join(rng.choice(["inn", "ИНН", "card", "order", "orders no", "acc", "acct", "счет", "р/с", "xinn",
                                "_inn", "tin", "мир", "мира", "fax", "ref", "id", "sku", "9", "-", "№"]) for _ in range(3000))
    for text in (joined, soup):
        for start in (rng.randrange(len(text)) for _ in range(3000)):
            assert nearest_context(text, start) == reference(text, start)
