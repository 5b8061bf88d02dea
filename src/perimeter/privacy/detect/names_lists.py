"""Names by their neighbours in a list: items of one list are of one kind.

"Hope, Bill, Precious Nwosu, Tomasz, Mei Ling, Summer" — "Hope", "Bill" and "Summer" are
English words alone, but in a list whose other items are names they are names too.  The same
holds for the first cell of the lines of a roster ("Любовь — маникюр" under "Надежда Павловна —
стрижка", "- Салават — отпуск" among "- Азамат дожимает …"), and the first cell of a Markdown
table's rows ("| Оконешников | 9–15 |" under "| Мухаметшина Р.И. | 14–20 |").  A list counts when at least two
of its items, and at least half, were found as names by another rule; then its other items that
have a name's shape (one to three capitalised words, no digits) are reported.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.entities import Entity

_UPPER = r"[A-ZА-ЯЁÀ-ÖØ-Þ\u0100-\u024f]"
_LOWER = r"[a-zа-яёß-öø-ÿ\u0100-\u024f'’]"
_CAP = rf"{_UPPER}{_LOWER}+(?:-[A-ZА-ЯЁa-zа-яё][a-zа-яё'’]+)?"
_ITEM = rf"{_CAP}(?:[ \u00a0]{_CAP}){{0,2}}"
_NEXT_ITEM = r",[ \u00a0]+(?:(?:and|or|и|или)[ \u00a0]+)?"
_COMMA_LIST = re.compile(rf"(?<![\w])({_ITEM})(?:{_NEXT_ITEM}{_ITEM}){{2,}}")
# A list holds two or more of these, one per comma (see gates): a line with fewer is no list.
_NEXT_ITEM_HEAD = re.compile(_NEXT_ITEM + _UPPER + _LOWER)
_LIST_ITEM = re.compile(rf"({_ITEM})")
# A roster line: the name, then a dash, a bar or (in a numbered list) a comma; or, after a bullet,
# the name and a lower-case word ("- Азамат дожимает …").  "Attendees:" lines are labels, not items.
_LINE_ITEM = re.compile(
    rf"^[ \t]*(?:(?P<bullet>[-*•]|\d{{1,2}}[.)])[ \t]+(?P<b_item>{_ITEM})(?=[ \t]*(?:—|–|-|\||,)[ \t]|[ \t]+[a-zа-яё])"
    rf"|(?P<item>{_ITEM})(?=[ \t]*(?:—|–|\|)[ \t])"
    # the first cell of a Markdown table's row: "| Оконешников | 9–15 | …"
    rf"|\|[ \t]*(?P<t_item>{_ITEM}(?:[ \t]+{_UPPER}\.(?:[ \t]?{_UPPER}\.)?)?)(?=[ \t]*\|(?!.*\n\|?[ \t]*:?-{{3}})))",
    re.MULTILINE,
)
_PET = re.compile(
    r"(?<![\w])(?i:dogs?|cats?|pupp(?:y|ies)|kittens?|pets?|horses?|parrots?|hamsters?|rabbits?|собак\w*|кошк\w*|"
    r"кот|кота|коту|котом|котик\w*|щен\w*|котён\w*|котен\w*|питом\w*|попуга\w*|хомяк\w*|лошад\w*)(?![\w])"
)
_NOT_NAME = frozenset(
    """
mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday january february march
april may june july august september october november december jan feb mar apr jun jul aug sep oct nov dec
the a an and or but please note total итого всего примечание понедельник вторник среда четверг пятница суббота
воскресенье январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь
name names role title status owner date phone email employee contact person client customer next action item manager assignee reporter agent rep author reviewer member patient
имя фио фамилия роль должность статус дата телефон сотрудник клиент менеджер ответственный исполнитель
""".split()  # noqa: SIM905 - a word list reads better as text
)


def _covered(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(a < e and s < b for a, b in spans)


def _names_of(text: str, items: list[tuple[int, int]], spans: list[tuple[int, int]], score: float) -> list[Entity]:
    hit = [it for it in items if _covered(spans, *it)]
    if len(hit) < 2 or 2 * len(hit) < len(items):
        return []
    return [
        Entity("PERSON", s, e, text[s:e], score, "name_list")
        for s, e in items
        if (s, e) not in hit and text[s:e].split()[0].lower() not in _NOT_NAME and not text[s:e].isupper()
    ]


def _lines_with_names(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    lines: set[tuple[int, int]] = set()
    for s, _ in spans:
        lo = text.rfind("\n", 0, s) + 1
        hi = text.find("\n", s)
        lines.add((lo, len(text) if hi == -1 else hi))
    return sorted(lines)


def _header_row(text: str, at: int) -> bool:
    """The row at ``at`` is a table's first: the line before it is no row of the table."""
    if at == 0:
        return True
    prev = text[text.rfind("\n", 0, at - 1) + 1:at - 1]
    return not prev.lstrip().startswith("|")


def list_names(text: str, found: list[Entity]) -> list[Entity]:
    spans = [(e.start, e.end) for e in found if e.type == "PERSON"]
    if len(spans) < 2:
        return []
    out: list[Entity] = []
    if ", " in text:
        for lo, hi in _lines_with_names(text, spans):  # a list holds a found name: its line only
            heads = _NEXT_ITEM_HEAD.finditer(text, lo, hi)
            if next(heads, None) is None or next(heads, None) is None:
                continue
            for m in _COMMA_LIST.finditer(text, lo, hi):
                items = [x.span(1) for x in _LIST_ITEM.finditer(text, m.start(), m.end())]
                items = [(s, e) for s, e in items if text[s:e].lower() not in ("and", "or", "и", "или")]
                out.extend(_names_of(text, items, spans, 0.65))
    if text.count("\n") >= 2:
        lines = [
            m.span("item") if m.group("item") else m.span("t_item") if m.group("t_item") else m.span("b_item")
            for m in _LINE_ITEM.finditer(text)
            # "- Next sync: …": after a bullet, a frequent English word starts a note, not a name
            if m.group("item") or (m.group("t_item") and not _header_row(text, m.start()))
            or (m.group("b_item") and (not m.group("b_item").isascii() or lexicon.zipf(m.group("b_item")) < 4.0))
        ]
        out.extend(_names_of(text, lines, spans, 0.65))
    if out and _PET.search(text):
        return []  # "names for a puppy? Max, Bella or Daisy"
    return out
