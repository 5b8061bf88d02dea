"""Replace sensitive values by surrogates, consistently and unlinkably.

Consistency without shared state: the surrogate of a value is drawn from
``HMAC(tenant_key, label)``, where ``tenant_key = HMAC(secret, tenant)`` and the label is the
value's identity (its digits for numbers, the lemma for a name word).  Every replica with the
same secret, and every turn of a conversation, therefore draws the same surrogate; another
tenant draws an unrelated one.

Collisions are re-drawn (``attempt`` 1, 2, ...): a surrogate may not equal or contain-match
anything already in the request, nor the surrogate of another value.  Labels are settled in
the order of their HMAC digest, so the value that keeps its first draw does not depend on where
it appears in the conversation.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from perimeter.privacy.entities import Entity
from perimeter.privacy.pseudonymize.matcher import WordMatcher
from perimeter.privacy.pseudonymize.pseudonym_names import NamePart, analyse_person, apply_style, title
from perimeter.privacy.pseudonymize.surrogates import (
    GENERATORS,
    NUMERIC_TYPES,
    digits_of,
    normalize,
    placeholder,
    realistic,
)
from perimeter.privacy.pseudonymize.surrogates_draw import Draw, derive_key, index_below, stream_digest
from perimeter.privacy.pseudonymize.surrogates_names import all_forms, pool_forms, pool_size

Mode = Literal["realistic", "placeholder"]
_MAX_ATTEMPTS = 48


@dataclass(slots=True)
class _Value:
    """A non-name finding to replace (or a name we cannot mimic → placeholder)."""

    type: str
    text: str
    label: str
    as_placeholder: bool


_Piece = str | NamePart | _Value


@dataclass(slots=True)
class _Finding:
    text: str
    pieces: list[_Piece]


@dataclass(slots=True)
class Pseudonymized:
    """The rewritten texts and the surrogate → original table for restoring answers."""

    texts: list[str]
    pairs: dict[str, str] = field(default_factory=dict)
    replaced: int = 0


class Pseudonymizer:
    """Draws surrogates for one secret; safe to share between threads and requests."""

    def __init__(self, secret: bytes, mode: Mode = "realistic") -> None:
        self._secret = secret
        self.mode: Mode = mode

    def tenant_key(self, tenant: str) -> bytes:
        return _tenant_key(self._secret, tenant)

    def run(self, tenant: str, texts: Sequence[str], entities: Sequence[Sequence[Entity]]) -> Pseudonymized:
        """Rewrite ``texts[i]`` replacing ``entities[i]`` (sorted, non-overlapping spans)."""
        key = self.tenant_key(tenant)
        haystack = "\n".join(texts)
        plans: list[list[str | _Finding]] = []
        labels: dict[str, _Piece] = {}
        for text, ents in zip(texts, entities, strict=True):
            plan: list[str | _Finding] = []
            pos = 0
            for ent in sorted(ents, key=lambda e: e.start):
                if ent.start < pos or ent.end <= ent.start or ent.end > len(text):
                    continue  # overlapping or out of range: the scanner promised neither
                original = text[ent.start:ent.end]
                finding = _Finding(original, self._pieces(ent.type, original, key))
                plan.append(text[pos:ent.start])
                plan.append(finding)
                for piece in finding.pieces:
                    if not isinstance(piece, str):
                        labels.setdefault(piece.label, piece)
                pos = ent.end
            plan.append(text[pos:])
            plans.append(plan)
        session = _Session(key, haystack)
        for label in sorted(labels, key=lambda lb: stream_digest(key, lb)):
            session.settle(labels[label])
        out = Pseudonymized(texts=[])
        for plan in plans:
            rendered: list[str] = []
            for item in plan:
                if isinstance(item, str):
                    rendered.append(item)
                    continue
                surrogate = "".join(session.render(piece, out) for piece in item.pieces)
                if len(item.pieces) > 1:
                    out.pairs.setdefault(surrogate, item.text)
                rendered.append(surrogate)
            out.texts.append("".join(rendered))
        return out

    def _pieces(self, entity_type: str, text: str, key: bytes) -> list[_Piece]:
        if entity_type == "PERSON" and self.mode == "realistic":
            parsed = analyse_person(text, key)
            if parsed is not None:
                return list(parsed)
        ident = " ".join(text.lower().split()) if entity_type == "PERSON" else normalize(entity_type, text)
        as_placeholder = self.mode == "placeholder" or entity_type not in GENERATORS
        return [_Value(entity_type, text, f"{entity_type}/{ident}", as_placeholder)]


@lru_cache(maxsize=4096)
def _tenant_key(secret: bytes, tenant: str) -> bytes:
    return derive_key(secret, "tenant", tenant)


def secret_digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class _Session:
    """One request's choices: label → attempt (values) or pool index (name words)."""

    __slots__ = ("_claimed", "_drawn", "_haystack", "_key", "choice")

    def __init__(self, key: bytes, haystack: str) -> None:
        self._key = key
        self._haystack = haystack
        self._claimed: dict[str, str] = {}
        self.choice: dict[str, tuple[int, bool]] = {}  # label → (attempt or pool index, placeholder?)
        # (label, text) → the realistic surrogate settle drew, so render need not draw it again
        # (another layout of the same value has the same label but its own surrogate layout).
        self._drawn: dict[tuple[str, str], str] = {}

    def _free(self, label: str, forms: set[str], check_text: bool) -> bool:
        for f in forms:
            owner = self._claimed.get(f.lower())
            if owner is not None and owner != label:
                return False
            if check_text and f in self._haystack:
                return False
        return True

    def _claim(self, label: str, forms: set[str]) -> None:
        for f in forms:
            self._claimed[f.lower()] = label

    def settle(self, piece: _Piece) -> None:
        assert not isinstance(piece, str)
        label = piece.label
        for attempt in range(_MAX_ATTEMPTS):
            if isinstance(piece, NamePart):
                index = index_below(self._key, label, attempt, pool_size(piece.pool))
                initial = piece.pool.endswith("_init")
                forms = all_forms(piece.pool, index)
                if initial:
                    forms = {f + "." for f in forms}
                if self._free(label, forms, check_text=not initial):
                    self._claim(label, forms)
                    self.choice[label] = (index, False)
                    return
            else:
                surrogate, forms = _value_forms(piece, self._key, attempt)
                if self._free(label, forms, check_text=True):
                    self._claim(label, forms)
                    self.choice[label] = (attempt, piece.as_placeholder)
                    self._drawn[(label, piece.text)] = surrogate
                    return
        # Pools exhausted by collisions (or an unlucky run): fall back to a placeholder, which
        # is keyed on the label and long enough never to collide.
        self.choice[label] = (_MAX_ATTEMPTS, True)

    def render(self, piece: _Piece, out: Pseudonymized) -> str:
        if isinstance(piece, str):
            return piece
        index, as_placeholder = self.choice[piece.label]
        out.replaced += 1
        if as_placeholder:
            ptype = "PERSON" if isinstance(piece, NamePart) else piece.type
            surrogate = placeholder(ptype, Draw(self._key, piece.label, index))
            out.pairs.setdefault(surrogate, piece.text)
            return surrogate
        if isinstance(piece, _Value):
            drawn = self._drawn.get((piece.label, piece.text))
            if drawn is None:
                drawn = _realistic(piece.type, piece.text, self._key, piece.label, index)
            surrogate = drawn or piece.text
            _add_value_pairs(out.pairs, piece, surrogate)
            return surrogate
        return _render_name(piece, index, out.pairs)


