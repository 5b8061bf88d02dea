"""Lone given names in lower case in a chat: "ask deepa", "gaurav and shreya are on it", "нурик скинул".

Chat, SMS and voice-to-text are written in lower case, and there a first name often comes alone,
with no cue word a rule could key on ("kwame pushed the fix", "asked wojtek", "асель в отпуске").
A capital-letter rule never sees it, the cue rules see a few, and the tagger wants near-certainty
for a lower-case word.  What tells such a name from a word is the word itself:

* Latin: a given name the lists know that is rare as an English word (Zipf < 2.5: "deepa",
  "wojtek", "xochitl"; not "will", "mark", "grace", "bill"), three letters at least;
* Cyrillic: a given name the lists know that pymorphy3 reads as nothing but a name ("асель",
  "лена"; not "роза", "лев", "лилия", "лада", which are words too);

and only in a text written like a chat: no capital letter at all, or two sentences or lines
at least that open in lower case.  Inside e-mail addresses, URLs, paths, identifiers and code
(a neighbour "_", ".", "/", "@", "=", "-" or a digit) a word is no lone name.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.morph import analyzer
from perimeter.privacy.entities import Entity

_WORD = re.compile(r"(?<![\w@./\\=\-'’#$%&*+<>\[])[a-zа-яё]{3,20}(?![\w@/\\=\-'’#$%&*+\[(]|\.\w)")
# A sentence or a line that opens in lower case, after its sentence end or line break (a class
# first, so CPython skips ahead in C; the text's own start is looked at apart).
_LOWER_START = re.compile(r"(?:[.!?][ \t]+|\n[ \t]*(?:[-*•>][ \t]*)?)[a-zа-яё]")
_LOWER_LETTER = re.compile(r"[a-zа-яё]")
# Rare enough as an English word: given names that English text uses mostly as names ("priya",
# "brenda", "sanjay": Zipf 2.5-3.7 because they are names) — the words among them ("brandy",
# "hazel", "fang") are in _NOT_LONE; "grace", "mark", "bill" (Zipf 4+) never pass.
_LATIN_RARE = 3.7
_STREET_BEFORE = re.compile(r"(?<![а-яё])(?:улиц[аеуы]|ул\.?|проспект[аеу]?|пр\.|переул[оке]к?|площад[ьи]|метро|имени|им\.)[ \t]+$")
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|this|that|these|those|our|your|their|its|every|each)[ \t]+$")
#: Given names that are words of a chat too: "dev" (developer), "bob" (a haircut), "van" …
_NOT_LONE = frozenset(
    """
dev max sam ana eva ken don ray art pat sol jan kim lee ron ali van bob tom tim jon dan sue ben gus
mia ida joy eve guy rob bud ted ned hal les lou val viv zak ada ivy kit lin may rey ren ash
алиса маруся салют siri alexa alice
brandy sherry fern opal hazel laurel myrtle garland misty dolly patty curt rosemary ming nana kermit fang
semen ebony viola sultan jasper merle goldie dixie cara mona pasha lana jing ling yong
""".split()  # noqa: SIM905 - a word list reads better as text
)


def _also_a_word(lw: str) -> bool:
    """Whether pymorphy3 reads the word as anything but a name with some weight ("роза", "лев",
    "лилия", "лада"): a lone lower-case one is that word."""
    return any(p.is_known and p.score >= 0.1 and not any(g in p.tag for g in ("Name", "Surn", "Patr"))
               for p in analyzer().parse(lw))


def _chatty(text: str) -> bool:
    """No capital at all, or two sentences or lines that open in lower case (the text's start
    counting as one such opening)."""
    if not any(c.isupper() for c in text):
        return True
    opens = 1 if _LOWER_LETTER.match(text) else 0
    return opens + len(_LOWER_START.findall(text)) >= 2


def find_lone_lower_names(text: str) -> list[Entity]:
    """Lower-case given names standing alone in a chat-shaped text (see the module's docstring)."""
    if not _chatty(text):
        return []
    out: list[Entity] = []
    first_latin = lexicon.single_first_names()
    short_latin = lexicon.read("first_names")  # three letters: the census list only ("ivo"; not "sys")
    first_cyrillic = lexicon.cyrillic_first_names()
    for m in _WORD.finditer(text):
        w = m.group()
        if w in _NOT_LONE or text.startswith((" dot ", " at "), m.end()):
            continue  # "emiko dot sato at …": an e-mail read aloud
        if _DETERMINER_BEFORE.search(text, max(0, m.start() - 8), m.start()) is not None:
            continue  # "the okta procedure": a thing
        if _STREET_BEFORE.search(text, max(0, m.start() - 12), m.start()) is not None:
            continue  # "улица габдуллы тукая": a street named after someone
        if w.isascii():
            if w not in first_latin or lexicon.zipf(w) >= _LATIN_RARE or (len(w) == 3 and w not in short_latin):
                continue
        elif w not in first_cyrillic or _also_a_word(w):
            continue
        out.append(Entity("PERSON", m.start(), m.end(), w, 0.65, "lone_lower"))
    return out


_LOWER_PAIR = re.compile(r"(?<![\w@./\\=\-'’#$%&*+<>\[])(?P<g>[a-z]{3,15})[ \t](?P<f>(?:mc|mac|o')?[a-z]{3,20})(?![\w@/\\=\-'’])")
_PAIR_FIRST_ZIPF = 3.5  # "bree", "marco": given names that are rare words ("lemon", "grace" are not)
_PAIR_LAST_ZIPF = 3.5  # "mcallister", "okafor": surnames that are rare words ("brown", "white" are not)


def find_lower_full_names(text: str) -> list[Entity]:
    """A given name and a surname in lower case ("bree mcallister unit 4 …", "ask tomasz nowak"):
    a given name the lists know, then a surname the lists know that is a rare English word."""
    if not any(c.islower() for c in text):
        return []
    out: list[Entity] = []
    first, last = lexicon.first_names(), lexicon.last_names()
    for m in _LOWER_PAIR.finditer(text):
        g, f = m.group("g"), m.group("f")
        if g in _NOT_LONE or f in _NOT_LONE or g not in first or f not in last:
            continue
        if lexicon.zipf(g) >= _PAIR_FIRST_ZIPF or lexicon.zipf(f) >= _PAIR_LAST_ZIPF:
            continue
        if _DETERMINER_BEFORE.search(text, max(0, m.start() - 8), m.start()) is not None:
            continue
        out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.7, "lone_lower"))
    return out
