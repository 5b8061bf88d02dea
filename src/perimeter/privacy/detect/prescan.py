"""One cheap pass over a text that every pattern detector shares.

Python's ``re`` scans a pattern that starts with a character class (``\\d``, ``[A-Z]``) at only
20-70 MB/s on the shared 2-core machine, and each detector used to make its own such pass.  Here
the text is turned once into a *shape*: one byte per code point (``encode("latin-1",
"replace")``, then ``bytes.translate`` into a few classes).  Both steps are C loops at hundreds
of MB/s, offsets stay code-point offsets, and searches on the shape look for literals
(``b"AA00"``, ``b"w" * 15``), which CPython finds with its fast substring search.  Detectors
then run their precise regexes only inside the regions the shape points at.

The shape is exact, not a heuristic: each region is the same one the detector's own regex would
have found.  Decimal digits outside ASCII (Arabic-Indic, fullwidth …), which latin-1 cannot
show but ``\\d`` matches, are written as "0" first; only a text holding the two control
characters that stand in for "–" and "№" falls back to the regexes on the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar, cast

from perimeter.privacy.detect import literals

# Every character that counts as a separator inside a digit region ("7707 083 893",
# "45 10 № 123456", "+7 (999) 123-45-67").  "–" and "№" are outside latin-1, so they are
# swapped for two control characters before encoding (see ``TextIndex.latin``).
_REGION_SEPARATORS = " \t\u00a0-./()+\n"
_EN_DASH, _NUMERO = "\x01", "\x02"
_T = TypeVar("_T")


def _table(classes: dict[str, str], default: str) -> bytes:
    table = bytearray(default.encode() * 256)
    for chars, cls in classes.items():
        for ch in chars:
            table[ord(ch)] = ord(cls)
    return bytes(table)


_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
# digits -> "0", region separators -> " ", anything else -> "x".
_DIGIT_SHAPE = _table({_DIGITS: "0", _REGION_SEPARATORS + _EN_DASH + _NUMERO: " "}, "x")
# digits -> "0", what may join the digit groups of one identifier (not "." or "/") -> " ".
_CHAIN_SHAPE = _table({_DIGITS: "0", " \t\u00a0-\r\n" + _EN_DASH + _NUMERO: " "}, "x")
# ASCII capitals -> "A", digits -> "0" (IBAN: two capitals and two check digits).
_CAPS_SHAPE = _table({_DIGITS: "0", _UPPER: "A"}, "x")
# Characters a vendor key or its URL can be made of -> "w" (keys are runs of 15+ of them).
# Two key patterns allow any ``\w`` (SendGrid, GitLab), so every non-ASCII character and the
# "?" that stands in for those outside latin-1 count too: a superset is safe here.
_TOKEN_SHAPE = _table({_DIGITS + _UPPER + _LOWER + "_-./:?" + "".join(map(chr, range(128, 256))): "w"}, "x")
# Hex digits, ":" and "." -> IPv6 material.
_HEX_SHAPE = _table({_DIGITS + "abcdefABCDEF": "h", ":": ":", ".": "."}, "x")

_NOT_DIGIT = bytes(b for b in range(256) if not 48 <= b <= 57)
_REGION = re.compile(rb"0[0 ]{5,}0")
_NINE_DIGITS = re.compile(rb"0(?: *0){8}")
_TOKEN_RUN = re.compile(rb"w+")
_IPV6_SEED = re.compile(rb":[h.]{0,4}:")
_HEX_BYTES = frozenset(b"h:.")
_HEX_RUN = re.compile(rb"[h:.]*")

# High bytes (UTF-16) of every non-ASCII decimal digit, plus surrogates for the astral ones.
_SUSPECT_HIGH = frozenset(
    {cp >> 8 for cp in range(0x80, 0x10000) if chr(cp).isdecimal()} | set(range(0xD8, 0xDC))
)
_NOT_SUSPECT = bytes(b for b in range(256) if b not in _SUSPECT_HIGH)


def _exotic_digit_class() -> re.Pattern[str]:
    """A character class of every decimal digit outside ASCII (what ``\\d`` adds to 0-9)."""
    ranges: list[list[int]] = []
    for cp in range(0x80, 0x110000):
        if chr(cp).isdecimal():
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


_EXOTIC_DIGITS = _exotic_digit_class()
# Characters that ``re.IGNORECASE`` matches to an ASCII or Cyrillic letter although
# ``str.lower()`` does not turn them into it (dotted/dotless I, long s, old Cyrillic letters),
# and what to fold them to; a test checks this table against every code point.
FOLD_TRAPS: dict[str, str] = {
    "\u0130": "i", "\u0131": "i", "\u017f": "s", "\u1c80": "в", "\u1c81": "д", "\u1c82": "о",
    "\u1c83": "с", "\u1c84": "т", "\u1c85": "т", "\u1c86": "ъ",
}
_NOT_TRAP_HIGH = bytes(b for b in range(256) if b not in {ord(c) >> 8 for c in FOLD_TRAPS})

# The regexes the detectors used before the shape existed; still the reference behaviour and
# the fallback for texts with non-ASCII digits.
_DIGIT_REGION_RE = re.compile(r"\d[\d \t\u00a0\-–./№()+\n]{5,}\d")


class TextIndex:
    """Per-text facts shared by the detectors, each computed on first use.

    One instance lives for one :meth:`Scanner.scan` call, so nothing here is shared between
    threads or requests.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def aligned(self) -> str:
        """:attr:`lower` with one code point per character, so its offsets are the text's: the
        same object as :attr:`lower` but for a rare letter that lowers to two ("İ")."""
        return self.lower if len(self.lower) == len(self.text) else aligned_lower(self.text)

    @cached_property
    def _high(self) -> bytes:
        """The high byte of each UTF-16 unit: which 256-character blocks the text uses."""
        return self.text.encode("utf-16-le", "surrogatepass")[1::2]

    @cached_property
    def exotic_digits(self) -> bool:
        """True when the text has a decimal digit outside ASCII (the shape cannot see those)."""
        text = self.text
        if text.isascii() or not self._high.translate(None, _NOT_SUSPECT):
            return False
        return _EXOTIC_DIGITS.search(text) is not None

    @cached_property
    def folded(self) -> str:
        """Lowercase with one character per code point, where a literal occurs exactly at the
        places ``re.IGNORECASE`` would match it (so ``str.find`` can replace a slow ``(?i)``
        scan).  Usually the same object as :attr:`lower`."""
        text = self.text
        if text.isascii() or not self._high.translate(None, _NOT_TRAP_HIGH):
            return self.lower
        folded = text
        for trap, letter in FOLD_TRAPS.items():
            if trap in folded:
                folded = folded.replace(trap, letter)
        return self.lower if folded is text else folded.lower()

    @staticmethod
    def stem_starts(stems: tuple[str, ...], lower: str) -> list[int]:
        """Sorted offsets in ``lower`` (:attr:`lower` or :attr:`folded`) of any of ``stems``."""
        starts: list[int] = []
        for stem in stems:
            at = lower.find(stem)
            while at != -1:
                starts.append(at)
                at = lower.find(stem, at + 1)
        starts.sort()
        return starts

    @cached_property
    def latin(self) -> bytes | None:
        """One byte per code point, or ``None`` when the shape would not be exact (the text
        holds one of the two control characters that stand in for "–" and "№")."""
        text = self.text
        if text.isascii():
            return text.encode("ascii")
        if _EN_DASH in text or _NUMERO in text:
            return None
        if self.exotic_digits:  # fullwidth, Arabic-Indic …: one code point each, shown as "0"
            text = _EXOTIC_DIGITS.sub("0", text)
        return text.replace("–", _EN_DASH).replace("№", _NUMERO).encode("latin-1", "replace")

    @cached_property
    def has_digits(self) -> bool:
        latin = self.latin
        if latin is None:
            return True
        return bool(latin.translate(None, _NOT_DIGIT))

    @cached_property
    def regions(self) -> list[tuple[int, int]]:
        """Runs of digits and separators, first digit to last digit, at least 7 long."""
        latin = self.latin
        if latin is None:
            return [m.span() for m in _DIGIT_REGION_RE.finditer(self.text)]
        if not self.has_digits:
            return []
        return [m.span() for m in _REGION.finditer(latin.translate(_DIGIT_SHAPE))]

    def digit_regions(self, pad: int = 2, min_len: int = 7) -> list[tuple[int, int]]:
        """(start, end) windows around digit regions, padded and merged when they touch."""
        key = (pad, min_len)
        cache: dict[tuple[int, int], list[tuple[int, int]]] = self.__dict__.setdefault("_windows", {})
        if key not in cache:
            cache[key] = self._digit_windows(pad, min_len)
        return cache[key]

    def _digit_windows(self, pad: int, min_len: int) -> list[tuple[int, int]]:
        regions = self.regions
        if min_len > 7:
            regions = [r for r in regions if r[1] - r[0] >= min_len]
        if not regions:
            return []
        spans: list[tuple[int, int]] = []
        append = spans.append
        reach = 2 * pad  # two regions this close get one window
        lo, hi = regions[0]
        for start, end in regions:
            if start - hi <= reach:
                hi = end
            else:
                append((lo - pad, hi + pad))
                lo, hi = start, end
        append((lo - pad, hi + pad))
        if spans[0][0] < 0:
            spans[0] = (0, spans[0][1])
        if spans[-1][1] > len(self.text):
            spans[-1] = (spans[-1][0], len(self.text))
        return spans

    def memo(self, key: str, compute: Callable[[], _T]) -> _T:
        """``compute()``, computed once per text: a fact two detectors of one module share (both
        must pass the same ``compute`` for ``key``)."""
        cache: dict[str, Any] = self.__dict__.setdefault("_memo", {})
        try:
            return cast(_T, cache[key])
        except KeyError:
            value = cache[key] = compute()
            return value

    def haystack(self, group: str) -> str:
        """The string the words of ``group`` are searched in: the text, :attr:`lower` or
        :attr:`folded`."""
        haystack = literals.HAYSTACK_OF[group]
        return self.text if haystack == "text" else self.lower if haystack == "lower" else self.folded

    def literal_starts(self, group: str, fallback_find: bool = False) -> list[int] | None:
        """Sorted offsets where a word of ``group`` (see :mod:`literals`) starts in its haystack.

        With hyperscan, all groups of a haystack are found in one pass.  Without it, ``None``
        (the caller runs its own regex), or with ``fallback_find`` one ``str.find`` pass per
        word, which beats a regex pass for groups of a few words.
        """
        if not literals.available():
            if fallback_find:
                return self.stem_starts(literals.HAYSTACKS[literals.HAYSTACK_OF[group]][group], self.haystack(group))
            return None
        # a scan asks for ~20 groups, several twice: the answer by group first
        found: dict[str, list[int]] | None = self.__dict__.get("_group_starts")
        if found is None:
            found = self.__dict__["_group_starts"] = {}
        starts = found.get(group)
        if starts is None:
            starts = found[group] = self._literal_pass(group)
        return starts or []  # (an empty answer is a fresh list for each caller, as it was)

    def _literal_pass(self, group: str) -> list[int]:
        """:meth:`literal_starts` with hyperscan: the one pass over ``group``'s haystack, made on
        first use."""
        haystack = literals.HAYSTACK_OF[group]
        if haystack == "folded" and self.folded is self.lower:
            haystack = "lower"
        cache: dict[str, dict[str, list[int]]] = self.__dict__.setdefault("_literals", {})
        if haystack not in cache:
            if haystack == "text" and self.latin is not None:
                cache[haystack] = literals.find_all(haystack, self.latin, "latin-1")
            else:
                source = self.text if haystack == "text" else self.lower if haystack == "lower" else self.folded
                # UTF-16 halves what hyperscan reads; a character outside the BMP takes two
                # units there, so such texts (emoji) go as UTF-32, one unit per code point.
                data, encoding = source.encode("utf-16-le", "surrogatepass"), "utf-16-le"
                if len(data) != 2 * len(source):
                    data, encoding = source.encode("utf-32-le", "surrogatepass"), "utf-32-le"
                cache[haystack] = literals.find_all(haystack, data, encoding)
        return cache[haystack].get(group, [])

    def literal_matches(self, rx: re.Pattern[str], group: str) -> list[re.Match[str]]:
        """``rx.finditer(self.haystack(group))``, where every match of ``rx`` starts with a word
        of ``group`` (typically ``rx`` is the group's alternation)."""
        source = self.haystack(group)
        starts = self.literal_starts(group)
        if starts is None:
            return list(rx.finditer(source))
        return matches_at(rx, source, starts)

    def identifier_windows(self) -> list[tuple[int, int]]:
        """:meth:`digit_regions` (``min_len=9``) that hold 9+ digits joined only by the
        separators an identifier may contain: every other window cannot hold an ИНН, card …"""
        windows = self.digit_regions(min_len=9)
        latin = self.latin
        if latin is None or not windows:
            return windows
        shape = latin.translate(_CHAIN_SHAPE)
        search = _NINE_DIGITS.search
        return [(lo, hi) for lo, hi in windows if search(shape, lo, hi)]

    def iban_starts(self) -> list[int]:
        """Offsets where two ASCII capitals are followed by two digits."""
        latin = self.latin
        if latin is None:
            return [m.start() for m in re.finditer(r"(?=[A-Z]{2}\d{2})", self.text)]
        shape = latin.translate(_CAPS_SHAPE)
        out: list[int] = []
        at = shape.find(b"AA00")
        while at != -1:
            out.append(at)
            at = shape.find(b"AA00", at + 1)
        return out

    def token_runs(self, min_len: int) -> list[tuple[int, int]]:
        """Maximal runs of key characters (``[A-Za-z0-9_./:-]`` and anything non-ASCII) at
        least ``min_len`` long: where a vendor key can be."""
        latin = self.latin
        if latin is None:
            return [(0, len(self.text))]
        shape = latin.translate(_TOKEN_SHAPE)
        needle = b"w" * min_len
        out: list[tuple[int, int]] = []
        at = shape.find(needle)
        while at != -1:
            start = at
            while start > 0 and shape[start - 1] == 119:  # "w"
                start -= 1
            m = _TOKEN_RUN.match(shape, at)
            end = m.end() if m else at
            out.append((start, end))
            at = shape.find(needle, end)
        return out

    def ipv6_windows(self) -> list[tuple[int, int]]:
        """Maximal runs of hex digits, ``:`` and ``.`` holding two colons close together (+1 char)."""
        latin = self.latin
        if latin is None:
            return [(0, len(self.text))]
        if latin.count(b":") < 2:
            return []
        shape = latin.translate(_HEX_SHAPE)
        out: list[tuple[int, int]] = []
        pos = 0
        while True:
            seed = _IPV6_SEED.search(shape, pos)
            if seed is None:
                return out
            start = seed.start()
            while start > 0 and shape[start - 1] in _HEX_BYTES:
                start -= 1
            run = _HEX_RUN.match(shape, seed.start())
            end = run.end() if run else seed.end()
            # One character past the run, so the detector's look-ahead sees the real neighbour.
            out.append((start, min(len(shape), end + 1)))
            pos = end



def matches_at(rx: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """``rx.finditer(text)`` when every match of ``rx`` starts at one of ``starts`` (sorted).

    Tries ``rx.match`` only there, skipping starts inside the previous match, which is what
    ``finditer`` does; it is how a few ``str.find`` passes stand in for a slow full scan.
    """
    out: list[re.Match[str]] = []
    reach = 0
    for at in starts:
        if at < reach:
            continue
        m = rx.match(text, at)
        if m is not None:
            out.append(m)
            reach = m.end()
    return out


def aligned_lower(text: str) -> str:
    """``text.lower()`` with one code point per character, so offsets carry over ("İ" lowers
    to two code points; every other character to one)."""
    low = text.replace("\u0130", "i").lower()
    return low if len(low) == len(text) else "".join(ch.lower()[:1] for ch in text)
