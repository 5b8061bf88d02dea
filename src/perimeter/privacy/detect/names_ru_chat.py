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
from functools import lru_cache

from perimeter.privacy.detect.morph import analyzer
from perimeter.privacy.entities import Entity

_WORD = re.compile(r"(?<![\w\-])[а-яё]{3,}(?![\w\-])")
_INTRO = frozenset({"я", "это", "зовут", "звать"})


@lru_cache(maxsize=65536)
def _name_score(word: str) -> float:
    """Mass of known first-name readings of ``word`` (0 when pymorphy only guesses)."""
    parses = analyzer().parse(word)
    if not parses or not parses[0].is_known:
        return 0.0
    return sum(p.score for p in parses if "Name" in p.tag)


_COLLOQUIAL_PATR = re.compile(r"(?:ыч|ич|вна|чна|лна|нна)$")


@lru_cache(maxsize=65536)
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


_PATR_SHAPE = re.compile(r"(?:вич|вна|ична|ыч|ич|лна|нна|чна)$")
_HEAD_WORDS = frozenset({"привет", "здравствуй", "здравствуйте", "слушай", "короче", "кстати"})


def _at_head(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a clause (a greeting or a filler word aside)."""
    i = start - 1
    while i >= 0 and text[i] in " ,\u00a0":
        i -= 1
    if i < 0 or text[i] in ".!?\n:;()":
        return True
    return text[max(0, i - 11):i + 1].split()[-1].lower() in _HEAD_WORDS


def find_ru_chat_names(text: str) -> list[Entity]:
    """Each word is looked at only where a slot is (a patronymic shape after it, an introduction
    word or a clause head before it): pymorphy is asked about those words alone."""
    out: list[Entity] = []
    words = list(_WORD.finditer(text))
    for k, m in enumerate(words):
        word = m.group()
        nxt = words[k + 1] if k + 1 < len(words) else None
        if nxt is not None and nxt.start() - m.end() <= 2 and _PATR_SHAPE.search(nxt.group()):
            if _name_score(word) >= 0.6 and _patronymic(nxt.group()):
                out.append(Entity("PERSON", m.start(), nxt.end(), text[m.start():nxt.end()], 0.8, "natasha_lower"))
                continue  # "сергей палыч", "анна петровна"
        prev = text[max(0, m.start() - 8):m.start()].split()
        if prev and prev[-1].lower() in _INTRO:
            if _name_score(word) >= 0.45:
                out.append(Entity("PERSON", m.start(), m.end(), word, 0.75, "natasha_lower"))
            continue
        after = text[m.end():m.end() + 1]
        if after in (",", " ") and _at_head(text, m.start()) and _vocative(word):
            if after == "," or (nxt is not None and _imperative(nxt.group())):
                out.append(Entity("PERSON", m.start(), m.end(), word, 0.7, "natasha_lower"))
    return out


@lru_cache(maxsize=65536)
def _imperative(word: str) -> bool:
    return any("impr" in p.tag for p in analyzer().parse(word)[:2])
