"""Dates of birth that :func:`contacts.find_birth_dates` misses: the cue is colloquial, comes
after the year, or the date is written twice.

* "с днюхой!!! помню, 7 декабря 1994", "ей исполняется 60 (12.12.1966)", "turns 70 on 2 March
  1949", "ДР: 12.03.1985": a birthday or anniversary word, then the first full date with a
  year old enough to be a birth year within a short window;
* "стаж с 1990… ой, нет, это год рождения": a bare year with "год рождения" / "year of birth"
  a few words *after* it on the same line (and no year right after that phrase, which would be
  the usual "год рождения: 1990" the main detector reads);
* "12 лет (21.10.2011)", "aged 34 (12 March 1990)": an age, then the date it counts from in
  brackets;
* "DOB 1949年3月2日 / 2 March 1949": a second date joined to a date of birth by "/", "(", "=",
  "or", "или" is the same date in another notation.

Year-less birthdays ("днюха 14 февраля") are another detector's (they need a stricter cue).
"""

from __future__ import annotations

import re
from datetime import date

from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.entities import Entity

_CUE = re.compile(
    r"(?<![а-яёa-z])(?:родил\w*|днюх\w*|днем рождения|днём рождения|юбиле(?!йн)\w*|исполня\w*(?:\s+\d{1,3})?|"
    r"исполнилось(?:\s+\d{1,3})?|др(?=\s*[:\-–—]\s*\d)|birthday|b-?day|turns?\s+\d{2,3}|turning\s+\d{2,3})"
    r"(?![а-яёa-z])",
)
# Every alternative of ``_CUE`` starts with one of these.
#: Where a rule here starts (``literals.BIRTH_MORE`` is the same tuple).
STEMS = ("родил", "днюх", "днем", "днём", "юбиле", "исполн", "др:", "др -", "др —", "др –", "др-", "др :", "birthday",
         "b-day", "bday", "turn ", "turns ", "turning ", "рожд", "birth")
_OLD_ENOUGH = date.today().year - 2
_YEAR = re.compile(r"(?:19|20)\d{2}")
# "7-го декабря 1994": the ordinal suffix the main date pattern does not take.
_ORDINAL_RU = re.compile(
    r"(?<![\w.])(?:\d{1,2}-?(?:го|е)"
    # the day said as a word: "второе февраля 1989 года", "двадцать третьего мая 1990"
    r"|(?:(?:двадцать|тридцать)\s+)?(?:перв|втор|трет|четв[её]рт|пят|шест|седьм|восьм|девят|десят|одиннадцат|двенадцат|"
    r"тринадцат|четырнадцат|пятнадцат|шестнадцат|семнадцат|восемнадцат|девятнадцат|двадцат|тридцат)(?:ое|ье|ого|ьего|его))"
    r"\s+(?:январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)\w*\s+(?:19|20)\d{2}(?!\d)",
    re.IGNORECASE,
)
_YEAR_BEFORE_CUE = re.compile(
    r"(?<![\d.\-/])((?:19|20)\d{2})(?![\d.\-/]\d)"
    # the phrase must name that year: "1990 — год рождения", "1990… нет, это год рождения", "1990 is
    # her birth year"; "стаж с 2014, год рождения 1990" starts a new item after the comma
    r"(?:[ \t]*[—–(:\-][ \t]*|[^\n\d]{0,30}?(?:\bэто|\bis|\bwas|\bher|\bhis)[ \t]+)(?:\w+[ \t]+)?"
    r"(?:год\w*\s+рождения|year\s+of\s+birth|birth\s*year)",
    re.IGNORECASE,
)
_YEAR_AFTER = re.compile(r"[\s:—–\-]{0,4}(?:19|20)\d{2}")
_JOIN = re.compile(r"[ \t]*(?:/|\(|=|\bor\b|\bили\b|\baka\b|\bи\b|\band\b)[ \t]*")  # "Даты рождения: 04.04.1975 и 17.09.1978"


# "12 лет (21.10.2011)", "45 лет (р. 02.02.1979)", "aged 34 (12 March 1990)": an age, then in
# brackets the date it is counted from
_AGE_THEN_DATE = re.compile(
    r"(?:(?<![\w.])\d{1,3}[ \u00a0]*(?:лет|года|год|г\.|years?(?:[ \u00a0]old)?|y/?o|yrs?)|(?i:aged|age)[ \u00a0:]*\d{1,3})"
    r"[ \u00a0]*\([ \u00a0]*"
    r"(?:(?:р\.|род\.|b\.|born|dob|д\.р\.|г\.р\.)[ \u00a0:]*)?",
    re.IGNORECASE,
)


def _old(value: str) -> bool:
    year = _YEAR.search(value)
    return year is not None and int(year.group()) <= _OLD_ENOUGH


def more_birth_dates(
    text: str, lower: str, found: list[Entity], date_rx: re.Pattern[str], starts: list[int] | None = None,
) -> list[Entity]:
    """``found``: the birth dates already found; ``date_rx``: the main detector's date pattern;
    ``starts``: the sorted offsets of :data:`STEMS` in ``lower`` when the caller has them."""
    out: list[Entity] = []
    seen = {e.start for e in found}
    for at in sorted(set(TextIndex.stem_starts(STEMS, lower))) if starts is None else starts:
        cue = _CUE.match(lower, at)
        if cue is not None:
            window_end = min(len(text), cue.end() + 60)
            m = date_rx.search(text, cue.end(), window_end) or _ORDINAL_RU.search(text, cue.end(), window_end)
            # a bare year after "исполняется" is an age's year, not a date of birth
            if m is not None and m.start() not in seen and _old(m.group()) and len(m.group()) > 4 and (
                    "\n\n" not in text[cue.end():m.start()]):
                seen.add(m.start())
                out.append(Entity("DATE_OF_BIRTH", m.start(), m.end(), m.group(), 0.8, "birth_date"))
        if lower.startswith(("рожд", "birth"), at):
            m = _YEAR_BEFORE_CUE.search(text, max(0, at - 64), min(len(text), at + 12))
            if m is not None and m.start(1) not in seen and not _YEAR_AFTER.match(text, m.end()) and (
                    int(m.group(1)) <= _OLD_ENOUGH):
                seen.add(m.start(1))
                out.append(Entity("DATE_OF_BIRTH", m.start(1), m.end(1), m.group(1), 0.8, "birth_date"))
    if "(" in text:
        for age in _AGE_THEN_DATE.finditer(text):
            m = date_rx.match(text, age.end())
            if m is not None and m.start() not in seen and _old(m.group()):
                seen.add(m.start())
                out.append(Entity("DATE_OF_BIRTH", m.start(), m.end(), m.group(), 0.8, "birth_date"))
    for e in (*found, *out):
        join = _JOIN.match(text, e.end)
        if join is None or join.end() == e.end:
            continue
        m = date_rx.match(text, join.end())
        if m is not None and m.start() not in seen and _old(m.group()):
            seen.add(m.start())
            out.append(Entity("DATE_OF_BIRTH", m.start(), m.end(), m.group(), 0.85, "birth_date"))
    return out
