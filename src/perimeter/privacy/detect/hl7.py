"""HL7 v2 segments pasted from a hospital interface: the patient's values by field position.

"PID|1||MRN884213^^^SVH||NAKAMURA^HARUTO||19770312|M|||2-14-7 Shibuya^^Tokyo" has no label
beside any value; the standard's field numbers are the labels.  PID-5 is the patient's name,
PID-7 the date of birth, PID-11 the address, PID-13/14 the phones; NK1-2 the next of kin's
name, NK1-4 the address and NK1-5 the phone.  Components ("^") stay inside one span.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_SEGMENT = re.compile(r"^(PID|NK1)\|.*$", re.MULTILINE)
_FIELDS = {
    "PID": {5: "PERSON", 7: "DATE_OF_BIRTH", 11: "ADDRESS", 13: "PHONE", 14: "PHONE"},
    "NK1": {2: "PERSON", 4: "ADDRESS", 5: "PHONE"},
}
_HL7_DATE = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:\d{2,6})?")


def find_hl7_values(text: str) -> list[Entity]:
    """PID and NK1 segments' personal fields (see the module docstring)."""
    if "PID|" not in text and "NK1|" not in text:
        return []
    out: list[Entity] = []
    for seg in _SEGMENT.finditer(text):
        wanted = _FIELDS[seg.group(1)]
        pos = seg.start()
        for index, field in enumerate(seg.group().split("|")):
            kind = wanted.get(index)
            value = field.split("~")[0].strip("^ ")  # the first repetition; empty components trimmed
            if kind is not None and value and sum(ch.isalnum() for ch in value) >= 2:
                start = pos + field.index(value)
                end = start + len(value)
                if kind == "DATE_OF_BIRTH":
                    m = _HL7_DATE.match(value)
                    if m is None:
                        kind = ""
                    else:
                        end = start + 8  # the date, without a time of birth
                elif (kind == "PHONE" and sum(ch.isdigit() for ch in value) < 7) or (kind == "PERSON" and any(ch.isdigit() for ch in value)):
                    kind = ""
                elif kind == "ADDRESS" and not any(ch.isdigit() for ch in value):
                    kind = ""  # "same", "as above": no address written
                if kind:
                    out.append(Entity(kind, start, end, text[start:end], 0.85, "hl7"))
            pos += len(field) + 1
    return out
