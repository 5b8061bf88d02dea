"""Phones, passports, cards and dates of birth dictated in words (call and voice transcripts).

"мой номер девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один", "my number
is five oh two, five five five, zero one nine nine", "родился восьмое декабря восемьдесят
седьмого", "born august ninth nineteen eighty one": no digit is written, so every digit rule
misses them, and a transcript is exactly where people say such values aloud.

A run of number words (:mod:`spoken_numbers`) becomes a value only when

* a cue word for its kind comes before it, nearest of all cues (телефон / номер / phone /
  number / call …, паспорт / passport, карта / card, SSN, or a birth word for a date), and
* the digits it reads as pass that kind's own test: a numbering plan for a phone, Luhn for a
  card, 10 digits for a passport, the SSN rules, a real calendar date in a birth-year range.

So "сто двадцать три рубля", "twenty five minutes", "номер заказа сорок два" stay text.  The
finding's span is the whole spoken run, from its first number word to its last.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import date

from perimeter.privacy.detect import literals
from perimeter.privacy.detect.checksums import card_valid, ssn_valid
from perimeter.privacy.detect.phone_plans import valid_in, valid_international
from perimeter.privacy.detect.phones_cued import _regions
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.detect.spoken_numbers import Word, day_of, digits_of, read_word, runs, year_of
from perimeter.privacy.entities import Entity

_CUE = re.compile(
    r"(?<![а-яёa-z])(?:"
    r"(?P<RU_PASSPORT>паспорт\w*|passport|сери[яи]|series)"
    r"|(?P<CREDIT_CARD>карт[аыуоее]\w*|карта|card)"
    r"|(?P<US_SSN>social security|ssn)"
    r"|(?P<DATE_OF_BIRTH>родил\w*|рожд\w*|д\.\s?р\.|dob|d\.o\.b|born|birth\w*)"
    r"|(?P<PHONE>тел\w*|номер\w*|моб\w*|сотов\w*|звон\w*|позвон\w*|перезвон\w*|phone\w*|number|cell|mobile|call(?!er)\w*|"
    r"reach me|whatsapp|ватсап|вотсап)"
    r")"
)
#: Where a cue can start (lower case; ``literals.SPOKEN_CUES``).
STEMS = literals.SPOKEN_CUES
_GENERIC = frozenset({"number", "номер"})
_REACH = 100  # how far after a cue a spoken run may start
_WINDOW = _REACH + 8  # where after a cue a run is looked for (and then read to its end)
_BEFORE_WINDOW = 300  # and before it, for a run the cue follows (when a number word is right before it)
_AFTER = 40  # how far after a run its cue may come
_BIRTH_AFTER = re.compile(r"[ \t,]*(?:года?\s+)?рожд")


def find_spoken_values(ix: TextIndex, lower: str, wanted: frozenset[str]) -> list[Entity]:
    """Dictated values of the ``wanted`` kinds; ``lower``: ``ix.text`` lower-cased, same offsets."""
    text = ix.text
    cues: list[tuple[int, int, str]] = []
    reach = 0
    starts = ix.literal_starts("spoken_cues", fallback_find=True) if lower is ix.lower else None
    for at in starts if starts is not None else TextIndex.stem_starts(STEMS, lower):
        if at < reach:
            continue
        m = _CUE.match(lower, at)
        if m is not None and m.lastgroup is not None:
            kind = m.lastgroup
            # "card number", "passport number": the bare "number" is the word before it's
            # ("паспорт: серия …, номер …" too, within one sentence)
            if kind == "PHONE" and m.group() in _GENERIC and cues and _same_item(lower, cues[-1], m.start()):
                kind = cues[-1][2]
            elif kind == "PHONE" and m.group() in _GENERIC and not _phone_number(lower, m.end()):
                kind = "NUMBER"  # "номер заказа …", "number of guests …": some other thing's number
            # "серия" alone is a TV series' or a product line's: only a passport's after "паспорт"
            if m.group().startswith(("сери", "series")) and not (cues and cues[-1][2] == "RU_PASSPORT" and _same_item(
                    lower, cues[-1], m.start())):
                kind = "SERIES"
            cues.append((m.start(), m.end(), kind))
            reach = m.end()
    if not cues:
        return []
    windows: list[tuple[int, int]] = []
    for start, end, _ in cues:  # runs after a cue, or just before one ("… — that's my cell")
        before = _BEFORE_WINDOW if _number_word_before(lower, start) else 0
        lo, hi = max(0, start - before), min(len(text), end + _WINDOW)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    cue_ends = [c[1] for c in cues]
    cue_starts = [c[0] for c in cues]
    out: list[Entity] = []
    regions: tuple[str, ...] | None = None
    this_year = date.today().year
    run_starts: list[int] = []
    for lo, hi in windows:
        for run in runs(lower, lo, hi):
            run_starts.append(run[0].start)
            k = bisect_right(cue_ends, run[0].start) - 1
            if k < 0 or run[0].start - cues[k][1] > _REACH:
                k = bisect_left(cue_starts, run[-1].end)  # a cue right after the run, same line
                if k == len(cues) or cues[k][0] - run[-1].end > _AFTER or "\n" in text[run[-1].end:cues[k][0]]:
                    continue
            kind = cues[k][2]
            if any(w.kind == "month" for w in run) or kind == "DATE_OF_BIRTH":
                if "DATE_OF_BIRTH" in wanted:
                    ent = _birth_date(text, lower, run, cues[: k + 1], this_year)
                    # the first number said after the birth word ("родился в восемьдесят
                    # седьмом, пятого декабря … приехал" is a year, then another date)
                    if ent is not None and not _earlier_run(cues[: k + 1], run_starts[:-1], ent.start):
                        out.append(ent)
                continue
            if kind not in wanted:
                continue
            digits = digits_of(run)
            if digits is None:
                continue
            if kind == "PHONE" and regions is None and digits.isdigit() and 10 <= len(digits) <= 12:
                regions = _regions(text)  # six searches of the text: only for a number long enough to need them
            if _valid(kind, digits, regions or ()) or (kind == "RU_PASSPORT" and _passport_part(lower, cues[k], digits)):
                out.append(Entity(kind, run[0].start, run[-1].end, text[run[0].start:run[-1].end], 0.8, "spoken"))
    return out


# the noun right after it, in the same clause ("Ваш номер? Клиент: …" asks for the phone)
_NEXT_WORD = re.compile(r"[ \t]+([a-zа-яё]+)")
_PHONE_NEXT = frozenset({"телефона", "мобильного", "сотового", "мой", "моего", "мне", "такой", "is", "phone", "cell",
                         "mobile", "at", "а", "он", "она", "плюс", "plus"})


_WORDS = re.compile(r"[a-zа-яё]+")
_REACH_AFTER = re.compile(r"[ \t]+(?:to (?:reach|call|text|contact)|for (?:you|a callback)|где|для связи|чтобы (?:связаться|перезвонить))")
_REACH_BEFORE = re.compile(r"(?:best|contact|callback|call-back|good|direct|контактный|контактного|обратный)[ \t]+(?:phone[ \t]+)?(?:number|номер)$")


def _number_word_before(lower: str, start: int) -> bool:
    """Whether a number word lies within :data:`_AFTER` characters before a cue (only then is
    the longer stretch before the cue read for a run: "… тридцать один — это мой мобильный")."""
    for m in _WORDS.finditer(lower, max(0, start - _AFTER), start):
        reading = read_word(m.group())
        if reading is not None and reading[1] not in ("filler", "month"):
            return True
    return False


def _phone_number(lower: str, end: int) -> bool:
    """Whether a bare "номер"/"number" ending at ``end`` is a phone's: what follows is a number
    word, a phone word or a link word ("my number is …"), not some other noun ("номер заказа")."""
    m = _NEXT_WORD.match(lower, end)
    if m is None or m.group(1) in _PHONE_NEXT:
        return True
    if _REACH_AFTER.match(lower, end) or _REACH_BEFORE.search(lower, max(0, end - 30), end):
        return True  # "Best number to reach you?", "a callback number": a phone asked for
    reading = read_word(m.group(1))
    if reading is not None and reading[1] not in ("filler", "month"):
        return True
    return _someones(m.group(1))


def _someones(word: str) -> bool:
    """"номер мастера", "номер артура": a number of a person (an animate noun or a name in the
    genitive) is a phone; "номер заказа", "номер договора" are some thing's."""
    if word.isascii():
        return False
    from perimeter.privacy.detect.morph import analyzer

    parse = analyzer().parse(word)[0]
    return "gent" in parse.tag and ("anim" in parse.tag or "Name" in parse.tag or "Surn" in parse.tag)


