"""The :class:`Scanner`: runs every detector over a text and resolves overlaps.

Thread-safe by construction: detectors are pure functions over the input string; the only
shared state is the lazily loaded models (loaded once under a lock) and ``lru_cache``s.  The
gateway calls :meth:`Scanner.scan` from a thread pool, so the event loop never waits on it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable
from datetime import date

from perimeter.privacy.detect.addresses import find_addresses
from perimeter.privacy.detect.addresses_tails import grown_tails
from perimeter.privacy.detect.birth_spans import with_markers
from perimeter.privacy.detect.contacts import (
    _DATE,
    find_birth_dates,
    find_emails,
    find_ibans,
    find_ips,
    find_phones,
)
from perimeter.privacy.detect.fields import find_field_values
from perimeter.privacy.detect.fields_places import drop_persons_in_places
from perimeter.privacy.detect.fields_records import record_values
from perimeter.privacy.detect.hl7 import find_hl7_values
from perimeter.privacy.detect.known_values import KnownValues
from perimeter.privacy.detect.names_around import names_around
from perimeter.privacy.detect.names_asian import find_asian_names
from perimeter.privacy.detect.names_caps import find_caps_payees
from perimeter.privacy.detect.names_cjk import find_cjk_names
from perimeter.privacy.detect.names_en_chat import find_chat_names, names_beside_names
from perimeter.privacy.detect.names_en_doers import find_doers
from perimeter.privacy.detect.names_filters import drop_non_persons
from perimeter.privacy.detect.names_from_emails import find_email_names
from perimeter.privacy.detect.names_initials import find_initialled_surnames
from perimeter.privacy.detect.names_inverted import find_inverted_names
from perimeter.privacy.detect.names_links import (
    latin_mentions,
    linked_names,
    more_of_names,
    ru_initials_and_departments,
)
from perimeter.privacy.detect.names_lists import list_names
from perimeter.privacy.detect.names_lower_lone import find_lone_lower_names, find_lower_full_names
from perimeter.privacy.detect.names_ru_address import find_addressed_names
from perimeter.privacy.detect.names_ru_chat import find_ru_chat_names
from perimeter.privacy.detect.names_ru_diminutives import find_pet_names
from perimeter.privacy.detect.names_ru_patronymic import find_patronymic_names
from perimeter.privacy.detect.names_ru_roles import find_role_surnames
from perimeter.privacy.detect.names_speakers import capital_echoes, find_speakers, lower_echoes
from perimeter.privacy.detect.names_spelt import spelt_names
from perimeter.privacy.detect.names_streets import streets_read_as_names
from perimeter.privacy.detect.numbers import find_numbers
from perimeter.privacy.detect.ocr_values import find_ocr_values
from perimeter.privacy.detect.passport_parts import find_passport_parts
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.detect.resolve import resolve
from perimeter.privacy.detect.secrets import find_secrets
from perimeter.privacy.detect.spoken_values import find_spoken_values
from perimeter.privacy.detect.tagger import available as tagger_available
from perimeter.privacy.detect.tagger import find_tagged
from perimeter.privacy.entities import CANONICAL_TYPES, EXTRA_TYPES, Entity

_NUMBER_TYPES = frozenset({
    "RU_INN", "RU_SNILS", "RU_OGRN", "RU_PASSPORT", "RU_BANK_ACCOUNT", "CREDIT_CARD", "US_SSN",
})
_CYRILLIC_CAPITAL = re.compile(r"[А-ЯЁ][а-яё]|[А-ЯЁ]{2}")
_LATIN_CAPITAL = re.compile(r"[A-Z][a-z]|[A-Z]{2,},?[ \u00a0][A-Z]{2}")
# what the surname-first rules need: a capital and a small letter, or "SANTOS/GABRIEL", "OKAFOR, C"
_INVERTED_HINT = re.compile(r"[A-Z][a-z]|[A-Z]{2,}(?:/|,?[ \u00a0])[A-Z]")
_CYRILLIC_LOWER = re.compile(r"[а-яё]{3}")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\u30a1-\u30fa]")
# English words, not a lone e-mail or code; started only at a word start (a long run of letters
# would otherwise be re-read from each of its characters)
_LATIN_WORDS = re.compile(r"(?<![A-Za-z])[A-Za-z]{2,}+[ ,]{1,2}@?[A-Za-z]{2}")
_CYRILLIC_LOWER_PAIR = re.compile(r"(?<![А-Яа-яЁё])[а-яё]{2,} [а-яё]{2,}")
# "дата рождения 12.11.1964, а правильно 21.11.1964", "DOB 12 May 1990, not 21 May 1990": the
# date in a correction right after a date of birth is one too.
_CORRECTION = re.compile(
    r"правильн|верн|на самом деле|а не\b|исправ|вместо|correct|actually|should be|\bnot\b|instead|rather than|\bvs\.?\b",
    re.IGNORECASE,
)


def _corrected_birth_dates(text: str, found: list[Entity]) -> list[Entity]:
    out = []
    for e in found:
        if e.type != "DATE_OF_BIRTH":
            continue
        m = _DATE.search(text, e.end, min(len(text), e.end + 64))
        if m is None:
            continue
        between = text[e.end:m.start()]
        if "\n" not in between and _CORRECTION.search(between):
            out.append(Entity("DATE_OF_BIRTH", m.start(), m.end(), m.group(), 0.85, "birth_date"))
    return out


# A remark in brackets may sit between ("Енгирович (тёзка певца), 21 июня 1996 г.").
_AFTER_NAME = re.compile(
    # a parenthesis after the name that holds no date ("Абаев (водитель), 12.03.1971"), then a
    # separator; or the date right after a space or a colon ("Мамедов Эльчин Рауфович 17.09.1988",
    # "[09:25] Ринат Хайруллин: 25.12.1997")
    # a remark holds no digit (a date in brackets is the value itself: "(род. 30.05.1966)"); a
    # role between commas may follow ("Ахметов Тимур, ребёнок, 21.07.2017")
    r"[ \t]*(?:\((?!\d)[^()\d\n]{1,60}\)[ \t]*)?(?:,[ \t]*[а-яёa-z]{3,20}(?:[ \t][а-яёa-z]{2,20})?[ \t]*(?=,))?"
    r"(?:,|—|–|-|\(|\||:)[ \t]*(?:(?:b\.|born|род\.|р\.)[ \t]*)?|[ \t]+(?=\d)"
)
# "22.07.93", "14/03/88": a two-digit year after a name, read as the century it must be in
_SHORT_YEAR_DATE = re.compile(r"(?<![\w.])(?:0?[1-9]|[12]\d|3[01])([./])(?:0?[1-9]|1[0-2])\1(\d{2})(?![\w.]|[./]\d)")
# A date right after a name is a birth date unless it is recent (a meeting, a filing date).
_OLD_ENOUGH = date.today().year - 2


def _dates_after_names(text: str, found: list[Entity]) -> list[Entity]:
    """"Сидоренко Аркадий Павлович, 30.01.1949", "Customer: Khadija Ouazzani Touhami, 17 June
    1992", "Абрамова София — 03.11.2012": a person's record gives the birth date next."""
    out = []
    for e in found:
        if e.type != "PERSON":
            continue
        sep = _AFTER_NAME.match(text, e.end)
        if sep is None or sep.end() == e.end:
            continue
        short = _SHORT_YEAR_DATE.match(text, sep.end())
        if short is not None:
            # "93" is 1993; "07" after a name could be this decade's date: only years before it
            if int(short.group(2)) > date.today().year % 100:
                out.append(Entity("DATE_OF_BIRTH", short.start(), short.end(), short.group(), 0.75, "birth_date"))
            continue
        m = _DATE.match(text, sep.end())
        if m is None:
            continue
        year = re.search(r"(?:19|20)\d{2}", m.group())
        if year is not None and int(year.group()) <= _OLD_ENOUGH:
            out.append(Entity("DATE_OF_BIRTH", m.start(), m.end(), m.group(), 0.8, "birth_date"))
    for e in found:
        # "Chen, Li-Hua | F | 1958/09/02 | MRN …": a record's sex between the name and the date
        if e.type == "PERSON" and (cell := _SEX_CELL.match(text, e.end)) is not None:
            m = _DATE.match(text, cell.end())
            if m is not None and (year := re.search(r"(?:19|20)\d{2}", m.group())) is not None and int(year.group()) <= _OLD_ENOUGH:
                out.append(Entity("DATE_OF_BIRTH", m.start(), m.end(), m.group(), 0.8, "birth_date"))
    for e in found:
        # "Кузнецова Антонина Фёдоровна, СНИЛС 038-781-306 80, 14.02.1967", "Хасанов Джамшед,
        # гражданин Таджикистана, 1994-05-27": a record's fields between the name and a date of a
        # year long past (no date among them: "заказ от 12.05.2010, …" is the order's)
        if e.type == "PERSON" and text[e.end:e.end + 1] == "," and (rec := _RECORD_FIELDS.match(text, e.end)) is not None:
            m = _DATE.match(text, rec.end())
            year = re.search(r"(?:19|20)\d{2}", m.group()) if m is not None else None
            if m is not None and year is not None and int(year.group()) <= _ADULT_YEAR and _TIME_OR_DIGIT.match(text, m.end()) is None:
                out.append(Entity("DATE_OF_BIRTH", m.start(), m.end(), m.group(), 0.7, "birth_date"))
    for e in found:
        # "бабушка Галина Фёдоровна 1949 года": a Russian name and a bare year "года" — the year
        # the person was born (a car's or a flat's year is "… года выпуска/постройки")
        if e.type == "PERSON" and (year := _YEAR_OF_PERSON.match(text, e.end)) is not None:
            out.append(Entity("DATE_OF_BIRTH", year.start(1), year.end(1), year.group(1), 0.75, "birth_date"))
    for e in found:
        # "Seamus Flanagan (1934–2026)", "Иванов И. И. (1941—2019)": a lifespan after a name
        # opens with the birth year
        if e.type == "PERSON" and (life := _LIFESPAN.match(text, e.end)) is not None:
            a, b = int(life.group(1)), int(life.group(2))
            if a < b <= a + 120:
                out.append(Entity("DATE_OF_BIRTH", life.start(1), life.end(1), life.group(1), 0.8, "birth_date"))
    return out


