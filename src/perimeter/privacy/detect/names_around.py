"""What a found name leaves outside its span, and names written beside one another.

- **A surname's initial** after a given name: "Bernadette M., Leeds", "Ahmed K.: fyi …",
  "From: Rajesh K <rajesh.kannan@…>" (no dot, before an address, a bracket, a colon or a comma),
  "Нурлан Б." — the initial identifies together with the name and is part of it;
- **two given names sharing one surname**: "Priya & Arjun Menon", "Sanjay and Meera Iyer" —
  a couple signs a letter or answers an invitation this way;
- **the same name in Chinese, Japanese or Korean script in brackets beside a Latin one**
  ("Wang Xiaoling (王晓玲)", "陈志强（Chen Zhiqiang）");
- **the Latin spelling before a bracketed Cyrillic one** ("Kontoinhaber: Dmitrij Wolkow (Дмитрий
  Волков)"): a form asking for both scripts gives the first right before the second; the
  opposite order is names_links' rule.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.entities import Entity

_INITIAL = re.compile(r"[ \u00a0]([A-ZА-ЯЁ])(?:\.(?![\w.])|(?=[ \u00a0]*(?:<|\[|\(|:[ \u00a0\n]|,|\n|$)))")
_CAP = r"[A-ZА-ЯЁ][a-zа-яёß-öø-ÿ\u0100-\u024f'’]+"
_COUPLE = re.compile(rf"(?<![\w&])({_CAP})[ \u00a0]+(?:&|and|и)[ \u00a0]+({_CAP})[ \u00a0]+({_CAP}(?:-{_CAP})?)(?![\w])")
_LATIN_BEFORE = re.compile(r"([A-Z][a-zß-öø-ÿ\u0100-\u024f'’\-]+(?:[ \u00a0]+[A-Z][a-zß-öø-ÿ\u0100-\u024f'’\-]+){1,2})[ \u00a0]*\($")
_DISPLAY_TURN = re.compile(
    r"^[ \t]*([A-Z][a-z'’\-]+(?:[ \u00a0][A-Z][a-z'’\-]+)?(?:[ \u00a0][A-Z]\.?)?)[ \u00a0]+\[\d{1,2}:\d{2}(?::\d{2})?(?:[ \u00a0]?[AP]M)?\]",
    re.MULTILINE,
)
_CJK = r"[\u4e00-\u9fff\u3400-\u4dbf\uac00-\ud7af\u3040-\u30ff]"
_CJK_NAME = rf"({_CJK}{{2,5}}(?:[ \u00a0·・]{_CJK}{{1,4}})?)"
_CJK_AFTER = re.compile(rf"[ \u00a0]*[（(][ \u00a0]*{_CJK_NAME}[ \u00a0]*[）)]")
_CJK_BEFORE = re.compile(rf"{_CJK_NAME}[ \u00a0]*[（(][ \u00a0]*$")
_LATIN_PATRONYMIC = re.compile(r"[a-z](?:ovich|evich|ovna|evna|ichna|ovych|evych|ivna)$")
_SURNAME_BEFORE = re.compile(r"(?<![\w\-])([A-Z][a-z'’\-]{2,})[ \u00a0]+$")
_NAME_PARTICLE = (
    r"(?:van der|van den|van de|van|von der|von|de la|de los|de|da|das|dos|du|del|della|di|bin|binti|binte|bint|ibn|al|el|ter|ten)"
)
_GIVEN_PARTICLE = re.compile(
    r"(?<![\w\-])([A-Z][a-z'’\-]+(?:[ \u00a0][A-Z][a-z'’\-]+)?)[ \u00a0]+"
    + _NAME_PARTICLE
    + r"[ \u00a0]+[A-Z][a-z'’\-]+(?![\w\-])"
)
# the particle between spaces is in every match (see gates): tried at spaces only
_GIVEN_PARTICLE_GATE = re.compile(r"[ \u00a0]" + _NAME_PARTICLE + r"[ \u00a0]")
# Georgian and Armenian surnames say what they are: "-швили", "-дзе", "-ян"/"-yan", after a given
# name (alone they name streets, metro stations and cafés: "метро Марджанишвили", "Tumanyan Shawarma").
_ETHNIC_SURNAME = re.compile(
    r"(?<![\w\-])[А-ЯЁ][а-яё]+[ \u00a0]+[А-ЯЁ][а-яё]{2,}(?:швили|дзе|ян|янц)(?![\w\-])"
    r"|(?<![\w\-])[A-Z][a-z]+[ \u00a0]+[A-Z][a-z]{2,}(?:shvili|dze|yan|yants)(?![\w\-])"
)
# a match ends with one of these (see gates); "yants" holds "yan", "янц" holds "ян"
_ETHNIC_ENDINGS = ("shvili", "dze", "yan")
_ETHNIC_ENDINGS_RU = ("швили", "дзе", "ян")
# Japanese honorifics written in English ("Watanabe-san confirmed …"): the name they follow is a person's.
_HONORIFIC = re.compile(r"(?<![\w\-])([A-Z][a-z]{2,})-(?:san|sama|sensei|kun|chan)(?![\w\-])")
_CAPITAL_WORD_BEFORE = re.compile(r"[A-ZА-ЯЁ][\w'’\-]*[ \u00a0]+$")
_LOWER_HONORIFIC = re.compile(r"(?<![\w\-])([a-z]{4,})[ \-](?:san|sama|sensei)(?![\w\-])|(?<![\w])(?:mister|mr|mrs|ms)\.?[ ]+([a-z]{4,})(?![\w\-])")
_PATRONYMIC_END = re.compile(r"(?:овна|евна|ична|инична|ович|евич)$")
_CYRILLIC_CAPITAL = re.compile(r"[А-ЯЁ][а-яё]{2,}[ \u00a0]+$")
# A word that ends a couple's line is a thing more often than a surname above this frequency.
_SURNAME_ZIPF = 4.0


def _given(word: str, broad: bool = False) -> bool:
    low = word.lower()
    return (low in lexicon.single_first_names() or low in lexicon.cyrillic_first_names()
            or (broad and low in lexicon.first_names()))


def names_around(text: str, found: list[Entity]) -> list[Entity]:
    """Longer or further PERSON spans read around ``found`` (resolve keeps the longer)."""
    out: list[Entity] = []
    persons = [e for e in found if e.type == "PERSON"]
    for e in persons:
        m = _INITIAL.match(text, e.end)
        if m is not None and _given(e.text.split()[-1]):
            out.append(Entity("PERSON", e.start, m.end(), text[e.start:m.end()], e.score, e.detector))
        if " " in e.text and not e.text.isascii():  # "Dmitrij Wolkow (Дмитрий Волков)"
            lat = _LATIN_BEFORE.search(text, max(0, e.start - 60), e.start)
            if lat is not None:
                out.append(Entity("PERSON", lat.start(1), lat.end(1), lat.group(1), 0.7, "name_link"))
        # "Wang Xiaoling (王晓玲)", "陈志强（Chen Zhiqiang）": the same name in Chinese, Japanese or
        # Korean script right beside it in brackets
        if e.text.isascii() and (after := _CJK_AFTER.match(text, e.end)) is not None:
            out.append(Entity("PERSON", after.start(1), after.end(1), after.group(1), 0.7, "name_link"))
        if e.text.isascii() and (before := _CJK_BEFORE.search(text, max(0, e.start - 16), e.start)) is not None:
            out.append(Entity("PERSON", before.start(1), before.end(1), before.group(1), 0.7, "name_link"))
        # "Omarov Kairat Serikovich": the surname before a Latin given name + patronymic
        if e.text.isascii() and _LATIN_PATRONYMIC.search(e.text) and (sur := _SURNAME_BEFORE.search(
                text, max(0, e.start - 30), e.start)) is not None and lexicon.zipf(sur.group(1).lower()) < lexicon.COMMON_ZIPF:
            out.append(Entity("PERSON", sur.start(1), e.end, text[sur.start(1):e.end], e.score, e.detector))
    if " san" in text or "mister " in text or "mr " in text or "mrs " in text or "ms " in text:
        # lower-case chat: "email takahashi san", "i spoke with mister takahashi" — a surname
        # no dictionary knows, after a title or before an honorific
        for m in _LOWER_HONORIFIC.finditer(text):
            word = m.group(1) or m.group(2)
            if lexicon.zipf(word) < 2.5 and word not in lexicon.common_words():
                s0 = m.start(1) if m.group(1) else m.start(2)
                out.append(Entity("PERSON", s0, s0 + len(word), word, 0.7, "en_names"))
    for e in persons:
        # "Дарима Бадмаевна": a capitalised word before a patronymic is the given name no list held
        if " " not in e.text and _PATRONYMIC_END.search(e.text) and (g := _CAPITAL_WORD_BEFORE.search(
                text, max(0, e.start - 24), e.start)) is not None and _CYRILLIC_CAPITAL.match(g.group()):
            out.append(Entity("PERSON", g.start(), e.end, text[g.start():e.end], e.score, e.detector))
    if "-san" in text or "-sama" in text or "-sensei" in text or "-kun" in text:
        for m in _HONORIFIC.finditer(text):
            if lexicon.zipf(m.group(1).lower()) < _SURNAME_ZIPF:  # "Nakamura-san", not "Team-san"
                out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.75, "en_names"))
    if "[" in text:  # a chat export's display names: "Priya S [02:14] paging, …"
        turns = list(_DISPLAY_TURN.finditer(text))
        if len(turns) >= 2 or (turns and _given(turns[0].group(1).split()[0], True)):
            out.extend(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.75, "speaker") for m in turns)
    for m in _GIVEN_PARTICLE.finditer(text) if _GIVEN_PARTICLE_GATE.search(text) else ():  # "Pieter van der Berg", "Farah Nabila binti Ismail"
        if _given(m.group(1).split()[0], True):
            out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.75, "en_names"))
    ethnic = _ETHNIC_ENDINGS if text.isascii() else _ETHNIC_ENDINGS + _ETHNIC_ENDINGS_RU
    for m in _ETHNIC_SURNAME.finditer(text) if any(x in text for x in ethnic) else ():  # "Теоны Маргвелашвили", "Hovhannes Sargsyan"
        out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.75, "en_names"))
    if "&" in text or " and " in text or " и " in text:
        for m in _COUPLE.finditer(text):
            first, second, surname = m.group(1), m.group(2), m.group(3)
            if _CAPITAL_WORD_BEFORE.search(text, max(0, m.start() - 30), m.start()) is not None:
                continue  # "Morgan Stanley and Merrill Lynch": the first is a name's second word
            if not (_given(first, True) and _given(second, True) and (_given(first) or _given(second))) or _given(surname):
                continue
            head = surname.split("-")[0].lower()
            if lexicon.zipf(head) >= _SURNAME_ZIPF or (head not in lexicon.last_names() and lexicon.zipf(head) >= lexicon.COMMON_ZIPF):
                continue  # "Mark & Paul Street", "Jack & Jill Nursery": a place or a thing after two names
            out.append(Entity("PERSON", m.start(1), m.end(1), first, 0.7, "name_link"))
            out.append(Entity("PERSON", m.start(2), m.end(3), text[m.start(2):m.end(3)], 0.7, "name_link"))
    return out