def _same_item(lower: str, cue: tuple[int, int, str], start: int) -> bool:
    """Whether a bare "номер"/"number" at ``start`` continues the cue before it: right after
    it ("card number"), or after a passport word in the same sentence ("серия …, номер …")."""
    gap = start - cue[1]
    if 0 <= gap <= 3:
        return True
    return cue[2] == "RU_PASSPORT" and 0 <= gap <= 48 and not any(ch in lower[cue[1]:start] for ch in ".!?\n")


def _earlier_run(cues: list[tuple[int, int, str]], run_starts: list[int], start: int) -> bool:
    """Whether another number run lies between the last birth cue before ``start`` and it."""
    birth = [cend for _, cend, kind in cues if kind == "DATE_OF_BIRTH"]
    return bool(birth) and any(birth[-1] <= s < start for s in run_starts)


def _passport_part(lower: str, cue: tuple[int, int, str], digits: str) -> bool:
    """"серия сорок пять десять, номер сто двадцать три …": the series (4 digits) and the number
    (6) are two values, as the digit rules read them."""
    word = lower[cue[0]:cue[1]]
    if word.startswith(("сери", "series")):
        return len(digits) == 4 and digits.isdigit()
    return word in _GENERIC and len(digits) == 6 and digits.isdigit()


def _valid(kind: str, digits: str, regions: tuple[str, ...]) -> bool:
    if kind == "PHONE":
        if digits.startswith("+"):
            return digits[1:].isdigit() and 8 <= len(digits) - 1 <= 15 and valid_international(digits[1:])
        return digits.isdigit() and 10 <= len(digits) <= 12 and valid_in(digits, regions)
    if not digits.isdigit():
        return False
    if kind == "RU_PASSPORT":
        return len(digits) == 10 and digits[:2] != "00"
    if kind == "CREDIT_CARD":
        return card_valid(digits)
    if kind == "US_SSN":
        return ssn_valid(digits)
    return False


