"""A birth date's span with the words that mark it as one: "1979 г.р.", "р. 23.07.1985",
"1996 года рождения", "рожд. 1949".

The marker identifies no one, but a reader (and every gold file written by people so far)
takes "1979 г.р." as one value; a surrogate that replaces only "1979" leaves "г.р." after a
made-up year, which reads the same, and a leak check that wants the whole value covered is
right to want it.  So the span is grown over a marker that touches it.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_AFTER = re.compile(r"[ \u00a0]?(?:г\.[ \u00a0]?р(?:\.|(?![а-яё]))|г/р|года рождения|г\.[ \u00a0]?рождения|года рожд\.?|г\.(?![ \u00a0]?[а-яё]))",
                    re.IGNORECASE)
_BEFORE = re.compile(r"(?<![\w.])(?:р\.|рожд\.|род\.)[ \u00a0]?$", re.IGNORECASE)
# a spoken date's own words: "третье февраля восемьдесят первого года", "the twelfth of June …"
_YEAR_WORD_AFTER = re.compile(r"[ \u00a0]года(?![а-яё])", re.IGNORECASE)
_THE_BEFORE = re.compile(r"(?<![\w])the[ \u00a0]+$", re.IGNORECASE)


def with_markers(text: str, found: list[Entity]) -> list[Entity]:
    """``found`` with each DATE_OF_BIRTH grown over a marker right before or after it."""
    out = []
    for e in found:
        if e.type == "DATE_OF_BIRTH" and e.text[:1].isalpha() and e.start >= 4:
            the = _THE_BEFORE.search(text, max(0, e.start - 6), e.start)
            if the is not None:  # "the twelfth of June nineteen eighty-nine"
                e = Entity(e.type, the.start(), e.end, text[the.start():e.end], e.score, e.detector)
        if e.type == "DATE_OF_BIRTH" and not text.isascii():  # the markers are Russian
            if (e.text[-1:].isalpha() and _AFTER.match(text, e.end) is None
                    and (year := _YEAR_WORD_AFTER.match(text, e.end)) is not None):
                e = Entity(e.type, e.start, year.end(), text[e.start:year.end()], e.score, e.detector)
            start, end = e.start, e.end
            after = _AFTER.match(text, end)
            if after is not None:
                end = after.end()
            before = _BEFORE.search(text, max(0, start - 8), start)
            if before is not None:
                start = before.start()
            if (start, end) != (e.start, e.end):
                e = Entity(e.type, start, end, text[start:end], e.score, e.detector)
        out.append(e)
    return out
