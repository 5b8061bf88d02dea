"""A Russian surname right after the noun for what the person does: "ортодонт Мингазов уходит",
"направлена к пародонтологу Шутовой", "курьеру Абдуллаеву".

A surname alone in prose is the hardest Russian name to read: pymorphy guesses "Мингазов" as an
organisation and "Шутовой" as a possessive adjective, and a rule that took every word with a
surname's suffix flagged towns, firms and adjectives (round 15 tried it: false alarms rose on 15
corpora).  But an animate noun of a role or trade just before it — a doctor, a courier, a
recipient, a manager, any "NOUN,anim" pymorphy knows or guesses — is the apposition Russian uses
to name a person by their job, and a capitalised word in a surname's shape after it is that
person.  Places and organisations pymorphy knows, and the lists' places, stay out.
"""

from __future__ import annotations

import re
from functools import lru_cache

from perimeter.privacy.detect import lexicon
from perimeter.privacy.entities import Entity

# a lower-case noun, then a capitalised word in a surname's shape (-ов/-ев/-ин/-ын, -ский/-цкий
# and their case forms), not followed by another capital (a full name is the other rules')
_ROLE_SURNAME = re.compile(
    r"(?<![А-Яа-яЁё\-])([а-яё]{4,})[ \u00a0]+"
    r"([А-ЯЁ][а-яё]+(?:(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ом|е|ой|ою|ых|ыми)?|(?:ск|цк)(?:ий|ая|ого|ой|ому|им|ую|ом)))"
    r"(?![А-Яа-яЁё\-]|[ \u00a0]+[А-ЯЁ])"
)
# nouns of where someone is from or goes to, not of what they do ("житель Ростова", "гость Казани")
_NOT_ROLES = frozenset({"житель", "жителя", "жителю", "жители", "жительница", "жительницы", "уроженец", "уроженка",
                        "уроженца", "гость", "гостья", "гости", "гостя", "турист", "туристы", "туристка", "эмигрант",
                        "выходец", "выходца", "болельщик", "болельщики", "фанат", "фанаты", "ученик", "ученики"})
# an adjective's case form is followed by its noun ("гость Смоленской области"); a surname is not
_NOUN_AFTER = re.compile(r"[ \u00a0]+([а-яё]{3,})")


@lru_cache(maxsize=8192)
def _a_role(word: str) -> bool:
    """Whether pymorphy reads ``word`` as an animate noun that is no name ("ортодонт",
    "пародонтологу", "получатель"), in its likeliest reading."""
    if word in _NOT_ROLES:
        return False
    from perimeter.privacy.detect.morph import analyzer

    parses = analyzer().parse(word)
    if not parses:
        return False
    tag = parses[0].tag
    return tag.POS == "NOUN" and "anim" in tag and not any(g in tag for g in ("Name", "Surn", "Patr", "Geox", "Orgn"))


@lru_cache(maxsize=8192)
def _a_place(word: str) -> bool:
    """A town in any case form ("Ростова", "Иванова" of Иваново) reads as a surname too: a
    reading as a place pymorphy knows, with some weight, wins."""
    low = word.lower()
    if low in lexicon.places():
        return True
    from perimeter.privacy.detect.morph import analyzer

    return any(p.is_known and "Geox" in p.tag and p.score >= 0.2 for p in analyzer().parse(low)[:4])


def _modifies_a_noun(text: str, end: int, word: str) -> bool:
    if not word.endswith(("ий", "ая", "ого", "ой", "ому", "им", "ую", "ом")):
        return False
    m = _NOUN_AFTER.match(text, end)
    if m is None:
        return False
    from perimeter.privacy.detect.morph import analyzer

    return analyzer().parse(m.group(1))[0].tag.POS == "NOUN"


def find_role_surnames(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _ROLE_SURNAME.finditer(text):
        if _a_role(m.group(1)) and not _a_place(m.group(2)) and not _modifies_a_noun(text, m.end(2), m.group(2)):
            out.append(Entity("PERSON", m.start(2), m.end(2), m.group(2), 0.75, "ru_role_surname"))
    return out
