"""A phone number as a field's value: ``"phone": "79161234567"``, ``msisdn=998974410258``,
``contact_phone: 4155550134`` — and a tool call's ``{"phone": "79161234567"}``, which the
gateway scans as the key and the value in a row of fields (``FIELD_SEPARATOR`` between them).

In a JSON body, a form dump or a config the key says what the value is, so the number needs
none of the layout (a "+", groups, a trunk prefix) that lets :mod:`contacts` find it in prose:
a field named for a phone holding 7 to 15 digits is the phone.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_KEY = (
    r"(?:[A-Za-z]+[_\-])*(?i:phone|phone_?number|phonenumber|tel|telephone|mobile|mobile_?phone|mobilephone|cell|"
    r"cellphone|cell_?phone|msisdn|whatsapp|contact_?number)(?:[_\-](?i:number|num|no|nr|home|work|mobile|primary|main|alt|\d))*"
    r"|(?i:телефон\w*|тел\.?|моб\.?|мобильный)"
)
_FIELD = re.compile(
    rf"(?<![\w\-])(?P<q>[\"']?)(?:{_KEY})(?P=q)(?:[ \t]*[:=][ \t]*|\n\u00b7\n)(?P<vq>[\"']?)"
    r"(?P<value>\+?\d[\d \u00a0()\-.]{5,18}\d)(?P=vq)(?=[\"',;}\]\s&]|$)"
)
_TRIGGERS = ("phone", "tel", "mobile", "cell", "msisdn", "whatsapp", "contact", "моб")


_SEPARATOR_NEAR = re.compile(r"[:=\u00b7]")


def find_contact_fields(text: str, lower: str) -> list[Entity]:
    """The field pattern runs only in windows around a key word with a separator right after
    it ("phone +1 415 …" in prose has none): over a whole text it cost ~20 µs per scan."""
    windows: list[tuple[int, int]] = []
    for trigger in _TRIGGERS:
        at = lower.find(trigger)
        while at != -1:
            if _SEPARATOR_NEAR.search(lower, at, at + 32) is not None:
                lo, hi = max(0, at - 40), min(len(text), at + 80)
                if windows and lo <= windows[-1][1]:
                    windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
                else:
                    windows.append((lo, hi))
            at = lower.find(trigger, at + 1)
    if not windows:
        return []
    out: list[Entity] = []
    seen: set[int] = set()
    for lo, hi in sorted(windows):
        for m in _FIELD.finditer(text, lo, hi):
            digits = sum(ch.isdigit() for ch in m.group("value"))
            if 7 <= digits <= 15 and m.start("value") not in seen:
                seen.add(m.start("value"))
                out.append(Entity("PHONE", m.start("value"), m.end("value"), m.group("value"), 0.9, "phone_field"))
    return out
