"""Checksummed identifiers that OCR or a hurried hand damaged: "ИНН 77O7O83893",
"card 4276 38OO 0012 3456", "СНИЛС 112-233-445 9 5", "IBAN DE89 37O4 0044 0532 0130 00".

:mod:`numbers` reads digit chains only, so a letter O for a zero, l / I / | for a one, or a
value cut by a line break in the middle of a group leaves the value in plain sight.  Here a run
of digit-like characters after the value's own context word (ИНН, СНИЛС, ОГРН, card, IBAN …) is
normalised (O→0, l/I/|→1, separators dropped) and reported only when the normalised digits pass
that kind's check digits: one random string in ten to a hundred passes, and only right after
the word that names the kind; a run with no OCR letter in it is left to :mod:`numbers`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from perimeter.privacy.detect import literals
from perimeter.privacy.detect.checksums import (
    IBAN_LENGTHS,
    card_valid,
    iban_valid,
    inn_valid,
    ogrn_valid,
    snils_valid,
)
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.entities import Entity

_D = r"[\dOoОоlI|]"
# Groups of digit-like characters joined by a space, a hyphen or a line break.
_RUN = re.compile(rf"(?<![\w])(?:{_D}+(?:[ \u00a0\-]|[ \t]*\r?\n[ \t]*))*{_D}+(?![\w])")
_IBAN_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[\dOlI]{2}(?:[ \u00a0]?[A-Za-z0-9|]){10,32}(?![A-Za-z0-9])")
_OCR = str.maketrans({"O": "0", "o": "0", "О": "0", "о": "0", "l": "1", "I": "1", "|": "1"})
_SEPARATORS = str.maketrans("", "", " \u00a0-\r\n\t")


def _card(d: str) -> bool:
    return card_valid(d)


def _inn(d: str) -> bool:
    return len(d) in (10, 12) and inn_valid(d)


def _snils(d: str) -> bool:
    return snils_valid(d)


def _ogrn(d: str) -> bool:
    return ogrn_valid(d)


_KINDS: tuple[tuple[str, re.Pattern[str], Callable[[str], bool]], ...] = (
    ("RU_INN", re.compile(r"(?<![а-яёa-z])(?:инн|inn|tin)(?![а-яёa-z])"), _inn),
    ("RU_SNILS", re.compile(r"снилс|snils"), _snils),
    ("RU_OGRN", re.compile(r"огрн(?:ип)?|ogrn(?:ip)?"), _ogrn),
    ("CREDIT_CARD", re.compile(r"(?<![а-яёa-z])(?:карт\w*|card|visa|mastercard|мир|maestro|amex|pan)(?![а-яёa-z])"), _card),
)
#: The words the kinds above start with (lower case; ``literals.OCR_CUES``).
STEMS = literals.OCR_CUES
_WINDOW = 48


_DIGITISH = frozenset("0123456789OoОоlI|")


def _letters(value: str) -> int:
    return sum(ch.isalpha() or ch == "|" for ch in value)


def _has_ocr_letter(value: str) -> bool:
    return any((not ch.isdigit() and ch.isalnum()) or ch == "|" for ch in value)


def find_ocr_values(
    text: str, lower: str, wanted: frozenset[str], taken: list[Entity], starts: list[int] | None = None,
) -> list[Entity]:
    """Damaged checksummed values right after their kind's word; none overlapping ``taken``;
    ``starts``: the sorted offsets of :data:`STEMS` in ``lower`` when the caller has them."""
    out: list[Entity] = []
    spans = [(e.start, e.end) for e in taken]
    at_list = sorted(set(starts if starts is not None else TextIndex.stem_starts(STEMS, lower)))
    for at in at_list:
        if lower.startswith("iban", at):
            if "IBAN" in wanted:
                ent = _iban_after(text, at + 4)
                if ent is not None and not any(a < ent.end and ent.start < b for a, b in spans):
                    out.append(ent)
                    spans.append((ent.start, ent.end))
            continue
        for kind, cue, valid in _KINDS:
            if kind not in wanted:
                continue
            c = cue.match(lower, at)
            if c is None:
                continue
            ent = _value_after(text, c.end(), kind, valid)
            if ent is not None and not any(a < ent.end and ent.start < b for a, b in spans):
                out.append(ent)
                spans.append((ent.start, ent.end))
            break
    return out


def _value_after(text: str, at: int, kind: str, valid: Callable[[str], bool]) -> Entity | None:
    hi = min(len(text), at + _WINDOW)
    m = None
    # skip ":", "№", spaces, a word ("ИНН по …"), up to the first run of digit-like characters
    # that starts a token and has a digit within its first three characters
    for lo in range(at, hi):
        if text[lo] == "\n" and text[lo + 1:lo + 2] == "\n":
            return None
        if text[lo] in _DIGITISH and any(ch.isdigit() for ch in text[lo:lo + 3]):
            m = _RUN.match(text, lo)
            if m is not None:
                break
    if m is None or sum(ch.isdigit() for ch in m.group()) < 2 * _letters(m.group()):
        return None  # mostly letters: a word, not a damaged number
    value = m.group()
    # the longest prefix of groups that passes: "ИНН 77O7O83893 от 2019" stops at the value
    parts = re.split(r"([ \u00a0\-]|[ \t]*\r?\n[ \t]*)", value)
    for k in range(len(parts), 0, -2):
        raw = "".join(parts[:k])
        if not _has_ocr_letter(raw):
            continue
        digits = raw.translate(_OCR).translate(_SEPARATORS)
        if digits.isdigit() and valid(digits):
            return Entity(kind, m.start(), m.start() + len(raw), raw, 0.85, "ocr_value")
    return None


def _fix_groups(bban: str) -> str:
    """O→0, l/I/|→1 in the groups of four that hold a real digit (a bank code stays letters)."""
    return "".join(
        g.translate(_OCR) if any(ch.isdigit() for ch in g) else g for g in (bban[i:i + 4] for i in range(0, len(bban), 4))
    )


def _iban_after(text: str, at: int) -> Entity | None:
    lo = at
    hi = min(len(text), at + 16)
    while lo < hi and not text[lo].isupper():
        lo += 1
    m = _IBAN_RUN.match(text, lo)
    if m is None:
        return None
    want = IBAN_LENGTHS.get(m.group()[:2])
    if want is None:
        return None
    end, count = m.start(), 0
    for i, ch in enumerate(m.group()):
        if ch.isalnum() or ch == "|":
            count += 1
            if count == want:
                end = m.start() + i + 1
                break
    if count != want:
        return None
    raw = text[m.start():end]
    compact = raw.replace(" ", "").replace("\u00a0", "")
    fixed = compact[:2] + compact[2:4].translate(_OCR) + _fix_groups(compact[4:])
    if fixed != compact and iban_valid(fixed):
        return Entity("IBAN", m.start(), end, raw, 0.85, "ocr_value")
    return None
