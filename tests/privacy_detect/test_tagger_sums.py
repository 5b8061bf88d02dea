"""The tagger's summed state scores (tagger_sums, issue 13) must tag as the strings did.

CRFsuite is given three numbers per token — the label scores its attributes add up to, summed
per word and cached — instead of ~10 attribute strings.  These tests hold the shortcut against
CRFsuite run on the model rows: the same Viterbi labels and the same marginals up to the last
bits of a double (the weights are added in another order), on corpus texts, their upper- and
lower-case copies and texts mutated by hypothesis; the patched copy of the model keeps the
file's transitions exactly; a full word table starts afresh without changing a score; threads
read the same; and a model file laid out otherwise turns the shortcut off, not the tagger.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perimeter.privacy.detect import tagger, tagger_sums
from tests.privacy_detect.conftest import in_threads
from tests.privacy_detect.test_tagger_speed import PIECES, TEXTS

pytestmark = pytest.mark.skipif(not tagger.available(), reason="the tagger model is not shipped in this checkout")


def _by_strings(text: str) -> tuple[list[str], list[float]]:
    spans = tagger.tokens(text)
    crf = tagger._tagger()
    labels = crf.tag(tagger._model_rows(text, spans))
    return labels, [crf.marginal(y, i) for i in range(len(spans)) for y in crf.labels()]


def _summed() -> tagger_sums.Summed:
    fast = tagger.summed()
    assert fast is not None  # None would silently turn the saving off
    return fast


def _by_sums(text: str) -> tuple[list[str], list[float]]:
    spans = tagger.tokens(text)
    got = _summed().tag(text, spans)
    assert got is not None
    crf, labels = got
    return labels, [crf.marginal(y, i) for i in range(len(spans)) for y in crf.labels()]


def _check(text: str) -> None:
    if not tagger.tokens(text):
        assert _summed().state_scores(text, []) is None
        return
    labels, probs = _by_strings(text)
    labels2, probs2 = _by_sums(text)
    assert labels2 == labels
    assert probs2 == pytest.approx(probs, abs=1e-12)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    tagger.summed.cache_clear()
    yield
    tagger.summed.cache_clear()


def test_the_summed_model_is_read_from_the_shipped_file() -> None:
    m = _summed().model
    assert len(m.weights) == int(tagger._tagger().info().header["num_attrs"])


@pytest.mark.parametrize("i", range(0, len(TEXTS), 3))
def test_labels_and_marginals_are_the_strings_ones(i: int) -> None:
    for text in (TEXTS[i], TEXTS[i].upper(), TEXTS[i].lower()):
        _check(text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TEXTS), st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(PIECES)), max_size=6))
def test_on_mutated_texts(base: str, splices: list[tuple[int, str]]) -> None:
    text = base
    for at, piece in splices:
        k = at % (len(text) + 1)
        text = text[:k] + piece + text[k:]
    _check(text)


def _transitions(raw: bytes) -> dict[tuple[int, int], float]:
    info = tagger._tagger().info()
    off = int(info.header["off_features"], 16)
    count = struct.unpack_from("<I", raw, off + 8)[0]
    feats = struct.iter_unpack("<IIId", raw[off + 12:off + 12 + 20 * count])
    return {(src, dst): w for kind, src, dst, w in feats if kind == 1}


def test_the_patched_model_keeps_the_transitions_and_carries_one_label_each() -> None:
    m = _summed().model
    raw = tagger._model_path().read_bytes()
    assert len(_transitions(raw)) == 9
    assert _transitions(m.patched) == _transitions(raw)
    # each carrier gives its own label's score and nothing to the others
    crf = _summed().crf()
    o, p, a = m.carriers
    crf.set([{o: 50.0, p: 0.0, a: 0.0}, {o: 0.0, p: 50.0, a: 0.0}, {o: 0.0, p: 0.0, a: 50.0}])
    assert crf.tag() == ["O", "PER", "ADDR"]


def test_a_full_table_starts_afresh_without_changing_a_score(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [t for t in TEXTS[:30] if tagger.tokens(t)]
    expected = [_summed().state_scores(t, tagger.tokens(t)) for t in texts]
    tagger.summed.cache_clear()
    monkeypatch.setattr(tagger_sums._Table, "CAPACITY", 24)  # three padding rows and 21 words
    fast = _summed()
    got = [fast.state_scores(t, tagger.tokens(t)) for t in texts]
    fits = [g is not None for g in got]
    assert any(fits) and not all(fits)  # longer texts do not fit: the strings' path then
    assert [g for g in got if g is not None] == [e for e, f in zip(expected, fits, strict=True) if f]
    assert len(fast.tables) == 1
    # and the tagger's findings stay the same whichever path a text took
    tagger.summed.cache_clear()
    assert [tagger.find_tagged(t) for t in texts] == [tagger.find_tagged(t) for t in texts]


def test_threads_read_the_same_scores() -> None:
    texts = [t for base in TEXTS[:40] for t in (base, base.upper())]
    cold = [_summed().state_scores(t, tagger.tokens(t)) for t in texts]
    tagger.summed.cache_clear()
    fast = _summed()
    results = in_threads(lambda: [fast.state_scores(t, tagger.tokens(t)) for t in texts])
    assert all(r == cold for r in results)


def test_a_model_laid_out_otherwise_falls_back_to_the_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Hi, I am Anna Petrova from 12 Baker Street, call me"
    before = tagger.find_tagged(text)
    assert before  # the comparison means something
    info = tagger._tagger().info()
    assert tagger_sums.read(b"not a model", info) is None
    tagger.summed.cache_clear()
    monkeypatch.setattr(tagger_sums, "read", lambda raw, info: None)
    assert tagger.summed() is None
    assert tagger.find_tagged(text) == before
