"""Addresses that lack the street word or the house number the layout rules need.

- **A Russian street by its adjective alone**, as people say it: "от Молодёжной, 12", "на
  Садовой, 5", a list item "3. Чистопольская, 20, кв. 211".  Улица is feminine and dropped in
  speech, so a capitalised adjective after a preposition of place, a comma and a house number is
  the street and the house (not after "в офисе", "в магазине": a company's premises); at a
  line's start a flat or building part must follow too.
- **A street most Russian towns have, by its name alone**: "на Мира 14к1", "через Мира 12 со
  двора", "на Ленина, 5" — a noun or a surname in the genitive (no adjective to read it by) from
  the list of the commonest street names, after a preposition of place, with a house number that
  is no count ("у Пушкина 5 романов").
- **A housing complex with its building or flat** ("ЖК «Александровский», корп. 4, кв. 187"),
  and **a house or a flat before its street** ("из дома 14 по ул. Олимпийской").
- **A crossing**: "на перекрёстке ул. Ленина и пр. Победы, г. Липецк", "at the corner of King St
  and Spadina Ave" — two streets name a spot as well as a house number does.
- **An English street without a number before its suburb and town**: "the pharmacy on Main Road,
  Rondebosch, Cape Town" — taken only with a suburb and a town, one of which the lists know
  ("Oxford Street, London" names a shopping street, not a home).
- **A house number said in words** before an English street ("Forty-two Bute Street").
- **A postcode spelt out in a call** ("please say your postcode. | Caller: C F 1 0, 4 A X",
  "M-fourteen, five-R-T", "H two X, one Y four", "six oh six one four"): letters, digits and
  number words in the turn after the question that spell a UK, Canadian or US postcode.

Every span is grown afterwards over the pieces around it (addresses_tails), like any other.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.morph import counted_after
from perimeter.privacy.detect.spoken_numbers import read_word
from perimeter.privacy.entities import Entity

# after the number and its letter: a second number after a slash, and nothing that continues it
_HOUSE_TAIL = r"(?:/\d{1,3}[а-я]?)?(?![\d.,:]\d|[\w/])"
_HOUSE = rf"\d{{1,3}}[а-яА-Я]?{_HOUSE_TAIL}"
_NOT_A_HOUSE = re.compile(r"[ \u00a0]*(?:тыс|млн|руб|₽|%|км|м\b|мин|час|раз|лет|год|шт|кг|человек|чел|р\b)", re.IGNORECASE)
_RU_PART_AFTER = re.compile(
    r"(?:,?[ \u00a0]*(?:кв\.?|квартира|корп\.?|корпус|к\.|стр\.?|строение|офис|оф\.?|под\.|подъезд)[ \u00a0]*№?[ \u00a0]*\d[\w\-/]{0,5})+"
)
_ADJ = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ]?[а-яё]+)?(?:ой|ая|ую|ей|ий|ый|ого|ом)"
_RU_PREP_STREET = re.compile(
    rf"(?<![А-Яа-яЁё])(?:на|от|до|с|со|по|к|у|около|возле|напротив)[ \u00a0]+(?P<a>{_ADJ},?[ \u00a0]+{_HOUSE})"
)
# The streets most Russian towns have, named by a noun or a surname in the genitive (no
# adjective to read them by): "на Мира 14к1", "через Мира 12 со двора", "на Ленина, 5".  The
# house number may carry a building ("14к1", "14 корп. 2").
_NAMED_STREETS = (
    "Ленина|Мира|Гагарина|Пушкина|Кирова|Карла Маркса|Чехова|Горького|Лермонтова|Некрасова|Маяковского|Чкалова|"
    "Фрунзе|Калинина|Куйбышева|Свердлова|Дзержинского|Жукова|Победы|Свободы|Труда|Строителей|Космонавтов|"
    "Энтузиастов|Коммунаров|Декабристов|Революции|Тургенева|Толстого|Суворова|Кутузова|Комарова|Мичурина|"
    "Островского|Крупской|Ломоносова|Менделеева|Циолковского|Королёва|Королева|Титова|Шевченко|Гоголя|Кольцова|"
    "Щорса|Чапаева|Пирогова|Луначарского|Дружбы|Мая|Октября|Урицкого|Володарского|Белинского|Герцена|Крылова|"
    "Фурманова|Есенина|Рылеева|Радищева|Челюскинцев|Металлургов|Нефтяников|Шахтёров|Шахтеров|Горняков|Пионеров|"
    "Ватутина|Рокоссовского|Конева|Нахимова|Ушакова|Невского|Минина|Орджоникидзе|Руставели|Навои|Абая|Тукая"
)
_HOUSE_BUILDING = rf"\d{{1,3}}(?:[а-яА-Я]|[ \u00a0]?(?:к|корп\.?|стр\.?)[ \u00a0]?\d{{1,2}})?{_HOUSE_TAIL}"
_RU_NAMED_STREET = re.compile(
    rf"(?<![А-Яа-яЁё])(?:на|от|до|с|со|по|к|у|около|возле|напротив|через|угол)[ \u00a0]+"
    rf"(?P<a>(?:{_NAMED_STREETS}),?[ \u00a0]+(?:д\.[ \u00a0]*)?{_HOUSE_BUILDING})"
)
# a company's premises, which the corpora's authors (and 152-FZ) do not count as anyone's address
_BUSINESS_BEFORE = re.compile(
    r"(?:офис\w*|магазин\w*|ресторан\w*|кафе|салон\w*|ТЦ|БЦ|филиал\w*|отделени\w+|склад\w*|ПВЗ|пункт\w*|банк\w*)"
    r"[ \u00a0]+$",
    re.IGNORECASE,
)
_RU_ITEM_STREET = re.compile(rf"^[ \t]*(?:\d{{1,2}}[.)][ \t]*|[-*•][ \t]*)?(?P<a>{_ADJ},[ \u00a0]*{_HOUSE})", re.MULTILINE)
# a housing complex with its building or flat: "ЖК «Александровский», корп. 4, кв. 187"
_RU_COMPLEX = re.compile(
    r"(?<![А-Яа-яЁё])ЖК[ \u00a0]*[«\"„][^»\"“\n]{2,30}[»\"“](?:,?[ \u00a0]*(?:корп\.?|корпус|к\.|стр\.?|секция|подъезд|"
    r"под\.|кв\.?|квартира|дом|д\.)[ \u00a0]*№?[ \u00a0]*\d[\w\-/]{0,5})*"
    # a flat or an entrance makes it a home; a section alone is a building site ("ЖК «Тёплый стан», секция 2")
    r",?[ \u00a0]*(?:кв\.?|квартира|подъезд|под\.)[ \u00a0]*№?[ \u00a0]*\d[\w\-/]{0,5}"
)
_RU_STREET_WORD = r"(?:ул\.|улиц[аеыу]|пр\.|пр-т|просп\.|проспект[ае]?|пер\.|переул\w*|б-р|бульвар[ае]?|ш\.|шоссе|пл\.|площад\w+|наб\.)"
_RU_NAME = r"[А-ЯЁ0-9][\w\-]*(?:[ \u00a0][А-ЯЁ][\w\-]*)?"
# the house or the flat before its street: "из дома 14 по ул. Олимпийской", "кв. 84 по ул. Гагарина 17"
_RU_HOUSE_ON = re.compile(
    rf"(?<![А-Яа-яЁё])(?P<a>(?i:дом[аеу]?|д\.|кв\.?|квартир[аеуы])[ \u00a0]*№?[ \u00a0]*\d{{1,4}}[а-я]?[ \u00a0]+(?:по|на)[ \u00a0]+"
    rf"(?i:ул\.|улиц[аеыу]|пр\.|пр-ту|проспекту|пер\.|переулку|б-ру|бульвару|ш\.|шоссе|наб\.)[ \u00a0]*{_RU_NAME}"
    rf"(?:,?[ \u00a0]*(?:д\.[ \u00a0]*)?\d{{1,4}}[а-я]?(?![\d.,]\d))?)"
)
_RU_CROSSING = re.compile(
    rf"перекр[её]ст\w*[ \u00a0]+(?P<a>(?:{_RU_STREET_WORD}[ \u00a0]*)?{_RU_NAME}[ \u00a0]+и[ \u00a0]+"
    rf"(?:{_RU_STREET_WORD}[ \u00a0]*)?{_RU_NAME})",
    re.IGNORECASE,
)
_EN_TYPE = r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Crescent|Way|Boulevard|Blvd|Close|Place|Pl|Terrace|Highway)\.?"
_EN_STREET = rf"(?:[A-Z][a-z'’]+[ \u00a0]){{1,3}}{_EN_TYPE}"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_SPOKEN_NUMBER = (
    rf"(?i:(?:(?:{_UNITS})[ \-]hundred(?:[ \-]and)?[ \-])?(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    rf"(?:[ \-](?:{_UNITS}))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|{_UNITS}))"
)
# "Forty-two Bute Street, Cardiff": a house number said in words before a street
_EN_SPOKEN = re.compile(rf"(?<![\w\-])(?P<a>{_SPOKEN_NUMBER}[ \u00a0]+{_EN_STREET})(?![\w])")
_DETERMINER_BEFORE = re.compile(r"(?i:the|a|this|that|every|no|any)[ \u00a0]+$")
# a street type: the capitals open the pattern, so the engine skips ahead to them
_EN_TYPE_WORD = re.compile(
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Crescent|Way|Boulevard|Blvd|Close|Place|Pl|Terrace|Highway)(?![a-z])"
)


def _has_street_type(text: str) -> bool:
    """Whether a street type follows a word and a space somewhere in ``text``."""
    return any(m.start() >= 2 and text[m.start() - 1] in " \u00a0" and text[m.start() - 2].isalpha()
               for m in _EN_TYPE_WORD.finditer(text))
_EN_CROSSING = re.compile(
    rf"(?i:corner|intersection|junction)[ \u00a0]+of[ \u00a0]+(?P<a>{_EN_STREET}[ \u00a0]+(?:and|&)[ \u00a0]+{_EN_STREET})"
)
_EN_BARE = re.compile(
    rf"(?<![\w\-])(?:on|at|to|in|from|near)[ \u00a0]+(?P<a>{_EN_STREET}(?:,[ \u00a0]*[A-Z][a-z'’]+(?:[ \u00a0][A-Z][a-z'’]+)?){{1,3}})"
)
_POSTCODE_ASKED = re.compile(r"(?i:post[ \-]?code|postal[ \-]?code|zip(?:[ \-]?code)?|eircode)[^\n]{0,60}\n")
# the answer turn: a speaker label, then what was said up to the end of the turn
_ANSWER = re.compile(r"[ \t]*(?:\[[^\]\n]{1,20}\][ \t]*)?[A-Za-z]{2,12}[ \t]*:[ \t]*(?P<a>[^\n|]{3,80}?)[ \t.]*(?:\n|\||$)")
_DIGIT_KINDS = frozenset({"zero", "unit", "teen", "tens"})
_UK = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}")
_CA = re.compile(r"[A-Z]\d[A-Z]\d[A-Z]\d")
_US = re.compile(r"\d{5}")
_PIECE = re.compile(r"[A-Za-z]+|\d+")


def _said_postcode(said: str) -> tuple[int, int] | None:
    """Where in ``said`` a postcode spoken piece by piece ends up (start, end), if the letters,
    digits and number words of its last comma-separated parts spell a UK, Canadian or US one."""
    parts = said.split(",")
    for first in range(len(parts)):  # the postcode may close a spoken address line
        chars = []
        for token in _PIECE.findall(",".join(parts[first:])):
            low = token.lower()
            reading = read_word(low)  # the transcript rule's number words: "oh", "five", "fourteen", "twenty"
            if reading is not None and not reading[2] and reading[1] in _DIGIT_KINDS and reading[0] <= 20:
                chars.append(str(reading[0]))
            elif low == "double":
                chars.append("")
            elif token.isdigit() or (len(token) <= 2 and token.isalpha()):
                chars.append(token.upper())
            else:
                break
        else:
            code = "".join(chars)
            if _UK.fullmatch(code) or _CA.fullmatch(code) or _US.fullmatch(code):
                start = sum(len(p) + 1 for p in parts[:first])
                while start < len(said) and said[start] in " ,":
                    start += 1
                return start, len(said)
    return None


def _entity(m: re.Match[str], end: int | None = None) -> Entity:
    end = m.end("a") if end is None else end
    return Entity("ADDRESS", m.start("a"), end, m.string[m.start("a"):end], 0.75, "address_bare")


def find_bare_addresses(text: str) -> list[Entity]:
    out: list[Entity] = []
    cyrillic = not text.isascii()
    if cyrillic:
        for m in _RU_PREP_STREET.finditer(text):
            if not _NOT_A_HOUSE.match(text, m.end()) and not _BUSINESS_BEFORE.search(text, max(0, m.start() - 16), m.start()):
                part = _RU_PART_AFTER.match(text, m.end())
                out.append(_entity(m, part.end() if part else None))
        for m in _RU_NAMED_STREET.finditer(text) if any(c.isdigit() for c in text) else ():
            if (not _NOT_A_HOUSE.match(text, m.end()) and not _BUSINESS_BEFORE.search(text, max(0, m.start() - 16), m.start())
                    and not counted_after(text, m.end())):
                part = _RU_PART_AFTER.match(text, m.end())
                out.append(_entity(m, part.end() if part else None))
        for m in _RU_ITEM_STREET.finditer(text):
            if (part := _RU_PART_AFTER.match(text, m.end())) is not None:
                out.append(_entity(m, part.end()))
        if "ЖК" in text:
            out.extend(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.75, "address_bare") for m in _RU_COMPLEX.finditer(text))
        if " по " in text or " на " in text:
            out.extend(_entity(m) for m in _RU_HOUSE_ON.finditer(text))
        if "ерекр" in text:
            out.extend(_entity(m) for m in _RU_CROSSING.finditer(text))
    low = text.lower()
    if "of " in text and ("corner" in low or "intersection" in low or "junction" in low):
        out.extend(_entity(m) for m in _EN_CROSSING.finditer(text))
    street_type = _has_street_type(text)  # (both English layouts below need one)
    for m in _EN_BARE.finditer(text) if street_type else ():
        towns = m.group("a").split(",")[1:]
        # a suburb and a town: "Oxford Street, London" alone names a shopping street, no home
        if len(towns) >= 2 and any(t.strip().lower() in lexicon.places() for t in towns):
            out.append(_entity(m))
    if street_type:
        out.extend(_entity(m) for m in _EN_SPOKEN.finditer(text)
                   if not _DETERMINER_BEFORE.search(text, max(0, m.start() - 8), m.start()))
    for asked in _POSTCODE_ASKED.finditer(text) if ("post" in low or "zip" in low or "eircode" in low) else ():
        answer = _ANSWER.match(text, asked.end())
        if answer is not None and (at := _said_postcode(answer.group("a"))) is not None:
            a, b = answer.start("a") + at[0], answer.start("a") + at[1]
            out.append(Entity("ADDRESS", a, b, text[a:b], 0.75, "address_bare"))
    return out
