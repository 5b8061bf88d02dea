"""Phones written the way they are dialled from abroad or from a handset, without a "+".

- **"00" for "+"** (the ITU international prefix Europe, Africa and most of Asia dial):
  "0094 77 555 0190", "0049 30 12345678", "00 44 20 7946 0958" — the country code follows, and
  the rest is checked against that country's numbering plan, as a "+" number would be;
- **a Russian mobile with its country code and no "+"**: "7-905-771-22-17", "7 (916) 204 77 31"
  — the layout a phone's contact list exports.

A digit run of this shape that no plan accepts (an order number "0012 3456 7890") stays.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect.phone_plans import valid_international
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.entities import Entity

_DOUBLE_ZERO = re.compile(r"(?<![\w+/.,:\-])00[ \u00a0]?[1-9]\d{0,2}(?:[ \u00a0\-.]?\(?\d{1,5}\)?){2,6}(?![\w]|[.,:\-/]\d)")
_DIGITS_BEFORE = re.compile(r"\d[ \u00a0\-]?$")
_RU_MOBILE = re.compile(
    r"(?<![\w+/.,:\-])7[ \u00a0\-]\(?9\d{2}\)?[ \u00a0\-]?\d{3}[ \u00a0\-]?\d{2}[ \u00a0\-]?\d{2}(?![\w]|[.,:\-/]\d)"
)


def find_dialled_phones(ix: TextIndex, phones: list[Entity]) -> list[Entity]:
    """The two layouts above, where no phone was found already."""
    text = ix.text
    # each pattern holds a fixed piece ("00"; "7" and its separator): without it, not tried
    wanted = [(rx, skip) for rx, skip, piece in ((_DOUBLE_ZERO, 2, ("00",)), (_RU_MOBILE, 0, ("7 ", "7-", "7\u00a0")))
              if any(p in text for p in piece)]
    if not wanted:
        return []
    taken = [(e.start, e.end) for e in phones]
    out: list[Entity] = []
    for rx, skip in wanted:
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken) or _DIGITS_BEFORE.search(text, max(0, m.start() - 6), m.start()):
                continue  # "5308 0049 1646 1663": the middle of a card or an account
            digits = "".join(ch for ch in m.group() if ch.isdigit())[skip:]
            if 9 <= len(digits) <= 15 and valid_international(digits):
                out.append(Entity("PHONE", m.start(), m.end(), m.group(), 0.85, "phone_plan"))
    return out
