"""Whole-word literal matching of a handful of strings, without compiling anything per request.

Both ends of the pseudonymizer need "find these few literals in this text, whole words only,
longest first, left to right, without overlaps": :func:`~.pseudonymizer.with_repeats` over the
prompt, and :class:`~.table.ReplacementTable` over the answer.  A regular expression built from
the literals did it in one pass, but compiling it cost more than everything else a request does
(the literals differ per request, so the ``re`` cache never hits).  Here each literal is found
with ``str.find`` (C speed, no set-up), and the regex semantics are kept exactly: at the leftmost
position where some literal matches with both word boundaries, the longest such literal wins
(ties: the earlier one), and the scan goes on after it.
"""

from __future__ import annotations

from collections.abc import Iterable

_JSON_SIMPLE_ESCAPES = frozenset("nrtbf")
_HEX = frozenset("0123456789abcdefABCDEF")


def is_word(ch: str) -> bool:
    """``re``'s ``\\w`` for one character of a ``str`` pattern."""
    return ch.isalnum() or ch == "_"


class WordMatcher:
    """Finds literals at word boundaries; build once per request, query many times."""

    __slots__ = ("_by_first", "_json_escapes", "_keys", "max_len")

    def __init__(self, keys: Iterable[str], *, json_escapes: bool = False) -> None:
        # Longest first; ``sorted`` is stable, so equal lengths keep the caller's priority order.
        self._keys = sorted((k for k in dict.fromkeys(keys) if k), key=len, reverse=True)
        self.max_len = len(self._keys[0]) if self._keys else 0
        # Literals by first character, longest first within each group: only literals that start
        # with a character present in the text are searched (a stream chunk has a handful).
        self._by_first: dict[str, list[str]] = {}
        for k in self._keys:
            self._by_first.setdefault(k[0], []).append(k)
        self._json_escapes = json_escapes

    def __bool__(self) -> bool:
        return bool(self._keys)

    @property
    def keys(self) -> list[str]:
        return self._keys

    @property
    def by_first(self) -> dict[str, list[str]]:
        """The literals by first character, longest first within each (do not modify)."""
        return self._by_first

    def occurs_in(self, text: str) -> bool:
        """Whether any literal occurs in ``text`` at all, word boundaries aside (a quick
        test: when it is False, :meth:`spans` finds nothing in ``text``)."""
        by_first = self._by_first
        for c in by_first.keys() & set(text):
            for key in by_first[c]:
                if key in text:
                    return True
        return False

    def left_ok(self, text: str, s: int) -> bool:
        """No word character before ``s`` — or, in JSON mode, a ``\\n``/``\\uXXXX`` escape right before it."""
        if s == 0 or not is_word(text[s - 1]):
            return True
        if not self._json_escapes:
            return False
        if s >= 2 and text[s - 2] == "\\" and text[s - 1] in _JSON_SIMPLE_ESCAPES:
            return True
        return (s >= 6 and text[s - 6] == "\\" and text[s - 5] == "u"
                and all(c in _HEX for c in text[s - 4:s]))

    def spans(self, text: str, start: int = 0) -> list[tuple[int, int, str]]:
        """Non-overlapping ``(start, end, literal)`` matches in ``text[start:]``, left to right.

        Characters before ``start`` still count as the left context of a match at ``start``.
        """
        if not self._keys or start >= len(text):
            return []
        present = self._by_first.keys() & set(text[start:] if start else text)
        if not present:
            return []  # no literal can even begin here (common in streams)
        best: dict[int, str] = {}  # match start → the literal the regex alternation would pick there
        n = len(text)
        find = text.find
        by_first = self._by_first
        # Two literals can only compete for a start if they share its first character, so the
        # groups can go in any order; within one, longest first: the first to claim a start keeps it.
        for key in (k for c in present for k in by_first[c]):
            klen = len(key)
            i = find(key, start)
            while i >= 0:
                if i not in best:
                    e = i + klen
                    if (e == n or not is_word(text[e])) and self.left_ok(text, i):
                        best[i] = key
                i = find(key, i + 1)
        if not best:
            return []
        out: list[tuple[int, int, str]] = []
        pos = start
        for s in sorted(best):
            if s < pos:
                continue  # inside the previous match
            key = best[s]
            out.append((s, s + len(key), key))
            pos = s + len(key)
        return out
