"""Russian addresses dictated in words: "на Ленина сорок пять квартира двенадцать", "улица Гоголя,
дом шестьдесят, квартира девять", "Некрасова двадцать шесть, квартира восемьдесят один".

A voice transcript writes the house and the flat as number words, so no digit rule reads them.
The anchor is a unit word a house number needs ("дом", "квартира", "кв", "корпус", "строение")
followed by number words; the address reaches back over the number words and the street before
them (a street-type word and its name, or a capitalised name) and forward over the next unit
and its number.  A count of flats in a listing ("квартира сорок метров") is no address: the
number words must follow a street or a house, never stand alone.

A voice message transcribed in lower case may drop the unit word too: "улица руставели двадцать
семь", "сыктывкар октябрьский проспект сто сорок один квартира двенадцать" — a street-type word
with the name after it (or an adjective before it) and cardinal number words right after, not a
count ("проспект мира три года") nor the weather ("на улице минус пять").  A garden plot or a
village said before the street ("снт ромашка улица пятая участок сорок два") and a known town
belong to the address.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.morph import counted_after
from perimeter.privacy.detect.spoken_numbers import read_word
from perimeter.privacy.entities import Entity

_UNIT = re.compile(r"(?<![а-яё])(?:дом|д\.|квартира|кв\.?|корпус|корп\.?|строение|стр\.?|участок|уч\.)[ \t]*,?[ \t]*", re.IGNORECASE)
_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)
_GAP = re.compile(r"[ \t]*,?[ \t]*")
_SPACES = re.compile(r"[ \t]+")
_STREET_WORD = re.compile(r"[А-ЯЁа-яё][а-яё\-]+\.?")
_STREET_TYPE = re.compile(
    r"(?:улиц[аеуы]|ул\.?|проспект[еау]?|пр-т|переул(?:ок|ке|ка)|бульвар[еау]?|шоссе|набережн(?:ая|ой|ую)|площад[ьи])",
    re.IGNORECASE,
)


# A town or a district said before the street, each closed by a comma.
_TOWN_BEFORE = re.compile(
    r"(?<![\w])(?:[А-ЯЁ][а-яё]+(?:-[а-яёА-ЯЁ]+)*|[А-ЯЁ][а-яё]+[ \t]+(?:район|р-н|область|обл\.|округ))[ \t]*,[ \t]*$"
)


def _number_words(text: str, at: int) -> int:
    """End of the run of cardinal number words starting at ``at`` (``at`` when none)."""
    end = at
    pos = at
    while True:
        m = _WORD.match(text, pos)
        if m is None:
            return end
        reading = read_word(m.group().lower())
        if reading is None or reading[1] in ("filler", "month") or reading[2]:
            return end
        end = m.end()
        gap = _SPACES.match(text, end)
        if gap is None:
            return end
        pos = gap.end()


def _street_before(text: str, at: int) -> int | None:
    """Start of the street that ends right before ``at`` ("на Ленина ", "улица кирова ",
    "Некрасова "): a street-type word and the name after it, or a capitalised name."""
    base = max(0, at - 48)
    words = list(_STREET_WORD.finditer(text[base:at]))
    if not words or text[base + words[-1].end():at].strip(" \t,") != "":
        return None
    last = words[-1]
    if len(words) >= 2 and _STREET_TYPE.fullmatch(words[-2].group()) and \
            text[base + words[-2].end():base + last.start()].strip(" \t") == "":
        return base + words[-2].start()
    if last.group()[0].isupper() and _STREET_TYPE.fullmatch(last.group()) is None:
        return base + last.start()
    return None


# A street said with its house number and no unit word, all in lower case as a voice message is
# transcribed: "улица руставели двадцать семь", "октябрьский проспект сто сорок один".
_TYPE_WORD = re.compile(r"(?<![а-яё])(?:улиц[аеуы]|проспект[еау]?|переул(?:ок|ке|ка)|бульвар[еау]?|шоссе|набережн(?:ая|ой|ую)|"
                        r"проезд[еау]?|тупик[еау]?)(?![а-яё])")
_ADJECTIVE_BEFORE = re.compile(r"(?<![а-яё])([а-яё]+(?:ск|цк|ов|ев|ин|н)(?:ий|ой|ая|ую|ом|ого|ый))[ \t]+$")
_NAME_AFTER = re.compile(r"[ \t]+([а-яё][а-яё\-]{2,})")
# what a settlement or a garden plot is called before the street ("снт ромашка улица пятая …")
_LOWER_WORD_BEFORE = re.compile(r"(?<![а-яё])([а-яё\-]{3,})[ \t]+$")
_PLOT_BEFORE = re.compile(r"(?<![а-яё])(?:снт|днт|тсн|кп|деревня|село|посёлок|поселок|мкр|микрорайон)[ \t]+[а-яё\-]{3,}[ \t]+$")


def _said_streets(text: str, lower: str) -> list[Entity]:
    out: list[Entity] = []
    for t in _TYPE_WORD.finditer(lower):
        start, name_end = t.start(), t.end()
        before = _ADJECTIVE_BEFORE.search(lower, max(0, start - 24), start)
        if before is not None and read_word(before.group(1)) is None:
            start = before.start(1)  # "октябрьский проспект"
        else:
            name = _NAME_AFTER.match(lower, t.end())
            if name is None or read_word(name.group(1)) is not None or name.group(1) in ("минус", "плюс", "около", "где"):
                continue  # "улица пятая" is the unit rule's (its number follows a unit); "на улице минус пять"
            name_end = name.end(1)
        gap = _SPACES.match(text, name_end)
        if gap is None or (end := _number_words(text, gap.end())) == gap.end() or counted_after(lower, end):
            continue
        while True:  # "… квартира двенадцать"
            more = _GAP.match(text, end)
            nxt = _UNIT.match(text, more.end()) if more is not None else None
            if nxt is None or (after := _number_words(text, nxt.end())) == nxt.end():
                break
            end = after
        if (plot := _PLOT_BEFORE.search(lower, max(0, start - 40), start)) is not None:
            start = plot.start()
        elif (town := _LOWER_WORD_BEFORE.search(lower, max(0, start - 24), start)) is not None and \
                town.group(1) in lexicon.places():
            start = town.start(1)  # "сыктывкар октябрьский проспект …"
        out.append(Entity("ADDRESS", start, end, text[start:end], 0.75, "address_ru"))
    return out


def find_spoken_addresses(text: str, lower: str) -> list[Entity]:
    out: list[Entity] = []
    if not text.isascii() and _TYPE_WORD.search(lower) is not None:
        out.extend(_said_streets(text, lower))
    if "дом" not in lower and "кв" not in lower and "корп" not in lower and "стро" not in lower and "участ" not in lower:
        return out
    for unit in _UNIT.finditer(text):
        after = _number_words(text, unit.end())
        if after == unit.end():
            continue
        # the house number before the unit ("Ленина сорок пять квартира …") or the unit first
        start = unit.start()
        head = text[max(0, start - 80):start]
        words = list(_WORD.finditer(head.lower()))
        k = len(words)
        while k > 0 and (reading := read_word(words[k - 1].group())) is not None and reading[1] not in ("filler", "month") \
                and not reading[2]:  # a house number is said as a cardinal ("улица пятая участок …": the street's own)
            k -= 1
        number_start = max(0, start - 80) + words[k].start() if k < len(words) else start
        street = _street_before(text, number_start)
        if street is None:
            continue
        end = after
        while True:  # "дом тридцать, корпус два, квартира сорок один": every unit that follows
            gap = _GAP.match(text, end)  # always matches (every part optional)
            nxt = _UNIT.match(text, gap.end()) if gap is not None else None
            if nxt is None or (more := _number_words(text, nxt.end())) == nxt.end():
                break
            end = more
        if (plot := _PLOT_BEFORE.search(lower, max(0, street - 40), street)) is not None:
            street = plot.start()  # "снт ромашка улица пятая участок сорок два"
        while (town := _TOWN_BEFORE.search(text, max(0, street - 40), street)) is not None and (
                " " in town.group().strip(" \t,") or town.group().strip(" \t,").lower() in lexicon.places()):
            street = town.start()  # "Уфа, Дёмский район, улица …": the town and district said first
        out.append(Entity("ADDRESS", street, end, text[street:end], 0.75, "address_ru"))
    return out
