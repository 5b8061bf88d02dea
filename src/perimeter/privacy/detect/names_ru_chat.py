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
from bisect import bisect_left
from functools import lru_cache

from perimeter.privacy.detect import folded_re
from perimeter.privacy.detect.morph import analyzer
from perimeter.privacy.detect.names_ru_cues import EAST_ASIAN_FAMILIES
from perimeter.privacy.detect.ru_profile import noun_mass, word_profile
from perimeter.privacy.entities import Entity

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


_PAIR = re.compile(r"(?<![\w\-])([а-яё]{3,})[ \u00a0]{1,2}([а-яё]{3,}(?:вич|вна|ична|ыч|ич|лна|нна|чна))(?![\w\-])")
_AFTER_INTRO = re.compile(r"(?<![\w\-])(?:я|это|зовут|звать)[ \u00a0]+([а-яё]{3,})(?![\w\-])", re.IGNORECASE)
_AT_HEAD = re.compile(
    r"(?:^|[.!?\n:;()]|привет|здравствуй|здравствуйте|слушай|короче|кстати)[ ,\u00a0]*([а-яё]{3,})(?=[, ])",
    re.MULTILINE,
)
_NEXT_WORD = re.compile(r"[ \u00a0]+([а-яё]+)")
_GREETINGS = frozenset({"привет", "приветик", "здравствуй", "здравствуйте", "здорово", "салам", "хай", "добрый", "доброе"})


def find_ru_chat_names(text: str) -> list[Entity]:
    """Three passes find the slots (a patronymic shape after a word, an introduction word or a
    clause head before it); pymorphy is asked about those words alone."""
    out: list[Entity] = []
    for m in _PAIR.finditer(text):
        if _name_score(m.group(1)) >= 0.6 and _patronymic(m.group(2)):
            out.append(Entity("PERSON", m.start(1), m.end(2), text[m.start(1):m.end(2)], 0.8, "natasha_lower"))
    for m in folded_re.finditer(_AFTER_INTRO, text):
        if _name_score(m.group(1)) >= 0.45:
            out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.75, "natasha_lower"))
    for m in _AT_HEAD.finditer(text):
        word = m.group(1)
        if word in _INTRO or not _vocative(word):
            continue
        nxt = _NEXT_WORD.match(text, m.end(1))
        # "айдар, …", "айдар скинь …", "айдар привет, …": a name called before what is said to him
        if text[m.end(1)] == "," or (nxt is not None and (_imperative(nxt.group(1)) or nxt.group(1) in _GREETINGS)):
            out.append(Entity("PERSON", m.start(1), m.end(1), word, 0.7, "natasha_lower"))
    out.extend(find_plain_lower_names(text))
    return out


@lru_cache(maxsize=65536)
def _imperative(word: str) -> bool:
    return any("impr" in p.tag for p in analyzer().parse(word)[:2])


# --- Lower-case first names with no cue at all, in text typed as chat ("перешли пж тане мой
# номер", "с димой договорились", "серёга опять скинул"): pymorphy's dictionary (OpenCorpora) lists the
# colloquial and diminutive forms too (Лёха, Серёга, Ксюша, Алёнка), tagged Name, in every case.
# A word counts when its first-name readings outweigh the rest and no other reading is common
# enough to be what a lower-case word usually is: "вера", "надежда", "слава", "роза", "лев",
# "марта" (March), "жене" (wife) have a common-noun reading of 0.3 or more and are left to the
# slot rules.  Places (Geox) and surnames do not count against a name: "тане" is also a river.
_LOWER_RU = re.compile(r"(?<![А-Яа-яЁёA-Za-z\-])[а-яё]{3,}+(?![А-Яа-яЁёA-Za-z\-])")
_NOT_MINE = frozenset({"Geox", "Orgn", "Surn", "Patr", "Trad"})


@lru_cache(maxsize=65536)
def _plain_name(word: str) -> float:
    """The first-name mass of a lower-case word when nothing common competes with it, else 0."""
    parses = analyzer().parse(word)
    if not parses or not parses[0].is_known:
        return 0.0
    name = other = 0.0
    for p in parses:
        if "Name" in p.tag:
            # an indeclinable name (Fixd) fits every case at once and outweighs the word's own
            # reading by count alone: "доку" (a doc), "нику" (a nickname) are no chat names
            name += 0.0 if "Fixd" in p.tag else p.score
        elif not (_NOT_MINE & p.tag.grammemes):
            other += p.score
    return name if other < 0.3 else 0.0


@lru_cache(maxsize=65536)
def _name_over_noun(word: str) -> bool:
    """A first-name reading at least as likely as every other ("алёнки", not "верой")."""
    parses = analyzer().parse(word)
    if not parses or not parses[0].is_known:
        return False
    name = sum(p.score for p in parses if "Name" in p.tag)
    other = sum(p.score for p in parses if not ({"Name"} | _NOT_MINE) & p.tag.grammemes)
    return name > 0 and name >= other


