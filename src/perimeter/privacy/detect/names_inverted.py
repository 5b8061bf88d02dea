"""Latin-script names written surname first, in the three layouts that do it.

- **Airline and booking records** (IATA): ``SURNAME/GIVEN`` in capitals, often with a title
  after it ("WHITFIELD/GEORGIA MRS", "SULEIMENOV/ASKAR").  Two capitalised words joined by a
  slash are also "TCP/IP", "AND/OR" and "SWIFT/BIC", so a title must follow, or the second must
  be a given name the lists know and the first no frequent English word, or the first a listed
  surname ("KHAN/IMRAN", "DE LA CRUZ/MARIA LUISA").
- **Citations**: "Bordes, A.", "Carlini, N., Tramèr, F.", "Maslach C." — a capitalised word and
  an initial.  One alone is too weak ("Paris, F." is a footnote), so the text must hold two.
- **Directories and exports**: "Hashimoto, Ren", "Nwosu, Obiageli" — a surname, a comma and a
  given name the lists know.  "Austin, Texas" and "London, Sydney" are places: neither side may
  be a place, and the first may be no frequent English word.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.entities import Entity

_TITLES = r"MR|MRS|MS|MSTR|MISS|DR|MX|CHD|INF"
_SLASHED = re.compile(
    rf"(?<![\w/])(?P<f>[A-Z][A-Z'\-]{{1,24}}(?:[ ][A-Z][A-Z'\-]{{1,24}}){{0,2}})/(?P<g>[A-Z][A-Z\-]{{1,24}}(?:[ ](?!(?:{_TITLES})(?![A-Z]))[A-Z][A-Z\-]{{1,24}})?)"
    rf"(?P<t>[ ](?:{_TITLES}))?(?![\w/])"
)
_PLACEHOLDER_SURNAMES = frozenset({"doe", "test", "sample", "example", "mustermann", "demo", "dummy"})
_NOT_SLASHED = frozenset("TCP IP AND OR CI CD IO UDP HTTP HTTPS PDF UTF EUR USD RUB GBP INR UI UX TV AC DC".split())  # noqa: SIM905
_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LO = "a-zß-öø-ÿā-ž"
_CITED = re.compile(rf"(?<![\w'’-])(?P<f>[{_UP}][{_LO}'’\-]+(?:[ ][{_UP}][{_LO}'’\-]+)?),?[ ](?P<i>[{_UP}]\.(?:[ ]?[{_UP}]\.)*)(?![\w])")
_INVERTED = re.compile(
    rf"(?<![\w'’-])(?P<f>(?:(?:[Vv]an|[Dd]e|[Dd]er|[Dd]a|[Dd]os|[Dd]el|[Aa]l|[Ee]l|[Vv]on|[Ll]e)[ ])*[{_UP}][{_LO}'’\-]+"
    rf"(?:[ ](?:[Vv]an|[Dd]e|[Dd]er|[Dd]a|[Dd]os|[Dd]el|[Aa]l|[Ee]l|[Vv]on|[Ll]e|[{_UP}][{_LO}'’\-]+))*),[ ]"
    rf"(?P<g>[{_UP}][{_LO}'’\-]+)(?:[ ](?P<g2>[{_UP}][{_LO}'’\-]+))?(?![\w'’-])"
)


def _slashed(text: str) -> list[Entity]:
    out = []
    for m in _SLASHED.finditer(text):
        f, g = m.group("f"), m.group("g")
        if f in _NOT_SLASHED or g in _NOT_SLASHED or len(f) + len(g) < 6:
            continue
        last = f.split()[-1].lower()
        if last in _PLACEHOLDER_SURNAMES or g == "DOE":
            continue  # "DOE/JANE": the placeholder passenger of every booking API's documentation
        given = g.split()[0].lower()
        known_given = len(given) >= 3 and given in lexicon.single_first_names() and lexicon.zipf(given) < 4.0
        # a given name any list knows after a listed surname ("KHAN/IMRAN", "DE LA CRUZ/MARIA LUISA")
        listed = len(given) >= 3 and given in lexicon.first_names() and (
            last in lexicon.last_names() or lexicon.zipf(last) < lexicon.COMMON_ZIPF)
        if m.group("t") or (known_given and lexicon.zipf(last) < 4.0) or listed:
            out.append(Entity("PERSON", m.start(), m.end("g"), text[m.start():m.end("g")], 0.8, "en_names"))
    return out


_INITIAL = re.compile(rf" [{_UP}]\.")


def _cited(text: str) -> list[Entity]:
    if len(_INITIAL.findall(text)) < 2:
        return []
    hits = [m for m in _CITED.finditer(text)
            if m.group("f").split()[-1].lower() not in lexicon.places() and lexicon.zipf(m.group("f").split()[-1]) < 4.0]
    if len(hits) < 2:
        return []
    return [Entity("PERSON", m.start(), m.end(), m.group(), 0.75, "en_names") for m in hits]


_GIVEN_AFTER_COMMA = re.compile(rf"[{_UP}][{_LO}'’\-]{{2,}}")


def _inverted(text: str) -> list[Entity]:
    out: list[Entity] = []
    # the pattern is tried only before a ", " that a listed given name follows: most texts
    # have commas, few have "Surname, Given"
    windows: list[int] = []
    at = text.find(", ")
    while at != -1:
        g = _GIVEN_AFTER_COMMA.match(text, at + 2)
        if g is not None and g.group().lower() in lexicon.first_names():
            windows.append(at)
        at = text.find(", ", at + 2)
    if not windows:
        return out
    matches = []
    for comma in windows:
        m = _INVERTED.search(text, max(0, comma - 60), comma + 60)
        while m is not None and m.end("f") < comma:
            m = _INVERTED.search(text, m.end("f") + 1, comma + 60)
        if m is not None and m.end("f") == comma:
            matches.append(m)
    for m in matches:
        surname = m.group("f").split()[-1]
        given = m.group("g")
        low_g, low_f = given.lower(), surname.lower()
        if len(given) < 3 or low_g not in lexicon.first_names() or low_g in lexicon.places():
            continue
        if low_f in lexicon.places() and low_f not in lexicon.last_names():  # "Austin, Texas"; "Hashimoto" is both
            continue
        if lexicon.zipf(low_f) >= lexicon.COMMON_ZIPF or lexicon.zipf(low_g) >= 4.5:
            continue
        end = m.end("g2") if m.group("g2") and m.group("g2").lower() in lexicon.first_names() else m.end("g")
        out.append(Entity("PERSON", m.start(), end, text[m.start():end], 0.75, "en_names"))
    return out


def find_inverted_names(text: str) -> list[Entity]:
    out: list[Entity] = []
    if "/" in text:
        out.extend(_slashed(text))
    if ". " in text or text.endswith("."):
        out.extend(_cited(text))
    if ", " in text:
        out.extend(_inverted(text))
    return out