def _value_forms(piece: _Value, key: bytes, attempt: int) -> tuple[str, set[str]]:
    if piece.as_placeholder:
        return "", {placeholder(piece.type, Draw(key, piece.label, attempt))}
    surrogate = _realistic(piece.type, piece.text, key, piece.label, attempt)
    forms = {surrogate}
    if piece.type in NUMERIC_TYPES:
        forms.add(digits_of(surrogate))
    return surrogate, forms


@lru_cache(maxsize=8192)
def _realistic(entity_type: str, text: str, key: bytes, label: str, attempt: int) -> str:
    """The realistic surrogate of one value for one attempt ("" when its kind has none).

    A pure function of its arguments, cached: a conversation sends the same values every turn."""
    return realistic(entity_type, text, Draw(key, label, attempt)) or ""


def _add_value_pairs(pairs: dict[str, str], piece: _Value, surrogate: str) -> None:
    pairs.setdefault(surrogate, piece.text)
    if piece.type in NUMERIC_TYPES:
        sd, od = digits_of(surrogate), digits_of(piece.text)
        if len(sd) >= 6:
            pairs.setdefault(sd, od)
    elif piece.type in ("EMAIL", "IBAN"):
        pairs.setdefault(surrogate.lower(), piece.text.lower())
        pairs.setdefault(surrogate.upper(), piece.text.upper())
        if piece.type == "IBAN":
            pairs.setdefault(surrogate.replace(" ", ""), piece.text.replace(" ", ""))


