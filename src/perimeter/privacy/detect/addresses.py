"""Postal addresses: Russian, US/UK/Commonwealth and continental European layouts.

An address is anchored on what only addresses have — a street-type word with a street name
and a house number ("ул. Ленина, д. 5", "12 Baker Street", "Friedrichstraße 123", "15 rue de
la Paix") — and then grown over the parts that sit around it in every postal layout:

- Russian (a grammar of components, in any order around the street): postcode (6 digits),
  country, region ("Самарская обл.", "Респ. Башкортостан", "Пермский край", "… р-н"), the
  settlement with its type (г., пгт, п., с., д., ст-ца, х., рп, мкр …), house with building
  parts (д., корп./к., стр., лит., вл.), flat/office/room — before or after the street;
- English: house number, pre-directional, street name (initials, ordinals, "Jr"), street type,
  post-directional, unit (Apt/Suite/Unit/Flat/Floor/#, "34th Floor"), a unit written before
  the number ("Flat 3, 22 Acacia Road"), then city, state, ZIP or UK postcode and country.
  The tail after the street is labelled by ``usaddress`` (a CRF model shipped inside its
  PyPI wheel; nothing is downloaded) and accepted token by token while each token has the
  shape of its label;
- continental: German/Dutch/Nordic street names with a glued type (``-straße``, ``-weg``,
  ``-laan``, ``-vej``) or a leading one (Rue, Via, Calle, Avenida, Rua …), number after the
  name, and a 4–5 digit postcode with the city.
"""

from __future__ import annotations

import re
from functools import lru_cache

from perimeter.privacy.detect.addresses_bare import find_bare_addresses
from perimeter.privacy.detect.addresses_cjk import find_cjk_addresses
from perimeter.privacy.detect.addresses_colloquial import find_colloquial_addresses
from perimeter.privacy.detect.addresses_edges import grown
from perimeter.privacy.detect.addresses_fields import find_field_addresses
from perimeter.privacy.detect.addresses_intl import find_intl_addresses
from perimeter.privacy.detect.addresses_parts import find_part_addresses
from perimeter.privacy.detect.addresses_postal import find_postal_addresses
from perimeter.privacy.detect.addresses_postcodes import find_cued_postcodes, find_lone_postcodes
from perimeter.privacy.detect.addresses_runs import find_run_addresses
from perimeter.privacy.detect.addresses_rural import find_rural_addresses
from perimeter.privacy.detect.addresses_spoken import find_spoken_addresses
from perimeter.privacy.detect.literals import (
    EN_STREETS,
    EU_STREET_HINTS,
    EU_STREET_HINTS_BOUNDED,
    RU_STREETS,
    alternation,
)
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.entities import Entity

