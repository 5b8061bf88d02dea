"""Russian first names typed in lower case in chat, found by the slot of a greeting or an
introduction — pymorphy3 knows every such word as a first name (Name), in any case.

- **Introductions**: "я даша с 3 курса", "это лёва из саппорта", "меня зовут оля";
- **Address at the head of a clause**: "наташ, подмени меня", "серёж скинь …" — the truncated
  vocative of chat (Наташа → наташ, Серёжа → серёж) or the full name before a comma;
- **A first name with a patronymic**, the colloquial one included ("сергей палыч", "анна
  петровна"), which needs no cue at all.

A word counts only when pymorphy knows it (a dictionary word, not a guess: "плиз" is no name)
and its first-name reading outweighs every other.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect.morph import analyzer
from perimeter.privacy.entities import Entity

_WORD = re.compile(r"(?<![\w\-])[а-яё]{3,}(?![\w\-])")
_INTRO = frozenset({"я", "это", "зовут", "звать"})
_HEAD = re.compile(r"(?:^|[.!?\n:;)(]|привет|здравствуй|слушай|короче|кстати)[ ,\u00a0]*$")


def _name_score(word: str) -> float:
    """Mass of known first-name readings of ``word`` (0 when pymorphy only guesses)."""
    parses = analyzer().parse(word)
    if not parses or not parses[0].is_known:
        return 0.0
    return sum(p.score for p in parses if "Name" in p.tag)


_COLLOQUIAL_PATR = re.compile(r"(?:ыч|ич|вна|чна|лна|нна)$")


def _patronymic(word: str) -> bool:
    """A patronymic, the spoken forms pymorphy does not list included ("михална", "саныч")."""
    parses = analyzer().parse(word)
    if not parses:
        return False
    if not parses[0].is_known:
        return _COLLOQUIAL_PATR.search(word) is not None
    return any("Patr" in p.tag for p in parses[:2])


def _vocative(word: str) -> bool:
    """"наташ" (Наташа), "серёж" (Серёжа), "вить" (Витя): the chat vocative, or a full name."""
    if _name_score(word) >= 0.6:
        return True
    if word.endswith("ь"):
        return _name_score(word[:-1] + "я") >= 0.6
    return _name_score(word + "а") >= 0.6 or _name_score(word + "я") >= 0.6


def find_ru_chat_names(text: str) -> list[Entity]:
    out: list[Entity] = []
    words = list(_WORD.finditer(text))
    for k, m in enumerate(words):
        word = m.group()
        prev = text[max(0, m.start() - 8):m.start()].split()
        before = prev[-1].lower().strip(",—–-") if prev else ""
        after = text[m.end():m.end() + 2]
        end = m.end()
        if k + 1 < len(words) and words[k + 1].start() - m.end() <= 2 and _name_score(word) >= 0.6 and _patronymic(words[k + 1].group()):
            end = words[k + 1].end()  # "сергей палыч", "анна петровна"
            out.append(Entity("PERSON", m.start(), end, text[m.start():end], 0.8, "natasha_lower"))
            continue
        if before in _INTRO and _name_score(word) >= 0.45:
            out.append(Entity("PERSON", m.start(), end, word, 0.75, "natasha_lower"))
        elif (after.startswith(",") or after[:1] == " ") and _HEAD.search(text, max(0, m.start() - 16), m.start()) and _vocative(word):
            nxt = words[k + 1].group() if k + 1 < len(words) else ""
            if after.startswith(",") or (nxt and _imperative(nxt)):
                out.append(Entity("PERSON", m.start(), end, word, 0.7, "natasha_lower"))
    return out


def _imperative(word: str) -> bool:
    return any("impr" in p.tag for p in analyzer().parse(word)[:2])
