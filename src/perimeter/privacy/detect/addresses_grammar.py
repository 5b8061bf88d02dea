"""The parts of a postal address in any layout, each recognised by its own shape.

Every postal layout — a Dubai office, a Turkish ``Cad. No: 17/4``, a Korean ``Teheran-ro
10-gil``, an Indian ``5th Cross``, a Philippine ``Blk 12 Lot 7``, an Irish Eircode, a Russian
address in Latin letters (``ul. Kirova, d. 14``), an upper-case US label, a Russian ``СНТ
«Рассвет», 3-я линия, уч. 41`` — is a list of parts separated by commas or line breaks, and
each part has one of a few shapes:

- **street**: a street-type word from a multilingual lexicon before or after a name (Rehov,
  Calle, ul., Cad., Sok., Road, RD, Cross, -ro/-gil, ш., линия), with or without a house
  number (``No: 17/4``, ``d. 28``); a rural route;
- **house**: a bare house number (``40``, ``9-40``, ``17/4``, ``d. 28``, ``уч. 41``);
- **unit**: flat/office/unit/box/lot/floor/кв./бокс/бутик/помещ./этаж/км with its number;
- **building**: a named building or estate (``Churchill Tower``, ``Sai Krupa Apartments``,
  ``BF Homes``, ``Rose Cottage``, ``БЦ «Рига Ленд»``, ``СНТ «Рассвет»``);
- **district** (``Gangnam-gu``, ``Co. Galway``), **town** (capitalised words), **state** code;
- **postcode**, with its town and state code (``EUGENE OR 97404``, ``Fakenham NR21 0AY``,
  ``Co. Galway H91 X2K4``, ``Tel Aviv 6433222``); a UK, Irish, Canadian or US state+ZIP one is
  *strong* (nothing else has that shape), a bare 4-7 digit one is weak;
- **country**.

:func:`kind` classifies one part; :mod:`addresses_runs` decides which runs of parts are an
address.
"""

from __future__ import annotations

import re
from functools import lru_cache

from perimeter.privacy.detect import lexicon

STREET, HOUSE, UNIT, BUILDING, DISTRICT, TOWN, STATE, POST, STRONG_POST, COUNTRY = range(10)
PLACES = frozenset({DISTRICT, TOWN, STATE, POST, STRONG_POST, COUNTRY})