def _birth_date(text: str, lower: str, run: list[Word], cues: list[tuple[int, int, str]], this_year: int) -> Entity | None:
    """A day, a month and a year in ``run``, after a birth cue (or before "года рождения")."""
    parts = _month_word_date(run) if any(w.kind == "month" for w in run) else _ordinal_month_date(run)
    if parts is None:
        if any(w.kind == "month" for w in run):
            return None
        return _numeric_birth_date(text, run, cues, this_year)
    first, day, month, after = parts
    after = [w for w in after if w.text not in ("года", "год", "of", "the", "and")]
    if not after or any(w.kind == "month" for w in after):
        return None
    year = year_of(after, this_year)
    if year is None or not 1900 <= year <= this_year - 2:
        return None
    try:
        date(year, month, day)
    except ValueError:
        return None
    start, end = first.start, after[-1].end
    cued = any(kind == "DATE_OF_BIRTH" and start - cend <= _REACH for _, cend, kind in cues)
    if not cued and _BIRTH_AFTER.match(lower, end) is None:
        return None
    return Entity("DATE_OF_BIRTH", start, end, text[start:end], 0.8, "spoken")


_DatePart = tuple[Word, int, int, list[Word]]  # first word, day, month, the words of the year


def _month_word_date(run: list[Word]) -> _DatePart | None:
    """"восьмое декабря …", "the ninth of august …", "august ninth …", "9 … nine august …"."""
    mi = next(i for i, w in enumerate(run) if w.kind == "month")
    before = [w for w in run[:mi] if w.kind != "filler"]
    after = run[mi + 1:]
    while after and after[0].text in ("the", "of"):
        after = after[1:]
    for size in (2, 1):  # "двадцать третье декабря", "восьмое декабря", "nine august"
        if len(before) >= size and (day := day_of(before[-size:], ordinal=False)) is not None:
            if len(before) > size:
                return None  # another number said first: that one followed the birth word
            return before[-size], day, run[mi].value, after
    for size in (1, 2):  # "august ninth nineteen eighty one", "august twenty first, nineteen …"
        if len(after) > size and (day := day_of(after[:size])) is not None:
            return run[mi], day, run[mi].value, after[size:]
    return None


