"""Cyrillic names known by how a person is spoken to: the name a message opens with before a
greeting, and the patronymic nickname.

- **A vocative before a greeting**: "Рави, добрый день!", "Да, Лиана, привет.", "Хамид, спасибо
  за ответ": a capitalised word that opens a line, a quote or a reply word and is followed by a
  comma and a greeting or a request is the person addressed, whatever the dictionary reads in it
  (Лиана, Рави and Кхоа are in no list; "Роза" and "Надежда" are nouns too).  Words that address a
  group ("Коллеги, добрый день", "Ребята, привет") are left out.
  The name's other mentions in the text, in any case, are the same person.
- **A patronymic nickname** ("Михалыч", "Саныч", "у палыча", "михалычу позвоню"): a word of five
  letters or more ending in "-ыч" in any case is a man called by his father's name; the few
  ordinary words with that ending are shorter ("сыч", "хрыч").
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

_GREETING = (
    r"(?:добрый[ \u00a0]+(?:день|вечер)|доброе[ \u00a0]+утро|здравствуй(?:те)?|привет\w*|приветствую|спасибо|"
    r"благодарю|извини(?:те)?|прости(?:те)?|слушай(?:те)?|смотри(?:те)?|подскажи(?:те)?|напомни(?:те)?|"
    r"скажи(?:те)?|поздравляю|с[ \u00a0]+днём|с[ \u00a0]+днем|рад(?:а)?[ \u00a0]+)"
)
_VOCATIVE = re.compile(
    r"(?:^|[\n\"«„(]|(?<![А-Яа-яЁё])(?:Да|Ну|О|А|Ой|Эй|Алло|Так),)"
    rf"[ \t\u00a0]*(?P<n>[А-ЯЁ][а-яё]{{2,14}}(?:-[А-ЯЁ]?[а-яё]{{2,10}})?),[ \t\u00a0]*(?i:{_GREETING})",
    re.MULTILINE,
)
_GROUPS = frozenset(
    """
коллеги друзья ребята все всем господа дамы девочки девушки мальчики народ дорогие уважаемые да нет ну ок окей
спасибо привет здравствуйте коллега друг подруга мама папа брат сестра бабушка дедушка сынок доченька котик солнце
родные родной родная любимый любимая милый милая дорогой дорогая
""".split()  # noqa: SIM905 - a word list reads better as text
)
_NICKNAME = re.compile(r"(?<![А-Яа-яЁё\-])[А-ЯЁа-яё][а-яё]{2,}(?:ыч|ыча|ычу|ычем|ыче)(?![А-Яа-яЁё\-])")


def find_addressed_names(text: str) -> list[Entity]:
    """PERSON findings for the vocatives and nicknames of the module docstring."""
    out: list[Entity] = []
    if "," in text:
        for m in _VOCATIVE.finditer(text):
            if m.group("n").lower() not in _GROUPS:
                out.append(Entity("PERSON", m.start("n"), m.end("n"), m.group("n"), 0.75, "ru_vocative"))
        out.extend(_other_mentions(text, out))
    if "ыч" in text:
        for m in _NICKNAME.finditer(text):
            out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.7, "ru_vocative"))
    return out


def _other_mentions(text: str, addressed: list[Entity]) -> list[Entity]:
    """The addressed name's other mentions, in any case ending ("для Рави из индийского офиса")."""
    out: list[Entity] = []
    for stem in {e.text[:-1] if len(e.text) >= 5 else e.text for e in addressed}:
        for m in re.finditer(rf"(?<![А-Яа-яЁё\-]){re.escape(stem)}[а-яё]{{0,3}}(?![А-Яа-яЁё\-])", text):
            if not any(e.start == m.start() for e in addressed):
                out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.7, "ru_vocative"))
    return out