_SEX_CELL = re.compile(r"[ \t]*[|,;\t][ \t]*(?:M|F|Male|Female|м|ж|муж\.?|жен\.?|М|Ж)[ \t]*[|,;\t][ \t]*")
_RECORD_FIELDS = re.compile(r"(?:,[ \t]*(?![^,\n]*\d{1,2}[./-]\d{1,2}[./-]\d{2,4})[^,\n]{1,45}){1,2},[ \t]*")
_ADULT_YEAR = date.today().year - 14
_TIME_OR_DIGIT = re.compile(r"[ T]?\d{1,2}:\d{2}|\d")
_YEAR_OF_PERSON = re.compile(
    r",?[ \u00a0]+(?:(?:он|она|ему|ей)[ \u00a0,]+)?((?:19[2-9]\d|200\d|201[0-5]))[ \u00a0]+(?:года|г\.)(?![ \u00a0]*(?:выпуска|постройки|издания|рождения))(?![\w])"
)
_LIFESPAN = re.compile(r"[ \u00a0]*\([ \u00a0]*(1[89]\d{2}|20[0-2]\d)[ \u00a0]*[–—-][ \u00a0]*(1[89]\d{2}|20\d{2})[ \u00a0]*\)")


_PASSPORT_SHAPE = re.compile(r"(?<![\d\w])\d{2}[ \u00a0]?\d{2}[ \u00a0]\d{6}(?![\d\w])")


