"""Phones whose digit groups are joined by unusual characters, or broken by OCR.

"тел. 916*204*77*31", "+7 916 204–77–31", "call 415·555·0134", "моб. 916/204/77/31",
"tel: 8 9l6 2O4-77-31", "+7 916 204-\\n77-31": the digits are a phone's, but the separators
(``*``, ``·``, ``/``, the dashes U+2010-U+2015 and U+2212) or the OCR letters (O for 0, l/I for 1)
or a line break keep the layout rules of :mod:`contacts` and :mod:`phones_cued` from reading them.

Two checks together make such a run a phone here, as in :mod:`phones_cued`:

* the normalised digits are a valid number of a numbering plan (``+`` and a country code, or
  the national layout of a region the text points at: :func:`phone_plans.valid_in`);
* a phone word right before it (the ``PHONE`` words of :mod:`keywords`, nearest of all context
  words), except that a ``+``-prefixed run with real digits only needs no word: "+" already says
  "phone"; nor does "8*916*204*77*31", eleven digits whose trunk 8 and mobile code 9xx say it.

The separators inside one run must be one kind (spaces aside), a run shaped like an IPv4 address
or holding a date is never tried, and an OCR letter is accepted only with a cue: that is what
keeps versions, IPs, amounts and dates out.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import literals
from perimeter.privacy.detect.keywords import nearest_context
from perimeter.privacy.detect.phone_plans import valid_in, valid_international
from perimeter.privacy.detect.phones_cued import _CUE_WORD, _regions
from perimeter.privacy.detect.prescan import TextIndex, aligned_lower
from perimeter.privacy.entities import Entity

# A digit as OCR may have read it: O / Cyrillic О for 0, l / I / | for 1.
_D = r"[\dOoОоlI|]"
_SEP = r"(?:[ \u00a0]?[\-*·/.\u2010-\u2015\u2212][ \u00a0]?|[ \u00a0]|[ \t]*-?\r?\n[ \t]*)"
# "+7(916)204*77*31": a bracket is a join of its own
_RUN = re.compile(
    rf"(?<![\w+\-*·/.])(?P<plus>\+[ \u00a0]?)?\(?{_D}{{1,5}}\)?(?:(?:{_SEP}|(?<=\))|(?=\())\(?{_D}{{1,5}}\)?){{1,6}}"
    rf"(?![\w]|[\-*·/.]\d)"
)
_EQUALS = re.compile(r"[ \t\u00a0]*=")
_ODD = "*·\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_TRUNK_START = re.compile(r"(?<![\w+\-*·/.])[78](?=[ \u00a0]?[*·\u2010-\u2015\u2212][ \u00a0]?\(?9\d\d)")
_START = re.compile(r"(?<![\w+\-*·/.])[\d+(]")
_OCR = str.maketrans({"O": "0", "o": "0", "О": "0", "о": "0", "l": "1", "I": "1", "|": "1"})
_NOT_DIGIT = re.compile(r"\D")
_TRUNK = re.compile(r"\([0OО]\)")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DATE_INSIDE = re.compile(r"(?<!\d)(?:\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)\d{2}|(?:19|20)\d{2}[./\-]\d{1,2}[./\-]\d{1,2})(?!\d)")
_SEPARATORS = re.compile(r"[\-*·/.\u2010-\u2015\u2212]")
_GROUP = re.compile(r"[^ \u00a0\-*·/.\u2010-\u2015\u2212\n\r\t()]+")
#: Where a phone word can start (lower case; ``literals.PHONE_LOOSE``); the cue itself is
#: :data:`phones_cued._CUE_WORD`.
STEMS = literals.PHONE_LOOSE
_WINDOW = 90


def _letters(value: str) -> int:
    return sum(ch.isalpha() for ch in value)


def _plausible(value: str) -> bool:
    """One kind of separator, every group holds a real digit, one group of 3+ digits, no two
    round groups joined by "*" or "/", at most three OCR letters."""
    kinds = set(_SEPARATORS.findall(value))
    if "\n" in value:
        kinds.discard("-")  # "204-\n77-31": the hyphen of a wrap
    if len(kinds) > 1:
        return False
    groups = _GROUP.findall(value.lstrip("+"))
    if not groups or any(not any(ch.isdigit() for ch in g) for g in groups):
        return False
    if not any(len(g) >= 3 for g in groups):
        return False  # "iPhone 12/13/14/15/16": a phone has an area code or a 3-4 digit block
    if kinds & {"*", "/"} and sum(g.endswith("00") for g in groups) >= 2:
        return False  # "800*600*1024", "1000/2000/5000": arithmetic and lists of round numbers
    return _letters(value) <= 3


_ODD_OR_LETTER = re.compile(r"[*·/\u2010-\u2015\u2212\n]|[^\W\d_]")
_ODD_CHAR = re.compile(f"[{_ODD}]")


def _unusual(value: str) -> bool:
    """Something the layout rules do not read: an odd separator, an OCR letter, a line break,
    a stray one-digit group after the first ("8 916 2 04 77 31")."""
    if _ODD_OR_LETTER.search(value) or "." in value:
        return True
    return any(len(g) == 1 for g in _GROUP.findall(value.lstrip("+"))[1:])


def find_loose_phones(ix: TextIndex, phones: list[Entity]) -> list[Entity]:
    """Phones with odd separators or OCR damage; a run may contain one of ``phones`` (already
    found) but not cut across one."""
    text = ix.text
    if not ix.has_digits:
        return []
    if len(ix.lower) == len(text):
        cues = ix.literal_starts("phone_loose", fallback_find=True) or []
    else:  # "İ" lowers to two characters: offsets from a lower-case copy of the same length
        cues = TextIndex.stem_starts(STEMS, aligned_lower(text))
    matches: list[re.Match[str]] = []
    reach = 0
    for at in cues:  # a run that starts within _WINDOW characters after a phone word
        lo = max(at, reach)
        hi = min(len(text), at + _WINDOW)
        while lo < hi:
            first = _START.search(text, lo, hi)  # a run starts with a digit, "+" or "("
            if first is None:
                break
            m = _RUN.match(text, first.start(), min(len(text), hi + 64))
            if m is None:
                lo = first.end()
                continue
            matches.append(m)
            lo = reach = m.end()
        reach = max(reach, hi)
    if _ODD_CHAR.search(text) is not None:  # "8*916*204*77*31" with no word: a Russian trunk and mobile code
        matches.extend(m for t in _TRUNK_START.finditer(text) if (m := _RUN.match(text, t.start())) is not None)
    plus = text.find("+")
    while plus != -1:
        m = _RUN.match(text, plus)
        if m is not None:
            matches.append(m)
        plus = text.find("+", plus + 1)
    if not matches:
        return []
    taken = [(e.start, e.end) for e in phones]
    out: list[Entity] = []
    regions: tuple[str, ...] | None = None
    seen: set[int] = set()
    for m in sorted(matches, key=lambda m: m.start()):
        if m.start() in seen:
            continue
        seen.add(m.start())
        value = m.group().rstrip(" \u00a0\n\r\t-")
        end = m.start() + len(value)
        # a phone already found inside ("8 9l6 204-77-31" read as "204-77-31") is outgrown
        if not _unusual(value) or any(a < end and m.start() < b and not m.start() <= a < b <= end for a, b in taken):
            continue
        if any(m.start() == a and b == end for a, b in taken):
            continue
        if not _plausible(value) or _is_ipv4(value) or _DATE_INSIDE.search(value):
            continue
        if _EQUALS.match(text, end):
            continue  # "8*912*100*10*10 = …": a product, not a phone
        # "+49 (0) 30·1234·5678": the bracketed trunk zero is not dialled after a country code
        digits = _NOT_DIGIT.sub("", _TRUNK.sub("", value, 1).translate(_OCR) if m.group("plus") else value.translate(_OCR))
        ctx = nearest_context(text, m.start(), 40)
        if ctx == "NEG":
            continue
        cued = ctx == "PHONE" and _cued(text, m.start())
        clean = _letters(value) == 0 and "\n" not in value
        if not cued and clean and ctx is None and _trunk_mobile(digits):
            pass  # "8*916*204*77*31": the trunk 8 and a mobile code say "phone" without a word
        elif m.group("plus"):
            if not (cued or clean) or not 8 <= len(digits) <= 15 or not valid_international(digits):
                continue
        else:
            if not cued or not 10 <= len(digits) <= 12:
                continue
            if regions is None:
                regions = _regions(text)
            if not valid_in(digits, regions):
                continue
        out.append(Entity("PHONE", m.start(), end, value, 0.85, "phone_loose"))
    return out


def _trunk_mobile(digits: str) -> bool:
    """"89162047731": eleven digits, the trunk 8 (or 7) and a +7 mobile number after it."""
    return len(digits) == 11 and digits[0] in "78" and digits[1] == "9" and valid_in(digits[1:], ("RU",))


def _is_ipv4(value: str) -> bool:
    """"192.168.100.254" is an address; "916.204.77.31" (916 > 255) can only be a phone."""
    return _IPV4.fullmatch(value) is not None and all(int(p) <= 255 for p in value.split("."))


def _cued(text: str, start: int) -> bool:
    """A phone word within 40 characters before ``start`` with no other number between
    ("телефон iPhone 15 Pro 256/512/1024" names the phone's memory, not its number)."""
    last = None
    for cue in _CUE_WORD.finditer(text, max(0, start - 40), start):
        last = cue
    return last is not None and not any(ch.isdigit() for ch in text[last.end():start])


