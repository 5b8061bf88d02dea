"""Privacy engine: find sensitive entities (RU + EN) and pseudonymize them.

``from perimeter.privacy import Scanner, Entity`` — the scanner module is imported lazily so
that importing the package (e.g. for config models) does not load detectors or NLP models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from perimeter.privacy.entities import CANONICAL_TYPES, EXTRA_TYPES, Entity

if TYPE_CHECKING:
    from perimeter.privacy.detect.scanner import Scanner

__all__ = ["CANONICAL_TYPES", "EXTRA_TYPES", "Entity", "Scanner"]


def __getattr__(name: str) -> Any:
    if name == "Scanner":
        from perimeter.privacy.detect.scanner import Scanner

        return Scanner
    raise AttributeError(f"module 'perimeter.privacy' has no attribute {name!r}")
