"""Address parts in separate record fields: ``"city": "Waipahu", "state": "HI", "zip": "96797"``.

A JSON body, a YAML/form dump or a CSV export splits an address over its fields, and no value
alone looks like an address ("HI", "96797", "Vancouver").  The keys say what they are; a record
is taken to hold an address when it has at least two address keys of different roles (a
street line, a city, a state, a postcode), and then every one of those values is ADDRESS.  A
lone ``"city": "Paris"`` (a weather query) is left alone.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_ROLES = {
    "street": "address|address1|address2|address_1|address_2|address_line_?1|address_line_?2|addr|addr1|addr2|"
              "line1|line2|line_1|line_2|street|street1|street2|street_address|streetaddress|address_line|"
              "адрес|улица",
    "city": "city|town|locality|suburb|город|населенный_пункт",
    "state": "state|province|region|county|state_code|province_code|область|регион",
    "post": "zip|zipcode|zip_code|postal_code|postalcode|postcode|post_code|postal|eircode|индекс|почтовый_индекс",
    # a form's house and flat lines ("Дом: 190", "Квартира: 47", "house_number": "12")
    "house": "дом|house|house_number|housenumber|house_no|building|bldg|корпус|корп|строение",
    "unit": "квартира|кв|flat|apt|apartment|apartment_number|офис",
}
_ROLE_OF = {key: role for role, keys in _ROLES.items() for key in keys.split("|")}
_KEYS = "|".join(sorted(_ROLE_OF, key=len, reverse=True))
# "key": "value" (JSON, Python dicts) and key: value / key = value on its own line (YAML, forms).
_QUOTED = re.compile(rf"[\"'](?i:({_KEYS}))[\"'][ \t]*[:=][ \t]*[\"']([^\"'\n]{{1,100}})[\"']")
_LINE = re.compile(rf"(?im)^[ \t-]*({_KEYS})[ \t]*[:=][ \t]*([^\n]{{1,100}}?)[ \t]*$")
_WINDOW = 400  # one record: fields of different roles this close together
_TRIGGERS = ("city", "zip", "postal", "postcode", "state", "province", "город", "индекс", "eircode", "улица", "street")


def find_field_addresses(text: str, lower: str | None = None) -> list[Entity]:
    """``lower``: ``text.lower()`` when the caller has it already."""
    low = text.lower() if lower is None else lower
    if not any(word in low for word in _TRIGGERS):  # str.find per word beats one regex alternation
        return []
    fields: list[tuple[str, int, int]] = []  # role, value start, value end
    for rx in (_QUOTED, _LINE):
        for m in rx.finditer(text):
            value = m.group(2).strip().strip("\"',")
            if not value or value.lower() in ("null", "none", "n/a", "-", "true", "false"):
                continue
            start = text.index(value, m.start(2))
            fields.append((_ROLE_OF[m.group(1).lower()], start, start + len(value)))
    fields.sort(key=lambda f: f[1])
    out: list[Entity] = []
    for role, s, e in fields:
        near = {r for r, s2, _ in fields if abs(s2 - s) <= _WINDOW}
        shaped = _SHAPES[role].fullmatch(text[s:e]) is not None
        if not shaped and role == "street" and "house" in near:
            shaped = _SHAPES["street_name"].fullmatch(text[s:e]) is not None
        if len(near) >= 2 and shaped:
            out.append(Entity("ADDRESS", s, e, text[s:e], 0.75, "address_fields"))
    return out


# Each value must also have its role's shape: a street line holds a number ("see attached" is
# no street), a city or state is capitalised ("state": "paid" is an order state), a postcode
# holds a digit.
_SHAPES = {
    "street": re.compile(r"(?=.*\d).{3,100}"),
    "city": re.compile(r"[A-ZÀ-ÞА-ЯЁ][^\d@/]{1,60}"),
    "state": re.compile(r"[A-ZÀ-ÞА-ЯЁ][^\d@/]{1,40}"),
    "post": re.compile(r"(?=.*\d)[A-Z\d][A-Z\d \-]{2,10}"),
    "house": re.compile(r"\d{1,5}[A-Za-zА-Яа-яЁё]?(?:[/\-]\d{1,4}[A-Za-zА-Яа-яЁё]?)?"),
    "unit": re.compile(r"\d{1,5}[A-Za-zА-Яа-яЁё]?"),
    # a street name alone in its own field ("Улица: Пушкинская"), beside a house field
    "street_name": re.compile(r"[A-ZÀ-ÞА-ЯЁ][^\d@/]{2,60}"),
}
