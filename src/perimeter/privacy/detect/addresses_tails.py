"""The comma-separated pieces that close (or open) an address in the Latin-script layouts of
Latin America, Southern Europe, the Gulf and the Commonwealth.

"Av. Brigadeiro Luís Antônio, 4700 – Jardim Paulista, São Paulo – SP, 01402-002" is found up to
the house number; "Rua da Prata 148, 3.º Esq., 1100-420 Lisboa" up to 148; "Via Emilia Ovest
1120, 41123 Modena (MO), Italia" without its province and country.  Each piece left outside is
an identifying part of a home (a neighbourhood and a postcode narrow it to a few streets; a floor
and side are the door).  The pieces are few and shared by every layout: a unit or floor, a
neighbourhood or town written with capitals, a state's short code, a postcode, a country.  So
they are grown onto whatever address a rule found, piece by piece, and only where the piece
itself has an address's shape.  A run of capitalised words is taken only when something
address-like (a postcode, a state code, a country, the end of the line or sentence) follows it,
so the name of the person who signs after an address stays out.

Before an address: a unit or building that opens it ("Office 1204, Building 3, …", "Apartment
903, …", "Room 1805, 18/F, Tower 2, …", "C/ de Alcalá 187") and a known town or country with its comma ("Ташкент, Чиланзар 9 квартал, …").
"""

from __future__ import annotations

import re
from functools import cache

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.addresses import _TOWN_IN, _grow_ru
from perimeter.privacy.entities import Entity

