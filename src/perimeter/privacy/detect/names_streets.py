"""A name that opens with a street's word is a street: "Rua das Flores", "Бульвар Дмитрия Донского".

A model or a capitalised-run rule reads "Rua Oscar Freire" or "Avenida Juan Pablo Duarte" as a
person, since a person's name follows the street word.  With a house number after it the span
is the street of an address and becomes ADDRESS, joined to an address that a rule found right
after it ("Rua das Flores" + "221, ap. 305, Boa Vista, Recife - PE"); without one it is a
street's name, which no author labels as a person, and is dropped.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_STREET_WORD = re.compile(
    r"(?:Rua|Avenida|Av\.|Avda\.|Calle|Carrera|Calzada|Paseo|Plaza|Praça|Travessa|Alameda|Estrada|Rodovia|Via|Viale|"
    r"Vicolo|Piazza|Corso|Largo|Rue|Boulevard|Chemin|Allée|Impasse|Ulica|Aleja|Jalan|Jl\.|Thanon|"
    r"Улица|Проспект|Бульвар|Переулок|Шоссе|Набережная|Площадь|Проезд|Вулиця|Проспекта|Бульвара|Улицы)[ \u00a0]"
)
# what follows a street for it to be an address's: a house number, at most a comma (or a cell) away
_NUMBER_AFTER = re.compile(r"[ \u00a0]*[,;|\t]?[ \u00a0]*(?:№[ \u00a0]?|n[º°]\.?[ \u00a0]?|д\.[ \u00a0]?)?\d{1,5}[A-Za-zА-Яа-я]?(?![\d.,:/]\d)")


def streets_read_as_names(text: str, found: list[Entity]) -> list[Entity]:
    """``found`` with each PERSON that opens with a street word made an address or dropped."""
    if not any(e.type == "PERSON" and _STREET_WORD.search(e.text) for e in found):
        return found
    addresses = sorted((e for e in found if e.type == "ADDRESS"), key=lambda e: e.start)
    out: list[Entity] = []
    merged: set[int] = set()
    for e in found:
        street = _STREET_WORD.search(e.text) if e.type == "PERSON" else None
        if street is None or (street.start() and e.text[street.start() - 1] not in " \u00a0") or (
                street.start() and not street.end() < len(e.text)):
            # a street word that ends a name is a surname ("Juan Plaza", "Carlos Carrera")
            out.append(e)
            continue
        if street.start():
            # "Fomos às compras na Rua Oscar Freire": a model's span over a sentence that names a
            # street; what precedes the street word stays a name only if it is capitalised words
            head = e.text[:street.start()].rstrip()
            if all(w[:1].isupper() for w in head.split()):
                out.append(Entity("PERSON", e.start, e.start + len(head), head, e.score, e.detector))
            e = Entity("PERSON", e.start + street.start(), e.end, e.text[street.start():], e.score, e.detector)
        number = _NUMBER_AFTER.match(text, e.end)
        if number is None:
            continue  # a street's name, no home in it
        end = number.end()
        for a in addresses:
            if e.end <= a.start <= end + 2 or a.start <= end <= a.end:
                end = max(end, a.end)
                merged.add(id(a))
        out.append(Entity("ADDRESS", e.start, end, text[e.start:end], max(e.score, 0.75), e.detector))
    return [e for e in out if id(e) not in merged]
