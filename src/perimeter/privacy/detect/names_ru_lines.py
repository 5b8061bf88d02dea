"""A Russian surname and a name no dictionary knows, alone on a line: a recipient's line.

An address block or a form puts the person on a line of its own ("Цыбикова Дарима" above
"670047 Бурятия Улан-Удэ …").  Buryat, Yakut, Tuvan or Kalmyk given names are in no list
and pymorphy reads some as other words ("Дарима" as a participle), and a surname it has
never seen leans to a place reading ("Цыбикова").  So a line of exactly two capitalised
words is a person when one carries a surname's suffix with some surname reading and the
other is no common word: a line "Смоленская Область" or "Срочная Доставка" has a common
word, a line "Иванова Дарима" does not.
"""

from __future__ import annotations

import re
from functools import lru_cache

from perimeter.privacy.detect.morph import analyzer
from perimeter.privacy.detect.ru_profile import noun_mass, word_profile

_SURNAME_SUFFIX = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|ская|цкий|цкая|енко|ян|янц|швили|дзе|ук|юк|аев|иев|уев)$"
)
_COMMON_POS = frozenset({"ADJF", "ADJS", "COMP", "VERB", "INFN", "ADVB", "PREP", "CONJ", "PRCL", "NPRO", "NUMR", "INTJ"})


@lru_cache(maxsize=16384)
def _common(word: str) -> bool:
    """A word of ordinary Russian: a common noun, an adjective, a verb, an adverb …"""
    if noun_mass(word) >= 0.25:
        return True
    parses = analyzer().parse(word.lower())
    return bool(parses) and parses[0].is_known and parses[0].tag.POS in _COMMON_POS and parses[0].score >= 0.4


def _surname(word: str) -> bool:
    return _SURNAME_SUFFIX.search(word) is not None and word_profile(word)[1] > 0.1


def _alone_on_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip(" \t\u00a0-•*"):
        return False
    line_end = text.find("\n", end)
    return not text[end:len(text) if line_end < 0 else line_end].strip(" \t\u00a0,;.")


def line_pair(text: str, first: tuple[int, int], second: tuple[int, int]) -> bool:
    """True when the two words spanning ``first``..``second`` are a person's line."""
    if not _alone_on_line(text, first[0], second[1]):
        return False
    a, b = text[first[0]:first[1]], text[second[0]:second[1]]
    if "-" in a or "-" in b:
        return False
    for sur, other in ((a, b), (b, a)):
        if _surname(sur) and not _common(other) and not _common(sur) and word_profile(other)[3] < 0.5:
            return True
    return False
