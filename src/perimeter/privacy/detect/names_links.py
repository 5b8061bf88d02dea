"""Names that lean on a name already found: the same person written again, or a name's tail.

- **The other script** in brackets or after a slash: "KOZLOVA (Козлова)", "Козлов Максим
  Андреевич / KOZLOV MAKSIM", "Aleksandr Vasilenko (Александр Василенко)" — a form that asks for
  both spellings gives the second right after the first;
- **Turkic patronymic markers** after a patronymic: "Исмаилов Ильхам Рауф оглы", "… Эльдар кызы"
  (оглы, кызы, улы, уулу, qizi, oglu are part of the name);
- **a coordinated name**: "Олег и Света", "с ленкой и катей" — a word with a first-name reading
  joined by "и"/"and" to a found name;
- **the rest of the name around a part found alone**: a surname particle and what follows it
  ("Santos dela Cruz"), a word that no English or Russian dictionary knows right before it
  ("Ikechukwu Nnamdi", "Oleksandr Bondar" after "Kateryna Bondar"), the surname before a found
  first name and patronymic ("кравец анастасия олеговна", "Жураўского Алеся Міхайлавіча");
- **the person on a mailing line**: "jean-baptiste lefèvre, 12 rue de la roquette, 75011 paris" —
  the words before an address on its line, when the first is a given name.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.ru_profile import word_profile
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


_AND_NEXT = re.compile(r"[ \u00a0]+(?:и|или|and|&)[ \u00a0]+([^\W\d_][\w'’\-]*)")
_PARTICLE_NEXT = re.compile(
    r"[ \u00a0]+((?:de|dela|del|della|de la|de los|delos|da|das|dos|do|di|du|van|van der|von|der|den|le|la|bin|ibn|"
    r"al|el|ter|ten)[ \u00a0]+[A-ZÀ-ÖØ-Þ][\w'’\-]+)"
)
def _word_before(text: str, start: int) -> tuple[str, int] | None:
    """The word right before ``start`` across one space, and where it starts."""
    if start < 2 or text[start - 1] not in " \u00a0":
        return None
    i = start - 1
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_'’-"):
        j -= 1
    word = text[j:i]
    if not word or not word[0].isalpha():
        return None
    return word, j
_SURNAME_END = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|цкий|ская|цкая|ского|цкого|ской|цкой|енко|ук|юк|ко|ич|швили|дзе|ян|"
    r"ець|ец|ів|ова|оў|еў|аў)$",
    re.IGNORECASE,
)
_MAIL_HEAD = re.compile(r"(?:^|\n)[ \t]*([^\W\d_][\w'’\-]*(?:[ \u00a0]+[\w'’\-]+){1,3})[ \t]*,[ \t]*$")


def _given_name(word: str) -> bool:
    low = word.lower()
    if low.isascii() or all(ord(ch) < 0x250 for ch in low):
        return _fold(low) in lexicon.first_names() or any(_fold(p) in lexicon.first_names() for p in low.split("-"))
    return word_profile(word.capitalize())[0] > 0.0 or low in lexicon.cyrillic_first_names()


def _fold(word: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def _stranger(word: str) -> bool:
    """A capitalised word that is a name part rather than a word of the language around it."""
    if not word[:1].isupper() or len(word) < 3:
        return False
    if word.isascii() or all(ord(ch) < 0x250 for ch in word):
        low = word.lower()
        return low in lexicon.first_names() or lexicon.zipf(low) < 2.5
    name, surn, patr, place, known = word_profile(word)
    return name + surn + patr > 0.3 or (not known and place < 0.3)


# "ФЕДОТОВА А.И.", "Шишкин-Лаптев Е.В.": a surname with initials, in capitals or glued together.
_INITIALS = re.compile(r"(?<![\w\-])([А-ЯЁ][А-ЯЁа-яё]+(?:-[А-ЯЁ][А-ЯЁа-яё]+)?)[ \u00a0]+[А-ЯЁ]\.[ \u00a0]?[А-ЯЁ]\.")
_INITIALS_FIRST = re.compile(r"(?<![\w.\-])[А-ЯЁ]\.[ \u00a0]?(?:[А-ЯЁ]\.[ \u00a0]?)?([А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)(?![\w\-])")
_LATIN_INITIALS = re.compile(
    r"(?<![\w\-])[A-Z][a-z]+(?:ova|eva|ina|yeva|ov|ev|yev|in|sky|skiy|skaya|enko|uk|yuk|yan|dze|shvili|ova-[A-Z][a-z]+)"
    r"[ \u00a0]+[A-Z]\.[ \u00a0]?[A-Z]\.(?![\w])"
)
_NAME_FROM_DEPT = re.compile(
    r"(?<![\w\-])([А-ЯЁ][а-яё]+)[ \u00a0]+из[ \u00a0]+(?:\w*отдел\w*|бухгалтери\w|кадров|канцеляри\w|приёмной|приемной|"
    r"дирекци\w|департамент\w*|управлени\w|службы|команды|поддержки|юрслужбы|финслужбы)"
)


def ru_initials_and_departments(text: str) -> list[Entity]:
    out = []
    if ". " in text or "." in text:
        for m in _INITIALS.finditer(text):
            word = m.group(1)
            cap = word.capitalize() if word.isupper() else word
            if _SURNAME_END.search(word) or word_profile(cap)[1] > 0.3:
                out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.85, "natasha"))
        for m in _INITIALS_FIRST.finditer(text):  # "автор: Р. Мингазов", "Р.Т. Мингазов"
            word = m.group(1)
            quoted = text[max(0, m.start() - 24):m.start()]
            if quoted.count("«") > quoted.count("»"):
                continue  # «Сырок Б.Ю. Александров»: a brand in quotes
            if _SURNAME_END.search(word) or word_profile(word)[1] > 0.5:
                out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.8, "natasha"))
        for m in _LATIN_INITIALS.finditer(text):  # "гл. бух. Ermolaeva O.S.": a transliterated surname
            out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.8, "natasha"))
    if " из " in text:
        for m in _NAME_FROM_DEPT.finditer(text):
            if word_profile(m.group(1))[0] > 0.2:  # "Надежде из финотдела": a first-name reading is enough here
                out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.75, "natasha"))
    return out


def latin_mentions(text: str, found: list[Entity]) -> list[Entity]:
    """Later (or earlier) bare mentions of a part of a Latin-script name found whole by any
    detector ("Kateryna Bondar, Oleksandr Bondar" once a column typed the first)."""
    parts = {
        p for e in found if e.type == "PERSON" and e.detector != "en_names" and " " in e.text and e.text.isascii()
        for p in e.text.split() if len(p) > 2 and p[:1].isupper() and p[1:].islower() and lexicon.zipf(p) < 3.5
    }
    if not parts:
        return []
    covered = [(e.start, e.end) for e in found if e.type == "PERSON"]
    out = []
    for part in parts:  # str.find: a pattern made of this text's names would be compiled per call
        at = text.find(part)
        while at != -1:
            end = at + len(part)
            whole = (not at or not (text[at - 1].isalnum() or text[at - 1] in "'’-")) and (
                end == len(text) or not (text[end].isalnum() or text[end] in "'’-")
            )
            if whole and not any(a <= at < b for a, b in covered):
                out.append(Entity("PERSON", at, end, part, 0.7, "name_link"))
            at = text.find(part, end)
    return out


def more_of_names(text: str, found: list[Entity]) -> list[Entity]:
    out: list[Entity] = []
    for e in found:
        if e.type == "ADDRESS":
            m = _MAIL_HEAD.search(text, max(0, e.start - 80), e.start)
            if m is not None and _given_name(m.group(1).split()[0]):
                out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.7, "name_link"))
            continue
        if e.type != "PERSON":
            continue
        m = _AND_NEXT.match(text, e.end)
        if m is not None and _given_name(m.group(1)) and m.group(1)[:1].isupper() == e.text[:1].isupper():
            out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.7, "name_link"))
        m = _PARTICLE_NEXT.match(text, e.end)
        if m is not None and e.text[:1].isupper():
            out.append(Entity("PERSON", e.start, m.end(1), text[e.start:m.end(1)], e.score, e.detector))
        wb = _word_before(text, e.start)
        if wb is None:
            continue
        word, wstart = wb
        parts = e.text.split()
        # "Ikechukwu Nnamdi": an unknown word before a name found alone; "кравец анастасия олеговна":
        # a surname before a given name and patronymic
        glued_first = word[:1].isupper() and len(parts) == 1 and _stranger(word) and text[wstart - 1:wstart] not in ("'", "’")
        surname_first = len(parts) == 2 and word[:1].isupper() == parts[0][:1].isupper() and bool(_SURNAME_END.search(word)) and (
            word_profile(parts[1].capitalize())[2] > 0.3 or parts[1].lower().endswith(("вна", "вич", "віча", "вича", "ична", "ічна"))
        )
        if glued_first or surname_first:
            out.append(Entity("PERSON", wstart, e.end, text[wstart:e.end], e.score, e.detector))
    return out
