"""The tagger's speed-ups (issues 11 and 13) must never change what it computes.

The model is not given ``features()`` itself but ``_model_rows``: the same strings as UTF-8
bytes, less the attributes the model has no weight for (CRFsuite drops those itself).  These
tests hold each shortcut against what it replaces — the rows against ``features()``, the labels
and every marginal against CRFsuite run on ``features()``, ``_in_dictionary`` against
pymorphy3's ``is_known``, the shape fast paths against the per-character rule, the per-word
caches against cold runs and threads — on corpus texts and on texts mutated by hypothesis.
(``benchmarks/privacy/tagger_identity.py`` compares against a copy of the old module.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perimeter.privacy.detect import tagger
from perimeter.privacy.detect.morph import analyzer
from tests.privacy_detect.conftest import in_threads

pytestmark = pytest.mark.skipif(not tagger.available(), reason="the tagger model is not shipped in this checkout")

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "privacy" / "corpus"


def _corpus_sample() -> list[str]:
    out = []
    for split, step in (("dev", 23), ("independent", 7), ("blind6", 9), ("fresh", 3)):
        lines = (CORPUS / f"{split}.jsonl").read_text("utf-8").splitlines()
        out += [json.loads(line)["text"] for line in lines[::step]]
    return out


HANDWRITTEN = [
    "",
    "Анна",
    "ФИО: Петрова Анна Сергеевна\nТелефон: +7 916 204-77-31\nАдрес: г. Нижний Новгород, ул. Ильинская, д. 5",
    "Hi, I am Anna Petrova, call me at +7 916 204-77-31 or anna.p@mail.ru about order 5521",
    "| name | city |\n|---|---|\n| John O'Brien | Los Angeles |\n| Ji-hoon Park | Rio de Janeiro |",
    "name = 'IVANOV IVAN'; key: value: other\n\nDear Ms. d’Artagnan,\n— Sergei",
    "a中 Aσ ǅemal ٣٣ ⅫⅫ ßtraße ΣΊΣΥΦΟΣ ёлка елка по-русски скажи-ка псевдокошка",
]
TEXTS = HANDWRITTEN + _corpus_sample()
PIECES = ["Anna ", "Petrova", "Петрова ", "Анна", ":", " = ", "|", "\n", "\n\n", " ", ", ", "Los Angeles ",
          "Нижний Новгород ", "ул. ", "12 Baker Street", "д. 5", "O'Brien", "№", "ФИО: ", "Name: ", "ё", "_"]


def _cases(text: str) -> list[str]:
    return [text, text.upper(), text.lower()]


def _expected_rows(text: str, spans: list[tuple[int, int]]) -> list[list[bytes]]:
    known = tagger._known()
    assert known is not None
    return [[b for b in (s.encode() for s in row) if b in known] for row in tagger.features(text, spans)]


def _crf_output(rows: list[list[str]] | list[list[bytes]]) -> tuple[list[str], list[float]]:
    crf = tagger._tagger()
    crf.set(rows)
    n = len(rows)
    return crf.tag(), [crf.marginal(y, i) for i in range(n) for y in crf.labels()]


def _check_model_rows(text: str) -> None:
    spans = tagger.tokens(text)
    rows = tagger._model_rows(text, spans)
    assert rows == _expected_rows(text, spans)
    if spans:
        # the same labels and the same floats, not close ones
        assert _crf_output(rows) == _crf_output(tagger.features(text, spans))


def test_the_model_attributes_are_read() -> None:
    # the filter is on for the shipped model (a None here would silently turn the saving off)
    known = tagger._known()
    assert known is not None
    assert len(known) == int(tagger._tagger().info().header["num_attrs"])
    assert b"b" in known and b"BOS" in known


@pytest.mark.parametrize("i", range(len(TEXTS)))
def test_model_rows_are_the_features_the_model_knows(i: int) -> None:
    for text in _cases(TEXTS[i]):
        _check_model_rows(text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TEXTS), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(PIECES)), max_size=6),
       st.sampled_from(["keep", "upper", "lower"]))
def test_model_rows_on_mutated_texts(base: str, splices: list[tuple[int, str]], case: str) -> None:
    text = base
    for at, piece in splices:
        k = at % (len(text) + 1)
        text = text[:k] + piece + text[k:]
    text = text.upper() if case == "upper" else text.lower() if case == "lower" else text
    _check_model_rows(text)


def _shape_by_character(word: str) -> str:
    """The shape rule, character by character (what _shape's fast paths shortcut)."""
    out: list[str] = []
    for c in word:
        k = "X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c
        if not out or out[-1] != k:
            out.append(k)
    s = "".join(out)
    if s == "d":
        return f"d{min(len(word), 9)}"
    if s == "X" and len(word) > 1:
        return "XX"
    return s


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZжЖ中ǅªßσΣ1٣Ⅻⅻ'_-İı"), min_size=1, max_size=6))
def test_shape_fast_paths(word: str) -> None:
    assert tagger._shape(word) == _shape_by_character(word)


def _words() -> list[str]:
    morph = analyzer()
    words: list[str] = []
    for prefix in ("петр", "анн", "кузн", "ёж", "ел", "мар", "пере", "по-"):
        for i, (w, *_rest) in enumerate(morph.dictionary.iter_known_words(prefix)):
            if i >= 60:
                break
            words.append(w)
    misspelt = [w[:-1] + "ъ" for w in words] + [w + "ок" for w in words] + [w.replace("ё", "е") for w in words]
    made_up = ["псевдокошка", "скажи-ка", "по-русски", "кто-то", "сверхмегапетров", "ёлка", "елка", "жx", "ааа"]
    return [w for w in words + misspelt + made_up if len(w) > 1]


def test_in_dictionary_is_pymorphys_is_known() -> None:
    words = _words()
    assert len(words) > 500
    differ = [w for w in words if (p := analyzer().parse(w)) and tagger._in_dictionary(p) != p[0].is_known]
    assert differ == []
    # both answers occur, so the comparison means something
    assert {tagger._in_dictionary(analyzer().parse(w)) for w in words} == {True, False}


def _clear() -> None:
    for cached in (tagger._static, tagger._morph, tagger._view, tagger._model_view, tagger._context, tagger._encoder,
                   tagger._heads):
        cached.cache_clear()
    tagger.summed.cache_clear()


def test_caches_do_not_change_results_across_calls_and_threads() -> None:
    texts = [t for base in TEXTS[:40] for t in _cases(base)]

    def run() -> list[object]:
        return [(tagger.find_tagged(t), tagger.features(t, tagger.tokens(t))) for t in texts]

    _clear()
    cold = run()
    warm = run()
    assert warm == cold
    _clear()
    assert all(r == cold for r in in_threads(run))


@pytest.fixture()
def unread_model_attributes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the model's attributes could not be read: the per-word caches are emptied before
    and after, so no unfiltered view outlives the test."""
    _clear()
    monkeypatch.setattr(tagger, "_known", lambda: None)
    yield
    monkeypatch.undo()
    _clear()


@pytest.mark.usefixtures("unread_model_attributes")
def test_without_the_model_attributes_every_feature_is_passed() -> None:
    for base in HANDWRITTEN + TEXTS[-10:]:
        for text in _cases(base):
            spans = tagger.tokens(text)
            rows = tagger._model_rows(text, spans)
            assert rows == [[s.encode() for s in row] for row in tagger.features(text, spans)]
            if spans:
                assert _crf_output(rows) == _crf_output(tagger.features(text, spans))
