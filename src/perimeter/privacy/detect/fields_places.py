"""Table cells whose column holds places: no name found in them is a person.

A WooCommerce export's ``billing_city`` column holds "Шымкент", a CRM's ``Region`` column
"Almaty": a town read on its own looks like a surname to the name rules and the tagger
("Шымкент" parses as one), but under such a header it is the town the column says.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect.fields import _cells
from perimeter.privacy.entities import Entity

_PLACE_KEY = re.compile(
    r"(?:(?:billing|shipping|bill|ship|home|work|office|delivery)[ _\-])?"
    r"(?:city|town|region|state|province|country|district|location|город|регион|область|страна|район|населенный пункт)",
    re.IGNORECASE,
)
_HINT = re.compile(r"city|town|region|country|province|location|город|регион|страна|область|район", re.IGNORECASE)


def place_cells(text: str) -> list[tuple[int, int]]:
    """Spans of the cells under a place column, in every table of ``text``."""
    if "\n" not in text or _HINT.search(text) is None:
        return []
    out: list[tuple[int, int]] = []
    lines = text.split("\n")
    pos = 0
    header: list[str] | None = None
    sep = ""
    for line in lines:
        if header is not None and line.count(sep) == len(header) - 1 and line.strip():
            for (a, b), key in zip(_cells(line, sep), header, strict=False):
                if _PLACE_KEY.fullmatch(key):
                    out.append((pos + a, pos + b))
        else:
            header = None
            seps = [c for c in ("\t", "|", ";", ",") if line.count(c) >= 1]
            if seps and _HINT.search(line) is not None:
                sep = seps[0]
                keys = [line[a:b].strip().strip("\"'`") for a, b in _cells(line, sep)]
                if any(_PLACE_KEY.fullmatch(k) for k in keys):
                    header = keys
        pos += len(line) + 1
    return out


def drop_persons_in_places(text: str, found: list[Entity]) -> list[Entity]:
    """``found`` without the PERSON findings that lie inside a place column's cell."""
    if not any(e.type == "PERSON" for e in found):
        return found
    cells = place_cells(text)
    if not cells:
        return found
    return [e for e in found if e.type != "PERSON" or not any(a <= e.start and e.end <= b for a, b in cells)]
