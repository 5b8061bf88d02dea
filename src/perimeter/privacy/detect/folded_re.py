"""Case-insensitive patterns run case-sensitively on the folded text, with the same matches.

CPython's ``re`` compares every character of a ``re.IGNORECASE`` pattern through a case
table, and its alternations get no prefix to skip ahead with: ``names_en._LOWER_CUE`` (thirty
cue words, case-insensitive) cost ~60 µs on a 200-byte prompt, a fifth of the whole scan.  The
same pattern without the flag, run on :attr:`prescan.TextIndex.folded` (the text lower-cased
with one character per code point, the few characters ``re.IGNORECASE`` folds onto a letter
although ``str.lower`` does not folded too), takes a quarter of that.

That is exact when every character the pattern names is a lower-case ASCII or Cyrillic letter
(the letters :data:`prescan.FOLD_TRAPS` is complete for, a test checks every code point) or has
no case at all: then each character of the text matches each atom of the pattern case-
insensitively exactly when its folded form matches it as written, and word boundaries do not
move (folding keeps letters letters).  Only the start offsets come from the folded text; the
pattern itself is then matched on the original text there, so groups hold the original
characters.  Any other pattern (an upper-case or other-script literal, a back-reference, a
scoped case flag) gets no twin and is searched as before.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

from perimeter.privacy.detect.prescan import TextIndex, matches_at

_FOLD_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_NO_TWIN = object()
_lock = threading.Lock()
# Keyed by ``id`` (hashing a compiled pattern hashes its whole code, microseconds per call),
# with the pattern kept beside its entry so that an id is never reused while it is here.
_twins: dict[int, tuple[re.Pattern[str], Any]] = {}


def _fold_safe(cp: int) -> bool:
    ch = chr(cp)
    return ch in _FOLD_LETTERS or (ch.lower() == ch and ch.upper() == ch and ch.casefold() == ch)


def _safe(tree: Any) -> bool:
    """Every literal and range of ``tree`` is fold-safe; no back-reference, no scoped flags."""
    for op, av in tree:
        if op in (C.LITERAL, C.NOT_LITERAL):
            if not _fold_safe(av):
                return False
        elif op is C.IN:
            for iop, iav in av:
                if iop is C.LITERAL and not _fold_safe(iav):
                    return False
                if iop is C.RANGE and not all(_fold_safe(cp) for cp in range(iav[0], iav[1] + 1)):
                    return False
                if iop not in (C.LITERAL, C.RANGE, C.NEGATE, C.CATEGORY):
                    return False
        elif op is C.BRANCH:
            if not all(_safe(branch) for branch in av[1]):
                return False
        elif op is C.SUBPATTERN:
            _group, add, delete, sub = av
            if add or delete or not _safe(sub):
                return False
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            if not _safe(av[2]):
                return False
        elif op is C.ATOMIC_GROUP:
            if not _safe(av):
                return False
        elif op in (C.ASSERT, C.ASSERT_NOT):
            if not _safe(av[1]):
                return False
        elif op in (C.AT, C.ANY):
            continue
        else:  # GROUPREF, conditional groups, anything unusual
            return False
    return True


def twin_of(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """``rx`` without ``re.IGNORECASE`` (cached) when running that on the folded text is exact."""
    hit = _twins.get(id(rx))
    twin = hit[1] if hit is not None and hit[0] is rx else None
    if twin is None:
        made: Any = _NO_TWIN
        if rx.flags & re.IGNORECASE and not rx.flags & re.ASCII:
            try:
                if _safe(P.parse(rx.pattern, rx.flags)):
                    made = re.compile(rx.pattern, rx.flags & ~re.IGNORECASE)
            except re.error:
                made = _NO_TWIN
        with _lock:
            _twins[id(rx)] = (rx, made)
            twin = made
    return None if twin is _NO_TWIN else twin


def folded(text: str) -> str:
    return text.lower() if text.isascii() else TextIndex(text).folded


def finditer(rx: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """``list(rx.finditer(text))``."""
    twin = twin_of(rx)
    if twin is None:
        return list(rx.finditer(text))
    found = list(twin.finditer(folded(text)))
    if any(m.end() == m.start() for m in found):  # an empty match steps on differently: no shortcut
        return list(rx.finditer(text))
    return matches_at(rx, text, [m.start() for m in found])


def search(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``rx.search(text)``."""
    twin = twin_of(rx)
    if twin is None:
        return rx.search(text)
    m = twin.search(folded(text))
    return None if m is None else rx.match(text, m.start())


def _leading_literals(seq: Any) -> list[str] | None:
    """The literal runs every match of ``seq`` starts with (one per alternative), or ``None``."""
    items = list(seq)
    while items and items[0][0] in (C.AT, C.ASSERT, C.ASSERT_NOT):
        items = items[1:]  # zero-width: a match still starts with what follows
    if not items:
        return None
    op, av = items[0]
    if op is C.BRANCH:
        out: list[str] = []
        for branch in av[1]:
            part = _leading_literals(branch)
            if part is None:
                return None
            out.extend(part)
        return out
    if op is C.SUBPATTERN:
        _group, add, delete, sub = av
        return None if add or delete else _leading_literals(sub)
    run = ""
    for op, av in items:
        if op is not C.LITERAL:
            break
        run += chr(av)
    return [run] if run else None


_NO_WORDS = object()
_words: dict[int, tuple[re.Pattern[str], Any]] = {}  # by ``id``, as ``_twins``


def leading_words(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """Literals one of which opens every match of ``rx`` (as found in the folded text when
    ``rx`` has a twin, in the text otherwise), or ``None`` when the pattern's shape says none."""
    hit = _words.get(id(rx))
    words = hit[1] if hit is not None and hit[0] is rx else None
    if words is None:
        made: Any = _NO_WORDS
        if not rx.flags & re.IGNORECASE or twin_of(rx) is not None:
            try:
                found = _leading_literals(P.parse(rx.pattern, rx.flags))
            except re.error:
                found = None
            if found:
                made = tuple(sorted(set(found)))
        with _lock:
            _words[id(rx)] = (rx, made)
            words = made
    return None if words is _NO_WORDS else words


def may_match(rx: re.Pattern[str], text: str) -> bool:
    """False only when ``rx`` matches nowhere in ``text``: none of its opening words occurs."""
    words = leading_words(rx)
    if words is None:
        return True
    haystack = folded(text) if rx.flags & re.IGNORECASE else text
    return any(w in haystack for w in words)


class Openings:
    """Where the opening words of ``rx`` occur in ``text`` (found once), to skip windowed
    searches of ``rx`` that no opening word falls into."""

    __slots__ = ("_starts",)

    def __init__(self, rx: re.Pattern[str], text: str) -> None:
        words = leading_words(rx)
        self._starts: list[int] | None = None
        if words is not None:
            haystack = folded(text) if rx.flags & re.IGNORECASE else text
            self._starts = sorted(TextIndex.stem_starts(words, haystack))

    def within(self, lo: int, hi: int) -> bool:
        """False only when no match of ``rx`` can start in ``[lo, hi)``."""
        starts = self._starts
        if starts is None:
            return True
        at = bisect_left(starts, lo)
        return at < len(starts) and starts[at] < hi
