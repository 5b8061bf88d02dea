"""Digit-chain identifiers: ИНН, СНИЛС, ОГРН/ОГРНИП, cards, 20-digit accounts, passports, SSN.

People write the same number many ways ("7707 083 893", "123-456-789 01", "45 10 № 123456",
a card split across a line break).  So instead of one regex per layout we find *digit chains*
(digit groups joined by short separators), then try the whole chain and the sub-chains cut at
strong breaks against every identifier of that length.  A value is reported only when its
check digits validate (or, for the two kinds without check digits, when its layout and context
words agree).  That is what keeps order numbers, trackers and build ids out.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from functools import partial

from perimeter.privacy.detect.checksums import (
    card_valid,
    inn_valid,
    luhn_valid,
    ogrn_valid,
    ru_account_key_valid,
    ru_account_layout,
    snils_valid,
    ssn_valid,
)
from perimeter.privacy.detect.keywords import nearest_context
from perimeter.privacy.detect.prescan import TextIndex, matches_at
from perimeter.privacy.entities import FIELD_SEPARATOR, Entity

_CHAIN = re.compile(r"\d+(?:(?:[ \t\u00a0\-–./№]{1,3}|[ \t]*\r?\n[ \t]*)\d+)*")
_GROUP = re.compile(r"\d+")
_BIK = re.compile(r"(?:бик|bik)\D{0,6}(\d{9})(?!\d)", re.IGNORECASE)
_SNILS_LAYOUT = re.compile(r"^\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}$")
_SSN_LAYOUT = re.compile(r"^\d{3}[- ]\d{2}[- ]\d{4}$")
# "4510 123456", "45 10 № 123456"; after a passport word also "4510-123456", "4510/123456" and
# "45-10 123456" (a form's "Серия/номер: 4510/123456")
_PASSPORT_LAYOUT = re.compile(r"^\d{2}[\s-]?\d{2}\s*(?:№|N|No\.?|[-/])?\s*(?:\d{6}|\d{3}[ \u00a0]\d{3})$")
_PHONE_LAYOUT = re.compile(r"^\d{3}[-. ]\d{3}[-. ]\d{2}[-. ]?\d{2}$")
# The Russian passport for travel abroad: 2-digit series and a 7-digit number.
_ISSUED_AFTER = re.compile(r"[ \u00a0]*,?[ \u00a0]*(?:выдан|выд\.|issued)", re.IGNORECASE)
_FOREIGN_PASSPORT_LAYOUT = re.compile(r"^\d{2}[ \u00a0]?(?:№[ \u00a0]?)?\d{7}$")
_TRAVEL_PASSPORT = re.compile(r"^\d{2}[ \u00a0]\d{7}$")
_PASSPORT_IN_TEXT = re.compile(r"(?i:загран|паспорт|passport)")
_PASSPORT_SPLIT = re.compile(
    r"(?i:серия|серии|series)\s*:?\s*(\d{2}\s?\d{2})\s*,?\s*(?i:номер|№|no\.?|number|н\.)\s*:?\s*(\d{6})(?!\d)"
)
_ACCOUNT_PREFIXES = frozenset({
    "301", "302", "303", "401", "402", "403", "404", "405", "406", "407", "408", "409", "410",
    "411", "412", "413", "414", "415", "416", "417", "418", "419", "420", "421", "422", "423",
    "425", "426", "427", "428", "429", "430", "440", "455", "457", "474", "475",
})
_CARD_GROUPS = re.compile(r"^\d{4}[ -]\d{4}[ -]\d{4}")
_LENGTHS = frozenset({9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
_WORDISH = re.compile(r"[\w@#$%&*+=]")
_WORDISH_CHARS: dict[str, bool] = {}  # _WORDISH's answer per character (a regex call per look was most of _glued)


def _wordish(ch: str) -> bool:
    try:
        return _WORDISH_CHARS[ch]
    except KeyError:
        hit = _WORDISH.match(ch) is not None
        if len(_WORDISH_CHARS) < 4096:
            _WORDISH_CHARS[ch] = hit
        return hit


def _strong(gap: str) -> bool:
    """A break inside a chain where two different values may meet (a tab: two cells of a table)."""
    return ("\n" in gap or "\t" in gap or "." in gap or "/" in gap or (len(gap.strip()) == 0 and len(gap) >= 2)
            or gap in (" – ", " - "))


_PIECES = re.compile(r"(\D+)")
_STRONG: dict[str, bool] = {}


def _strong_gap(gap: str) -> bool:
    """:func:`_strong`, remembered: chains reuse a handful of gap strings (" ", "-", "\\n")."""
    try:
        return _STRONG[gap]
    except KeyError:
        strong = _strong(gap)
        if len(_STRONG) < 4096:
            _STRONG[gap] = strong
        return strong


def _splits_value(gap: str) -> bool:
    return "." in gap or "/" in gap


def _glued(text: str, start: int, end: int) -> bool:
    """True when the digits are part of a larger token (hex id, UUID tail, code identifier)."""
    if start > 0:
        prev = text[start - 1]
        # "card=4840…" in a log line: a key's value, not a glued token ("x1=…" and "a=b=1" stay glued).
        key_value = prev == "=" and start > 1 and text[start - 2].isalpha()
        if _wordish(prev) and not key_value:
            return True
        if prev in "-_.:/" and start > 1 and (text[start - 2].isalnum()):
            return True
    if end < len(text):
        nxt = text[end]
        if _wordish(nxt) and nxt not in "%":
            return True
        if nxt in "-_" and end + 1 < len(text) and text[end + 1].isalnum():
            return True
        if nxt == "." and end + 1 < len(text) and text[end + 1].isdigit():
            return True
    return False


def find_numbers(ix: TextIndex, wanted: frozenset[str]) -> list[Entity]:
    text = ix.text
    found: list[Entity] = []
    if "RU_PASSPORT" in wanted and any(w in text for w in ("ери", "ЕРИ", "eries", "ERIES")):
        for m in _passport_splits(ix):
            # "серия 8015 № 447219": the series and the number are two values, as every corpus
            # labels them (each is masked; the words between stay)
            for g in (1, 2):
                found.append(Entity("RU_PASSPORT", m.start(g), m.end(g), m.group(g), 0.97, "ru_passport"))
    regions = ix.identifier_windows()
    if not regions:
        return found
    split = [(e.start, e.end) for e in found]
    scan = _ChainScan(ix, wanted, found)
    for lo, hi in regions:
        for chain in _CHAIN.finditer(text, lo, hi):
            if chain.end() - chain.start() >= 9:
                scan.chain(chain)
    if split:  # the chain reading "5012 № 118844" would outgrow the two values after "серия"
        found[len(split):] = [
            e for e in found[len(split):]
            if not (e.type == "RU_PASSPORT" and any(a < e.end and e.start < b for a, b in split))
        ]
    return found


def _passport_splits(ix: TextIndex) -> list[re.Match[str]]:
    """``_PASSPORT_SPLIT.finditer(text)``, tried only where "серия/серии/series" occurs."""
    return matches_at(_PASSPORT_SPLIT, ix.text, ix.literal_starts("passport_series", fallback_find=True) or [])


class _ChainScan:
    """Classifies the digit chains of one text; remembers the БИК list and context lookups."""

    def __init__(self, ix: TextIndex, wanted: frozenset[str], found: list[Entity]) -> None:
        self.ix = ix
        self.text = ix.text
        self.wanted = wanted
        self.found = found
        self.biks: list[str] | None = None
        self.contexts: dict[int, str | None] = {}

    def context(self, start: int) -> str | None:
        try:
            return self.contexts[start]
        except KeyError:
            ctx = self.contexts[start] = nearest_context(self.text, start)
            return ctx

    def chain(self, chain: re.Match[str]) -> None:
        value = chain.group()
        pieces = _PIECES.split(value)  # digits, gap, digits, ..., digits
        if len(pieces) == 1:  # one run of digits (the common case): the chain is the candidate
            if len(value) in _LENGTHS:
                self.candidate(chain.start(), chain.end(), value, value)
            return
        gaps = pieces[1::2]
        if len(value) - sum(map(len, gaps)) < 9:
            return  # fewer than 9 digits: a date, a short code, part of a phone
        text = self.text
        # groups[k] = (start, end) of the k-th digit group; strong[k]: the gap after it is a
        # strong break (the last group counts as followed by one).
        groups: list[tuple[int, int]] = []
        at = chain.start()
        for k, piece in enumerate(pieces):
            if not k % 2:
                groups.append((at, at + len(piece)))
            at += len(piece)
        strong = [_strong_gap(gap) for gap in gaps]
        strong.append(True)
        # "pan=4276… 3ds=failed": a last group glued to a word ("3ds") is that word's, not the
        # number's, so the value before it ends at a break (the same for a first group "x1 …").
        if _glued(text, groups[-1][0], groups[-1][1]):
            strong[-2] = True
        if _glued(text, groups[0][0], groups[0][1]):
            strong[0] = True
        n = len(groups)
        for i in range(n):
            if i > 0 and not strong[i - 1]:
                continue
            if i + 1 < n and groups[i][1] - groups[i][0] <= 3 and "\n" in gaps[i]:
                continue  # "офис 12⏎83012 44-18-76": a short count ends its line; the next line is another value
            length = 0
            for j in range(i, n):
                length += groups[j][1] - groups[j][0]
                if length > 20:
                    break
                if j > i and _splits_value(gaps[j - 1]):
                    break  # a "." or "/" inside: a date, an IP, a fraction, never one identifier
                if length not in _LENGTHS:
                    continue
                # a card in four groups of four ends its value even before a weak gap ("карты
                # 2204 1664 5361 9453 11.09 списали": the date after it is another value)
                # nor can a value grow past 20 digits: "счёта 40702810516567562203 28.05.2024" ends
                # before the date even though a space is a weak gap
                full = j + 1 < n and length + groups[j + 1][1] - groups[j + 1][0] > 20
                if not strong[j] and not full and not (length == 16 and j - i == 3 and all(b - a == 4 for a, b in groups[i:j + 1])):
                    continue
                start, end = groups[i][0], groups[j][1]
                raw = text[start:end]
                self.candidate(start, end, raw, raw if i == j else "".join(text[s:e] for s, e in groups[i : j + 1]))

    def candidate(self, start: int, end: int, raw: str, digits: str) -> None:
        """One sub-chain with a plausible identifier length (9-20 digits)."""
        text = self.text
        if _glued(text, start, end):
            return
        length = len(digits)
        if not _possible(length, digits, raw):
            return  # cheap checksum/layout test first: most chains are not identifiers
        nearby = self.nearby_biks(start) if length == 20 else []
        ent = _classify(text, start, end, raw, digits, self.wanted, nearby, partial(self.context, start))
        if ent is not None:
            self.found.append(ent)

    def nearby_biks(self, start: int) -> list[str]:
        if self.biks is None:
            ix = self.ix
            found = matches_at(_BIK, ix.text, ix.literal_starts("bik", fallback_find=True) or [])
            self.biks = [f"{m.start():012d}:{m.group(1)}" for m in found]
        # Only the БИК of the same requisites block, not every БИК of a long file
        # (entries sort by their zero-padded offset, so bisect finds the window).
        lo_i = bisect_left(self.biks, f"{max(0, start - 400):012d}")
        hi_i = bisect_left(self.biks, f"{start + 400:012d}")
        return [b[13:] for b in self.biks[lo_i:hi_i]]


_REQUISITES = re.compile(
    r"инн|кпп|огрн|бик|р/с|к/с|реквизит|ооо|оао|зао|пао|\bао\b|\bип\b|налог|организаци|юр\.?\s*лиц|(?<![a-z])inn(?![a-z])|\btin\b",
    re.IGNORECASE,
)


def _near_requisites(text: str, start: int, end: int) -> bool:
    """A company's requisites block around a number ("ООО «Вектор», КПП …, 7707083893"), or
    the number is the whole text, or a whole field of a batch of request fields (a JSON value
    between two :data:`FIELD_SEPARATOR` lines)."""
    if not text[:start].strip() and not text[end:].strip():
        return True
    sep = FIELD_SEPARATOR
    if (start == 0 or text.endswith(sep, 0, start)) and (end == len(text) or text.startswith(sep, end)):
        return True
    return _REQUISITES.search(text, max(0, start - 120), min(len(text), end + 120)) is not None


def _possible(n: int, digits: str, raw: str) -> bool:
    if n == 9:
        return ssn_valid(digits) or bool(_FOREIGN_PASSPORT_LAYOUT.match(raw))
    if n == 10:
        return inn_valid(digits) or bool(_PASSPORT_LAYOUT.match(raw))
    if n == 11:
        return snils_valid(digits)
    if n == 12:
        return inn_valid(digits)
    if n == 20:
        return ru_account_layout(digits)
    if n == 16 and _CARD_GROUPS.match(raw) and luhn_valid(digits):
        return True  # a card of any issuer, if a card word names it (see luhn_cued)
    return (n in (13, 15) and ogrn_valid(digits)) or card_valid(digits)


def _classify(
    text: str, start: int, end: int, raw: str, digits: str, wanted: frozenset[str], biks: list[str],
    context: Callable[[], str | None],
) -> Entity | None:
    """``digits`` already passed :func:`_possible`.

    ``context()`` gives the kind of the nearest context word.  It is the most expensive step,
    so it is asked only on the paths whose answer depends on it (a grouped card or a БИК-keyed
    account does not need it).
    """
    n = len(digits)
    grouped = " " in raw or "-" in raw or "\n" in raw or "\u00a0" in raw

    def hit(kind: str, score: float, detector: str) -> Entity | None:
        if kind not in wanted:
            return None
        return Entity(kind, start, end, raw, score, detector)

    if n == 9:
        ctx = context()
        if ctx == "RU_PASSPORT" and _FOREIGN_PASSPORT_LAYOUT.match(raw):
            return hit("RU_PASSPORT", 0.9, "ru_passport")  # заграничный паспорт: "75 1234567"
        if _TRAVEL_PASSPORT.match(raw) and ctx is None and _PASSPORT_IN_TEXT.search(text) is not None:
            # "турист Лысенко Андрей, 72 1108563" in a text about passports: the 2+7 layout with
            # its space, the context word a paragraph away
            return hit("RU_PASSPORT", 0.8, "ru_passport")
        if ssn_valid(digits) and (ctx == "US_SSN" or (_SSN_LAYOUT.match(raw) and "-" in raw and ctx != "NEG")
                                  or (ctx == "RU_INN" and _SSN_LAYOUT.match(raw))):  # "Tax ID (US): 205-15-6056"
            return hit("US_SSN", 0.99 if ctx == "US_SSN" else 0.85, "us_ssn")
        return None
    if n == 10:
        ctx = context()
        # "19 09 590035 выдан ОУФМС …": the issuing authority after it names a passport too
        passport_ctx = ctx == "RU_PASSPORT" or "№" in raw or _ISSUED_AFTER.match(text, end) is not None
        if passport_ctx and _PASSPORT_LAYOUT.match(raw) and digits[:2] != "00":
            return hit("RU_PASSPORT", 0.95 if ctx == "RU_PASSPORT" else 0.8, "ru_passport")
        phone_layout = bool(_PHONE_LAYOUT.match(raw))
        # One check digit passes one random number in ten: without the word ИНН, a bare 10-digit
        # number (a timestamp, an id, a sum) counts only among company requisites or as a whole
        # field value (a JSON argument, a form cell), where failing closed is cheap.
        if (
            inn_valid(digits) and ctx not in ("NEG", "PHONE") and (ctx == "RU_INN" or not phone_layout)
            and (ctx == "RU_INN" or _near_requisites(text, start, end))
        ):
            return hit("RU_INN", 0.99 if ctx == "RU_INN" else 0.75, "inn")
        return None
    if n == 11:
        if snils_valid(digits):
            ctx = context()
            layout = bool(_SNILS_LAYOUT.match(raw))
            phone_like = digits[0] in "78" and not layout
            if ctx == "RU_SNILS" or (layout and ctx != "NEG") or (not phone_like and ctx not in ("NEG", "PHONE")):
                return hit("RU_SNILS", 0.99 if ctx == "RU_SNILS" or layout else 0.7, "snils")
        return None
    if n == 12:
        if inn_valid(digits):
            ctx = context()
            if ctx != "NEG":
                return hit("RU_INN", 0.99 if ctx == "RU_INN" else 0.85, "inn")
        return None
    if n in (13, 15) and ogrn_valid(digits):
        ctx = context()
        card_groups = bool(_CARD_GROUPS.match(raw))
        plausible = ctx == "RU_OGRN" or n == 15 or _near_requisites(text, start, end)  # not a ms timestamp
        if (ctx != "NEG" or n == 15) and ctx != "CREDIT_CARD" and (ctx == "RU_OGRN" or not card_groups) and plausible:
            return hit("RU_OGRN", 0.99 if ctx == "RU_OGRN" else 0.8, "ogrn")
    if 13 <= n <= 19 and card_valid(digits):
        if grouped:
            return hit("CREDIT_CARD", 0.99, "luhn")
        ctx = context()
        if ctx == "NEG":
            return None
        return hit("CREDIT_CARD", 0.99 if ctx == "CREDIT_CARD" else 0.9, "luhn")
    if n == 16 and _CARD_GROUPS.match(raw) and luhn_valid(digits) and context() == "CREDIT_CARD":
        # "карта 2209 5868 2422 2577": a card word before four groups of four that pass Luhn is
        # a card whatever its issuer prefix (a co-brand, a new range, a scheme not listed above)
        return hit("CREDIT_CARD", 0.95, "luhn_cued")
    if n == 20 and ru_account_layout(digits):
        keyed = any(
            ru_account_key_valid(digits, bik) or ru_account_key_valid(digits, bik, correspondent=True)
            for bik in biks
        )
        if keyed:
            return hit("RU_BANK_ACCOUNT", 0.99, "ru_account")
        ctx = context()
        if ctx == "RU_BANK_ACCOUNT" or (digits[:3] in _ACCOUNT_PREFIXES and ctx != "NEG"):
            return hit("RU_BANK_ACCOUNT", 0.99 if ctx == "RU_BANK_ACCOUNT" else 0.8, "ru_account")
    return None
