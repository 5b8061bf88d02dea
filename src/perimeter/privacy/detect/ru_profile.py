"""What pymorphy3 says a capitalised Russian word can be: a first name, a surname, a
patronymic, a place or organisation, a common noun — as probability mass, cached.

Its own module so that the name detectors (``names_ru``, ``names_ru_cues``) and the field
detector share it without importing each other.
"""

from __future__ import annotations

from functools import lru_cache

from perimeter.privacy.detect.morph import analyzer


@lru_cache(maxsize=65536)
def word_profile(word: str) -> tuple[float, float, float, float, bool]:
    """(first-name, surname, patronymic, place/org) probability mass and whether it is known."""
    name = surn = patr = other = 0.0
    parses = analyzer().parse(word)
    for p in parses:
        tag = p.tag
        if "Name" in tag:
            name += p.score
        elif "Surn" in tag:
            surn += p.score
        elif "Patr" in tag:
            patr += p.score
        elif "Geox" in tag or "Orgn" in tag or "Trad" in tag:
            other += p.score
    known = bool(parses) and parses[0].is_known
    return name, surn, patr, other, known


@lru_cache(maxsize=65536)
def noun_mass(word: str) -> float:
    """Probability mass of readings as a common noun ("Лев" the lion, "Вера" faith)."""
    return sum(
        p.score for p in analyzer().parse(word)
        if "NOUN" in p.tag and not ({"Name", "Surn", "Patr", "Geox", "Orgn"} & p.tag.grammemes)
    )
