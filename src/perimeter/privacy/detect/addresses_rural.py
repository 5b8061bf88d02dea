"""Addresses with no street and house the other grammars anchor on, and two foreign layouts.

- **A village and its region**: "с. Кушнаренково, Республика Башкортостан", "Кушнаренковский
  район, с. Кушнаренково" — a settlement's type word and name next to a region or district
  identify a household in a village of a few hundred people as surely as a street does.
- **A site in quotes with a building's number**: "Ленинградская область, Всеволожский район,
  индустриальный парк «Восток», корпус 4".
- **Dublin's postal districts** closing an address or in a city field: "…, Dundrum, Dublin 14".
- **A post-office box with its town**: "а/я 215, г. Томск, 634050".
- **A garden plot**: "СНТ «Берёзка», участок 112, Зеленодольский район" — the partnership and
  the plot number are the address of a dacha.
- **A Russian street written in Latin letters with its type after the name**: "Luzhnetskaya nab.
  24", "Tverskaya ul. 7" — as Russian addresses are transliterated for foreign readers.
- **A Vietnamese house and street before its ward and district**: "215 Nam Kỳ Khởi Nghĩa,
  Phường 7, Quận 3": the ward (phường) and district (quận) words say what came before them.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_NAME = r"[А-ЯЁ][а-яёА-ЯЁ\-]+(?:[ \u00a0][А-ЯЁ][а-яёА-ЯЁ\-]+)?"
_SETTLEMENT = (rf"(?:(?:с|д|п|х|ст|дер|пос|аул)\.[ \u00a0]?|(?:пгт|село|деревня|посёлок|поселок|аул|хутор|станица|кишлак)"
               rf"[ \u00a0]+){_NAME}")
_REGION = (rf"(?:Республик[аеиу][ \u00a0]+{_NAME}|{_NAME}[ \u00a0]+(?:область|обл\.|край|района?|р-н|округ|АО|улус)"
           rf"|(?:Республика|РБ|РТ|РД|ЧР|КБР|РСО-Алания))")
_PART = rf"(?:{_SETTLEMENT}|{_REGION})"
_RURAL = re.compile(rf"(?<![\w])(?:{_PART})(?:,[ \u00a0]*(?:{_PART})){{1,4}}")
_SETTLEMENT_RX = re.compile(_SETTLEMENT)
_REGION_RX = re.compile(_REGION)
_PLOT = re.compile(
    r"(?<![\w])(?:СНТ|ДНТ|ДНП|ТСН|СТ|СПК|ДПК)[ \u00a0]*[«\"„“][^»\"“”\n]{2,40}[»\"“”]"
    r"(?:,?[ \u00a0]*(?:участок|уч\.)[ \u00a0]*№?[ \u00a0]*\d{1,5}[а-яА-Я]?)?"
    rf"(?:,[ \u00a0]*(?:{_REGION}))*"
)
# An industrial park, a business centre or a campus in quotes after its region and district, with
# the building's number: "Ленинградская область, Всеволожский район, индустриальный парк «Восток»,
# корпус 4" — no street, but a building as exact as a house.
_SITE = re.compile(
    rf"(?<![\w])(?:{_REGION})(?:,[ \u00a0]*(?:{_PART}))*,[ \u00a0]*(?:[а-яё\-]+[ \u00a0]+){{0,3}}[«\"„“][^»\"“”\n]{{2,40}}[»\"“”]"
    r"(?:,?[ \u00a0]*(?:корпус|корп\.|строение|стр\.|здание|зд\.|литера|лит\.|участок|уч\.|д\.|дом|владение|вл\.)"
    r"[ \u00a0]*№?[ \u00a0]*\d{1,4}[а-яА-Я]?)+"
)
# Dublin's postal districts as the last part of an address or a form's city field: "…, Dundrum,
# Dublin 14", '"city":"Dublin 6"' — the number narrows the city to a few streets
_DUBLIN = re.compile(r"(?:(?<=,[ ])|(?<=\"city\":\")|(?<=\"city\": \"))Dublin[ ](?:1\d|2[0-4]|6W|[1-9])(?![\w])")
_HOME_BEFORE = re.compile(r"(?<![\w-])\d{1,4}[A-Za-z]?,?[ ]+[A-Z][a-z]|(?<![\w])(?:Road|Street|Avenue|Lane|Drive|Crescent|Close|Terrace|Park|Place|Square|Quay|Grove|"
                          r"Gardens|Rectory|House|Cottage|Lodge|Apartments?|Apt|Flat)(?![\w])")
# A post-office box with its town or postcode: "а/я 215, г. Томск, 634050"
_PO_BOX = re.compile(
    r"(?<![\w])а/я[ \u00a0]?№?[ \u00a0]?\d{1,6}(?:,[ \u00a0]*(?:г\.[ \u00a0]?[А-ЯЁ][\w\-]+(?:[ \u00a0][А-ЯЁ][\w\-]+)?|\d{6}(?!\d)))+"
)
_TRANSLIT = re.compile(
    r"(?<![\w])[A-Z][a-z]+(?:aya|oy|iy|skaya|skoy|sky|ovo|evo|ino)[ \u00a0]+"
    r"(?:nab|ul|pr|per|sh|pl|bul|prosp|proezd|tupik)\.?[ \u00a0]*,?[ \u00a0]*(?:d\.[ \u00a0]?)?\d{1,4}[A-Za-z]?(?:/\d{1,3})?"
    r"(?:,[ \u00a0]*(?:str|k|korp|kv|of)\.[ \u00a0]?\d{1,4})*"
    r"(?:,[ \u00a0]*[A-Z][a-z]+(?:[ \u00a0]\d{6})?)?"
)
# Every _TRANSLIT match holds a suffix's last letter (a, y or o), spaces and a street word
# ("prosp", "proezd", "per" start with "pr" and "pe"): a gate a quarter as costly as the match.
_TRANSLIT_GATE = re.compile(r"[ayo][ \u00a0]+(?:nab|ul|pr|pe|sh|pl|bul|tupik)")
_VN_HEAD = re.compile(
    r"(?<![\w/])\d{1,5}[A-Za-z]?(?:/\d{1,4})?[ \u00a0]+[^\W\d_][^,\n\d]{1,40}?(?=,[ \u00a0]*(?:Phường|Phuong|P\.|Xã|Quận|Quan|Q\.|Huyện)[ \u00a0])"
)


def find_rural_addresses(text: str) -> list[Entity]:
    out: list[Entity] = []
    if not text.isascii():
        for m in _RURAL.finditer(text):
            value = m.group()
            if _SETTLEMENT_RX.search(value) and _REGION_RX.search(value):
                out.append(Entity("ADDRESS", m.start(), m.end(), value, 0.8, "address_rural"))
        if "а/я" in text:
            out.extend(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.8, "address_rural") for m in _PO_BOX.finditer(text))
        if "«" in text or '"' in text:
            out.extend(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.8, "address_rural") for m in _SITE.finditer(text))
        if "СНТ" in text or "ДНТ" in text or "ДНП" in text or "ТСН" in text or "СТ" in text or "ПК" in text:
            for m in _PLOT.finditer(text):
                if "уч" in m.group() or "," in m.group():  # a plot number or a district makes it a place
                    out.append(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.8, "address_rural"))
        if "Phường" in text or "Quận" in text or "Xã" in text or "Huyện" in text:
            out.extend(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.8, "address_rural") for m in _VN_HEAD.finditer(text))
    elif "Phuong" in text or "Quan" in text or "P." in text or "Q." in text:
        out.extend(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.8, "address_rural") for m in _VN_HEAD.finditer(text))
    if "Dublin " in text:
        for m in _DUBLIN.finditer(text):
            # a home's district, not a neighbourhood's ("3-bed semi in Drumcondra, Dublin 9"): a
            # house number, a street or a house name earlier on the line, or a form's city field
            line = text[max(text.rfind("\n", 0, m.start()) + 1, m.start() - 90):m.start()]
            if text[m.start() - 1] == '"' or _HOME_BEFORE.search(line) is not None:
                out.append(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.75, "address_rural"))
    if "." in text and _TRANSLIT_GATE.search(text) is not None:
        out.extend(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.8, "address_rural") for m in _TRANSLIT.finditer(text))
    return out
