"""The edges of an address the layout rules stop short of: a postcode before it, a street
abbreviation of another language, a building or unit part after it.

"450077, РБ, г. Уфа, ул. Ленина, д. 70" is found from "РБ" on, "ul. Marszałkowska 84/92 lok. 109,
00-514 Warszawa" as "Marszałkowska 84/92", "Moscow, Tverskaya St 22, bld. 1" without its building:
each leaves an identifying piece outside the span (a postcode narrows a home down to a few
streets; a flat number is the door).  These are the pieces every layout shares, so they are
grown onto whatever address a rule found, not written into each rule.
"""

from __future__ import annotations

import re

from perimeter.privacy.entities import Entity

# Before: a six-digit postcode (RU, KZ, BY) and its comma, opening a line or a field; a Polish, Czech or
# Slovak street abbreviation ("ul.", "al.", "pl.", "os.").
# Slovak street abbreviation ("ul.", "al.", "pl.", "os."); a region's short name between
# ("450077, РБ, г. Уфа").
_REGION = r"(?:РФ|Россия|РБ|РТ|РД|РК|ЧР|КБР|КЧР|РС\(Я\)|ХМАО(?:-Югра)?|ЯНАО|МО|ЛО|[А-ЯЁ][а-яё]+[ \t](?:обл\.|область|край))"
_BEFORE = re.compile(
    rf"(?:(?:^|(?<=[\n:(,;])[ \t\u00a0]*)\d{{6}},[ \t\u00a0]*(?:{_REGION},[ \t\u00a0]*)?"
    r"|(?<![\w.])(?:ul|al|pl|os)\.[ \t\u00a0]?)$",
    re.MULTILINE,
)
# After: building, block, unit and flat parts in the English, Polish and transliterated layouts.
_UNIT = (
    r"(?:bld|bldg|building|korp|korpus|str|stroenie|lok|lokal|apt|apartment|flat|suite|ste|unit|office|room|fl|floor|"
    r"m|kv|kw|door|tür|top|whg|piso|puerta|bloco|bloque|escalera)"
)
_AFTER = re.compile(
    rf"(?:,?[ \t\u00a0]*{_UNIT}\.?[ \t\u00a0]?(?:№|#|no\.?[ \t\u00a0]?)?\d{{1,4}}[A-Za-z]?(?![\w\-/.]\d))+"
    # then a Polish postcode and its town ("00-514 Warszawa")
    r"(?:,[ \t\u00a0]*\d{2}-\d{3}[ \t\u00a0]+[A-ZŁŚŻŹĆ][\w\-]+)?",
    re.IGNORECASE,
)
_PL_POSTCODE_TOWN = re.compile(r",[ \t\u00a0]*\d{2}-\d{3}[ \t\u00a0]+[A-ZŁŚŻŹĆ][\w\-]+")


def grown(text: str, found: list[Entity]) -> list[Entity]:
    """``found`` with every address grown over the parts around it (see the module's docstring)."""
    out = []
    for e in found:
        start, end = e.start, e.end
        before = _BEFORE.search(text, max(0, start - 40), start)
        if before is not None:
            start = before.start() + len(before.group()) - len(before.group().lstrip())
        after = _AFTER.match(text, end)
        if after is not None and after.end() > end:
            end = after.end()
        elif (town := _PL_POSTCODE_TOWN.match(text, end)) is not None:
            end = town.end()
        out.append(e if (start, end) == (e.start, e.end) else
                   Entity("ADDRESS", start, end, text[start:end], e.score, e.detector))
    return out