# ----------------------------------------------------------------------------------- Russian
_NB = r"(?<![А-Яа-яЁёA-Za-z0-9\-])"  # a component starts at a word start
# Full type words in every case people write them in running text ("на улице Ленина, 19", "на
# Невском проспекте, 28", "по Лиговскому проспекту"), abbreviations as they are.
_RU_STREET = (
    r"ул\.|улиц(?:ей|а|е|ы|у)|пр-т|пр-кт|просп\.|проспект(?:ом|е|а|у)?|пр\.|пер\.|переул(?:ком|ок|ке|ка|ку)|ш\.|шоссе|"
    r"наб\.|набережн(?:ая|ой|ую)|б-р|бул\.|бульвар(?:ом|е|а|у)?|пл\.|площад(?:ью|ь|и)|проезд(?:ом|е|а|у)?|пр-д|туп\.|"
    r"тупик(?:ом|е|а|у)?|мкр-н|мкр\.?|микрорайон(?:ом|е|а|у)?|алл\.|алле(?:ей|я|е|и|ю)|лини(?:ей|я|и|ю)|лин\.|"
    r"тракт(?:ом|е|а|у)?|кв-л|квартал(?:ом|е|а|у)?|дор\.|дорог(?:ой|а|е|и|у)|спуск(?:ом|е|а|у)?|тер\.|территори(?:я|и)|массив"
)
# A street name: a capitalised word, a number with its ordinal ending ("1-я", "8") or an
# initial, then up to three more words in any case ("Южные горки", "Красной Армии", "8 Марта").
_RU_FIRST = r"(?:(?:реки|канала|протоки|им\.|имени|генерала|маршала|академика)\s+[А-ЯЁ][\w\-ё]*|[А-ЯЁA-Z][\w\-ё]*\.?|\d{1,3}(?:-?[а-я]{1,2})?(?=\s+[А-ЯЁа-яё]))"
_RU_MORE = r"(?:\s+(?:[А-ЯЁA-Z][\w\-ё]*\.?|[а-яё]{2,}(?:-[а-яё]+)?|\d{1,3}(?:-?[а-я]{1,2})?(?=\s+[А-ЯЁ])))"
_RU_NAME = rf"{_RU_FIRST}{_RU_MORE}{{0,3}}"
_RU_HOUSE = (
    r"(?:(?:д\.|дом|д|вл\.|влад\.|владение|зд\.|здание|уч\.|участок)\s*№?\s*)?"
    # "62/1-9" (house / building - flat, a Kazakh and Kyrgyz layout): two joined groups at most
    r"\d{1,4}(?:\s?[а-яА-Я](?![а-яА-ЯёЁ]))?(?:\s*[/\-–]\s*\d{1,4}[а-я]?){0,2}(?!\d|\.\d|:\d)"
    # "по Новорижскому шоссе, 25 тыс. км в год": a quantity, not a house number
    r"(?![ \u00a0]?(?:тыс|млн|млрд|км\b|руб|₽|%|раз\b|лет\b|мин\b|час))"
)
_RU_PART = (
    r"(?:(?:корпус|корп\.?|к\.|к(?=[ \u00a0]?\d)|с(?=\d)|строение|стр\.?|литера|лит\.?|квартира|кв\.?|офис|оф\.?|помещение|пом\.?|этаж|эт\.?|"
    r"комната|комн\.?|ком\.?|блок|секция|подъезд|под\.|бокс|гараж|каб\.?|кабинет|павильон|место|склад|ворота|"
    r"ауд\.?|аудитория|окно|вход)\s*№?\s*(?:\d[\w\-/]{0,5}|[А-ЯA-Z](?![а-яa-z]))"
    # a tower or a business centre by its name: "башня «Федерация Восток», эт. 31"
    r"|(?:башня|БЦ|бизнес-центр|ТЦ|ТРЦ|ЖК)\s*[«\"][^»\"\n]{1,40}[»\"])"
)
_RU_TAIL = rf"(?:,?\s*{_RU_PART})*"
_RU_ADDRESS = re.compile(
    rf"{_NB}(?:(?:{_RU_STREET})\s*{_RU_NAME}|(?:\d{{1,2}}-?[а-я]{{1,2}}\s+)?[А-ЯЁ][\w\-ё]*(?:\s+[А-ЯЁ][\w\-ё]*){{0,2}}\s+(?:{_RU_STREET}))"
    rf",?\s*{_RU_HOUSE}{_RU_TAIL}",
)
_RU_SETTLEMENT = (
    r"(?:г\.\s?п\.|с\.\s?п\.|г\.|город|гор\.|пос\.|посёлок|поселок|п\.|пгт\.?|рп\.?|р\.\s?п\.|с\.|село|д\.|дер\.|деревня|ст\.|ст-ца|"
    r"станица|х\.|хут\.|хутор|аул|сл\.|слобода|снт|СНТ|дп\.?|мкр\.?|микрорайон)\s*[А-ЯЁ][\w\-ё]*(?:\s+[А-ЯЁ][\w\-ё]*)?"
)
_RU_REGION = (
    r"[А-ЯЁ][\w\-ё]*\s+(?:обл\.|область|край|р-н|район|АО|авт\.\s*округ|автономный округ|г\.\s?о\.|городской округ|"
    r"м\.\s?о\.|муниципальный округ|г\.\s?п\.|с\.\s?п\.)|"
    r"(?:Респ\.|Республика|респ\.|обл\.|область|р-н|район)\s+[А-ЯЁ][\w\-ё]*(?:\s+[А-ЯЁ][\w\-ё]*|\s+\([А-ЯЁ][\w\-ё]*\))?|"
    # Moscow's and St Petersburg's legal layout: "вн. тер. г. муниципальный округ Тверской"
    r"вн\.\s?тер\.\s?г\.\s?(?:муниципальный округ|м\.\s?о\.|МО)\s+[А-ЯЁ][\w\-ё]*|"
    r"а/я\s?№?\s?\d{1,6}|"  # a post-office box: "а/я 215, г. Томск, 634050"
    r"[А-ЯЁ][\w\-ё]*ая\s+(?:Респ\.|Республика)|"  # "Кабардино-Балкарская Респ."
    # the republics' and districts' abbreviations a form writes first: "ЧР, г. Грозный", "РБ, г. Уфа"
    r"(?:ЧР|РБ|РТ|РД|РИ|КБР|КЧР|РСО-Алания|РС\(Я\)|РК|РМЭ|УР|ХМАО(?:-Югра)?|ЯНАО|НАО|ЛО|МО)(?=[ \t\u00a0]*,)|"
    r"Россия|РФ|Российская Федерация"
)
_RU_CITY = (
    r"Москва|Санкт-Петербург|Новосибирск|Екатеринбург|Казань|Нижний Новгород|Челябинск|Самара|Омск|"
    r"Ростов-на-Дону|Уфа|Красноярск|Воронеж|Пермь|Волгоград|Краснодар|Саратов|Тюмень|Тольятти|Ижевск|"
    r"Барнаул|Ульяновск|Иркутск|Хабаровск|Ярославль|Владивосток|Махачкала|Томск|Оренбург|Кемерово|"
    r"Новокузнецк|Рязань|Астрахань|Пенза|Липецк|Киров|Чебоксары|Тула|Калининград|Калуга|Тверь|Сочи|"
    r"Севастополь|Симферополь|Мурманск|Архангельск|Курск|Белгород|Владимир|Смоленск|Псков|Минск|Алматы|"
    r"Астана|Ташкент|Бишкек|Киев|Ереван|Тбилиси|Баку"
)
# "паспорт 4021 № 337120, г. Санкт-Петербург": six digits after "№" or after a four-digit series
# are a passport number, not a postcode.
_RU_COMPONENT = rf"(?:(?<!№)(?<!№ )(?<!\d\d )\d{{6}}(?!\d)|{_RU_REGION}|{_RU_SETTLEMENT}|(?:{_RU_CITY})(?![\w\-]))"
# A country on the same line ("Казахстан, г. Астана, …", "…, кв. 5, Россия") belongs to the address.
_RU_COUNTRY = (
    r"(?:Россия|Российская Федерация|РФ|Казахстан|Республика Казахстан|Беларусь|Республика Беларусь|Украина|"
    r"Узбекистан|Кыргызстан|Киргизия|Таджикистан|Туркменистан|Армения|Грузия|Азербайджан|Молдова)(?![\w\-])"
)
_RU_BEFORE = re.compile(rf"{_NB}(?:{_RU_COMPONENT}\s*,?\s*|{_RU_COUNTRY}[ \t\u00a0]*,[ \t\u00a0]*)$")
_RU_AFTER = re.compile(rf"\s*,?\s*{_NB}{_RU_COMPONENT}|[ \t\u00a0]*,[ \t\u00a0]*{_RU_COUNTRY}")
_RU_TRIGGER = re.compile(alternation(RU_STREETS))