def _sibling_passports(text: str, found: list[Entity]) -> list[Entity]:
    """"Паспорт продавца 2519 840116, покупателя — 2521 117093": a number of the same 4+6 layout
    later in the sentence of a passport found by its context word is a passport too."""
    out = []
    for e in found:
        if e.type != "RU_PASSPORT":
            continue
        stop = len(text)
        for ch in ".\n":
            at = text.find(ch, e.end)
            if at != -1:
                stop = min(stop, at)
        for m in _PASSPORT_SHAPE.finditer(text, e.end, min(stop, e.end + 160)):
            out.append(Entity("RU_PASSPORT", m.start(), m.end(), m.group(), 0.85, "ru_passport"))
    return out


def _union_of(text: str, found: list[Entity], kind: str) -> list[Entity]:
    """Overlapping findings of ``kind`` become their union (a rule's detector name is kept
    over the tagger's)."""
    spans = sorted((e for e in found if e.type == kind), key=lambda e: (e.start, -e.end))
    if len(spans) < 2:
        return found
    merged: list[Entity] = []
    for e in spans:
        last = merged[-1] if merged else None
        if last is not None and e.start < last.end:
            if e.end > last.end:
                detector = e.detector if last.detector == "tagger" else last.detector
                merged[-1] = Entity(kind, last.start, e.end, text[last.start:e.end], max(last.score, e.score), detector)
        else:
            merged.append(e)
    return [e for e in found if e.type != kind] + merged


