"""A British, Irish or Canadian postcode on its own: "Caller: It's BS6 7QF", a CSV cell "OX2 6QY".

These three layouts mix letters and digits in a shape nothing else has ("SE15 4RT", "D02 X285",
"H3G 1L7"), and one of them narrows a home down to a few dozen doors: a postcode is an
identifying piece of an address even with no street beside it (the postal grammar of
``addresses_postal`` reads it only next to a town).  Two readings are no one's address:

- the examples every postcode tutorial uses ("SW1A 1AA", "EC1A 1BB", "M1 1AE" …);
- postcodes in a text about matching or validating postcodes ("a regex for UK postcodes like
  …", "test inputs: …"), which the corpora's authors wrote as PII-free.

Numeric postcodes (Russian and CIS six digits, US ZIP, German PLZ, Brazilian CEP …) look like any
other number, so alone they are read only right after their own word: "индекс 452740", "ZIP:
94110-2231", "CEP 01304-001" (:func:`find_cued_postcodes`).
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

# UK: outward (A9, A9A, A99, AA9, AA9A, AA99) + inward (9AA), with its space; Eircode: a routing
# key + four characters; Canada: A9A 9A9.  The space is required: glued, they are product codes.
_POSTCODE = re.compile(
    r"(?<![\w\-/.])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?[ \u00a0]\d[ABD-HJLNP-UW-Z]{2}"
    r"|[AC-FHKNPRTV-Y]\d{2}[ \u00a0][AC-FHKNPRTV-Y\d]{4}"
    r"|[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \u00a0]\d[ABCEGHJ-NPRSTV-Z]\d)(?![\w\-/])"
)
# Gates (see gates): the UK and Canadian layouts hold a space, a digit and a capital; the Irish
# Eircode a capital, two digits and a space.  Each opens with a class, so CPython skips ahead.
_POSTCODE_GATES = (re.compile(r"[ \u00a0]\d[A-Z]"), re.compile(r"[A-Z]\d\d[ \u00a0]"))
_TEXTBOOK = frozenset(
    ["SW1A 1AA", "EC1A 1BB", "W1A 0AX", "W1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EH9 1HX", "BT7 1NN", "GIR 0AA", "SW1A 2AA", "K1A 0B1", "H0H 0H0", "D02 AF30", "A65 F4E2"]
)
_FORMAT_WORDS = re.compile(r"regex|regular expression|validat|pars(?:e|er|ing)\b|test (?:inputs?|cases?|data)|examples?\b", re.IGNORECASE)
_POSTCODE_WORDS = re.compile(r"post ?codes?|postal codes?|eircodes?|zip", re.IGNORECASE)


# The word that names a postcode, then the number itself (one separator at most between them):
# 6 digits (RU, KZ, BY, UZ …), 5 (US ZIP, DE PLZ, FR, UA …), ZIP+4, CEP, a Polish "00-950".
_CUED_POSTCODE = re.compile(
    r"(?<![\w])(?:почтов(?:ый|ого|ым)\s+)?(?:индекс[а-я]*|почт\.\s?инд\.?|post(?:al)?\s?code|zip(?:\s?code)?|plz|cep"
    r"|c[óo]digo postal|code postal|kod pocztowy)\b\.?[ \t\u00a0]*[:#№\-–]?[ \t\u00a0]*"
    r"(?P<code>\d{6}|\d{5}(?:-\d{4}|-\d{3})?|\d{2}-\d{3})(?![\w\-/.,]\d|[\w])",
    re.IGNORECASE,
)


_CUE_STEMS = ("индекс", "инд.", "post", "zip", "plz", "cep", "digo postal", "code postal", "kod poczt")


def find_cued_postcodes(text: str, lower: str) -> list[Entity]:
    """A numeric postcode right after the word for it ("индекс 452740", "zip 94110");
    ``lower``: the text lower-cased (a few substring tests skip the regex on most texts)."""
    if not any(stem in lower for stem in _CUE_STEMS):
        return []
    out: list[Entity] = []
    about_formats: bool | None = None
    for m in _CUED_POSTCODE.finditer(text):
        if about_formats is None:
            about_formats = _FORMAT_WORDS.search(text) is not None
        if about_formats:
            break
        a, b = m.span("code")
        out.append(Entity("ADDRESS", a, b, text[a:b], 0.75, "address_postcode"))
    return out


def find_lone_postcodes(text: str) -> list[Entity]:
    out: list[Entity] = []
    about_formats: bool | None = None
    if all(g.search(text) is None for g in _POSTCODE_GATES):
        return out
    for m in _POSTCODE.finditer(text):
        value = m.group().replace("\u00a0", " ")
        if value in _TEXTBOOK:
            continue
        if about_formats is None:
            about_formats = _FORMAT_WORDS.search(text) is not None and _POSTCODE_WORDS.search(text) is not None
        if about_formats:
            continue
        out.append(Entity("ADDRESS", m.start(), m.end(), m.group(), 0.75, "address_postcode"))
    return out