# ----------------------------------------------------------------------------------- English
_EN_STREET = alternation(EN_STREETS)
_EN_WORD = r"(?:[A-Z][a-zA-Z'\-]+\.?|[A-Z]\.?|\d{1,3}(?:st|nd|rd|th))"
_EN_UNIT = (
    r"(?:,?\s*(?:(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|Bldg|Building|Dept|#)\.?\s*#?[\w\-]{1,6}"
    r"|\d{1,3}(?:st|nd|rd|th)\s+Floor))*"
)
_EN_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?"
_EN_ADDRESS = re.compile(
    rf"(?<![\w\-])\d{{1,6}}[A-Za-z]?\s+(?:{_EN_DIRECTION}\s+)?"
    rf"(?:{_EN_WORD}\s+){{1,5}}(?:{_EN_STREET})\b\.?(?:\s+{_EN_DIRECTION}(?![\w]))?{_EN_UNIT}"
)
# "i live at 12 oak street apt 4": everything in lower case, as people type in chat.
_EN_STOP = r"(?:the|a|an|my|your|his|her|our|their|this|that|these|those|of|on|in|at|to|and|or|for|by|per|down|up|over|more|miles?|km|minutes?|hours?|days?|times?|blocks?)"
_EN_LOWER = re.compile(
    rf"(?<![\w\-])\d{{1,6}}\s+(?:[nsew]\.?\s+)?(?:(?!{_EN_STOP}\b)(?:[a-z]{{2,}}|\d{{1,3}}(?:st|nd|rd|th))\s+){{1,2}}"
    r"(?:st|ave|rd|blvd|ln|dr|ct|pl|hwy|pkwy|cir|ter|street|avenue|road)\b\.?"
    r"(?:,?\s*(?:apt|apartment|suite|unit|flat|#)\.?\s*#?[\w\-]{1,6})?"
    r"(?:,\s*[a-z]{3,}(?:\s[a-z]{3,})?,?\s+[a-z]{2}\s+\d{5}(?:-\d{4})?)?"  # ", austin tx 78702"
)
_BUILDING_WORD = re.compile(r"к\.|корп")
# Zelenograd-style: a town and a building number with no street ("г. Зеленоград, к. 1106, кв. 212").
_RU_TOWN_BUILDING = re.compile(
    rf"{_NB}(?:г\.|город|пос\.|п\.|пгт\.?|с\.|д\.)\s*[А-ЯЁ][\w\-ё]*,?\s*(?:корпус|корп\.|к\.|дом|д\.|стр\.)\s*№?\s*\d{{1,5}}[\w/\-]{{0,4}}"
    rf"{_RU_TAIL}"
)
_EN_UNIT_BEFORE = re.compile(r"(?<![\w\-])(?:Flat|Apt|Apartment|Unit|Suite|Room)\.?\s*#?[\w\-]{1,6},?\s*$")
# "P.O. Box CT 4418, Cantonments, Accra": Ghana's and others' boxes carry their post office's letters
_EN_POBOX = re.compile(
    r"P\.?\s?O\.?\s+Box\s+(?:[A-Z]{1,3}\s?)?\d{1,6}(?:,\s*[A-Z][a-zA-Z]+(?:\s[A-Z][a-zA-Z]+)?){0,2}(?:,?\s*[A-Z]{2}\s+\d{5})?"
)
_EN_TRIGGER = re.compile(rf"(?:{_EN_STREET})\b")
_UK_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}")
_ZIP = re.compile(r"\d{5}(?:-\d{4})?")
_STATE = re.compile(r"[A-Z]{2}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?")
_COUNTRY = re.compile(r"USA|US|U\.S\.A?\.?|United States(?: of America)?|UK|U\.K\.|United Kingdom|England|Scotland|Wales|"
                      r"Ireland|Canada|Australia|New Zealand")

