"""Russian pet names built with a suffix: "ильдарчик", "с витьком", "у танюхи", "машуля", "оксанке".

Russians name friends, colleagues and family by a first name's stem plus an affectionate or
familiar suffix, in every case: Ильдар → ильдарчик, Витя → витёк → с витьком, Таня → танюха →
у танюхи, Маша → машуля / машулей, Оксана → оксанка → оксанке, Толя → толян, Лена → ленусик.
No dictionary lists these forms (pymorphy3 knows a few, guesses the rest), and in a chat they
come in lower case, so neither the name lists nor the capital-letter rules see them.

A word is such a name when it splits into

* the stem of a first name — a name the lists or pymorphy3 know, read back by adding "а", "я"
  or nothing to the stem ("машул-" → no; "маш-" + "а" = Маша), at least three letters, or two
  before a soft sign ("юл-ь-ка"),
* one of the pet-name suffixes below, and
* a case ending;

and pymorphy3 does not read the whole word as an ordinary word: "танки", "санки", "галочка",
"колечко", "ромашка" are dictionary words first, so they stay text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.morph import analyzer, ordinary_word
from perimeter.privacy.entities import Entity

# Suffix + case ending: the whole tail of the word after the stem (and an optional soft sign).
_TAILS = frozenset((
    "чик", "чика", "чику", "чиком", "чике", "чики",  # ильдарчик, вовчик, рустамчик
    "ик", "ика", "ику", "иком", "ике", "ики",  # тарасик, светик
    "усик", "усика", "усику", "усиком", "усике",  # ленусик
    "ёк", "ек", "ок",  # женёк, санёк (their oblique cases are "-ька", "-ьком", below)
    "ка", "ки", "ке", "ку", "кой", "ком", "кам", "ками", "ках",  # оксанка, фаридке; витька, витьком
    "уля", "ули", "уле", "улю", "улей", "улечка", "улечке", "улечку",  # машуля, машулей
    "уся", "уси", "усе", "усю", "усей", "юся", "юси", "юсе", "юсю", "юсей",  # ленуся, катюся
    "юша", "юши", "юше", "юшу", "юшей", "уша", "уши", "уше", "ушу", "ушей",  # кирюша, андрюша
    "юха", "юхи", "юхе", "юху", "юхой", "уха", "ухи", "ухе", "уху", "ухой",  # танюха, андрюха
    "ян", "яна", "яну", "яном", "яне", "ан", "ана", "ану", "аном", "ане",  # толян, колян
    "ас", "аса", "асу", "асом", "асе", "ос", "оса", "осу", "осом", "осе",  # димас
    "очка", "очки", "очке", "очку", "очкой", "ечка", "ечки", "ечке", "ечку", "ечкой",  # софочка, олечка
    "енька", "еньки", "еньке", "еньку", "енькой", "онька", "оньки", "оньке", "оньку", "онькой",  # настенька
    "юшка", "юшки", "юшке", "юшку", "юшкой", "ушка", "ушки", "ушке", "ушку", "ушкой",  # олюшка, танюшка
    "юня", "юни", "юне", "юню", "юней", "уня", "уни", "уне", "уню", "уней",  # танюня
))
_ENDINGS = tuple(sorted(_TAILS, key=len, reverse=True))
_WORD = re.compile(r"(?<![\w\-])[А-ЯЁа-яё]{4,}(?![\w\-])")
# A "-ком" only after a soft sign: "витьком" is Витёк's, a hard one some "-ок" word's ("родком").
_SOFT_ONLY = frozenset(("ком", "кам", "ками", "ках"))
# Tails that let a two-letter stem through ("юл-ь-ка", "ол-ечка", "ол-юшка").
_LONG_OPENINGS = ("очк", "ечк", "еньк", "оньк", "юшк", "юш", "юс", "юх", "юн")


# Short forms whose "+а" pymorphy3 reads as some other word first: "света" (of "свет", light).
_SHORT_FORM_STEMS = frozenset(("свет",))


@lru_cache(maxsize=8192)
def _name_stem(stem: str) -> bool:
    """Whether ``stem`` is a first name's stem: the name itself, or the name less its final
    "а"/"я" ("маш" of Маша, "тол" of Толя, "ильдар" of Ильдар)."""
    if stem in _SHORT_FORM_STEMS:
        return True
    names = lexicon.cyrillic_first_names()
    for form in (stem, stem + "а", stem + "я"):
        if form in names:
            return True
    morph = analyzer()
    for form in (stem + "а", stem + "я", stem):
        parses = morph.parse(form)
        # the name must be the word's likeliest reading: "рода" is the genitive of "род" first
        if parses and parses[0].is_known and "Name" in parses[0].tag and "nomn" in parses[0].tag:
            return True
    return False


@lru_cache(maxsize=16384)
def pet_name(word: str) -> bool:
    """Whether a lower-case word is a first name's pet form (see the module's docstring)."""
    if not word.endswith(_ENDINGS) or ordinary_word(word):
        return False
    for cut in range(2, len(word) - 1):
        stem, rest = word[:cut], word[cut:]
        soft = rest[0] in "ьъ"
        if soft:
            rest = rest[1:]
        if len(stem) < (2 if soft or rest.startswith(_LONG_OPENINGS) else 3) or rest not in _TAILS:
            continue
        if rest in _SOFT_ONLY and not soft:
            continue
        if _name_stem(stem):
            return True
    return False


# Before a capitalised word: a street or a town's marker, or "в"/"на" (a place: "в Лаврики").
_PLACE_BEFORE = re.compile(r"(?:\b(?:ул|пр|пер|г|пос|д|с|пгт|наб|пл)\.|\b(?:улиц[аеыу]|проспект\w*|шоссе|в|во|на))\s*$",
                           re.IGNORECASE)


def find_pet_names(text: str) -> list[Entity]:
    """Every word of ``text`` that is a first name's pet form, in any case and letter case; a
    capitalised one not in quotes (a brand: шоколад «Алёнка») nor after a place's marker."""
    out: list[Entity] = []
    for m in _WORD.finditer(text):
        word = m.group()
        if word.isupper() and len(word) > 1:
            continue  # an acronym or a shout
        if word[0].isupper() and (text[m.start() - 1:m.start()] in ("«", '"', "“", "„", "'")
                                  or _PLACE_BEFORE.search(text, max(0, m.start() - 12), m.start()) is not None):
            continue
        if pet_name(word.lower()):
            out.append(Entity("PERSON", m.start(), m.end(), word, 0.7, "pet_name"))
    return out
