"""A found name spelt out letter by letter: "It's Nwachukwu. N-W-A-C-H-U-K-W-U.", "Pooja
Chakraborty. C-H-A-K-R-A-B-O-R-T-Y.", "that's O-B-R-I-E-N".

Call centres and voice bots ask a caller to spell the name they have just said; the spelling is
the name as much as the word is, and no word pattern reads it.  A run of four or more single
letters joined by hyphens, dots or spaces is the person when its letters spell a name found in
the same text (an apostrophe or a space in the name aside: O'Brien → OBRIEN) or a word of the
local part of one of its e-mail addresses.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

# the class first (the look-behind after it) so the engine skips ahead to letters that could start a run
_SPELT = re.compile(
    r"(?:[A-Z](?<![\w\-.'’][A-Z])(?:(?:[ \-.]|\. )[A-Z]){3,}|[a-z](?<![\w\-.'’][a-z])(?:(?:[ \-.]|\. )[a-z]){3,})(?![\w\-])"
)
_NOT_LETTERS = re.compile(r"[^a-zà-öø-ÿ]")
# Every _SPELT match holds "S L S L S" (S: a separator, L: one letter): its second and third letters
# with the separators around them.  A class of three characters first, so this one pass is a
# quarter of _SPELT's (which starts at every letter) and almost every text fails it.
_SPELT_GATE = re.compile(r"[ \-.][A-Za-z](?:[ \-.]|\. )[A-Za-z][ \-.]")


def spelt_names(text: str, found: list[Entity]) -> list[Entity]:
    """PERSON findings for spellings of names in ``found``."""
    if _SPELT_GATE.search(text) is None:
        return []
    runs = [m for m in _SPELT.finditer(text) if len(_NOT_LETTERS.sub("", m.group().lower())) >= 4]
    if not runs:
        return []
    names: set[str] = set()
    for e in found:
        if e.type == "PERSON":
            low = e.text.lower()
            names.update(_NOT_LETTERS.sub("", w) for w in low.split())
            names.add(_NOT_LETTERS.sub("", low))
        elif e.type == "EMAIL":  # "liam dot obrien at bigpond dot com, that's O-B-R-I-E-N"
            local = re.split(r"@| at |\[at\]", e.text.lower())[0]
            names.update(w for w in re.split(r"[^a-z]+| dot ", local) if len(w) >= 4)
    names.discard("")
    return [Entity("PERSON", m.start(), m.end(), m.group(), 0.8, "spelt_name")
            for m in runs if _NOT_LETTERS.sub("", m.group().lower()) in names]