@lru_cache(maxsize=65536)
def _lower_surname(word: str) -> bool:
    """"кузнецова", "пака" (Пак): a surname after a lower-case first name."""
    _name, surn, _patr, _place, known = word_profile(word.capitalize())
    if known and surn >= 0.4 and noun_mass(word.capitalize()) < 0.3:
        return True
    return any(word[:cut].capitalize() in EAST_ASIAN_FAMILIES for cut in (len(word), -1, -2, -3) if len(word[:cut]) >= 3)


# "для меня и алёнки", "мы с ленкой": a word joined to the speaker is a person when a name is
# its likeliest reading ("мы с надеждой смотрим" is hope).
_WITH_ME = re.compile(r"(?:меня|мне|мной|нас|нам|нами|я|мы)[ \u00a0]+(?:и|с|со)[ \u00a0]+([а-яё]{3,})(?![А-Яа-яЁё\-])", re.IGNORECASE)
_NEXT_LOWER = re.compile(r"[ \u00a0]+([а-яё]{3,})(?![А-Яа-яЁёA-Za-z\-])")


def _word_start(text: str, end: int) -> int:
    i = end
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return i


def _chat(text: str) -> bool:
    """Typed as chat: a line or a sentence opens with a lower-case letter.  Formal text (a form,
    a contract, a letter) capitalises its names, and the rules for capitals cover it."""
    first = text.lstrip()[:1]
    return ("а" <= first <= "я" or first == "ё") or _LOWER_LINE.search(text) is not None or _LOWER_SENTENCE.search(text) is not None


_LOWER_LINE = re.compile(r"\n[ \t\-*•>]*[а-яё]")
_LOWER_SENTENCE = re.compile(r"[.!?)][ \t]+[а-яё]")


def find_plain_lower_names(text: str) -> list[Entity]:
    out: list[Entity] = []
    # the distinct words first (one C pass and cached look-ups); most texts hold no such name
    names = {w for w in set(_LOWER_RU.findall(text)) if _plain_name(w) >= 0.45} if _chat(text) else set()
    for m in _LOWER_RU.finditer(text) if names else ():
        if m.group() not in names:
            continue
        word = m.group()
        if m.start() and (text[m.start() - 1].isalpha() or text[m.start() - 1] == "-"):
            continue  # the tail of a capitalised or hyphenated word
        if _plain_name(word) < 0.45:
            continue
        after = text[m.end():m.end() + 2]
        if (after[:1] == "." and after[1:2].strip(" \n") != "") or after in (" «", ' "', " “"):
            continue  # "Берёзовая алл., д. 5": an abbreviation; "раф «Алёнка»": a product
        end = m.end()
        nxt = _NEXT_LOWER.match(text, end)
        if nxt is not None and _lower_surname(nxt.group(1)):
            end = nxt.end(1)
        out.append(Entity("PERSON", m.start(), end, text[m.start():end], 0.7, "natasha_lower"))
    for joint in (" и ", " с ", " со "):
        at = text.find(joint)
        while at != -1:
            w = _WITH_ME.match(text, _word_start(text, at))
            if w is not None and w.group(1).islower() and _name_over_noun(w.group(1)):
                out.append(Entity("PERSON", w.start(1), w.end(1), w.group(1), 0.7, "natasha_lower"))
            at = text.find(joint, at + 1)
    return out


# "я платила 15, лена 12, катя 9": items of one list are of one kind — when one item's word is a
# name found otherwise, the other items' words with a first-name reading are names too.
_PARALLEL_ITEM = re.compile(r"(?<![А-Яа-яЁё\-])([а-яё]{3,}+)[ \u00a0]+\d[\d.,]*(?:[ \u00a0]*[а-яё₽$€%]{0,4})?(?=[ \u00a0]*(?:,|;|$|\n| и ))", re.MULTILINE)


def parallel_lower_names(text: str, found: list[Entity]) -> list[Entity]:
    spans = [(e.start, e.end) for e in found if e.type == "PERSON"]
    # a found lower-case name with a number after it opens such a list
    if not any(text[s:s + 1].islower() and text[e:e + 2][-1:].isdigit() for s, e in spans):
        return []
    items = [m for m in _PARALLEL_ITEM.finditer(text) if not (m.start() and (text[m.start() - 1].isalpha() or text[m.start() - 1] == "-"))]
    if len(items) < 2:
        return []
    name_starts = {a for a, _ in spans}  # the item's word opens a found name
    hit = [m for m in items if m.start(1) in name_starts]
    if not hit:
        return []
    hit_starts = [h.start() for h in hit]
    hit_set = set(hit_starts)
    out = []
    for m in items:
        if m.start() in hit_set:
            continue
        i = bisect_left(hit_starts, m.start() - 40)  # a found item within 40 characters
        near = i < len(hit_starts) and hit_starts[i] <= m.start() + 40
        parses = analyzer().parse(m.group(1))
        if near and any("Name" in p.tag and p.score >= 0.1 for p in parses):
            out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.65, "natasha_lower"))
    return out
