"""Rows of a headerless export that hold a personal identifier: the rest of the row is the
person's too.

"Smith, John A.|431-72-0586|1979-03-14|77 Elm St, Worcester, MA 01609" names none of its
columns, but a row that carries an SSN, a SNILS or a passport number is a person's record: a
date in it with a plausible birth year is the date of birth (a record keeps no other date of
that age), and a cell shaped like a name ("Smith, John A.", "Ramírez, Guadalupe", "Иванов Иван")
is the person.  Only cells split by "|", ";" or a tab are read: a comma also sits inside names
and addresses.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_IDS = frozenset({"US_SSN", "RU_SNILS", "RU_PASSPORT"})
_SEPARATORS = ("|", "\t", ";")
_DATE = re.compile(r"(?:19[2-9]\d|200\d|201[0-5])-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
                   r"|(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./](?:19[2-9]\d|200\d|201[0-5])")
_NAME = re.compile(
    r"[A-ZА-ЯЁ][\w'’\-]+,[ \u00a0]+[A-ZА-ЯЁ][\w'’\-]+(?:[ \u00a0]+[A-ZА-ЯЁ]\.?)?"  # "Smith, John A."
    r"|[A-ZА-ЯЁ][\w'’\-]+(?:[ \u00a0]+[A-ZА-ЯЁ][\w'’\-]+){1,2}"  # "Иванов Иван Петрович"
)


def record_values(text: str, found: list[Entity]) -> list[Entity]:
    """Birth dates and names in the rows of ``text`` that hold a found identifier."""
    ids = [e for e in found if e.type in _IDS]
    if not ids:
        return []
    out: list[Entity] = []
    done: set[int] = set()
    for e in ids:
        lo = text.rfind("\n", 0, e.start) + 1
        if lo in done:
            continue
        done.add(lo)
        hi = text.find("\n", e.end)
        hi = len(text) if hi == -1 else hi
        line = text[lo:hi]
        sep = next((c for c in _SEPARATORS if line.count(c) >= 2), None)
        if sep is None:
            continue
        pos = lo
        for cell in line.split(sep):
            value = cell.strip()
            start = pos + (len(cell) - len(cell.lstrip()))
            if _DATE.fullmatch(value):
                out.append(Entity("DATE_OF_BIRTH", start, start + len(value), value, 0.75, "record"))
            elif _NAME.fullmatch(value) and not any(ch.isdigit() for ch in value):
                out.append(Entity("PERSON", start, start + len(value), value, 0.7, "record"))
            pos += len(cell) + 1
    return out
