"""Street layouts of Latin America and Turkey, where the house number has its own sign.

- **Colombia** numbers a house by the two streets it stands between: "Carrera 43A #1-50",
  "Calle 10 #43-12", "Cra. 70 #44-25", "Transversal 5 #27-40" (street type, street number,
  "#" or "No.", cross street - distance);
- **Turkey** writes "No:" before the house and "D:" / "Kat:" before the flat and floor:
  "Halaskargazi Cd. No: 88 D: 5", "Moda Cd. No:34", often after its neighbourhood ("Cumhuriyet
  Mahallesi, …") and before a five-digit postcode and "district/city" ("34373 Şişli/İstanbul").

Both are shapes no other text has.  The tail that follows — offices, floors and flats, the
neighbourhood, a postcode and the town, up to three comma-separated parts on the same line — is
part of the address.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_CAP = r"[A-ZÁÉÍÓÚÑÇĞİÖŞÜ][\wáéíóúñçğıöşü.'’\-]*"
_TAIL = (
    r"(?:,[ \t\u00a0]*(?:Oficina|Of\.|Piso|Dpto\.?|Depto\.?|Apto\.?|Apartamento|Torre|Int\.?|Interior|Local|Sala|Casa|"
    r"Kat|Daire|Blok)[ \t\u00a0]*[\w.\-]{1,6})*"
    r"(?:,[ \t\u00a0]*(?:(?:\d{5}(?:-\d{3})?|[A-Z]\d{4}[A-Z]{3})[ \t\u00a0]+)?" + _CAP
    + r"(?:[ \t\u00a0/\-]+(?:" + _CAP + r"|[A-Z]{2}\b|\d{5,6}\b)){0,3}){0,3}"
)
_COLOMBIAN = re.compile(
    r"(?<![\w])(?:Calle|Cl\.|Carrera|Cra\.?|Kr\.?|Transversal|Tv\.?|Diagonal|Dg\.?|Avenida|Av\.?|Autopista)[ \t\u00a0]+"
    r"\d{1,3}[A-Z]?(?:[ \t\u00a0]?[Bb]is)?(?:[ \t\u00a0]?[A-Z](?![\w]))?[ \t\u00a0]*(?:#|No\.?|N[°º])[ \t\u00a0]*"
    r"\d{1,3}[A-Z]?[ \t\u00a0]*-[ \t\u00a0]*\d{1,3}(?![\w\-])" + _TAIL
)
_TURKISH = re.compile(
    r"(?<![\w])(?:" + _CAP + r"[ \t\u00a0]+(?:Mahallesi|Mah\.),?[ \t\u00a0]+)?(?:" + _CAP + r"[ \t\u00a0]+){1,3}"
    r"(?:Cad\.|Cd\.|Caddesi|Sok\.|Sk\.|Sokak|Sokağı|Bulvarı|Blv\.|Bulv\.)[ \t\u00a0]*No[ \t\u00a0]*:[ \t\u00a0]*\d{1,4}[A-Z]?"
    r"(?:[ \t\u00a0]*[/,]?[ \t\u00a0]*(?:D|Daire|Kat|K)[ \t\u00a0]*:[ \t\u00a0]*\d{1,3})*" + _TAIL
)


_SENTENCE_END = re.compile(r"(?P<w>[\wáéíóúñçğıöşü]+)\.[ \t\u00a0]+[A-ZÁÉÍÓÚÑÇĞİÖŞÜ]")


def _entity(text: str, m: re.Match[str]) -> Entity:
    """The match, cut where a sentence ends inside its tail ("…, Medellín. Gracias"): a dot after
    a word longer than an abbreviation ("Col.", "Cra.", "Q.R." stay)."""
    end = m.end()
    for dot in _SENTENCE_END.finditer(text, m.start(), end):
        if len(dot.group("w")) > 4:
            end = dot.end("w")
            break
    return Entity("ADDRESS", m.start(), end, text[m.start():end], 0.8, "address_intl")


def find_intl_addresses(text: str) -> list[Entity]:
    """Colombian "#" and Turkish "No:" street addresses with their tails (see the docstring)."""
    out: list[Entity] = []
    if "#" in text or "No" in text or "N°" in text or "Nº" in text:
        out.extend(_entity(text, m) for m in _COLOMBIAN.finditer(text))
    if "No" in text and ("Cd" in text or "Cad" in text or "Sok" in text or "Sk." in text or "Bul" in text or "Blv" in text):
        out.extend(_entity(text, m) for m in _TURKISH.finditer(text))
    return out
