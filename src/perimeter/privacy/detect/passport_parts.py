"""A Russian passport written as two fields: its series and its number.

Systems store the passport in parts — ``"passport": {"series": "4021", "number": "101537"}``,
``passport_series=4021&passport_number=101537``, «серия паспорта: 4021, номер: 101537» — so
neither part has the "4021 101537" layout the number detector looks for, and each alone is four
or six ordinary digits.  Together, next to a passport word, they are the document: a series
key with four digits and a number key with six digits, close to each other.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

# the document's name, or what only a passport's form asks next to its series and number
_PASSPORT_WORD = re.compile(r"(?i:passport|pasport|паспорт|кем выдан|дата выдачи|код подразделения)")
# "серия: 4021", "series='4021'", "серия паспорта — 4021"
_QUOTE_SEP = r"[\"']?[ \t]*[:=—–-][ \t]*[\"']?"
# a key and its value with only a space between ("серия 80 15 номер 462 019")
_SEP = rf"(?:{_QUOTE_SEP}|[ \t\u00a0])"
_SERIES = re.compile(rf"(?i:series|seriya|seria|serie|серия|сер\.)(?:[ _\-]?(?i:паспорта|passport))?{_SEP}(?P<value>\d{{2}}[ \u00a0]?\d{{2}})(?![\d])")
_NUMBER = re.compile(rf"(?i:number|num|no|nomer|номер|№)(?:[ _\-]?(?i:паспорта|passport))?{_SEP}(?P<value>\d{{6}}|\d{{3}}[ \u00a0]\d{{3}})(?![\d])")
_REACH = 160
# "Серия/номер паспорта: 4510/123456": one field, the two parts split by a slash (which the
# number detector takes for a date or a fraction and never joins)
_SLASHED = re.compile(r"(?<![\d/.])\d{2}[ \u00a0]?\d{2}[ \u00a0]?/[ \u00a0]?(?:\d{6}|\d{3}[ \u00a0]\d{3})(?![\d/.])")


def find_passport_parts(text: str, lower: str) -> list[Entity]:
    if ("паспорт" not in lower and "passport" not in lower and "pasport" not in lower and "выдан" not in lower
            and "подразделени" not in lower):
        return []
    out: list[Entity] = []
    words = [m.start() for m in _PASSPORT_WORD.finditer(text)]
    if "/" in text:
        for m in _SLASHED.finditer(text):
            if any(0 <= m.start() - w <= 60 for w in words):
                out.append(Entity("RU_PASSPORT", m.start(), m.end(), m.group(), 0.9, "passport_parts"))
    numbers = list(_NUMBER.finditer(text))
    for s in _SERIES.finditer(text):
        if not any(0 <= s.start() - w <= 200 or 0 <= w - s.start() <= 40 for w in words):
            continue
        near = [n for n in numbers if abs(n.start() - s.start()) <= _REACH]
        if not near:
            continue
        n = min(near, key=lambda n: abs(n.start() - s.start()))
        out.append(Entity("RU_PASSPORT", s.start("value"), s.end("value"), s.group("value"), 0.9, "passport_parts"))
        out.append(Entity("RU_PASSPORT", n.start("value"), n.end("value"), n.group("value"), 0.9, "passport_parts"))
    return out
