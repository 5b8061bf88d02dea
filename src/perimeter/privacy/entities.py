"""The canonical entity types and the :class:`Entity` finding (see shared DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass

CANONICAL_TYPES: tuple[str, ...] = (
    "PERSON", "EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "RU_PASSPORT", "RU_SNILS",
    "RU_INN", "RU_OGRN", "RU_BANK_ACCOUNT", "US_SSN", "ADDRESS", "DATE_OF_BIRTH", "SECRET",
)
# Reported only when asked for (``Scanner(types=...)``): public places and companies are not PII.
EXTRA_TYPES: tuple[str, ...] = ("LOCATION", "ORGANIZATION")
#: Joins the request fields the guard scans as one text, one field per line: a line holding a
#: character no detector reads across.  Detectors treat a value between two of them as a whole
#: field (where a bare check-digit number is worth flagging).
FIELD_SEPARATOR = "\n\u00b7\n"


@dataclass(slots=True, frozen=True)
class Entity:
    """One finding: ``text[start:end]`` (code-point offsets) is a value of ``type``."""

    type: str
    start: int
    end: int
    text: str
    score: float = 1.0
    detector: str = ""

    def to_json(self) -> dict[str, object]:
        return {"type": self.type, "start": self.start, "end": self.end, "text": self.text, "score": self.score}