def _whole_word_names(text: str, found: list[Entity]) -> list[Entity]:
    """A name never ends or starts inside a word: a pattern whose letter class stops short of a
    letter ("Nguyễn" read as "Nguy", "ễ" being outside À–ÿ) would leave the rest of it bare, so
    the span grows to the word's edges (letters and combining marks)."""
    out = []
    n = len(text)
    for e in found:
        if e.type == "PERSON" and ((e.end < n and not text[e.end].isspace() and _letter(text[e.end]) and _letter(text[e.end - 1]))
                                   or (e.start > 0 and not text[e.start - 1].isspace() and _letter(text[e.start - 1])
                                       and _letter(text[e.start]))):
            start, end = e.start, e.end
            while end < n and _letter(text[end]):
                end += 1
            while start > 0 and _letter(text[start - 1]):
                start -= 1
            if _camel_joint(text, start, e.start) or _camel_joint(text, e.end - 1, end):
                continue  # "AliExpress", "NickServ", "БашАгроПром": a piece of a CamelCase identifier
            e = Entity("PERSON", start, end, text[start:end], e.score, e.detector)
        out.append(e)
    return out


# Capitalised particles that open a surname: "De Luca", "Van Dijk", "Da Silva", "Al Farsi".
_PARTICLE_BEFORE = re.compile(r"(?<![\w])(?:De|Di|Da|Del|Della|Dos|Das|Du|Van|Von|Le|La|Al|El|Mac|Ter|Ten)[ \u00a0]$")


def _particles_of_names(text: str, found: list[Entity]) -> list[Entity]:
    """A name right after a capitalised particle takes it in: "De Luca flagged it" read as
    "Luca" (a given name) would leave "De" bare, and the pair is the surname."""
    out = []
    for e in found:
        if e.type == "PERSON" and e.start >= 3:
            m = _PARTICLE_BEFORE.search(text, max(0, e.start - 6), e.start)
            if m is not None:
                e = Entity("PERSON", m.start(), e.end, text[m.start():e.end], e.score, e.detector)
        out.append(e)
    return out


def _camel_joint(text: str, start: int, end: int) -> bool:
    """A lower-case letter followed by a capital between ``start`` and ``end`` (inclusive of the
    letter at ``end``), a name prefix's own ("McKenzie", "DeShawn", "MacLeod") aside."""
    for i in range(start, min(end, len(text) - 1)):
        if text[i].islower() and text[i + 1].isupper():
            w = i
            while w > 0 and text[w - 1].isalpha():
                w -= 1
            if text[w:i + 1] not in _NAME_PREFIXES:
                return True
    return False


_NAME_PREFIXES = frozenset({"Mc", "Mac", "De", "Di", "Da", "Du", "La", "Le", "Van", "Von"})


def _letter(ch: str) -> bool:
    """A letter of a script that puts spaces between words (CJK, kana, Hangul, Thai, Lao,
    Khmer and Burmese run words together, so their neighbours are other words)."""
    if ch.isascii():
        return ch.isalpha()
    code = ord(ch)
    if code >= 0x2E80 or 0x0E00 <= code <= 0x0EFF or 0x1000 <= code <= 0x109F or 0x1780 <= code <= 0x17FF:
        return False
    return ch.isalpha() or unicodedata.category(ch).startswith("M")


def _union_of_names(text: str, found: list[Entity]) -> list[Entity]:
    """Overlapping readings of one name ("Rashid bin Hamad" + "Hamad Al Thani") become their
    union; left to the resolver, the longer would win and the rest of the name would leak."""
    return _union_of(text, found, "PERSON")