_UP = "A-ZÀ-ÖØ-ÞĀ-ſİА-ЯЁІЇЄЎҐ"
_L = r"[^\W\d_]"
_CAPW = rf"[{_UP}]{_L}*(?:['’]{_L}+)*(?:-{_L}+)*\.?"
_LINK = r"(?:de|la|na|an|le|del|della|di|da|du|des|van|von|der|den|am|im|upon|sur|y|e|bin|al|el|of)"
_NAME = rf"{_CAPW}(?:[ \u00a0]+(?:{_LINK}[ \u00a0]+)?{_CAPW}){{0,3}}"
_SP = r"[ \u00a0]+"
_NUM = r"\d{1,5}[A-Za-zА-Яа-я]?(?:[/\-]\d{1,5}[A-Za-zА-Яа-я]?)?"
_NUMBER_WORD = r"(?:(?i:No|Nr|nº|n°|n|d|dom|д|дом|уч|участок|вл|влад)\.?[:]?[ \u00a0]*|№[ \u00a0]*|#)?"
# A house number may carry its flat in the same part: "No: 12 Daire 4", "d. 5 kv. 12".
_HOUSE = rf"{_NUMBER_WORD}{_NUM}(?:,?[ \u00a0]+(?i:daire|kat|kv|apt|flat|unit)\.?:?[ \u00a0]*\d{{1,4}}[A-Za-z]?)?"
# Street types written before the name (continental, Hebrew, Russian and Indonesian in Latin
# letters) and after it (English, Turkish, Indian, Dutch/German as separate words).
_LEADING = (
    r"Rehov|Rechov|Derech|Sderot|Shderot|Calle|C/|Avda\.|Avenida|Av\.|Avenue|Via|Viale|Piazza|Piazzale|Corso|Largo|"
    r"Vicolo|Rue|Bd|Boulevard|Quai|Place|Allée|Chemin|Impasse|Cours|Rua|Travessa|Praça|Plaza|Paseo|Carrer|Ronda|"
    r"Camino|Strada|Calea|Bulevardul|Odos|Jalan|Jl\.|ul\.|ulitsa|Ulitsa|ul|al\.|aleja|os\.|pl\.|plac|pr\.|prosp\.|"
    r"prospekt|Prospekt|pr-t|per\.|pereulok|Pereulok|nab\.|naberezhnaya|sh\.|shosse|Shosse|bul\.|bulvar|Bulvar|"
    r"proezd|Proezd|ploshchad|Rural Route|RR|HC|Route|Chaussee|Via"
)
_TRAILING = (
    r"Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Av|Drive|Dr|Court|Ct|Way|Place|Pl|Close|Crescent|Cres|Terrace|Ter|"
    r"Grove|Gardens|Hill|Row|Mews|Walk|Square|Sq|Parade|Boulevard|Blvd|Highway|Hwy|Parkway|Pkwy|Circle|Cir|Trail|"
    r"Cross|Main|Main Road|Layout|Marg|Salai|Cad|Caddesi|Cd|Sok|Sokak|Sokağı|Sk|Bulvarı|Bulvari|Bulvar|Blv|Straße|Strasse|Str|"
    r"Weg|Gasse|Platz|Allee|Laan|Straat|Gracht|Plein|Kade|Dijk|Singel|Steeg|ulitsa|prospekt|pereulok|shosse"
)
_GLUED = r"(?:straße|strasse|str\.|weg|gasse|platz|allee|laan|straat|gracht|plein|kade|dijk|singel|steeg|vej|gade|gatan|vägen)"
_ORD = r"\d{1,3}(?:st|nd|rd|th|-?я|-?й|-?ая|-?ий|-?ой)"
_RU_TYPE = (
    r"ул\.|улица|пр-т|пр-кт|просп\.|проспект|пр\.|пер\.|переулок|ш\.|шоссе|наб\.|набережная|б-р|бул\.|бульвар|"
    r"пл\.|площадь|проезд|пр-д|туп\.|тупик|линия|лин\.|тракт|аллея|алл\.|мкр\.?|микрорайон|кв-л|квартал"
)
_STREET_RX = re.compile(
    rf"(?:{_NUM},?{_SP})?(?:{_LEADING}){_SP}?(?:{_NAME}|{_ORD})(?:,?{_SP}{_HOUSE})?"  # Rehov Dizengoff 88, ul. Kirova
    rf"|(?:{_LEADING}){_SP}{_NUM}"  # Rural Route 2
    rf"|(?:{_NUM},?{_SP})?(?:{_NAME}|{_ORD}){_SP}(?i:{_TRAILING})\.?(?:,?{_SP}{_HOUSE})?"  # Atatürk Cad. No: 17/4
    rf"|(?:{_NUM}{_SP})?[{_UP}]{_L}+{_GLUED}(?:{_SP}{_NUM})?"  # Keizersgracht 12
    rf"|(?:{_NUM}{_SP})?{_CAPW}-(?:ro|gil|daero|dong-ro)(?:{_SP}\d{{1,3}}(?:-gil|-\d{{1,4}})?)?(?:{_SP}{_NUM})?"  # Teheran-ro 10-gil
    rf"|(?:{_RU_TYPE}){_SP}?(?:{_NAME}|{_ORD})(?:,?{_SP}{_HOUSE})?"  # туп. Ремесленный
    rf"|(?:{_ORD}{_SP})?(?:{_NAME}{_SP})?(?:{_RU_TYPE})(?:,?{_SP}{_HOUSE})?"  # 3-я линия, Уфимское ш.
)
_UNIT_WORD = (
    r"Flat|Apt|Apartment|Unit|Suite|Ste|Office|Room|Rm|Floor|Fl|Level|Lvl|Blk|Block|Lot|Plot|Box|Villa|House|Shop|"
    r"Door|Daire|Kat|Bldg|Building|Wohnung|Whg|Top|app|appt|Apto|Piso|Bus|PO Box|P\.O\. Box|"
    r"kv|korp|k|str|stroenie|of|ofis|pom|lit|"
    r"кв|квартира|оф|офис|корп|корпус|к|стр|строение|лит|литера|пом|помещ|помещение|бокс|бутик|павильон|секция|"
    r"этаж|эт|гараж|место|комн|комната|каб|кабинет"
)
UNIT_WORDS = _UNIT_WORD
_ID = r"(?:№[ \u00a0]*|#|No\.?[ \u00a0]*)?(?:[\w]{0,3}\d[\w\-/]{0,6}|[A-ZА-Я](?![\w]))"
_UNIT_ONE = (
    rf"(?i:{_UNIT_WORD})\.?[ \u00a0]*{_ID}"
    rf"|\d{{1,3}}(?:-?й|-?ий|st|nd|rd|th)?[ \u00a0]+(?i:этаж|эт\.|floor|fl\.?|км|km)"  # 2 этаж, 22-й км, 5th Floor
)
_UNIT_RX = re.compile(rf"(?:{_UNIT_ONE})(?:[ \u00a0]+(?:{_UNIT_ONE}))?")
_HOUSE_RX = re.compile(_HOUSE)
_DIGIT = re.compile(r"\d")
_QUOTED = r"[«\"“„][^«»\"“”„\n]{2,40}[»\"”]"
_BUILDING_RX = re.compile(
    rf"(?:ТЦ|ТРЦ|ТРК|БЦ|ГСК|ГК|ПГК|СНТ|ДНТ|ДНП|ТСН|ОНТ|ЖК|КП|МФК|ТК|СПК)[ \u00a0]*(?:{_QUOTED}|[А-ЯЁ][\w\-]+)"
    rf"|(?:{_NAME}){_SP}(?:Tower|Towers|Building|House|Apartments|Apts|Residency|Residences|Residence|Heights|Homes|"
    rf"Court|Plaza|Centre|Center|Complex|Cottage|Cottages|Farm|Lodge|Manor|Villas|Mansions|Enclave|Mall|Arcade|"
    rf"Chambers|Hall|Barn|Business Park|Estate|Village|Compound)(?:{_SP}[A-Z0-9]{{1,2}})?"
)
_DISTRICT_RX = re.compile(
    rf"{_CAPW}-(?:gu|ku|si|shi|dong|cho|machi|eup|myeon|gun)"
    rf"|Co\.{_SP}{_NAME}|County{_SP}{_NAME}"
    rf"|{_NAME}{_SP}(?:District|County|Province|Region|Nagar|Sector{_SP}\d{{1,3}}|Mah\.|Mahallesi|Phase{_SP}\d{{1,2}})"
    rf"|(?:г|гор|пос|п|пгт|рп|с|д|дер|ст-ца|х|мкр|g)\.{_SP}?{_NAME}"
    rf"|{_NAME}{_SP}(?:обл\.|область|край|р-н|район)|(?:Респ\.|Республика|обл\.|р-н){_SP}{_NAME}"
)
_TOWN_RX = re.compile(_NAME)
_STATE_RX = re.compile(r"[A-Z]{2,3}")
_STATE_BEFORE = re.compile(r"(?<![\w])[A-Z]{2}[ \u00a0]+$")  # "EUGENE OR 97404": the state before a ZIP
_POSTCODE_STRONG = (
    r"[A-Z]{1,2}\d[A-Z\d]?[ \u00a0]?\d[A-Z]{2}"  # UK
    r"|[AC-FHKNPRTV-Y]\d[\dW][ \u00a0]?[0-9AC-FHKNPRTV-Y]{4}"  # Irish Eircode
    r"|[A-Z]\d[A-Z][ \u00a0]?\d[A-Z]\d"  # Canada
)
_POSTCODE_WEAK = r"\d{5}-\d{4}|\d{3}-\d{4}|\d{2}-\d{3}|\d{4}-\d{3}|\d{4}[ \u00a0]?[A-Z]{2}|\d{4,7}"
_REGION = rf"(?:[A-Z]{{2,3}}|Co\.{_SP}{_CAPW})"
# The town on one side of the postcode, not both ("A. 4410 Ridgecrest Drive" is a street).
_POST_RX = re.compile(
    rf"(?:(?:{_NAME}),?{_SP})?(?:(?P<state>{_REGION}),?{_SP})?(?:(?P<strong>{_POSTCODE_STRONG})|(?P<weak>{_POSTCODE_WEAK}))"
    rf"|(?:(?P<strong2>{_POSTCODE_STRONG})|(?P<weak2>{_POSTCODE_WEAK})){_SP}{_NAME}"
)
_COUNTRIES = frozenset(
    """russia russian federation россия рф ukraine україна украина belarus беларусь kazakhstan казахстан uzbekistan
узбекистан kyrgyzstan кыргызстан armenia армения georgia грузия azerbaijan азербайджан moldova молдова poland polska
germany deutschland france italy italia spain españa portugal netherlands nederland belgium switzerland schweiz
austria österreich czechia hungary romania bulgaria serbia croatia greece turkey türkiye cyprus israel uae
united arab emirates saudi arabia qatar egypt kenya nigeria south africa india pakistan china japan korea
south korea republic of korea vietnam thailand indonesia malaysia singapore philippines australia new zealand canada
usa u.s.a. us united states mexico brazil argentina uk united kingdom england scotland wales ireland
northern ireland norway sweden denmark finland""".replace("\n", " ").split(" ")
)
_COUNTRY_PHRASES = frozenset({
    "russian federation", "united arab emirates", "saudi arabia", "south africa", "south korea", "republic of korea",
    "new zealand", "united states", "united kingdom", "northern ireland", "czech republic", "sri lanka",
})
_NOT_TOWN = frozenset(
    """the a an and or but to of in on at by for with from is are was were be it this that my our your we i you he she
they hi hello dear thanks regards best name address phone tel email mobile customer client employee order invoice
please ship sender from to attn c/o mr mrs ms dr tracking weight ref note subject re fw total date tel. fax
привет спасибо адрес телефон имя""".split()  # noqa: SIM905 - a word list reads better as text
)