# a unit, floor, side or block: "apto 702", "conj. 81", "Int. 4", "oficina 1203", "3.º Esq.", "3. tv",
# "sala 1204", "8th floor", "#11-238", "bus 3"
_UNIT_PIECE = re.compile(
    r",?[ \t\u00a0]*(?:"
    r"(?i:apto|apt|apart|ap|conj|int|interior|oficina|of|sala|andar|piso|lote|lt|casa|torre|depto|dpto|dept|blk|block|"
    r"bloco|bloque|bus|bte|gate|puerta|escalera|esc|local|loja|office|building|bldg|unit|suite|ste|flat|room|floor|"
    r"level|villa|shop|plot|no|nr|n\.º|nº)\.?[ \t\u00a0]*(?:#[ \t\u00a0]?)?[0-9][\w\-/]{0,6}"
    r"|\d{1,2}(?:st|nd|rd|th)[ \t\u00a0]+(?i:floor)"
    r"|(?:\d{1,2}|(?<=\d))\.?[ \t\u00a0]?[ºª°]?[ \t\u00a0]?(?:Esq|Dto|Dir|Drt|Izq|Izda|Dcha|andar|tv|th|mf|piso)\b\.?"
    r"|#[ \t\u00a0]?\d{1,3}-\d{1,4}"
    # German and Austrian floors and sides: "3. OG links", "EG rechts", "2. Stock", after "214, 3" ". OG links"
    r"|(?:\d{1,2}|(?<=\d))\.?[ \t\u00a0]?(?:OG|DG|Stock|Etage)(?:[ \t\u00a0](?:links|rechts|Mitte|li\.|re\.))?"
    r"|(?:EG|UG|Hochparterre)(?:[ \t\u00a0](?:links|rechts|Mitte))?"
    r")(?![\w@])"
)
# a postcode of these layouts, alone or before its town: 01402-002 (BR), 1100-420 (PT), 41123 (IT, ES,
# MX, DE, FR), 2200 (DK, BE, AT, CH, AU), 00-514 (PL), 120 00 (CZ), S(640417) (SG), -00100 (KE)
_POSTCODE_PIECE = re.compile(
    r"(?:,|[ \t\u00a0]*[–—\-])?[ \t\u00a0]*(?:(?i:CEP|C\.P\.|CP|PIN|Zip|PO Box|P\.O\. Box)[:.]?[ \t\u00a0]*)?"
    r"(?:\d{5}-\d{3}|\d{4}-\d{3}|\d{2}-\d{3}|\d{3}[ \u00a0]\d{2}|\d{4,6}|S\(\d{6}\))(?![\w\-/.,]?\d)(?![ \u00a0][\d(+])"
    r"(?:[ \t\u00a0]+[A-ZÀ-ÝÄÖÜØÆÅ][\w'’\-]+(?:[ \t\u00a0](?:[A-ZÀ-ÝÄÖÜØÆÅ][\w'’\-]*|de|da|do|del|di|la))?)?"
)
# the rest of a postcode a rule cut at its dash ("01452" + "-000")
_POSTCODE_REST = re.compile(r"(?<=\d)-\d{3,4}(?![\w\-])")
# a state, province or region code: "– SP", "- RJ", ", CDMX", " (MO)", "/PR"
_STATE_PIECE = re.compile(r"(?:[ \t\u00a0]*[–—\-/]|,)?[ \t\u00a0]*(?:\([A-Z]{2}\)|(?!DOB|SSN|TEL|FAX|MOB|NIF|CPF|VAT|TIN|PAN)[A-Z]{2,4}(?![\w.'’\-]))")
# capitalised words: a neighbourhood, a town, a region ("Jardim Paulista", "Las Condes", "Col. Crédito Constructor")
_WORDS_PIECE = re.compile(
    r"(?:,|[ \t\u00a0][–—\-])[ \t\u00a0]*(?:(?:Col|Bo|Brgy|Urb|Fracc|Qta|Jd|Vila|Bairro)\.?[ \t\u00a0])?"
    r"[A-ZÀ-ÝÄÖÜØÆÅŁŚŻ][\w'’\-]+(?:[ \t\u00a0](?:[A-ZÀ-ÝÄÖÜØÆÅŁŚŻ][\w'’\-]*|de|da|do|dos|das|del|di|la|las|los|el))"
    r"{0,3}(?![\w@])"
)
# what may follow a run of capitalised words for it to be part of the address
_ENDS = re.compile(r"[ \t\u00a0]*(?:[.;|)\]\n\"»”]|$)")
# country names as written in their own languages, which the GeoNames list has in English only
_COUNTRIES = frozenset({
    "italia", "brasil", "españa", "méxico", "perú", "deutschland", "österreich", "schweiz", "danmark", "sverige",
    "norge", "nederland", "belgië", "belgique", "polska", "česko", "türkiye", "ελλάδα", "uae", "u.a.e.", "ksa",
    "br", "mx", "ar", "cl", "co", "pt", "es", "it", "de", "fr", "pl", "uk", "gb", "ie", "ae", "in", "ng", "za", "au", "ca",
})


@cache
def _known_places() -> frozenset[str]:
    return lexicon.places() | _COUNTRIES
# "Office 1204, Building 3, " / "Apartment 903, " / "H.No. 14/" before an address
_HEAD_UNIT = re.compile(
    r"(?:(?:(?i:office|apartment|apt|flat|unit|suite|building|bldg|villa|shop|floor|level|room|tower|block|h\.?\s?no|house no)\.?"
    r"[ \t\u00a0]*#?\d{1,5}[A-Za-z]?(?:/\d{1,4}|/)?|\d{1,3}/F),?[ \t\u00a0]*)+$"  # "18/F": a Hong Kong floor
)
# the unit's word before a number a rule started the address with: "Office " + "1204, Building 3, …"
_HEAD_WORD = re.compile(r"(?<![\w])(?i:office|apartment|apt|flat|unit|suite|room|villa|shop|oficina|apto)\.?[ \t\u00a0]*#?[ \t\u00a0]*$")
# a UK town's outward code alone after it: "14 Balmoral Crescent, Glasgow G12"
_UK_OUTWARD = re.compile(r"[ \t\u00a0]+[A-Z]{1,2}\d{1,2}[A-Z]?(?![\w])")
# the Spanish street word "C/" (calle) a rule left outside: "C/ de Alcalá 187"
_HEAD_CALLE = re.compile(r"(?<![\w/])[Cc]/[ \t\u00a0]?$")
_HEAD_PLACE = re.compile(r"(?<![\w\-])([A-ZÀ-ÝА-ЯЁ][\w'’\-]+(?:[ \t\u00a0][A-ZÀ-ÝА-ЯЁ][\w'’\-]+)?),[ \t\u00a0]*$")


