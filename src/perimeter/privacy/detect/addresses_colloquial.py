"""Addresses written without a street-type word, as people type them in chat and in records.

A street name alone is a word like any other; what makes it an address is the house number
after it, in a construction only an address has:

- **Russian locative**: на + a street name in the prepositional case + a house number, with a
  comma or without ("на Маросейке, 4/2", "на Арбате 12") — streets take "на", towns "в", so
  after "в" only a number no count has ("в Кривоколенном 10/2"); the number closes the phrase
  (no noun after it: "на Урале, 5 человек" is no address; a bare year is no house);
- **a town, then a street and a house-flat number** ("Тюмень, Республики 61-9", "Казань,
  Баумана 12/3"): the town is one pymorphy knows as a place;
- **a transliterated Russian street** with its adjectival ending and a number ("Tverskaya 7-12",
  "Sadovaya-Kudrinskaya 3");
- **a unit before a house number and a name** ("Flat 3, 41 Hartley", "Apt 12, 7 Bellweather");
- **a slashed house number** of Central European layouts ("Vinohradská 1511/230, 100 00 Praha
  10"), with the postcode and town after it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from perimeter.privacy.detect import lexicon
from perimeter.privacy.entities import Entity

# "12", "4/2", "7а", "61-9", house-building-flat "93-2-54", a building glued or spaced "128 к3", "5с2"
_HOUSE = r"\d{1,4}[а-яa-z]?(?:[/\-]\d{1,4}[а-яa-z]?){0,2}(?:[ \u00a0]?(?:к|корп\.?|с|стр\.?)[ \u00a0]?\d{1,2}(?!\d))?"
# the number ends the phrase: a punctuation mark, a line end, a building/flat word or a
# preposition of place after it ("на Арбате 24 у входа"); a noun after it makes it a count
_CLOSES = r"(?=[ \u00a0]*(?:$|[.,;:!?)\n—–]|(?:кв|корп|к\.|стр|под|эт|офис|оф\.|дом)|(?:у|возле|около|рядом|напротив)[ \u00a0]))"
_RU_STREET_NUMBER = re.compile(
    rf"(?P<street>[А-ЯЁ][а-яё]++(?:-[А-ЯЁа-яё][а-яё]+)?(?:[ \u00a0][А-ЯЁ][а-яё]+)?)"
    rf",?[ \u00a0]+(?P<house>(?:д\.[ \u00a0]?)?{_HOUSE})(?![\d\w/\-]|[.,:]\d){_CLOSES}",
    re.MULTILINE,
)
_LOCATIVE_BEFORE = re.compile(r"(?<![А-Яа-яЁё])(?:на|в|во|На|В|Во)[ \u00a0]+$")
_TOWN_BEFORE = re.compile(r"(?<![А-Яа-яЁё\-])(?P<town>[А-ЯЁ][а-яё]+(?:-[а-яё]+-[А-ЯЁ][а-яё]+)?)[ \u00a0]*,[ \u00a0]*$")
_YEAR = re.compile(r"(?:19|20)\d\d")
_LATIN_RU_STREET = re.compile(
    r"(?P<street>[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?:aya|oye|aja))[ \u00a0]+(?:(?:ul|d|dom)\.?[ \u00a0]*)?"
    r"(?P<house>\d{1,4}[a-z]?(?:[-/]\d{1,4}[a-z]?)?)(?![\w/-])"
)
_UNIT_FIRST = re.compile(
    r"(?<![\w-])(?:Flat|Apt\.?|Apartment|Unit|Suite)[ \u00a0]*#?\d{1,4}[A-Za-z]?,[ \u00a0]*\d{1,5}[A-Za-z]?"
    r"[ \u00a0]+[A-Z][a-z]+(?:[ \u00a0][A-Z][a-z]+)?(?:,[ \u00a0]*[A-Z][a-z]+(?:[ \u00a0][A-Z][a-z]+)?)?"
)
_SLASHED = re.compile(
    r"(?P<street>[A-ZÀ-ÖØ-Þ\u0100-\u017f][a-zß-öø-ÿ\u0100-\u017f]+(?:[ \u00a0][A-ZÀ-ÖØ-Þ\u0100-\u017f][a-zß-öø-ÿ\u0100-\u017f]+)?)"
    r"[ \u00a0]+\d{1,5}/\d{1,5}[a-zA-Z]?(?![\w/])"
    r"(?P<tail>,[ \u00a0]*(?:\d{3}[ \u00a0]?\d{2}|\d{4,6})[ \u00a0]+[A-ZÀ-ÖØ-Þ\u0100-\u017f][a-zß-öø-ÿ\u0100-\u017f]+(?:[ \u00a0]\d{1,2}(?!\d))?)?"
)


@lru_cache(maxsize=8192)
def _readings(word: str) -> tuple[float, float, float]:
    """(locative, place, person) mass of a capitalised Russian word."""
    from perimeter.privacy.detect.morph import analyzer

    loc = place = person = 0.0
    for p in analyzer().parse(word):
        tag = p.tag
        if "loct" in tag or "loc2" in tag:
            loc += p.score
        if "Geox" in tag:
            place += p.score
        if "Name" in tag or "Surn" in tag or "Patr" in tag:
            person += p.score
    return loc, place, person


@lru_cache(maxsize=8192)
def _named_after(word: str) -> bool:
    """Whether a capitalised word reads as a surname or a name in the genitive (a street named
    after someone: "Гагарина", "Байтурсынова", "Пушкина")."""
    from perimeter.privacy.detect.morph import analyzer

    return any(("Surn" in p.tag or "Name" in p.tag) and "gent" in p.tag and p.score >= 0.1 for p in analyzer().parse(word))


# "на Гагарина 12 нахамила": the number is followed by a verb (or an adverb), not by what it counts
_NA_NAMED_THEN_WORD = re.compile(
    rf"(?<![А-Яа-яЁё])[Нн]а[ \u00a0]+(?P<street>[А-ЯЁ][а-яё]+)[ \u00a0]+(?P<house>{_HOUSE})(?![\d\w/\-]|[.,:]\d)"
    r"[ \u00a0]+(?P<next>[а-яё]+)"
)
_NOT_A_COUNT = frozenset(("VERB", "INFN", "GRND", "ADVB", "PREP", "CONJ", "PRCL"))


@lru_cache(maxsize=8192)
def _not_counted(word: str) -> bool:
    from perimeter.privacy.detect.morph import analyzer

    parses = analyzer().parse(word)
    return bool(parses) and parses[0].tag.POS in _NOT_A_COUNT


def _named_street_end(text: str, start: int) -> int | None:
    """End of "Гагарина 12" when "на Гагарина 12" starts its street at ``start``: the house
    number closes the phrase, or a verb, an adverb or a preposition follows it ("… на Гагарина
    12 нахамила"); the street reads as a surname or a name in the genitive."""
    prep = _LOCATIVE_BEFORE.search(text, max(0, start - 4), start)
    if prep is None or text[max(0, start - 4):start].strip().lower() != "на":
        return None
    m = _RU_STREET_NUMBER.match(text, start)
    if m is not None and " " not in m.group("street"):
        end = m.end()
    else:
        said = _NA_NAMED_THEN_WORD.match(text, prep.start())
        if said is None or said.start("street") != start or not _not_counted(said.group("next")):
            return None
        end = said.end("house")
    words = text[start:end].split()
    if _YEAR.fullmatch(words[-1]) or not _named_after(words[0].split("-")[0]):
        return None
    return end


def _named_street_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every "Гагарина 12" of "на Гагарина 12" (see :func:`_named_street_end`)."""
    if "на" not in text.lower():
        return []
    starts = {m.start() for m in _RU_STREET_NUMBER.finditer(text)}
    starts.update(m.start("street") for m in _NA_NAMED_THEN_WORD.finditer(text))
    return [(a, b) for a in sorted(starts) if (b := _named_street_end(text, a)) is not None]


def street_named_after(text: str, start: int, end: int) -> bool:
    """Whether the word at ``text[start:end]`` is the street of "на Гагарина 12" (for the name
    rules): looked up at that place, not by reading the whole text again."""
    street_end = _named_street_end(text, start)
    return street_end is not None and text[start:street_end].split()[0] == text[start:end]


def _russian(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _RU_STREET_NUMBER.finditer(text):
        if m.start() and (text[m.start() - 1].isalpha() or text[m.start() - 1] == "-"):
            continue
        house = m.group("house")
        if _YEAR.fullmatch(house) or (house.isdigit() and int(house) == 0):
            continue
        street = m.group("street")
        first = street.split()[0].split("-")[0]
        start = m.start("street")
        before = text[max(0, start - 4):start]
        prep = _LOCATIVE_BEFORE.search(before)
        if prep is not None:
            loc, _place, person = _readings(first)
            # streets take "на" ("на Маросейке, 4/2"), towns "в" ("в Казани, 12" is no address):
            # after "в" only a house number no count has ("10/2", "7а", "61-9") will do
            shaped = not house.isdigit()
            # adjectival street names spread the locative over four cases ("Пятницкой"): any
            # locative reading will do, and a surname reading as strong as the rest is no bar
            if loc > 0 and person <= 0.5 and (prep.group().lower().startswith("на") or shaped):
                out.append(Entity("ADDRESS", start, m.end(), text[start:m.end()], 0.75, "address_ru"))
            continue
        town = _TOWN_BEFORE.search(text, max(0, start - 40), start)
        shaped = "-" in house or "/" in house
        if town is not None and shaped and _readings(town.group("town"))[1] >= 0.3 and _readings(first)[2] < 0.5:
            s = town.start("town")
            out.append(Entity("ADDRESS", s, m.end(), text[s:m.end()], 0.75, "address_ru"))
    return out


def find_colloquial_addresses(text: str) -> list[Entity]:
    out: list[Entity] = []
    if not text.isascii():
        out.extend(_russian(text))
        # "на Гагарина 12", "на Байтурсынова 43": a street named after a person, in the genitive
        # of "улица Гагарина", and a house number that closes the phrase or a verb after it
        out.extend(Entity("ADDRESS", a, b, text[a:b], 0.75, "address_ru") for a, b in _named_street_spans(text))
    if "aya" in text or "oye" in text or "aja" in text:
        out.extend(
            Entity("ADDRESS", m.start(), m.end(), m.group(), 0.75, "address_en")
            for m in _LATIN_RU_STREET.finditer(text)
            if not (m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_-"))
        )
    if "Flat" in text or "Apt" in text or "Apartment" in text or "Unit" in text or "Suite" in text or "Room" in text:
        out.extend(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.75, "address_en") for m in _UNIT_FIRST.finditer(text))
    if "/" in text:
        for m in _SLASHED.finditer(text):
            if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_-"):
                continue
            street = m.group("street")
            # a postcode and town after it, or a street name that is no English word and has accents
            rare = not street.isascii() and all(lexicon.zipf(w) < lexicon.COMMON_ZIPF for w in street.split())
            if m.group("tail") or rare:
                out.append(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.75, "address_eu"))
    return out
