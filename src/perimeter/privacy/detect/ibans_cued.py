"""IBAN-shaped account numbers that fail their check digits, beside an account word.

"счёт TR64 0799 0786 3404 8550 3959 224": a country code, two check digits and the BBAN in
groups of four with a short tail, one character too long for Turkey's 26 — a mistyped IBAN
is still somebody's account, and left unmasked its digit tail even reads as a phone.  The
checksum-validated :func:`contacts.find_ibans` stays the main detector; this one adds, only
after an account/IBAN word, a value whose layout is an IBAN's and whose length is within two
characters of its country's (``checksums.IBAN_LENGTHS``) but not equal to it: at the right length
the check digits can speak, and a failed check there is a look-alike, not a typo.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect.checksums import IBAN_LENGTHS
from perimeter.privacy.detect.prescan import matches_at
from perimeter.privacy.entities import Entity

# "TR64 0799 0786 …" grouped by four with a 1-4 character tail, or one unbroken run.
_SHAPE = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:(?:[ \u00a0][A-Z0-9]{4}){2,8}(?:[ \u00a0][A-Z0-9]{1,3})?|[A-Z0-9]{10,32})(?![A-Za-z0-9])"
)
_CUE = re.compile(
    r"iban|сч[её]т|account|\bacct\b|konto|hesap|compte|cuenta|conto|rekening|получател|beneficiar|"
    r"\bbank\b|банк|swift|bic\b|wire|перевод|transfer|überweisung|payee",
    re.IGNORECASE,
)


def find_cued_ibans(text: str, starts: list[int], found: list[Entity]) -> list[Entity]:
    """IBAN-shaped values with a failed check, after an account word, not already found;
    ``starts``: where two capitals and two digits start (``TextIndex.iban_starts``)."""
    taken = [(e.start, e.end) for e in found]
    out: list[Entity] = []
    for m in matches_at(_SHAPE, text, starts):
        want = IBAN_LENGTHS.get(m.group()[:2])
        if want is None or any(a < m.end() and m.start() < b for a, b in taken):
            continue
        compact = m.group().replace(" ", "").replace("\u00a0", "")
        if not 0 < abs(len(compact) - want) <= 2 or compact[4:].isalpha():
            continue  # the right length with a failed check is a look-alike (a test IBAN with one digit changed)
        if _CUE.search(text, max(0, m.start() - 60), m.start()) is None:
            continue
        out.append(Entity("IBAN", m.start(), m.end(), m.group(), 0.8, "iban_shape"))
    return out
