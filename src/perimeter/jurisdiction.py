"""Jurisdictions: the ISO country codes that providers declare and residency rules name.

Kept apart from every stage package because providers (which declare a jurisdiction), privacy
(whose residency rules name them), routing and the audit report all speak this vocabulary and
must not depend on each other.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_COUNTRY = re.compile(r"^[A-Z]{2}$")

#: Groups a residency rule may name instead of listing countries (GDPR Chapter V draws its line
#: around the EEA).  A provider that declares ``EU`` itself matches both groups.
GROUPS: dict[str, frozenset[str]] = {
    "EU": frozenset({
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
        "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "EU",
    }),
}
GROUPS["EEA"] = GROUPS["EU"] | {"IS", "LI", "NO"}


def country_code(value: str) -> str:
    """``value`` as an upper-case ISO 3166-1 alpha-2 code, or a ValueError a person can act on."""
    code = value.strip().upper()
    if not _COUNTRY.match(code):
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code such as RU, DE or US")
    return code


def expand(place: str) -> frozenset[str]:
    """The country codes a residency entry stands for (a group, or one country)."""
    code = place.strip().upper()
    if code in GROUPS:
        return GROUPS[code]
    return frozenset({country_code(code)})


#: Where data is processed, as an ISO 3166-1 alpha-2 code (``RU``, ``DE``, ``US``; ``EU`` for a
#: provider that only promises "somewhere in the EU").
Jurisdiction = Annotated[str, AfterValidator(country_code)]
