"""Names that lean on a name already found: the same person written again, or a name's tail.

- **The other script** in brackets or after a slash: "KOZLOVA (Козлова)", "Козлов Максим
  Андреевич / KOZLOV MAKSIM", "Aleksandr Vasilenko (Александр Василенко)" — a form that asks for
  both spellings gives the second right after the first;
- **Turkic patronymic markers** after a patronymic: "Исмаилов Ильхам Рауф оглы", "… Эльдар кызы"
  (оглы, кызы, улы, уулу, qizi, oglu are part of the name).
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_WORDS = r"(?:[A-ZА-ЯЁ][\w'’\-]*\.?)(?:[ \u00a0]+[A-ZА-ЯЁ][\w'’\-]*\.?){0,3}"
# "(Козлова)" closed right after the name, or "/ KOZLOV MAKSIM" up to the end of the line or a comma.
_OTHER = re.compile(rf"[ \u00a0]*(?:\([ \u00a0]*({_WORDS})[ \u00a0]*\)|/[ \u00a0]*({_WORDS})(?=[ \u00a0]*(?:$|[\n,;)])))", re.MULTILINE)
_MARKER = re.compile(r"[ \u00a0]+(?:оглы|кызы|улы|уулу|кизи|угли|qizi|oglu|ogly|kyzy|uly)(?![\w])", re.IGNORECASE)


def _script(s: str) -> str:
    for ch in s:
        if "а" <= ch.lower() <= "я" or ch in "ёЁ":
            return "cyr"
        if ch.isalpha():
            return "lat"
    return ""


def linked_names(text: str, found: list[Entity]) -> list[Entity]:
    out: list[Entity] = []
    for e in found:
        if e.type != "PERSON":
            continue
        m = _OTHER.match(text, e.end)
        g = 1 if m is not None and m.group(1) else 2
        if m is not None and _script(m.group(g)) not in ("", _script(e.text)):
            out.append(Entity("PERSON", m.start(g), m.end(g), m.group(g), 0.8, e.detector))
        t = _MARKER.match(text, e.end)
        if t is not None:
            out.append(Entity("PERSON", e.start, t.end(), text[e.start:t.end()], e.score, e.detector))
    return out
