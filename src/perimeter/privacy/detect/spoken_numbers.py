"""Number words as digits: the vocabulary and the grammar of a dictated number.

A call transcript says a phone as "девятьсот шестнадцать, двести четыре, семьдесят семь,
тридцать один" or "five oh two, five five five, zero one nine nine", a date of birth as
"восьмое декабря восемьдесят седьмого" or "august ninth nineteen eighty one".  This module
only reads such words: :func:`tokens` finds the runs of number words in a text and
:func:`digits_of` / :func:`date_of` turn a run into the digits a person would have typed.
What counts as a *value* (a cue, a plan or checksum) is :mod:`spoken_values`'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# kinds: "zero", "unit" (1-9), "teen" (10-19), "tens" (20-90), "hund" (100-900), "mulH" (EN
# "hundred"), "mulT" ("thousand"), "big" ("двухтысячного": a whole 2000), "rep" ("double")
_RU_CARDINAL: dict[str, tuple[int, str]] = {
    "ноль": (0, "zero"), "нуль": (0, "zero"), "один": (1, "unit"), "одна": (1, "unit"), "одно": (1, "unit"),
    "два": (2, "unit"), "две": (2, "unit"), "три": (3, "unit"), "четыре": (4, "unit"), "пять": (5, "unit"),
    "шесть": (6, "unit"), "семь": (7, "unit"), "восемь": (8, "unit"), "девять": (9, "unit"),
    "десять": (10, "teen"), "одиннадцать": (11, "teen"), "двенадцать": (12, "teen"), "тринадцать": (13, "teen"),
    "четырнадцать": (14, "teen"), "пятнадцать": (15, "teen"), "шестнадцать": (16, "teen"),
    "семнадцать": (17, "teen"), "восемнадцать": (18, "teen"), "девятнадцать": (19, "teen"),
    "двадцать": (20, "tens"), "тридцать": (30, "tens"), "сорок": (40, "tens"), "пятьдесят": (50, "tens"),
    "шестьдесят": (60, "tens"), "семьдесят": (70, "tens"), "восемьдесят": (80, "tens"), "девяносто": (90, "tens"),
    "сто": (100, "hund"), "двести": (200, "hund"), "триста": (300, "hund"), "четыреста": (400, "hund"),
    "пятьсот": (500, "hund"), "шестьсот": (600, "hund"), "семьсот": (700, "hund"), "восемьсот": (800, "hund"),
    "девятьсот": (900, "hund"), "тысяча": (1000, "mulT"), "тысячи": (1000, "mulT"), "тысяч": (1000, "mulT"),
}
_RU_ORDINAL_STEMS: dict[str, tuple[int, str]] = {
    "перв": (1, "unit"), "втор": (2, "unit"), "трет": (3, "unit"), "четверт": (4, "unit"), "четвёрт": (4, "unit"),
    "пят": (5, "unit"), "шест": (6, "unit"), "седьм": (7, "unit"), "восьм": (8, "unit"), "девят": (9, "unit"),
    "десят": (10, "teen"), "одиннадцат": (11, "teen"), "двенадцат": (12, "teen"), "тринадцат": (13, "teen"),
    "четырнадцат": (14, "teen"), "пятнадцат": (15, "teen"), "шестнадцат": (16, "teen"), "семнадцат": (17, "teen"),
    "восемнадцат": (18, "teen"), "девятнадцат": (19, "teen"), "двадцат": (20, "tens"), "тридцат": (30, "tens"),
    "сороков": (40, "tens"), "пятидесят": (50, "tens"), "шестидесят": (60, "tens"), "семидесят": (70, "tens"),
    "восьмидесят": (80, "tens"), "девяност": (90, "tens"), "сот": (100, "hund"), "двухсот": (200, "hund"),
    "трехсот": (300, "hund"), "трёхсот": (300, "hund"), "девятисот": (900, "hund"),
    "тысячн": (1000, "big"), "двухтысячн": (2000, "big"),
}
# Every case form of those ordinals, spelled out: one dict look-up per word of a transcript.
_RU_ORDINAL: dict[str, tuple[int, str]] = {
    stem + ending: reading
    for stem, reading in _RU_ORDINAL_STEMS.items()
    for ending in ("ый", "ой", "ий", "ое", "ая", "ого", "ому", "ом", "ым", "ье", "ьего", "ьему", "ья")
}
_EN_CARDINAL: dict[str, tuple[int, str]] = {
    "zero": (0, "zero"), "oh": (0, "zero"), "o": (0, "zero"), "nought": (0, "zero"), "one": (1, "unit"),
    "two": (2, "unit"), "three": (3, "unit"), "four": (4, "unit"), "five": (5, "unit"), "six": (6, "unit"),
    "seven": (7, "unit"), "eight": (8, "unit"), "nine": (9, "unit"), "ten": (10, "teen"), "eleven": (11, "teen"),
    "twelve": (12, "teen"), "thirteen": (13, "teen"), "fourteen": (14, "teen"), "fifteen": (15, "teen"),
    "sixteen": (16, "teen"), "seventeen": (17, "teen"), "eighteen": (18, "teen"), "nineteen": (19, "teen"),
    "twenty": (20, "tens"), "thirty": (30, "tens"), "forty": (40, "tens"), "fifty": (50, "tens"),
    "sixty": (60, "tens"), "seventy": (70, "tens"), "eighty": (80, "tens"), "ninety": (90, "tens"),
    "hundred": (100, "mulH"), "thousand": (1000, "mulT"), "double": (2, "rep"), "triple": (3, "rep"),
}
_EN_ORDINAL: dict[str, tuple[int, str]] = {
    "first": (1, "unit"), "second": (2, "unit"), "third": (3, "unit"), "fourth": (4, "unit"), "fifth": (5, "unit"),
    "sixth": (6, "unit"), "seventh": (7, "unit"), "eighth": (8, "unit"), "ninth": (9, "unit"),
    "tenth": (10, "teen"), "eleventh": (11, "teen"), "twelfth": (12, "teen"), "thirteenth": (13, "teen"),
    "fourteenth": (14, "teen"), "fifteenth": (15, "teen"), "sixteenth": (16, "teen"), "seventeenth": (17, "teen"),
    "eighteenth": (18, "teen"), "nineteenth": (19, "teen"), "twentieth": (20, "tens"), "thirtieth": (30, "tens"),
}
MONTHS: dict[str, int] = {
    **{m: i + 1 for i, m in enumerate((
        "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
        "ноября", "декабря"))},
    **{m: i + 1 for i, m in enumerate((
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december"))},
}
# Words a dictated run may hold besides numbers: "the ninth of august", "one hundred and five",
# "… седьмого года", "плюс семь …", "five five five dash oh one …", "five oh two, umm, five …".
_HESITATIONS = frozenset({"um", "umm", "uh", "uhm", "erm", "эм", "ээ", "эээ", "мм", "ммм"})
_FILLERS = frozenset({"the", "of", "and", "года", "год", "plus", "плюс", "dash", "тире", *_HESITATIONS})
_WORD = re.compile(r"[a-zа-яё]+")
# Between two words of one run: spaces, commas, hyphens, a dash, dots, brackets — one line.
_GAP = re.compile(r"[ \t\u00a0,\-–—.…()]*")


@dataclass(frozen=True)
class Word:
    """One word of a run: its offsets, its lower-case text and its reading."""

    start: int
    end: int
    text: str
    value: int
    kind: str  # a number kind (above), "month" or "filler"
    ordinal: bool


def _reading(w: str) -> tuple[int, str, bool] | None:
    """:func:`read_word` from the separate tables, in their order of precedence."""
    hit = _RU_CARDINAL.get(w) or _EN_CARDINAL.get(w)
    if hit is not None:
        return hit[0], hit[1], False
    hit = _EN_ORDINAL.get(w)
    if hit is not None:
        return hit[0], hit[1], True
    hit = _RU_ORDINAL.get(w)
    if hit is not None:
        return hit[0], hit[1], True
    if w in MONTHS:
        return MONTHS[w], "month", False
    if w in _FILLERS:
        return 0, "filler", False
    return None


#: Every word ``_reading`` knows, with its reading: one dict look-up per word of a transcript
#: (it was up to six); the same answer, the tables being fixed.
_READINGS: dict[str, tuple[int, str, bool]] = {
    w: r for w in (*_RU_CARDINAL, *_EN_CARDINAL, *_EN_ORDINAL, *_RU_ORDINAL, *MONTHS, *_FILLERS)
    if (r := _reading(w)) is not None
}


def read_word(w: str) -> tuple[int, str, bool] | None:
    """(value, kind, ordinal) of a lower-case word, or ``None`` when it is no number word."""
    return _READINGS.get(w)


def runs(lower: str, lo: int, hi: int) -> list[list[Word]]:
    """Maximal runs of number words (and fillers, months) that start in ``lower[lo:hi]`` (a
    run that started there is read to its end), joined only by :data:`_GAP` characters;
    fillers at either end are dropped."""
    out: list[list[Word]] = []
    cur: list[Word] = []
    last_end = -1
    reading_of = _READINGS.get
    for m in _WORD.finditer(lower, lo):
        if m.start() >= hi and not cur:
            break
        reading = reading_of(m.group())
        if reading is None:
            if m.start() >= hi:
                break
            if cur:  # most words of a text are no number words: nothing to close
                _close(cur, out)
                cur = []
            continue
        if cur and _GAP.fullmatch(lower, last_end, m.start()) is None:
            _close(cur, out)
            cur = []
        cur.append(Word(m.start(), m.end(), m.group(), *reading))
        last_end = m.end()
    _close(cur, out)
    return out


def _close(cur: list[Word], out: list[list[Word]]) -> None:
    while cur and cur[-1].kind == "filler":
        cur.pop()
    while cur and cur[0].kind == "filler" and cur[0].text not in ("plus", "плюс", "the"):
        cur.pop(0)
    if any(w.kind not in ("filler", "month") for w in cur):
        out.append(cur)


def _below_thousand(ws: list[Word], i: int) -> tuple[int | None, int]:
    """One compound number under 1000 from ``ws[i]``: hundreds, tens, units, in that order."""
    n = len(ws)
    total: int | None = None
    j = i
    if j < n and ws[j].kind == "hund":
        total, j = ws[j].value, j + 1
    elif j + 1 < n and ws[j].kind == "unit" and ws[j + 1].kind == "mulH":
        total, j = ws[j].value * 100, j + 2
    if total is not None and j < n and ws[j].text == "and":
        j += 1
    if j < n and not (total is not None and ws[j - 1].ordinal):
        if ws[j].kind == "teen":
            total, j = (total or 0) + ws[j].value, j + 1
        elif ws[j].kind == "tens":
            total, j = (total or 0) + ws[j].value, j + 1
            if j < n and ws[j].kind == "unit" and not ws[j - 1].ordinal:
                total, j = total + ws[j].value, j + 1
        elif ws[j].kind == "unit":
            total, j = (total or 0) + ws[j].value, j + 1
    return total, j


def digits_of(ws: list[Word]) -> str | None:
    """The digits a dictated run stands for ("five oh two" → "502", "двести четыре, семьдесят
    семь" → "20477"), or ``None`` when the run holds a word that is no digit (a month)."""
    out: list[str] = []
    i, n = 0, len(ws)
    repeat = 1
    while i < n:
        w = ws[i]
        if w.kind == "filler":
            if (w.text in ("dash", "тире") or w.text in _HESITATIONS) and 0 < i < n - 1:
                i += 1
                continue
            if w.text not in ("plus", "плюс") or i:
                return None
            out.append("+")
            i += 1
            continue
        if w.kind == "rep":
            repeat, i = w.value, i + 1
            continue
        if w.kind == "zero":
            out.append("0" * repeat)
            repeat, i = 1, i + 1
            continue
        if w.kind in ("month", "big"):
            return None
        if w.kind == "mulT":  # "тысяча девятьсот восемьдесят седьмого"
            rest, j = _below_thousand(ws, i + 1 + (i + 1 < n and ws[i + 1].text == "and"))
            total = 1000 + (rest or 0)
        else:
            part, j = _below_thousand(ws, i)
            if part is None:
                return None
            total = part
            if j < n and ws[j].kind == "mulT":  # "две тысячи третьего", "two thousand and three"
                rest, k = _below_thousand(ws, j + 1 + (j + 1 < n and ws[j + 1].text == "and"))
                total, j = part * 1000 + (rest or 0), k
        out.append(str(total) * repeat)
        repeat, i = 1, j
    return "".join(out)


def year_of(ws: list[Word], this_year: int) -> int | None:
    """"восемьдесят седьмого" → 1987, "nineteen eighty one" → 1981, "двухтысячного" → 2000."""
    if len(ws) == 1 and ws[0].kind == "big":
        return ws[0].value
    if ws and ws[0].kind == "big":
        return None
    digits = digits_of(ws)
    if digits is None or not digits.isdigit():
        return None
    if len(digits) == 4 and digits[:2] in ("19", "20"):
        return int(digits)
    if len(digits) == 2:
        yy = int(digits)
        return 2000 + yy if yy <= this_year % 100 else 1900 + yy
    return None


def day_of(ws: list[Word], ordinal: bool = True) -> int | None:
    """"восьмое" → 8, "двадцать третьего" → 23, "thirtieth" → 30: a day is said as an ordinal
    (or, before a month's name, ``ordinal=False``, as a number: "nine august")."""
    if not ws or (ordinal and not ws[-1].ordinal) or any(w.kind not in ("unit", "teen", "tens") for w in ws):
        return None
    value, j = _below_thousand(ws, 0)
    return value if j == len(ws) and value is not None and 1 <= value <= 31 else None