def _tail(text: str, end: int) -> int:
    """How far the pieces after ``end`` reach (``end`` itself if none follows)."""
    if end and text[end - 1].islower() and (uk := _UK_OUTWARD.match(text, end)) is not None:
        end = uk.end()
    for _ in range(8):
        m = _POSTCODE_REST.match(text, end) or _UNIT_PIECE.match(text, end) or _POSTCODE_PIECE.match(text, end)
        if m is not None and m.end() > end and any(c.isalnum() for c in m.group()):
            end = m.end()
            continue
        m = _STATE_PIECE.match(text, end)
        if m is not None and (_ENDS.match(text, m.end()) is not None or _more(text, m.end())):
            end = m.end()
            continue
        m = _WORDS_PIECE.match(text, end)
        if m is not None and (_more(text, m.end()) or _ENDS.match(text, m.end()) is not None):
            end = m.end()
            continue
        break
    return end


def _more(text: str, at: int, depth: int = 3) -> bool:
    """Whether more address follows ``at``: a piece with a digit, or a state code, a known place
    or a country that ends the address or has more after it."""
    m = _POSTCODE_PIECE.match(text, at) or _UNIT_PIECE.match(text, at)
    if m is not None and m.end() > at and any(c.isdigit() for c in m.group()):
        return True
    if depth == 0:
        return False
    for rx in (_STATE_PIECE, _WORDS_PIECE):
        s = rx.match(text, at)
        if s is None:
            continue
        if rx is _WORDS_PIECE and s.group().strip(" \t\u00a0,–—-").lower() not in _known_places():
            continue
        if _ENDS.match(text, s.end()) is not None or _more(text, s.end(), depth - 1):
            return True
    return False


def _head(text: str, start: int) -> int:
    """How far back the opening pieces before ``start`` reach."""
    line_start = text.rfind("\n", 0, start) + 1
    window = text[max(line_start, start - 60):start]
    m = _HEAD_UNIT.search(window)
    if m is not None:
        start -= len(window) - m.start()
        window = text[max(line_start, start - 60):start]
    if start < len(text) and text[start].isdigit() and (w := _HEAD_WORD.search(window)) is not None:
        start -= len(window) - w.start()
        window = text[max(line_start, start - 60):start]
    m = _HEAD_CALLE.search(window)
    if m is not None:
        start -= len(window) - m.start()
        window = text[max(line_start, start - 60):start]
    m = _HEAD_PLACE.search(window)
    if m is not None and m.group(1).lower() in _known_places():
        start -= len(window) - m.start()
    return start


_DANGLING_IN = re.compile(r"[ \u00a0]+(?:в|во)$")


def grown_tails(text: str, found: list[Entity]) -> list[Entity]:
    """``found`` with each address grown over the pieces that open and close it (module docstring)."""
    out = []
    ru = not text.isascii()
    for e in found:
        if e.type != "ADDRESS":
            out.append(e)
            continue
        start, end = _head(text, e.start), _tail(text, e.end)
        if ru:
            start, end = _grow_ru(text, start, end)
            if (dangling := _DANGLING_IN.search(text, max(start, end - 4), end)) is not None:
                # "… 17 в" (a model's span took the preposition): the town it names, or nothing
                bare = dangling.start()
                town = _TOWN_IN.match(text, bare)
                end = town.end() if town is not None else bare
        out.append(e if (start, end) == (e.start, e.end) else
                   Entity("ADDRESS", start, end, text[start:end], e.score, e.detector))
    return out
