"""The surrogate → original lookup of one request, shared by whole-answer and streamed restore.

A :class:`ReplacementTable` is built once per request from the pseudonymizer's
surrogate → original pairs.  It matches whole words only (so "Олег" inside "Олегович" is left
alone), longest surrogate first, and has two replacement maps: plain text, and JSON string
content for tool-call arguments (an original with a quote or a backslash must be escaped there,
and a model that writes ``\\u0421...`` escapes is understood too).

Models re-format what they repeat, so two kinds of rewriting are undone as well:

* a number-like surrogate (a phone, a card, a date: digits and separators only, ≥ 7 digits)
  written in another layout — ``(628) 555-0147`` for ``+1 628 555 0147``, with or without the
  country code.  A run of digits and separators whose digits are the surrogate's (give or take a
  prefix of at most three digits) gets the original's digits, in the model's layout;
* a multi-word surrogate (a full name, an address) in lower case, UPPER CASE or Title Case.
  Single words are only restored as sent, in Title Case or in UPPER CASE: a lower-case "rose"
  is far more likely the flower than a surrogate called Rose.

Nothing here compiles anything per request (:mod:`.matcher`): building the table is a few
dictionary inserts per pair.
"""

from __future__ import annotations

import json as _json
import re

import orjson

from perimeter.privacy.pseudonymize.matcher import WordMatcher

# A run of digits with at most three separators between two digits, not glued to a word
# (compiled once, at import).
_NUMBER_RUN = re.compile(r"(?<![\w+])\+?\(?\d(?:[ ().\-/]{0,3}\d)*\)?")
_NUMBER_LIKE = re.compile(r"\+?[\d ().\-/]+")
_NOT_ASCII_DIGIT = re.compile(r"[^0-9]+")
_RUN_SEPARATORS = frozenset(" ().-/+")
_RUN_STARTS = frozenset("+(0123456789")
_MIN_DIGITS = 7
_MAX_PREFIX = 3
_GROUP = re.compile(r"\S+")
_ANY_DIGIT = re.compile(r"\d")  # what every number run (_NUMBER_RUN) holds
_MAX_GROUPS = 12  # a country code the model dropped or added


def _json_inner(text: str, *, ascii_only: bool) -> str:
    if ascii_only:
        return _json.dumps(text, ensure_ascii=True)[1:-1]
    return orjson.dumps(text).decode()[1:-1]


def _digits(text: str) -> str:
    return _NOT_ASCII_DIGIT.sub("", text)


def _lay(layout: str, digits: str) -> str:
    """``layout`` with its digits replaced right-aligned by ``digits`` (both have the same count)."""
    it = iter(digits)
    return "".join(next(it) if "0" <= ch <= "9" else ch for ch in layout)