# ----------------------------------------------------------------------------------- continental
_EU_GLUED = re.compile(
    r"(?<![\w\-])[A-ZÄÖÜÅØÆ][\wäöüßåøæéè\-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|chaussee|"
    r"steig|pfad|laan|straat|gracht|plein|kade|dijk|singel|vej|gade|stræde|torv|gatan|gata|vägen|veien|katu|utca)"
    r"\s+\d{1,4}[a-zA-Z]?(?:\s*[-/]\s*\d{1,4}[a-zA-Z]?)?(?![\w])"
)
_EU_LEADING = re.compile(
    r"(?<![\w\-])(?:Rue|Avenue|Av\.|Boulevard|Bd|Place|Allée|Chemin|Impasse|Quai|Cours|Via|Viale|Piazza|Piazzale|Corso|"
    r"Largo|Vicolo|Calle|Avenida|Avda\.|Plaza|Paseo|Carrer|Rua|Travessa|Praça|Ulica|Unter den)"
    r"\s+(?:(?:de|del|della|delle|di|da|des|du|de la|dei|degli|do|dos|das|d')\s*)*[A-ZÀ-ÝÄÖÜ][\w'’\-]+"
    r"(?:\s+(?:de|del|di|da|des|du|la|le)?\s*[A-ZÀ-ÝÄÖÜ][\w'’\-]+){0,3},?\s*(?:n\.?\s*|nº\s*|no\.?\s*)?\d{1,4}[a-zA-Z]?(?![\w])"
)
_EU_NUMBER_FIRST = re.compile(
    r"(?<![\w\-])\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:[Rr]ue|[Aa]venue|[Bb]oulevard|bd|[Pp]lace|[Aa]llée|[Cc]hemin|"
    r"[Ii]mpasse|[Qq]uai|[Cc]ours|Jalan|Jln\.?|Lorong|Lor\.|Persiaran|Lebuh|Lebuhraya)\s+(?:(?:de|du|des|de la|d')\s*)*"
    r"[A-ZÀ-Ý][\w'’\-]+(?:\s+(?:de|du|des|la|le)?\s*[A-ZÀ-Ý][\w'’\-]+){0,3}"
)
_EU_POSTCODE_CITY = re.compile(r",?\s*(?:[A-Z]{1,2}-)?\d{4,5}\s+[A-ZÀ-ÝÄÖÜ][\wäöüßà-ÿ\-]+(?:\s[A-ZÀ-Ý][\w\-]+)?")
# Every match starts with a word of ``literals.EU_STREET_HINTS``: tried only where the shared
# literal pass found one (an alternation of 48 words was tried at every character).
_EU_HINT = re.compile("|".join(
    w.replace(".", r"\.") + (r"\b" if w in EU_STREET_HINTS_BOUNDED else "") for w in EU_STREET_HINTS
))


