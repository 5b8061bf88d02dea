"""Readings of a name that the words around it rule out, whichever detector proposed it.

Each rule is about a class of look-alikes, not a list of them:

- a **title in quotes** after a word for a work or a product ("the plot of "Forrest Gump"",
  «Мастер и Маргарита» after книга, a candle line "Earl Grey Fig", ООО «Невские берега»);
- a **breed or a pet** right after the name ("a Jack Russell terrier", "King Charles spaniel");
- a **country or a US state** alone ("why Georgia (the country) …"), unless a cue (a greeting, a title)
  stands before it;
- a **month abbreviation before a day** ("On Thu, Jun 6, 2024");
- a Russian **toponym prefix** ("Усть-", "Ново-", "Верхне-"…) and an **organisational form**
  at the start ("Индивидуальный предприниматель", "Общество с ограниченной …").
"""

from __future__ import annotations

import re

from perimeter.privacy.detect.names_cues import cue_before
from perimeter.privacy.entities import Entity

_QUOTES = {"\"": "\"", "«": "»", "“": "”", "„": "“"}
_WORK_WORD = re.compile(
    r"(?i:plot|movie|film|book|novel|song|album|series|sitcom|show|game|episode|play|musical|opera|poem|painting|"
    r"product|brand|flavou?r|blend|scent|candle|dish|cocktail|menu|recipe|"
    r"книг|фильм|кино|роман|повест|песн|сериал|спектакл|пьес|альбом|игр|мультфильм|поэм|стих|картин|"
    r"торт|конфет|салат|блюд|коктейл|духи|аромат|бренд|магазин|кафе|ресторан|отел|гостиниц|"
    r"компани|фирм|ООО|ОАО|ЗАО|ПАО|АО|ИП|НКО|ТСЖ|СНТ|назван)"
)
_BREED_AFTER = re.compile(
    r"[ \u00a0]+(?i:terriers?|spaniels?|retrievers?|shepherds?|poodles?|collies?|hounds?|pinschers?|setters?|"
    r"pointers?|mastiffs?|bulldogs?|cats?|dogs?|puppy|puppies|kitten|horses?|pony|parrot|терьер\w*|спаниел\w*|овчарк\w*)\b"
)
_GEO = frozenset(
    """
georgia virginia carolina dakota florida alabama california nevada montana indiana louisiana arizona texas
washington israel india china jamaica kenya chad oklahoma minnesota colorado tennessee kentucky maryland
""".split()  # noqa: SIM905 - a word list reads better as text
)
_MONTH_DAY = re.compile(r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?[ \u00a0]+\d")
_TOPONYM_PREFIX = re.compile(r"(?:Усть|Ново|Старо|Верхне|Нижне|Красно|Больше|Мало|Соль|Спас|Покров|Горно|Лесо)-?[А-ЯЁ]")
_ORG_START = re.compile(
    r"(?i:индивидуальн\w*|предпринимател\w*|общество|акционерн\w*|товарищество|учреждение|управление|"
    r"департамент|министерство|администраци\w*)(?![\w])"
)


def _in_quoted_title(text: str, e: Entity) -> bool:
    line_start = text.rfind("\n", 0, e.start) + 1
    line_end = text.find("\n", e.end)
    line_end = len(text) if line_end == -1 else line_end
    for open_q, close_q in _QUOTES.items():
        q = text.rfind(open_q, line_start, e.start)
        if q == -1:
            continue
        if open_q == close_q and text[line_start:q].count(open_q) % 2:
            continue  # that quote closes an earlier pair
        c = text.find(close_q, e.end, line_end)
        if c == -1 or c - q > 60:
            continue
        if _WORK_WORD.search(text, max(line_start, q - 100), q) or _WORK_WORD.search(text, c, min(line_end, c + 40)):
            return True
    return False


def drop_non_persons(text: str, found: list[Entity]) -> list[Entity]:
    out = []
    for e in found:
        if e.type == "PERSON" and _not_a_person(text, e):
            continue
        out.append(e)
    return out


def _not_a_person(text: str, e: Entity) -> bool:
    word = e.text.lower()
    if " " not in e.text and word in _GEO and not cue_before(text, e.start):
        return True
    if _MONTH_DAY.match(text, e.start) and " " not in e.text:
        return True
    if _BREED_AFTER.match(text, e.end):
        return True
    if _TOPONYM_PREFIX.match(e.text) or _ORG_START.match(e.text):
        return True
    if any(ch in text[max(0, e.start - 60):e.start] for ch in "\"«“„"):
        return _in_quoted_title(text, e)
    return False