def _ordinal_month_date(run: list[Word]) -> _DatePart | None:
    """"восьмое двенадцатого восемьдесят седьмого": the month said as its ordinal number."""
    words = [w for w in run if w.kind != "filler"]
    for d in (1, 2):
        day = day_of(words[:d])
        if day is None:
            continue
        for m in (1, 2):
            month = day_of(words[d:d + m])
            if month is not None and month <= 12 and len(words) > d + m:
                return words[0], day, month, words[d + m:]
    return None


def _numeric_birth_date(text: str, run: list[Word], cues: list[tuple[int, int, str]], this_year: int) -> Entity | None:
    """A date said as plain numbers right after a birth cue: "DOB? — nine eleven eighty-six"
    (month, day, year as a form's fields), "one seven zero three one nine nine nine" (digit by
    digit).  Without a month's name nothing says it is a date, so only the birth cue just
    before counts, and the numbers must make a real date, day and month either way round."""
    words = [w for w in run if w.kind != "filler"]
    start, end = words[0].start, words[-1].end
    if any(w.ordinal for w in words):
        return None  # ordinals are the ordinal rule's ("первого тринадцатого …" has no 13th month)
    if not any(kind == "DATE_OF_BIRTH" and 0 <= start - cend <= 24 for _, cend, kind in cues):
        return None
    found = False
    for a in (1, 2):  # "nine | eleven | eighty-six", "twenty one | nine | …"
        first = day_of(words[:a], ordinal=False)
        for b in (1, 2):
            second = day_of(words[a:a + b], ordinal=False)
            rest = words[a + b:]
            if first is None or second is None or not rest:
                continue
            year = year_of(rest, this_year)
            # a two-digit year said as a bare tens word is too little ("двадцать пять тридцать")
            if year is not None and (len(rest) > 1 or year % 10) and _a_date(year, first, second, this_year):
                found = True
    digits = digits_of(words)
    if not found and digits is not None and digits.isdigit() and len(digits) in (6, 8) and len(words) >= 6:
        # said digit by digit: DDMMYYYY / MMDDYYYY, or with a two-digit year
        year_part = digits[4:]
        year = int(year_part) if len(year_part) == 4 else (2000 + int(year_part) if int(year_part) <= this_year % 100
                                                            else 1900 + int(year_part))
        found = _a_date(year, int(digits[:2]), int(digits[2:4]), this_year)
    if not found and len(words) >= 2 and (year := year_of(words, this_year)) is not None and year >= 1900 and (
            _BORN_IN.search(text, max(0, start - 16), start) is not None):
        found = 1900 <= year <= this_year - 2  # "born in nineteen seventy-two": the year alone
    if not found:
        return None
    return Entity("DATE_OF_BIRTH", start, end, text[start:end], 0.75, "spoken")


_BORN_IN = re.compile(r"(?i:born|родил(?:ся|ась))[ \t]+(?:in|в)[ \t]+$")


def _a_date(year: int, first: int, second: int, this_year: int) -> bool:
    if not 1900 <= year <= this_year - 2:
        return False
    for day, month in ((first, second), (second, first)):
        try:
            date(year, month, day)
            return True
        except ValueError:
            continue
    return False
