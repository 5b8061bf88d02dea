"""Given names known by their own grammar: Korean and Chinese hyphenated given names, and the
Tagalog personal article.

- **Hyphenated East-Asian given names** ("Jae-won still blocked", "Hyun-woo Park", "Wen-Hsuan
  Lin", "soo-jin"): both halves are syllables of Korean or Chinese romanisation.  No list holds the
  combinations, but the syllables are few, so a hyphenated word made of two of them (not the same
  one twice: "so-so") is a given name, with a capitalised word after or before it that a surname
  list knows.
- **The Tagalog personal article** ("Sender si Rodel Manalastas", "kay Joy"): "si", "kay", "sina",
  "kina" stand only before people's names.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.prescan import matches_at
from perimeter.privacy.entities import Entity

_SYLLABLES = frozenset(
    """
ah ae bin bo chan chang cheol chul chae da dae do dong doo eun gi gu gyu gyeong ha hae han ho hoon hun hwa hwan
hye hyo hyun hee heon hwi hyuk il in ja jae jang je ji jin jong joo ju jun jung jeong jo ki kyu kyung kang mi min
mo myung na nam ok ra rae ri rin ryung sa sang se seo seok seon seong seung seul shin sik so sol song soo soon su
suk sun sung tae ung won woo wook ya yeon yeong yeol yo yong yoon young yoo yu yul yun byung
wen hsuan mei ling chih chia hsiu hui yi ting hsin hung kuo wei tzu yu pei fang chun chen ming hao jie lan
""".split()  # noqa: SIM905 - a word list reads better as text
)
_HYPHENATED = re.compile(r"(?<![\w\-])(?P<a>[A-Za-z][a-z]{1,5})-(?P<b>[A-Za-z][a-z]{1,5})(?![\w\-])")
_CAP_AFTER = re.compile(r"[ \u00a0]+([A-Z][a-z]{1,12})(?![\w\-])")
_CAP_BEFORE = re.compile(r"(?<![\w\-])([A-Z][a-z]{1,12})[ \u00a0]+$")
_TAGALOG = re.compile(r"(?<![\w\-])(?:si|kay|sina|kina|Si|Kay)[ \u00a0]+(?P<n>[A-Z][a-z'’]+(?:[ \u00a0][A-Z][a-z'’]+){0,2})")


def _hyphenated(text: str) -> list[re.Match[str]]:
    """``list(_HYPHENATED.finditer(text))``, tried only 2-6 characters before each hyphen (where
    every match starts: its first part is that long), not at every letter of the text."""
    starts: list[int] = []
    at = text.find("-")
    while at != -1:
        starts.extend(range(max(0, at - 6, starts[-1] + 1 if starts else 0), at - 1))
        at = text.find("-", at + 1)
    return matches_at(_HYPHENATED, text, starts)


def find_asian_names(text: str) -> list[Entity]:
    out: list[Entity] = []
    if "-" in text:
        for m in _hyphenated(text):
            a, b = m.group("a").lower(), m.group("b").lower()
            if a == b or a not in _SYLLABLES or b not in _SYLLABLES:
                continue
            start, end = m.start(), m.end()
            after = _CAP_AFTER.match(text, end)
            if after is not None and after.group(1).lower() in lexicon.last_names():
                end = after.end()
            else:
                before = _CAP_BEFORE.search(text, max(0, start - 16), start)
                if before is not None and before.group(1).lower() in lexicon.last_names():
                    start = before.start(1)
            out.append(Entity("PERSON", start, end, text[start:end], 0.7, "asian_names"))
    if "si " in text or "kay " in text or "Si " in text or "Kay " in text or "sina " in text or "kina " in text:
        for m in _TAGALOG.finditer(text):
            if m.group("n").lower() not in lexicon.places():
                out.append(Entity("PERSON", m.start("n"), m.end("n"), m.group("n"), 0.7, "asian_names"))
    return out
