"""The tagger's state scores summed per word, so CRFsuite is given three numbers per token.

Why (issue 13): a linear-chain CRF scores a label at a token as the sum of the weights its
attributes have for that label.  ``tagger._model_rows`` built ~10 attribute strings per token
and pycrfsuite converted and looked up every one of them (~2.4 µs per token, a tenth of a
short prompt's scan).  But the attributes come in groups that each depend on one word — its own
strings and what its neighbours see of it one and two tokens away — plus a few that depend on
where the token sits (line start and end, the key before a colon, a multi-word place, the pair
of the word before and this word's shape).  So each distinct word's five group sums are added
up once and kept in a table (``_Table``); a text's state scores are then five shifted slices of
that table and a few position terms (numpy), and CRFsuite is given three numbers per token.

CRFsuite still does the Viterbi search and the marginals, on a copy of the same model made in
memory at load (``_patched``): three attributes it already has are rewritten to carry one
label's score each (weight 1 for their own label, 0 for the others) and the transitions are the
file's own.  The labels are the model's; a marginal may differ from the strings' path in the
last bits of a double (the weights are added in another order).  Anything unexpected in the
model file means ``tagger.summed()`` returns None and the tagger builds the strings as before.

Thread-safety: the table only grows (a new word's row is written under a lock before its id is
published); when it is full a new table replaces it, and a scan keeps the one it started with.
Each thread opens its own CRFsuite tagger over the shared patched bytes.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

_ORDER = ("O", "PER", "ADDR")
_FEATURE = struct.Struct("<IIId")  # crf1dm: type (0 state, 1 transition), source, destination, weight
_Vector = tuple[float, float, float]
_ZERO: _Vector = (0.0, 0.0, 0.0)
#: a word's view as ``tagger._model_view`` gives it: own strings, what the tokens one and two
#: before and after see of it, its ``-1ws=`` head, its shape and its lower-cased form
View = tuple[Any, ...]
PositionStrings = Callable[[str, list[tuple[int, int]], list[str], Callable[[str], tuple[Any, ...]]], list[tuple[Any, ...]]]


@dataclass(frozen=True, slots=True)
class _Model:
    weights: dict[bytes, _Vector]  # every attribute's weight for O, PER, ADDR
    pairs: dict[bytes, dict[bytes, _Vector]]  # "-1ws=word|" head -> the shape after it -> its weights
    patched: bytes  # the model with ``carriers`` rewritten (see the module docstring)
    carriers: tuple[str, str, str]  # the attributes that carry the O, PER and ADDR scores


def read(raw: bytes, info: Any) -> _Model | None:
    """The weights from the model file itself (the dump pycrfsuite prints rounds them to six
    places) and the patched copy; None if the file is not laid out as expected."""
    try:
        names = {int(i): a.encode() for a, i in info.attributes.items()}
        labels = {int(i): name for name, i in info.labels.items()}
        off = int(info.header["off_features"], 16)
    except (KeyError, ValueError, AttributeError):
        return None
    if sorted(labels.values()) != sorted(_ORDER) or raw[off:off + 4] != b"FEAT":
        return None
    count = struct.unpack_from("<I", raw, off + 8)[0]
    body = off + 12
    if body + count * _FEATURE.size > len(raw):
        return None
    weights: dict[bytes, list[float]] = {}
    features: dict[bytes, dict[str, int]] = {}  # attribute -> label -> offset of its feature
    for k, (kind, src, dst, w) in enumerate(_FEATURE.iter_unpack(raw[body:body + count * _FEATURE.size])):
        if kind != 0:
            continue
        name, label = names.get(src), labels.get(dst)
        if name is None or label is None:
            return None
        weights.setdefault(name, [0.0, 0.0, 0.0])[_ORDER.index(label)] = w
        features.setdefault(name, {})[label] = body + k * _FEATURE.size
    complete = [a for a, by in features.items() if len(by) == 3]
    if len(complete) < 3:
        return None
    carriers = complete[:3]
    patched = bytearray(raw)
    for carrier, own in zip(carriers, _ORDER, strict=True):
        for label, at in features[carrier].items():
            struct.pack_into("<d", patched, at + 12, 1.0 if label == own else 0.0)
    pairs: dict[bytes, dict[bytes, _Vector]] = {}
    for name, w in weights.items():
        if name.startswith(b"-1ws="):
            cut = name.find(b"|", 5)
            while cut != -1:  # a word may hold "|" itself: every cut is a head some view may show
                pairs.setdefault(name[:cut + 1], {})[name[cut + 1:]] = (w[0], w[1], w[2])
                cut = name.find(b"|", cut + 1)
    return _Model({a: (w[0], w[1], w[2]) for a, w in weights.items()}, pairs, bytes(patched),
                  (carriers[0].decode(), carriers[1].decode(), carriers[2].decode()))


def _sum(weights: dict[bytes, _Vector], attrs: tuple[Any, ...]) -> _Vector:
    o = p = a = 0.0
    for name in attrs:
        w = weights[name]
        o += w[0]
        p += w[1]
        a += w[2]
    return o, p, a


class _Table:
    """Each distinct word's five group sums (own, seen one before, two before, one after, two
    after: 15 columns), its ``-1ws=`` pairs, shape and lower-cased form, by id.  Ids 0-2 are the
    padding around a text: nothing, the ``BOS`` a first token sees, the ``EOS`` a last one sees."""

    CAPACITY = 1 << 16

    def __init__(self, m: _Model) -> None:
        self.rows = np.zeros((self.CAPACITY, 15))
        self.rows[1, 3:6] = m.weights.get(b"BOS", _ZERO)
        self.rows[2, 9:12] = m.weights.get(b"EOS", _ZERO)
        self.ids: dict[str, int] = {}
        self.pairs: list[dict[bytes, _Vector] | None] = [None, None, None]
        self.shapes: list[bytes] = [b"", b"", b""]
        self.lower: list[str] = ["", "", ""]
        self.lock = threading.Lock()

    def add(self, m: _Model, word: str, view: View) -> int | None:
        """The id of a word not yet in the table (None: the table is full)."""
        w = m.weights
        row = (*_sum(w, view[0]), *_sum(w, view[1]), *_sum(w, view[2]), *_sum(w, view[3]), *_sum(w, view[4]))
        with self.lock:
            known = self.ids.get(word)
            if known is not None:
                return known
            i = len(self.lower)
            if i >= self.CAPACITY:
                return None
            self.rows[i] = row
            self.pairs.append(m.pairs.get(view[5]) if view[5] is not None else None)
            self.shapes.append(view[6])
            self.lower.append(view[7])
            self.ids[word] = i  # published last: a reader never sees an id without its row
        return i


class Summed:
    """The summed-scores tagger over one model: ``tagger.summed()`` makes it once per process,
    with the tagger's own per-word views and position strings (so this module needs nothing
    from it and the two do not import each other)."""

    def __init__(self, model: _Model, view: Callable[[str], View], position_strings: PositionStrings) -> None:
        self.model = model
        self._view = view
        self._position_strings = position_strings
        self._lock = threading.Lock()
        self.tables: list[_Table] = [_Table(model)]
        self._local = threading.local()
        self._keeps: dict[str, tuple[Any, ...]] = {}
        self._sums: dict[tuple[Any, ...], _Vector] = {}

    def _renewed(self, old: _Table) -> _Table:
        with self._lock:
            if self.tables[-1] is old:
                self.tables[:] = [_Table(self.model)]
            return self.tables[-1]

    def _ids(self, text: str, spans: list[tuple[int, int]]) -> tuple[_Table, list[int]] | None:
        """The table and the id of each token's word (None: the text does not fit an empty table)."""
        table = self.tables[-1]
        get = table.ids.get
        found = [get(text[s:e]) for s, e in spans]
        if None not in found:
            return table, found  # type: ignore[return-value]
        for attempt in range(2):
            ids = found
            for k in [k for k, i in enumerate(found) if i is None]:
                s, e = spans[k]
                word = text[s:e]
                if (i := table.add(self.model, word, self._view(word))) is None:
                    break  # full: the next attempt reads the whole text into a new table
                ids[k] = i
            else:
                return table, ids  # type: ignore[return-value]
            if attempt == 0:
                table = self._renewed(table)
                found = [table.ids.get(text[s:e]) for s, e in spans]
        return None

    def _keep(self, s: str) -> tuple[Any, ...]:
        """``s`` as the model's attribute (a 1-tuple), or nothing where it has no weight."""
        kept = self._keeps.get(s)
        if kept is None:
            b = s.encode()
            kept = (b,) if b in self.model.weights else ()
            if len(self._keeps) < 4096:
                self._keeps[s] = kept
        return kept

    def _strings_sum(self, strings: tuple[Any, ...]) -> _Vector:
        v = self._sums.get(strings)
        if v is None:
            v = _sum(self.model.weights, strings)
            if len(self._sums) < 4096:
                self._sums[strings] = v
        return v

    def state_scores(self, text: str, spans: list[tuple[int, int]]) -> list[list[float]] | None:
        """Each token's score for O, PER and ADDR: what CRFsuite would add up from its
        attributes (None for no tokens, or a text that fits no table)."""
        if not spans:
            return None
        got = self._ids(text, spans)
        if got is None:
            return None
        table, ids = got
        n = len(ids)
        # each token's own sums, then what the words one and two before and after show it
        w = table.rows[[0, 1, *ids, 2, 0]]
        scores = w[2:n + 2, 0:3] + w[1:n + 1, 3:6] + w[0:n, 6:9] + w[3:n + 3, 9:12] + w[4:n + 4, 12:15]
        # the -1ws= string: the word before (if the model knows pairs it heads) and this shape
        shapes = table.shapes
        extra: dict[int, _Vector] = {
            k: v for k, heads in enumerate(map(table.pairs.__getitem__, ids[:-1]), 1)
            if heads is not None and (v := heads.get(shapes[ids[k]])) is not None}
        lower = table.lower
        for k, strings in enumerate(self._position_strings(text, spans, [lower[i] for i in ids], self._keep)):
            if strings:
                v = self._strings_sum(strings)
                old = extra.get(k)
                extra[k] = v if old is None else (old[0] + v[0], old[1] + v[1], old[2] + v[2])
        rows: list[list[float]] = scores.tolist()
        for k, (so, sp, sa) in extra.items():  # a few tokens: cheaper in Python than a numpy scatter
            row = rows[k]
            row[0] += so
            row[1] += sp
            row[2] += sa
        return rows

    def crf(self) -> Any:
        """This thread's CRFsuite tagger over the patched model (CRFsuite reads the bytes in
        place: ``self.model`` keeps them alive)."""
        crf = getattr(self._local, "crf", None)
        if crf is None:
            import pycrfsuite

            crf = pycrfsuite.Tagger()
            crf.open_inmemory(self.model.patched)
            self._local.crf = crf
        return crf

    def tag(self, text: str, spans: list[tuple[int, int]]) -> tuple[Any, list[str]] | None:
        """The Viterbi labels of ``spans`` and the CRFsuite tagger that holds them (for
        ``marginal``), or None (no tokens, or a text that fits no table)."""
        scores = self.state_scores(text, spans)
        if scores is None:
            return None
        o, p, a = self.model.carriers
        crf = self.crf()
        crf.set([{o: so, p: sp, a: sa} for so, sp, sa in scores])
        return crf, crf.tag()