_NUMBER_TYPES_BEFORE_ADDRESS = frozenset({"PHONE", "EMAIL", "CREDIT_CARD", "IBAN", "RU_PASSPORT", "RU_INN", "RU_SNILS"})


def _address_from(text: str, e: Entity, cut: int) -> Entity:
    """``e`` started again after ``cut`` and the separators that follow it."""
    start = cut
    while start < e.end and text[start] in " ,;\t\u00a0":
        start += 1
    return Entity("ADDRESS", start, e.end, text[start:e.end], e.score, e.detector)


def _address_until(text: str, e: Entity, cut: int) -> Entity:
    """``e`` ended before ``cut`` and the separators before it."""
    end = cut
    while end > e.start and text[end - 1] in " ,;\t\u00a0":
        end -= 1
    return Entity("ADDRESS", e.start, end, text[e.start:end], e.score, e.detector)


def _addresses_clear_of(text: str, found: list[Entity]) -> list[Entity]:
    """An address that starts inside another finding starts after it; left to the resolver, the
    longer address would win and the rest of the other value would leak:

    - a name: "Declan L. Zhang, 1422 Main Lane" (not "Via Monte Napoleone 8", whose name is the
      street's own: the name must end before a comma or begin before the address);
    - a phone, an e-mail or an identifier read surely (score ≥ 0.9): "+971 56 304 8819, Apt 1503,
      Al Reem …" read "304 8819" as a house number; and an address that runs into one ends
      before it ("…, оф. 4, 8 917 267 90 45").
    """
    names = [e for e in found if e.type == "PERSON"]
    values = [e for e in found if e.type in _NUMBER_TYPES_BEFORE_ADDRESS and e.score >= 0.9]
    if not names and not values:
        return found
    out = []
    for e in found:
        if e.type == "ADDRESS":
            for v in values:
                if v.start < e.start < v.end < e.end:
                    e = _address_from(text, e, v.end)
                elif e.start < v.start < e.end and (e.end < v.end or not text[v.end:e.end].strip(" ,;.\t\u00a0")):
                    # "…, оф. 4, 8 917 267 90 45": an address that runs into a phone (or ends with one) ends before it
                    e = _address_until(text, e, v.start)
            for n in names:
                own_part = n.start < e.start or text[n.end:n.end + 1] in (",", ";", "\n")
                if n.start <= e.start < n.end < e.end and own_part:
                    e = _address_from(text, e, n.end)
        out.append(e)
    return out


def _beside_the_rules(found: list[Entity], tagged: list[Entity]) -> list[Entity]:
    """The tagger's findings that only add: one that overlaps a rule's finding of another type
    without containing it is dropped (the rule read those characters, and a model span must not
    displace it and leave part of it bare); one that contains it ("Малышева" read as a surname
    inside "Екатеринбург, Малышева 51") is kept, and the longer reading wins; one inside a rule's
    finding of its own type adds nothing and is dropped; another overlap of the same type is kept
    and merged with it."""
    if not tagged:
        return []
    spans = sorted((e.start, e.end, e.type) for e in found)
    starts = [s for s, _, _ in spans]
    out = []
    for t in tagged:
        i = bisect_left(starts, t.end)
        clash = False
        while i > 0:
            i -= 1
            s, e, kind = spans[i]
            if e > t.start and kind != t.type and not (t.start <= s and e <= t.end):
                clash = True
                break
            if kind == t.type and s <= t.start and t.end <= e:
                clash = True  # inside a rule's reading of the same type: it adds nothing
                break
            if t.start - s > 4096:  # no rule finding is that long: nothing further left can overlap
                break
        if not clash:
            out.append(t)
    return out


def _union_of_addresses(text: str, found: list[Entity]) -> list[Entity]:
    """Overlapping ADDRESS readings become their union where the tagger read one of them
    (the rules' own overlaps stay the resolver's: the longer wins)."""
    if not any(e.type == "ADDRESS" and e.detector == "tagger" for e in found):
        return found
    return _union_of(text, found, "ADDRESS")