class ReplacementTable:
    """Surrogate → original lookup for one request."""

    __slots__ = ("_escaped", "_json_map", "matcher", "max_len", "numbers", "text_map")

    def __init__(self, pairs: dict[str, str]) -> None:
        text_map: dict[str, str] = {}
        escaped_keys: set[str] = set()  # JSON-escaped surrogates: their value is JSON string content already
        numbers: dict[str, str] = {}  # surrogate digits → original digits
        variants: list[tuple[str, str]] = []
        for surrogate, original in pairs.items():
            if not surrogate or surrogate == original:
                continue
            text_map.setdefault(surrogate, original)
            if _NUMBER_LIKE.fullmatch(surrogate):
                sd, od = _digits(surrogate), _digits(original)
                if len(sd) >= _MIN_DIGITS and len(od) == len(sd):
                    numbers.setdefault(sd, od)
            elif " " in surrogate and not any("0" <= ch <= "9" for ch in surrogate):
                variants += [(surrogate.lower(), original.lower()), (surrogate.upper(), original.upper()),
                             (surrogate.title(), original)]
            if not (surrogate.isascii() and surrogate.isprintable()) or '"' in surrogate or "\\" in surrogate:
                for ascii_only in (False, True):
                    escaped = _json_inner(surrogate, ascii_only=ascii_only)
                    # Only meaningful inside JSON strings; in plain text it is left as the model
                    # wrote it, escaped, with the escaped original.
                    if escaped != surrogate and escaped not in text_map:
                        text_map[escaped] = _json_inner(original, ascii_only=ascii_only)
                        escaped_keys.add(escaped)
        for surrogate, original in variants:
            if surrogate not in text_map:
                text_map[surrogate] = original
        self.text_map = text_map
        self._escaped = escaped_keys
        self._json_map: dict[str, str] | None = None
        self.numbers = numbers
        self.matcher = WordMatcher(text_map, json_escapes=True)
        self.max_len = self.matcher.max_len

    def __bool__(self) -> bool:
        return bool(self.matcher)

    @property
    def json_map(self) -> dict[str, str]:
        """Replacements inside JSON strings (tool-call arguments): originals JSON-escaped.

        Built on first use: most answers carry no tool call."""
        if self._json_map is None:
            escaped = self._escaped
            self._json_map = {k: v if k in escaped else _json_inner(v, ascii_only=False)
                              for k, v in self.text_map.items()}
        return self._json_map

    def open_prefix_start(self, text: str, lo: int) -> int:
        """Start of the longest suffix of ``text[lo:]`` that is a proper prefix of a surrogate
        (``len(text)`` if none): a stream tail that may still become one.

        Only streams need it.
        """
        by_first = self.matcher.by_first
        n = len(text)
        first = max(lo, n - self.max_len + 1)
        tail = text[first:]
        present = by_first.keys() & set(tail)
        if not present:
            return n  # no surrogate can even begin in the tail
        # Where a surrogate could begin, found with str.find (a step per character in Python
        # was most of what a stream chunk cost); the leftmost that works is the longest suffix.
        starts: list[int] = []
        for c in present:
            i = tail.find(c)
            while i >= 0:
                starts.append(i)
                i = tail.find(c, i + 1)
        starts.sort()
        for i in starts:
            rest = tail[i:]
            for k in by_first[rest[0]]:
                if len(k) > len(rest) and k.startswith(rest):
                    return first + i
        return n

    # ------------------------------------------------------------------ matching
    def spans(self, text: str, start: int = 0, *, json: bool = False) -> list[tuple[int, int, str]]:
        """``(start, end, replacement)`` for every surrogate in ``text[start:]``, left to right."""
        table = self.json_map if json else self.text_map
        found = [(s, e, table[k]) for s, e, k in self.matcher.spans(text, start)]
        if not self.numbers:
            return found
        extra = self._reformatted_numbers(text, start, found)
        if not extra:
            return found
        return sorted(found + extra)

    def _reformatted_numbers(self, text: str, start: int,
                             taken: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        for m in _NUMBER_RUN.finditer(text, start):
            s, e = m.span()
            if any(ts < e and s < te for ts, te, _ in taken):
                continue  # the surrogate as sent (or part of a run that holds one): restored exactly
            run = m.group()
            if len(run) < _MIN_DIGITS or sum("0" <= ch <= "9" for ch in run) < _MIN_DIGITS:
                continue
            out += self._numbers_in_run(run, s)
        return out

    def _numbers_in_run(self, run: str, offset: int) -> list[tuple[int, int, str]]:
        """The longest space-separated windows of ``run``, left to right, that are a surrogate's
        number ("call 628-555-0147 1234567" holds one number and another)."""
        groups = [(m.start(), m.end()) for m in _GROUP.finditer(run)][:_MAX_GROUPS]
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(groups):
            found: tuple[int, int, int, str] | None = None
            for j in range(len(groups), i, -1):
                lo, hi = groups[i][0], groups[j - 1][1]
                digits = _digits(run[lo:hi])
                if len(digits) < _MIN_DIGITS:
                    break  # shorter windows have fewer digits still
                replacement = self._number(run[lo:hi], digits)
                if replacement is not None:
                    found = (j, lo, hi, replacement)
                    break
            if found is None:
                i += 1
                continue
            i, lo, hi, replacement = found
            out.append((offset + lo, offset + hi, replacement))
        return out

    def _number(self, run: str, digits: str) -> str | None:
        numbers = self.numbers
        original = numbers.get(digits)
        if original is not None:
            return _lay(run, original)
        for cut in range(1, _MAX_PREFIX + 1):
            # The model added a country code: keep it, restore the rest.
            original = numbers.get(digits[cut:])
            if original is not None:
                return _lay(run, digits[:cut] + original)
        for sd, od in numbers.items():
            # The model dropped a country code: restore the digits it kept.
            extra = len(sd) - len(digits)
            if 0 < extra <= _MAX_PREFIX and sd.endswith(digits):
                return _lay(run, od[extra:])
        return None

    def open_number_start(self, text: str, lo: int) -> int:
        """Start of a trailing number run in ``text[lo:]`` that more text could still extend
        (``len(text)`` if there is none, or if no number-like surrogate exists)."""
        n = len(text)
        if not self.numbers or n == lo:
            return n
        i = n
        while i > lo and (text[i - 1] in _RUN_SEPARATORS or "0" <= text[i - 1] <= "9"):
            i -= 1
        if i == n:
            return n
        while i < n and text[i] not in _RUN_STARTS:
            i += 1  # a number starts with a digit, "+" or "(": the separators before it can go
        return i

    def unchanged(self, text: str) -> bool:
        """Whether :meth:`spans` certainly finds nothing in ``text``, whatever its left context:
        no surrogate occurs in it (even ignoring word boundaries) and, where number surrogates
        exist, it holds no digit (a reformatted number needs one).  A cheap test that lets a
        stream chunk of ordinary text skip the matching."""
        if self.numbers and _ANY_DIGIT.search(text) is not None:
            return False
        return not self.matcher.occurs_in(text)

    def restore(self, text: str, *, json: bool = False) -> str:
        if not text or not self.matcher:
            return text
        found = self.spans(text, json=json)
        if not found:
            return text
        out: list[str] = []
        pos = 0
        for s, e, replacement in found:
            out.append(text[pos:s])
            out.append(replacement)
            pos = e
        out.append(text[pos:])
        return "".join(out)
