"""Overlap resolution: one answer per character, chosen the same way every time.

Detectors overlap (a card number inside a ``password=`` value, a surname inside a street
name).  The rule is a total order, so the result never depends on detector order or dict
iteration: longer span first, then the more specific type, then the higher score, then the
earlier start, then the type name.  Each candidate is kept if it overlaps nothing kept so far.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from perimeter.privacy.entities import Entity

# Higher = more specific (a checksum-validated id beats a loose pattern of the same length).
SPECIFICITY: dict[str, int] = {
    "SECRET": 9, "CREDIT_CARD": 8, "IBAN": 8, "RU_INN": 8, "RU_SNILS": 8, "RU_OGRN": 8,
    "RU_BANK_ACCOUNT": 7, "US_SSN": 7, "RU_PASSPORT": 7, "EMAIL": 7, "PHONE": 6, "IP_ADDRESS": 6,
    "DATE_OF_BIRTH": 5, "ADDRESS": 4, "PERSON": 3, "ORGANIZATION": 1, "LOCATION": 1,
}


def _key(ent: Entity) -> tuple[int, int, float, int, str]:
    return (ent.end - ent.start, SPECIFICITY.get(ent.type, 0), ent.score, -ent.start, ent.type)


def resolve(candidates: Iterable[Entity]) -> list[Entity]:
    """Non-overlapping entities sorted by start (see module docstring for the order)."""
    kept: list[Entity] = []
    starts: list[int] = []  # kept spans never overlap, so sorted starts imply sorted ends
    ends: list[int] = []
    for ent in sorted(candidates, key=_key, reverse=True):
        if ent.end <= ent.start:
            continue
        idx = bisect_left(starts, ent.end)
        if idx > 0 and ends[idx - 1] > ent.start:
            continue
        kept.append(ent)
        starts.insert(idx, ent.start)
        ends.insert(idx, ent.end)
    kept.sort(key=lambda e: (e.start, e.end))
    return kept