def _windows(
    triggers: list[re.Match[str]], text: str, before: int, after: int, word_start: bool = False
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in triggers:
        if word_start and m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
            continue
        a, b = max(0, m.start() - before), min(len(text), m.end() + after)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def _po_boxes(text: str) -> list[re.Match[str]]:
    """``\\bP.O. Box …`` matches, the ``\\b`` checked here (a leading ``\\b`` makes CPython try
    every position)."""
    out: list[re.Match[str]] = []
    pos = 0
    while True:
        m = _EN_POBOX.search(text, pos)
        if m is None:
            return out
        at = m.start()
        if at > 0 and (text[at - 1].isalnum() or text[at - 1] == "_"):
            pos = at + 1
            continue
        out.append(m)
        pos = m.end()


_TOWN_IN = re.compile(r"[ \u00a0]+(?:в|во)[ \u00a0]+(?:г\.[ \u00a0]?)?[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*(?:е|и|ах)(?![А-Яа-яЁё])")


def _grow_ru(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend over the components before the street (postcode, region, settlement) and after
    it (the same, in reverse order: "…, кв. 8, г. Смоленск, 214031")."""
    for _ in range(5):
        head = _RU_BEFORE.search(text, max(0, start - 70), start)
        if head is None:
            break
        start = head.start()
    for _ in range(5):
        tail = _RU_AFTER.match(text, end)
        if tail is None or ("\n" in tail.group() and tail.group().strip(" \t\n,").isdigit()):
            break  # "…, кв. 9\n000342;…": the next line's record code is no postcode
        end = tail.end()
    if end and text[end - 1].isalnum() and (town := _TOWN_IN.match(text, end)) is not None:
        end = town.end()  # "ул. Гагарина 17 в Махачкале": the town after the house, in its own case
    return start, end


@lru_cache(maxsize=1)
def _tagger() -> object:
    import usaddress

    return usaddress


# usaddress labels whose tokens may continue an address after the street.
_TAIL_LABELS = frozenset({
    "OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier", "PlaceName", "StateName",
    "ZipCode", "CountryName", "StreetNamePostDirectional", "BuildingName",
})


# The usual US tail by its layout: ", City[, City2], ST 12345[, USA]".
_US_TAIL = re.compile(
    r"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}){0,2}(?:,?\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)?"
    r"(?:,\s*(?:USA|US|United States|Canada))?"
)
_UK_TAIL = re.compile(
    r",\s*(?:[A-Z][a-z]+(?:[ \-][A-Z][a-z]+){0,2},?\s+)?[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}(?![A-Za-z0-9])"
    r"(?:,\s*(?:UK|U\.K\.|United Kingdom|England|Scotland|Wales|Northern Ireland|Ireland))?"
)


def _en_tail(text: str, end: int) -> int:
    """Where the address that ends at ``end`` (after its street type and units) really ends.

    A UK tail (town, postcode) is read by its layout.  Otherwise the tokens after the comma are
    labelled by ``usaddress``; each city, state, ZIP, country or unit token must also have the
    shape of its label, and the first token that is not one ends the address.
    """
    uk = _UK_TAIL.match(text, end)
    if uk is not None:
        return uk.end()
    us = _US_TAIL.match(text, end)
    if us is not None and us.end() > end:
        end = us.end()
    line_end = text.find("\n", end)
    limit = min(len(text), end + 90) if line_end == -1 else min(line_end, end + 90)
    comma = re.match(r"\s*,\s*", text[end:limit])
    if comma is None:
        return end  # a city, state or ZIP follows a comma
    base = end + comma.end()
    window = text[base:limit]
    tokens = []
    pos = 0
    for raw in window.split():
        at = window.index(raw, pos)
        tokens.append((at, raw))
        pos = at + len(raw)
    if not tokens:
        return end
    labels = _tagger().parse(window)  # type: ignore[attr-defined]
    if len(labels) != len(tokens):
        return end
    best = end
    place_words = 0
    for (at, raw), (_tok, label) in zip(tokens, labels, strict=True):
        word = raw.strip(",;.()")
        if label not in _TAIL_LABELS or not word:
            break
        if label == "PlaceName":
            if not word[0].isupper() or place_words >= 3:
                break
            place_words += 1
        elif label == "StateName":
            if not _STATE.fullmatch(word):
                break
        elif label == "ZipCode":
            if not _ZIP.fullmatch(word):
                break
        elif label == "CountryName" and not _COUNTRY.fullmatch(word.rstrip(".")) and not word[0].isupper():
            break
        best = base + at + len(raw.rstrip(",;.)"))
        if raw.endswith((".", ";", ")")) and label != "CountryName":
            break  # the sentence or the parenthesis ends here
    return best


# Street types that are also common surnames ("Eun-ji Park", "Anna Hill", "Ken Green").
_SURNAME_TYPES = frozenset({"Park", "Green", "Hill", "Grove", "Ridge", "Walk", "View", "Glen", "Manor", "Vale", "Rise",
                            "Crest", "Cove", "Creek", "Point", "Pass", "Landing", "Run", "Path", "Trace", "Bend",
                            "Hollow", "Lane", "Way", "Row", "Close", "Court"})
_STREET_WORDS = re.compile(r"\d+\S*\s+(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?\s+)?(\S+)")


def _person_not_street(match: str) -> bool:
    """"00 Eun-ji Park": a first name before a street type that is also a surname is a person
    (when nothing else — a unit, a city, a ZIP — says it is an address)."""
    words = match.split()
    if words[-1].rstrip(".") not in _SURNAME_TYPES or len(words) > 3:
        return False
    first = _STREET_WORDS.match(match)
    if first is None:
        return False
    from perimeter.privacy.detect.names_en import _names

    word = first.group(1).lower()
    return word in _names("first_names") or word in _names("first_names_common") or (
        "-" in word and word.split("-")[0] in _names("first_names"))


def find_addresses(ix: TextIndex) -> list[Entity]:
    text = ix.text
    out: list[Entity] = []
    if not ix.has_digits:  # every layout below needs a house number, a PO box number or a postcode
        if text.isascii():
            return find_bare_addresses(text)  # a street closed by its town, a postcode said in words
        # a village with its region needs no number ("с. Кушнаренково, Республика Башкортостан")
        return find_spoken_addresses(text, ix.lower) + find_rural_addresses(text) + find_bare_addresses(text)
    out.extend(find_rural_addresses(text))
    if not text.isascii():  # every Russian street word has a Cyrillic letter
        out.extend(find_cjk_addresses(text))
        windows = _windows(ix.literal_matches(_RU_TRIGGER, "ru_streets"), ix.lower, 100, 130)
        for m in (m for lo, hi in windows for m in _RU_ADDRESS.finditer(text, lo, hi)):
            start, end = _grow_ru(text, m.start(), m.end())
            value = text[start:end].rstrip(" ,")
            out.append(Entity("ADDRESS", start, start + len(value), value, 0.85, "address_ru"))
    windows = _windows(ix.literal_matches(_EN_TRIGGER, "en_streets"), text, 70, 120, word_start=True)
    for lo, hi in windows:
        for m in _EN_ADDRESS.finditer(text, lo, hi):
            start, end = m.start(), _en_tail(text, m.end())
            if end == m.end() and _person_not_street(m.group()):
                continue
            head = _EN_UNIT_BEFORE.search(text, max(0, start - 24), start)
            if head is not None:
                start = head.start()
            out.append(Entity("ADDRESS", start, end, text[start:end], 0.85, "address_en"))
        for m in _EN_LOWER.finditer(text, lo, hi):
            out.append(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.75, "address_en"))
    if "Box" in text:
        for m in _po_boxes(text):
            out.append(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.8, "address_en"))
    if not text.isascii() and ("к." in text or "корп" in text):
        for part in _BUILDING_WORD.finditer(text):  # only around "к."/"корп": the town comes first
            town = _RU_TOWN_BUILDING.search(text, max(0, part.start() - 48), part.end() + 40)
            if town is not None and town.start() <= part.start() < town.end():
                start, end = _grow_ru(text, town.start(), town.end())
                out.append(Entity("ADDRESS", start, end, text[start:end].rstrip(" ,"), 0.8, "address_ru"))
    out.extend(find_postal_addresses(text))
    if any(_EU_HINT.match(ix.lower, at) for at in ix.literal_starts("eu_streets", fallback_find=True) or ()):
        for rx in (_EU_GLUED, _EU_LEADING, _EU_NUMBER_FIRST):
            for m in rx.finditer(text):
                end = m.end()
                tail = _EU_POSTCODE_CITY.match(text, end)
                if tail is not None:
                    end = tail.end()
                elif rx is _EU_LEADING and "," not in m.group() and text[end:end + 1] != ",":
                    continue  # "Via Slack 3 people": a leading type word needs a postcode or a comma
                out.append(Entity("ADDRESS", m.start(), end, text[m.start():end], 0.8, "address_eu"))
    out.extend(find_colloquial_addresses(text))
    out.extend(find_part_addresses(ix, out))
    out = find_run_addresses(ix, out)  # grown over the parts beside them, and new runs of parts
    out.extend(find_field_addresses(text, ix.lower))
    out.extend(find_lone_postcodes(text))
    out.extend(find_cued_postcodes(text, ix.lower))
    out.extend(find_intl_addresses(text))
    out.extend(find_bare_addresses(text))
    if not text.isascii():
        out.extend(find_spoken_addresses(text, ix.lower))
    return _merge(text, grown(text, _merge(text, out)))


def _merge(text: str, found: list[Entity]) -> list[Entity]:
    """One address per run of overlapping readings ("350 Pine Street, Suite 1400" by its street
    type and "Suite 1400 / San Francisco, CA 94104" by its postcode are one label)."""
    if len(found) < 2:
        return found
    found.sort(key=lambda e: (e.start, -e.end))
    out = [found[0]]
    for e in found[1:]:
        last = out[-1]
        if e.start < last.end:
            if e.end > last.end:
                out[-1] = Entity("ADDRESS", last.start, e.end, text[last.start:e.end], max(last.score, e.score), last.detector)
        else:
            out.append(e)
    return out
