"""A name the text's own e-mail addresses spell: "отправить КП Кацману на b.katsman@…",
"Regards, Tomasz — tomasz.wojcik@…".

Most company addresses are made of their owner's given name and surname.  A capitalised word
that one of them spells is that person, whatever the lists say about the word (Кацман, Ngozi
and Wojcik are in none) and in whatever script or case it is written: a Cyrillic word is
compared through its transliteration, less its case ending ("Кацману" → katsman).  Mailbox words
(info, support, sales…), frequent English words and places are no one's name, and a word must
have four letters at least.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.entities import Entity

_PART = re.compile(r"[a-z]{4,}")
_WORD = re.compile(r"(?<![\w@.])(?:[A-Z][a-z]{3,}|[A-Z]{4,})(?![\w@])")
_CYR_WORD = re.compile(r"(?<![\w@.])[А-ЯЁ][а-яё]{3,}(?![\w@])")
_MAILBOXES = frozenset(
    """
info support sales admin contact hello office noreply reply team billing help service mail post accounts
finance jobs careers press media marketing security abuse webmaster postmaster root test user example orders
booking bookings reception director manager legal store shop hotel clinic school bank news newsletter alerts
notify notifications system server backup invoice invoices payments payment travel events event partners
feedback enquiries inquiries hr it ops devops dev staff general claims care customer customers service
""".split()  # noqa: SIM905 - a word list reads better as text
)
_CYR = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
     "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True,
))
_ENDINGS = ("ому", "ого", "ыми", "ами", "ой", "ей", "ом", "ем", "ым", "им", "ую", "ою", "у", "а", "е", "ы", "и", "ю", "я")


def _skeleton(latin: str) -> str:
    """Consonants in a spelling-neutral form: "katsman", "kacman" and "katzman" all give "kcmn"."""
    s = latin.lower()
    for a, b in (("shch", "s"), ("sch", "s"), ("tsch", "c"), ("ts", "c"), ("tz", "c"), ("kh", "h"), ("zh", "z"),
                 ("sh", "s"), ("ch", "c"), ("ck", "k"), ("ph", "f"), ("w", "v"), ("x", "ks")):
        s = s.replace(a, b)
    out: list[str] = []
    for c in s:
        if c in "aeiouyjh":
            continue
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _forms(word: str) -> set[str]:
    """The skeletons ``word`` may have in a mailbox: as written and, for Cyrillic, transliterated
    with and without its case ending."""
    low = word.lower()
    if low.isascii():
        return {low}
    stems = {low} | {low[: -len(e)] for e in _ENDINGS if low.endswith(e) and len(low) - len(e) >= 4}
    return {_skeleton("".join(_CYR.get(c, c) for c in stem)) for stem in stems}


def find_email_names(text: str, found: list[Entity]) -> list[Entity]:
    """PERSON findings for capitalised words that an e-mail address in ``found`` spells."""
    parts: set[str] = set()
    for e in found:
        if e.type == "EMAIL" and "@" in e.text:
            local = e.text[: e.text.index("@")].lower()
            parts.update(p for p in _PART.findall(local) if p not in _MAILBOXES)
    if not parts:
        return []
    low = text.lower()
    # words another rule has read as a name already ("Anna Keller … anna.keller@") are not added again
    covered = [(e.start, e.end) for e in found if e.type == "PERSON"]
    out: list[Entity] = []
    for part in parts:  # Latin: each part looked for with str.find (a C loop), not word by word
        given = part in lexicon.single_first_names()
        if (lexicon.zipf(part) >= 4.0 and not given) or (part in lexicon.places() and not (given or part in lexicon.last_names())):
            continue  # a frequent word ("Data", "Deploy", "Talent") is the mailbox's subject, not a name
        at = low.find(part)
        while at != -1:
            if not any(a <= at < b for a, b in covered) and (m := _WORD.match(text, at)) is not None \
                    and m.end() - at == len(part):
                out.append(Entity("PERSON", at, m.end(), m.group(), 0.7, "email_name"))
            at = low.find(part, at + len(part))
    if not text.isascii():
        skeletons = {k for k in map(_skeleton, parts) if len(k) >= 4}
        for m in _CYR_WORD.finditer(text) if skeletons else ():
            if any(f in skeletons for f in _forms(m.group())):
                out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.7, "email_name"))
    return out