class Scanner:
    """Find sensitive entities in Russian and English text.

    ``types`` restricts what is reported (default: every canonical type; LOCATION and
    ORGANIZATION are reported only when asked for).  ``ner=False`` runs the pattern and
    checksum detectors only (no person names, no model loading); ``tagger=False`` keeps the rules
    but not the learned tagger (faster, less recall).  ``known`` adds the operator's
    dictionaries (:class:`~perimeter.privacy.detect.known_values.KnownValues`); their types,
    built-in or the operator's own, are always reported.
    """

    def __init__(self, types: Iterable[str] | None = None, ner: bool = True, known: KnownValues | None = None,
                 tagger: bool = True) -> None:
        wanted = frozenset(types) if types is not None else frozenset(CANONICAL_TYPES)
        unknown = wanted - set(CANONICAL_TYPES) - set(EXTRA_TYPES)
        if unknown:
            raise ValueError(f"unknown entity types: {', '.join(sorted(unknown))}")
        self.known = known if known else None
        if self.known is not None:
            wanted |= self.known.types
        self.types = wanted
        self.ner = ner
        self._extra = wanted & frozenset(EXTRA_TYPES)
        simple: list[Callable[[TextIndex], list[Entity]]] = []
        if "EMAIL" in wanted:
            simple.append(find_emails)
        if "PHONE" in wanted:
            simple.append(find_phones)
        if "IP_ADDRESS" in wanted:
            simple.append(find_ips)
        if "IBAN" in wanted:
            simple.append(find_ibans)
        if "DATE_OF_BIRTH" in wanted:
            simple.append(find_birth_dates)
        if "SECRET" in wanted:
            simple.append(find_secrets)
        if "ADDRESS" in wanted:
            simple.append(find_addresses)
        self._simple = simple
        self._numbers = wanted & _NUMBER_TYPES
        self._ocr = wanted & (_NUMBER_TYPES | {"IBAN"})
        self._spoken = wanted & {"PHONE", "DATE_OF_BIRTH", "RU_PASSPORT", "CREDIT_CARD", "US_SSN"}
        self._names = ner and ("PERSON" in wanted or bool(self._extra))
        # the learned second opinion on names and addresses (tagger.py), when its model shipped
        self._tagged = tagger and ner and bool(wanted & {"PERSON", "ADDRESS"}) and tagger_available()

    def warm_up(self) -> None:
        """Load the models now (the gateway calls this at start-up, off the request path)."""
        if not self._names:
            return
        from perimeter.privacy.detect import names_en, names_ru

        names_en.load()
        names_ru.load_morph()
        names_ru.load_ner()
        self.scan("Иванов Иван Иванович, John Smith, Смит Джон.")

    def _echoes(self, text: str, names: list[Entity]) -> list[Entity]:
        """Other mentions of the names only the tagger read: the same linking rules the rules'
        own names get (a later surname alone, a name in another script, its birth date)."""
        if not names:
            return []
        out: list[Entity] = []
        if "PERSON" in self.types:
            out.extend(latin_mentions(text, names))
            out.extend(more_of_names(text, names))
            if not text.isascii():
                from perimeter.privacy.detect import names_ru_cues

                out.extend(names_ru_cues.later_mentions(text, names))
        if "DATE_OF_BIRTH" in self.types:
            out.extend(_dates_after_names(text, names))
        return out

    def scan_patterns(self, text: str, ix: TextIndex | None = None) -> list[Entity]:
        """Pattern and checksum detectors only (unresolved candidates)."""
        found: list[Entity] = []
        ix = TextIndex(text) if ix is None else ix  # the shared cheap pass: shapes, lowercase, digit regions
        if self._numbers:
            found.extend(find_numbers(ix, self._numbers))
        for detector in self._simple:
            found.extend(detector(ix))
        found.extend(e for e in find_field_values(text) if e.type in self.types)
        found.extend(e for e in find_hl7_values(text) if e.type in self.types)
        if self._ocr or self._spoken:
            lower = ix.aligned
            if self._ocr:  # "ИНН 77O7O83893": OCR letters in a checksummed value (ocr_values)
                starts = ix.literal_starts("ocr_cues", fallback_find=True) if lower is ix.lower else None
                found.extend(find_ocr_values(text, lower, self._ocr, found, starts))
            if self._spoken:  # "девятьсот шестнадцать, двести четыре, …" in a transcript (spoken_values)
                found.extend(find_spoken_values(ix, lower, self._spoken))
        if "DATE_OF_BIRTH" in self.types:
            found.extend(_corrected_birth_dates(text, found))
        if "RU_PASSPORT" in self.types:
            found.extend(_sibling_passports(text, found))
            found.extend(find_passport_parts(text, ix.aligned))
        if self.known is not None:
            found.extend(self.known.find(text))
        return found

    def scan(self, text: str) -> list[Entity]:
        """Entities sorted by start, non-overlapping, with code-point offsets into ``text``."""
        ix = TextIndex(text)  # one literal pass for the patterns and the name rules
        found = self.scan_patterns(text, ix)
        if self._names:
            from perimeter.privacy.detect import names_en, names_ru, names_ru_cues

            if not text.isascii() and _CYRILLIC_CAPITAL.search(text):  # isascii: one C pass, no regex scan
                found.extend(names_ru.find_ru_names(text, use_ner=True, extra_types=self._extra))
                if "PERSON" in self.types:
                    found.extend(ru_initials_and_departments(text))
                    found.extend(find_role_surnames(text))
            if "PERSON" in self.types and not text.isascii() and _CYRILLIC_LOWER.search(text):
                if _CYRILLIC_LOWER_PAIR.search(text):
                    found.extend(names_ru.find_lowercase_names(text))
                found.extend(names_ru_cues.find_lower_cued(text))
                found.extend(find_ru_chat_names(text))
                found.extend(find_addressed_names(text))
                found.extend(find_patronymic_names(text))
                found.extend(find_pet_names(text))
            if "PERSON" in self.types and (_LATIN_CAPITAL.search(text) or names_en.has_lower_cue(text)):
                found.extend(names_en.find_en_names(text, ix))
                found.extend(find_caps_payees(text))
            if "PERSON" in self.types and not text.isascii():
                found.extend(names_ru_cues.later_mentions(text, found))
            if "PERSON" in self.types and _LATIN_WORDS.search(text):
                found.extend(find_chat_names(text))
                found.extend(find_doers(text))
            if "PERSON" in self.types:
                found.extend(find_speakers(text))
                found.extend(find_email_names(text, found))
                found.extend(find_initialled_surnames(text))
                found.extend(find_asian_names(text))
                if not text.isascii() and _CJK_CHAR.search(text) is not None:
                    found.extend(find_cjk_names(text))
                found.extend(find_lone_lower_names(text))
                found.extend(find_lower_full_names(text))
                if _INVERTED_HINT.search(text):
                    found.extend(find_inverted_names(text))
            if "PERSON" in self.types:
                found.extend(linked_names(text, found))
                found.extend(list_names(text, found))
                found.extend(latin_mentions(text, found))
                found.extend(more_of_names(text, found))
                found.extend(names_beside_names(text, found))
            if "DATE_OF_BIRTH" in self.types:
                found.extend(_dates_after_names(text, found))
        if self._tagged:
            tagged = _beside_the_rules(found, [e for e in find_tagged(text) if e.type in self.types])
            latin = [e for e in tagged if e.type == "PERSON" and e.text.isascii()]
            if latin:
                from perimeter.privacy.detect import names_en

                kept = names_en.assistant_or_firm_dropped(text, latin)
                tagged = [e for e in tagged if e not in latin or e in kept]
            found.extend(tagged)
            found.extend(self._echoes(text, [e for e in tagged if e.type == "PERSON"]))
        if self._names and "PERSON" in self.types:
            found.extend(lower_echoes(text, found))
            found.extend(capital_echoes(text, found))
            found.extend(names_around(text, found))
            if "-" in text or " " in text:
                found.extend(spelt_names(text, found))
        found.extend(e for e in record_values(text, found) if e.type in self.types)
        found = _union_of_names(text, [e for e in found if e.type in self.types])
        if self._tagged:
            found = _union_of_addresses(text, found)
        if "ADDRESS" in self.types:
            found = grown_tails(text, found)
        found = _addresses_clear_of(text, drop_persons_in_places(text, drop_non_persons(text, found)))
        found = streets_read_as_names(text, _particles_of_names(text, _whole_word_names(text, found)))
        if "DATE_OF_BIRTH" in self.types:
            found = with_markers(text, found)
        return resolve(found)
