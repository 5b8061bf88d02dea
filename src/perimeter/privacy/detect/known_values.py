"""Known values: exact strings an operator says must never leave (clients, staff, contracts).

Detectors generalise; a dictionary does not have to.  An operator loads the values their own
systems hold (a CRM's client names, an HR export, contract numbers) and every occurrence is
found, whatever the detectors make of it.  All lists are compiled into one Aho-Corasick
automaton (`pyahocorasick <https://pypi.org/project/pyahocorasick/>`_, C), so a text is read
once whatever the number of values: tens of thousands of values cost the same per byte as ten.

Matching is on a *folded* text — lower case, ``ё`` as ``е``, every whitespace character as a
space — of the same length as the original, so offsets map back one to one.  A match must be a
whole word at each end where the value starts or ends with a letter or digit ("Иванов" is not
found inside "Иванова" — the morphological detector handles inflected names).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ahocorasick

from perimeter.privacy.entities import Entity

#: Values shorter than this would match everywhere ("ИП", "Jo"): rejected at load time.
MIN_LENGTH = 3
_FOLD = str.maketrans({**dict.fromkeys("\t\n\r\x0b\x0c\u00a0\u2007\u202f\u2009\u2002\u2003", " "), "ё": "е"})


def fold(text: str) -> str:
    """Lower case, ``ё``→``е``, whitespace→space; the same length as ``text``."""
    low = text.lower()
    if len(low) != len(text):  # "İ" lowers to two code points: fold one character at a time
        low = "".join(ch.lower()[:1] for ch in text)
    return low.translate(_FOLD)


def _normalise(value: str) -> str:
    return " ".join(fold(value).split(" ")).strip()


class LiteralSet:
    """Many literals found in one pass; each carries a payload (an entity type, an index)."""

    def __init__(self, values: Iterable[tuple[str, Any]]) -> None:
        self._automaton: Any = ahocorasick.Automaton()
        self.size = 0
        for value, payload in values:
            key = _normalise(value)
            if len(key) < MIN_LENGTH:
                raise ValueError(f"a known value must have at least {MIN_LENGTH} characters (got {len(key)})")
            if key not in self._automaton:
                self._automaton.add_word(key, (len(key), payload))
                self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def __bool__(self) -> bool:
        return self.size > 0

    def find(self, text: str, folded: str | None = None) -> list[tuple[int, int, Any]]:
        """``(start, end, payload)`` of every whole-word occurrence, overlapping ones included."""
        if not self.size:
            return []
        hay = fold(text) if folded is None else folded
        out = []
        n = len(hay)
        for last, (length, payload) in self._automaton.iter(hay):
            start, end = last - length + 1, last + 1
            if hay[start].isalnum() and start > 0 and hay[start - 1].isalnum():
                continue
            if hay[last].isalnum() and end < n and hay[end].isalnum():
                continue
            out.append((start, end, payload))
        return out


class KnownValues:
    """The operator's dictionaries as a detector: ``find(text)`` gives one entity per match."""

    def __init__(self, lists: Iterable[tuple[str, Iterable[str]]]) -> None:
        pairs = [(value, etype) for etype, values in lists for value in values]
        self.types = frozenset(etype for _, etype in pairs)
        self._set = LiteralSet(pairs)

    def __bool__(self) -> bool:
        return bool(self._set)

    def __len__(self) -> int:
        return self._set.size

    def find(self, text: str) -> list[Entity]:
        return [Entity(etype, s, e, text[s:e], 1.0, "known_value") for s, e, etype in self._set.find(text)]
