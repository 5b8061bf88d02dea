"""A Russian full name known by its patronymic, whatever the lists say about the other words.

"Кужугет Айдыс Орланович" (Tuvan), "Ахмедова Зарина Бахтиёровна", "вере михайловне" (chat, lower
case, dative): a patronymic — a father's name with -ович/-евич/-ич or -овна/-евна/-ична/-инична in
any case — closes a name.  The word before it is the given name and, with a capital, a word
before that is the surname.  Given names and surnames of every people of Russia and the CIS are
in no list, but the patronymic's suffix is Russian grammar, so the run is a person's however
rare its parts.  A lone patronymic ("Саныч") is the nickname rule's (names_ru_address).
"""

from __future__ import annotations

import re

from perimeter.privacy.detect.ru_profile import word_profile
from perimeter.privacy.entities import Entity

_PATRONYMIC = (
    r"(?:ович|евич|ич)(?:а|у|ем|ом|е)?"
    r"|(?:овн|евн|ичн|иничн)(?:а|ы|е|у|ой|ою)"
)
_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ]?[а-яё]+)?"
_FULL = re.compile(
    rf"(?<![А-Яа-яЁё\-])(?:{_CAP}[ \u00a0]+)?{_CAP}[ \u00a0]+[А-ЯЁ][а-яё]{{2,}}(?:{_PATRONYMIC})(?![А-Яа-яЁё\-])"
)
_LOWER = re.compile(rf"(?<![А-Яа-яЁё\-])[а-яё]{{3,}}[ \u00a0]+[а-яё]{{3,}}(?:{_PATRONYMIC})(?![А-Яа-яЁё\-])")
# the patronymic's stem must be a name's: a few common words end the same way ("кирпич",
# "москвич", "москвичу", "работничу" never follow a given name), so the stem is at least three
# letters and the word is no ordinary noun in -ич
_NOT_PATRONYMIC = re.compile(r"(?:кирпич|москвич|сибирич|москвичка|костромич|вологжан|горожан|земляч|родич|паралич|бирюч|сыч)\w*$")


def find_patronymic_names(text: str) -> list[Entity]:
    """PERSON findings for runs closed by a patronymic (module docstring)."""
    if "ич" not in text and "вн" not in text and "чн" not in text:
        return []
    out: list[Entity] = []
    for rx in (_FULL, _LOWER):
        for m in rx.finditer(text):
            words = m.group().split()
            if _NOT_PATRONYMIC.match(words[-1].lower()):
                continue
            # the word before the patronymic must read as a given name, or be no word the
            # dictionary knows ("Айдыс"): "высокотехнологичной", "Площадь Ильича" are no names
            name, _surn, _patr, _place, known = word_profile(words[-2])
            if known and name < 0.1:
                continue
            out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.8, "patronymic"))
    return out