def _render_name(part: NamePart, index: int, pairs: dict[str, str]) -> str:
    rendered, own = _name_rendering(part, index)
    for surrogate, original in own:
        pairs.setdefault(surrogate, original)
    return rendered


@lru_cache(maxsize=8192)
def _name_rendering(part: NamePart, index: int) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The surrogate of a name word and its surrogate → original pairs, in the order they are
    added.  A pure function of its arguments (the part is frozen, the pools fixed), cached: the
    same names come back in every turn of a conversation."""
    if part.pool.endswith("_init"):
        letter = pool_forms(part.pool, index, part.gender)[0]
        return letter + ("." if part.text.endswith(".") else ""), ()
    surr = pool_forms(part.pool, index, part.gender)
    case = part.case if len(surr) > 1 else 0
    rendered = apply_style(surr[case], part.style)
    pairs: dict[str, str] = {}
    # The exact occurrence first, so restoring what we sent gives back exactly what was written.
    pairs.setdefault(rendered, part.text)
    for ci, sf in enumerate(surr):
        of = part.orig_forms[ci] if len(part.orig_forms) == len(surr) else part.orig_forms[0]
        if len(sf) < 2:
            continue
        pairs.setdefault(title(sf), title(of))
        pairs.setdefault(sf.upper(), of.upper())
    return rendered, tuple(pairs.items())


_NAME_WORD = re.compile(r"[^\W\d_]{3,}(?:-[^\W\d_]+)*")


def with_repeats(texts: Sequence[str], entities: Sequence[Sequence[Entity]]) -> list[list[Entity]]:
    """Add every further whole-word occurrence of a found value (and of each word of a found name).

    The scanner sees one text at a time and may miss "Петрову" in one message while finding
    "Ивану Петрову" in another; sending the miss raw would undo the pseudonymization of the hit.
    """
    originals: dict[str, str] = {}
    for ents in entities:
        for e in ents:
            if len(e.text) >= 3:
                originals.setdefault(e.text, e.type)
            if e.type == "PERSON":
                for w in _NAME_WORD.findall(e.text):
                    if w[0].isupper():
                        originals.setdefault(w, "PERSON")
    if not originals:
        return [list(e) for e in entities]
    matcher = WordMatcher(originals)  # no regex compiled per request: see .matcher
    out: list[list[Entity]] = []
    for text, ents in zip(texts, entities, strict=True):
        have = sorted(ents, key=lambda e: e.start)
        starts = [e.start for e in have]
        extra: list[Entity] = []
        for lo, hi, found in matcher.spans(text):
            i = bisect.bisect_right(starts, lo) - 1
            if i >= 0 and have[i].end > lo:
                continue  # inside a finding
            if i + 1 < len(have) and have[i + 1].start < hi:
                continue  # runs into the next finding
            extra.append(Entity(originals[found], lo, hi, found, 1.0, "repeat"))
        out.append(sorted(have + extra, key=lambda x: x.start) if extra else have)
    return out
