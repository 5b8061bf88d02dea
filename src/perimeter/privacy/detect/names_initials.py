"""A surname after one or two initials: "H. Yakubu", "B. Petrescu", "T. J. Oduya", "with G.
Pallister".

Letters, HR notes and rosters abbreviate the given name and keep the surname, and the surnames
of every origin are in no list (Yakubu, Petrescu, Pallister).  An initial with its dot before a
capitalised word is the person's given name whatever the word, as long as the word is no
frequent English word ("A. Introduction", "U.S. Steel"), no place that is no name too ("N. Ireland"; Yakubu is both) and no brand
("J.P. Morgan"), and not named after the person ("John F. Kennedy Airport", "Jalan M.H.
Thamrin") nor a company's form ("S.L.").  A listed surname may be a more frequent word ("Y. Young", "K. Marsh").
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.prescan import matches_at
from perimeter.privacy.entities import Entity

_INITIALS = re.compile(
    r"(?<![\w.\-'’])(?:[A-Z]\.[ \u00a0]?){1,2}[ \u00a0]?"
    # a surname's particles before it: "L. de Vries-Oosterhuis", "J. van der Berg", "M. da Silva"
    r"(?P<p>(?:(?:de|van|der|den|ter|ten|von|zu|da|di|do|dos|das|del|della|le|la|du|bin|al|el)[ \u00a0]){0,3})"
    r"(?P<s>[A-Z][a-z'’]{2,}(?:-[A-Z][a-z'’]{2,})?)(?![\w\-]|\.\w)"
)
# Where an _INITIALS match can start: a capital and its dot (two such pairs never overlap, so
# this pass finds every one; a class first, so CPython skips ahead in C).
_INITIAL_DOT = re.compile(r"[A-Z]\.")
# a place named after the person ("John F. Kennedy Airport", "N.M. Joshi Marg", "Jalan M.H. Thamrin")
_PLACE_AFTER = re.compile(
    r"[ \u00a0]+(?:Airport|International|Marg|Road|Rd|Street|St|Avenue|Ave|University|School|Hospital|Park|Square|"
    r"Bridge|Station|Centre|Center|Memorial|Stadium|Hall|Library|Institute|College|Museum|Way|Lane|Nagar|Chowk)\b"
)
_PLACE_BEFORE = re.compile(r"(?:Jalan|Jl\.|Jln\.?|named after|academician|imeni|im\.)[ \u00a0]*$")
# a company's form, not initials: "Iberia Medical S.L. Necesitamos …"
_COMPANY_FORM = re.compile(r"(?:S\.L|S\.A|N\.V|B\.V|A\.G|P\.C|L\.P|S\.R\.L|C\.V|L\.L\.C|P\.L\.C)\.")
_RARE = 3.0
_SURNAME_ZIPF = 4.5


def find_initialled_surnames(text: str) -> list[Entity]:
    """PERSON findings for initials and the surname after them (module docstring)."""
    if ". " not in text and "." not in text:
        return []
    out: list[Entity] = []
    starts = [m.start() for m in _INITIAL_DOT.finditer(text)]
    for m in matches_at(_INITIALS, text, starts) if starts else ():
        low = m.group("s").lower()
        f = lexicon.zipf(low)
        if not (f < _RARE or (low in lexicon.last_names() and f < _SURNAME_ZIPF) or (m.group("p") and f < _SURNAME_ZIPF)):
            continue
        named = low in lexicon.last_names() or low in lexicon.first_names()
        if (low in lexicon.places() and not named) or low in lexicon.brands():
            continue
        if _COMPANY_FORM.match(text, m.start()) or _PLACE_AFTER.match(text, m.end()):
            continue
        if _PLACE_BEFORE.search(text, max(0, m.start() - 16), m.start()):
            continue
        out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.75, "initials"))
    return out