def country(part: str) -> bool:
    low = part.lower().rstrip(".")
    return low in _COUNTRY_PHRASES or (" " not in low and low in _COUNTRIES)


@lru_cache(maxsize=4096)
def person_like(part: str) -> bool:
    """A part that reads as a person's name: its first word is a known given name ("Grace
    O'Sullivan"), or a Cyrillic word pymorphy takes for a name or surname before a place."""
    words = part.replace(".", " ").split()
    if not words:
        return False
    first = words[0].lower()
    if first in _NOT_TOWN:
        return True
    return first in lexicon.first_names() and (len(words) > 1 or first in lexicon.single_first_names())


@lru_cache(maxsize=4096)
def geo(word: str) -> bool:
    """A Cyrillic town written without «г.» ("Стерлитамак", "Тверь"): pymorphy's first reading
    is a toponym (Geox), and the word is no known surname."""
    from perimeter.privacy.detect import morph

    parses = morph.analyzer().parse(word)
    return bool(parses) and "Geox" in parses[0].tag and word.lower() not in lexicon.cyrillic_last_names()


def kind(part: str) -> int | None:
    """The shape of one part (already stripped), or None when it is no address part."""
    if not part or len(part) > 60 or part.count(" ") > 6 or "@" in part or "://" in part:
        return None
    if country(part):
        return COUNTRY
    digit = _DIGIT.search(part) is not None
    if digit and _STREET_RX.fullmatch(part):
        return STREET  # "2200 RIVER RD" before a postcode with its town ("2200 RIVER")
    if digit:
        if _UNIT_RX.fullmatch(part):
            return UNIT
        m = _POST_RX.fullmatch(part)
        if m is not None and (m.group("strong2") or m.group("weak2")):
            return STRONG_POST if m.group("strong2") else POST
        if m is not None and _post_ok(m):
            state = m.group("state") or _STATE_BEFORE.search(part, 0, m.start("weak") if m.group("weak") else 0)
            return STRONG_POST if m.group("strong") or (state and _zip(m.group("weak"))) else POST
        if _HOUSE_RX.fullmatch(part):
            return HOUSE
    elif _UNIT_RX.fullmatch(part):
        return UNIT  # "корп. B", "Block C"
    if _STREET_RX.fullmatch(part):
        return STREET
    if _BUILDING_RX.fullmatch(part):
        return BUILDING
    if _DISTRICT_RX.fullmatch(part):
        return DISTRICT
    if not digit:
        if _STATE_RX.fullmatch(part):
            return STATE
        if _TOWN_RX.fullmatch(part) and not person_like(part) and not _NOT_TOWN_SHAPE.search(part):
            return TOWN
    return None


# "Germany. Contact Jonas Becker" holds a sentence end; "СНИЛС", "ИНН" are acronyms; "A." an initial.
_NOT_TOWN_SHAPE = re.compile(r"[^\W\d_]{4}\.[ \u00a0]|^[А-ЯЁ]{2,6}$|^[^\W\d_]\.?$")


def postcode_part(part: str) -> bool:
    """Could ``part`` be a postcode part?  One pattern, for the many digit seeds: a seed that
    passes is classified in full with :func:`kind`."""
    m = _POST_RX.fullmatch(part)
    return m is not None and (bool(m.group("strong2") or m.group("weak2")) or _post_ok(m))


def _zip(weak: str | None) -> bool:
    return weak is not None and re.fullmatch(r"\d{5}(?:-\d{4})?", weak) is not None


def _post_ok(m: re.Match[str]) -> bool:
    """A postcode part needs its town or state beside it unless its shape is strong: a bare
    number is a house number, a bare "2024" a year."""
    if m.group("strong"):
        return True
    whole = m.group()
    return whole != m.group("weak") and not (m.group("state") and whole.startswith(m.group("state")) and
                                             not _zip(m.group("weak")))
