"""Postal addresses (Russian and English/US/UK layouts).

An address is anchored on what only addresses have — a street-type word with a name and a
house number ("ул. Ленина, д. 5", "12 Baker Street") or a postcode with a city — and then
grown over the comma-separated parts around it (city, region, flat, office, ZIP).
"""

from __future__ import annotations

import re

from perimeter.privacy.detect.literals import EN_STREETS, RU_STREETS, alternation
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.entities import Entity

_RU_STREET = (
    r"ул\.|улица|пр-т|пр-кт|просп\.|проспект|пер\.|переулок|ш\.|шоссе|наб\.|набережная|"
    r"б-р|бульвар|пл\.|площадь|проезд|пр-д|туп\.|тупик|мкр\.?|микрорайон|аллея|линия|тракт|"
    r"кв-л|квартал"
)
_RU_NAME = r"(?:[А-ЯЁA-Z0-9][\w\-ё]*\.?(?:\s+|(?=,)))"
_RU_HOUSE = r"(?:(?:д\.|дом|д)\s*)?\d{1,4}(?:\s?[а-яА-Я](?![а-яё]))?(?:\s*[/-]\s*\d{1,4})?"
_RU_TAIL = (
    r"(?:,?\s*(?:корпус|корп\.?|к\.|строение|стр\.?|литера|лит\.?|квартира|кв\.?|офис|оф\.?|"
    r"помещение|пом\.?|этаж|эт\.?|комн\.?|ком\.?)\s*(?:№\s*)?(?:\d[\w\-/]{0,5}|[А-ЯA-Z](?![а-яa-z])))*"
)
_RU_ADDRESS = re.compile(
    rf"(?:(?:{_RU_STREET})\s*{_RU_NAME}{{1,4}}|{_RU_NAME}{{1,3}}(?:{_RU_STREET})\s*)"
    rf",?\s*{_RU_HOUSE}{_RU_TAIL}",
)
_RU_PREFIX_PART = re.compile(
    r"(?:\d{6}|(?:г\.|город|пос\.|посёлок|поселок|п\.|с\.|село|дер\.|деревня|д\.|пгт|ст\.|станица|"
    r"р-н|район|обл\.|область|край|респ\.|республика|ао)\s*[А-ЯЁ][\w\-ё]*(?:\s[А-ЯЁ][\w\-ё]*)?|"
    r"[А-ЯЁ][\w\-ё]*(?:\s[А-ЯЁ][\w\-ё]*)?\s+(?:обл\.|область|край|р-н|район)|Россия|РФ|"
    r"Москва|Санкт-Петербург|Новосибирск|Екатеринбург|Казань|Нижний Новгород|Челябинск|Самара|Омск|"
    r"Ростов-на-Дону|Уфа|Красноярск|Воронеж|Пермь|Волгоград|Краснодар|Саратов|Тюмень|Тольятти|Ижевск|"
    r"Барнаул|Ульяновск|Иркутск|Хабаровск|Ярославль|Владивосток|Махачкала|Томск|Оренбург|Кемерово|"
    r"Новокузнецк|Рязань|Астрахань|Пенза|Липецк|Киров|Чебоксары|Тула|Калининград|Калуга|Тверь|Сочи|"
    r"Севастополь|Симферополь|Мурманск|Архангельск|Курск|Белгород|Владимир|Смоленск|Псков|Минск|Алматы|"
    r"Астана|Ташкент|Бишкек|Киев|Ереван|Тбилиси|Баку)\s*,?\s*$"
)

_EN_STREET = alternation(EN_STREETS)
_EN_ADDRESS = re.compile(
    rf"(?<![\w\-])\d{{1,6}}[A-Za-z]?\s+(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?\s+)?"
    rf"(?:[A-Z][a-zA-Z'\-]+\.?\s+|\d{{1,3}}(?:st|nd|rd|th)\s+){{1,4}}(?:{_EN_STREET})\b\.?"
    rf"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|#)\.?\s*#?[\w\-]{{1,6}})?"
    rf"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+){{0,2}}){{0,2}}"
    rf"(?:,?\s*(?:[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?|[A-Z]{{1,2}}\d[A-Z\d]?\s?\d[A-Z]{{2}}))?"
    rf"(?:,\s*(?:USA|US|United States|UK|United Kingdom|England|Canada))?"
)
_EN_POBOX = re.compile(r"P\.?\s?O\.?\s+Box\s+\d{1,6}(?:,\s*[A-Z][a-zA-Z]+(?:\s[A-Z][a-zA-Z]+)?)?(?:,?\s*[A-Z]{2}\s+\d{5})?")


_RU_TRIGGER = re.compile(alternation(RU_STREETS))
# No leading ``\b``: a pattern that starts with a literal alternation is scanned with a fast
# first-character test, one that starts with ``\b`` is tried at every position.  The word
# boundary before the street word is checked in :func:`_windows` instead; a match that fails it
# lies inside one word, where no match with the boundary could start either.
_EN_TRIGGER = re.compile(rf"(?:{_EN_STREET})\b")


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
    """``\\bP.O. Box …`` matches.  The ``\\b`` is checked here, not in the pattern: a leading
    ``\\b`` stops CPython from skipping ahead to the next "P", which made this a full slow scan.
    A match without the boundary is dropped and the search resumes one character later, which
    is exactly what the pattern with ``\\b`` would have done."""
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


def find_addresses(ix: TextIndex) -> list[Entity]:
    text = ix.text
    out: list[Entity] = []
    if not ix.has_digits:
        return out  # every layout below needs a house number, a PO box number or a postcode
    ru: list[re.Match[str]] = []
    if not text.isascii():  # every Russian street word has a Cyrillic letter
        ru = [m for lo, hi in _windows(ix.literal_matches(_RU_TRIGGER, "ru_streets"), ix.lower, 90, 120) for m in _RU_ADDRESS.finditer(text, lo, hi)]
    en = [m for lo, hi in _windows(ix.literal_matches(_EN_TRIGGER, "en_streets"), text, 60, 120, word_start=True) for m in _EN_ADDRESS.finditer(text, lo, hi)]
    for m in ru:
        start, end = m.start(), m.end()
        # Grow left over "123456, г. Москва, " style parts.
        for _ in range(4):
            head = _RU_PREFIX_PART.search(text, max(0, start - 60), start)
            if head is None or head.end() != start:
                break
            start = head.start()
        value = text[start:end].rstrip(" ,")
        out.append(Entity("ADDRESS", start, start + len(value), value, 0.85, "address_ru"))
    for m in en:
        out.append(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.85, "address_en"))
    if "Box" in text:
        for m in _po_boxes(text):
            out.append(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.8, "address_en"))
    return out
