"""Addresses as runs of parts (:mod:`addresses_grammar`) across commas and label lines.

Two jobs, both cheap because they start only from a few places:

- **grow** every address the street and postcode grammars found over the parts beside it:
  "Стерлитамак, | пр. Ленина, 47", "г. Астана, ул. Кенесары, 40, | 2 этаж", "ГСК «Мотор»,
  бокс | 117, Уфимское ш.", "Flat 3, 12a Mill Lane | ⏎ Ashby-de-la-Zouch ⏎ LE65 1AB ⏎ United
  Kingdom";
- **anchor** new addresses at a postcode with its town or state ("EUGENE OR 97404", "Seoul
  06234", "Co. Galway H91 X2K4") or at a few words no other grammar starts from (Office, Tower,
  Cad., Sok., Rehov, СНТ, линия, ul.), and keep the run only when its parts make an address:
  a street with its number, a strong postcode with two parts before it, a weak postcode with a
  street, unit or building, or a numbered unit inside a named building.

A run crosses a line break backwards only into a street, unit or building line (so a label's
name and "C/O" lines stay out), and forwards only into a postcode, state, country or district
line, or a town line that a postcode follows.  A Cyrillic town needs pymorphy's toponym tag.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import addresses_grammar as g
from perimeter.privacy.detect import lexicon, literals
from perimeter.privacy.detect.prescan import TextIndex, aligned_lower
from perimeter.privacy.entities import Entity

_MAX_LINES = 4
_MAX_LINE = 90
_REACH = 240
_TRAIL = " \t.;:!?"
_LEAD = " \t:"
_PAIRS = {"»": "«", "”": "“", '"': '"', "'": "'", ")": "(", "]": "["}
_ABBREVIATION = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,3}\.$")  # "Уфимское ш.", "Cad.": the dot stays
_SENTENCE_END = re.compile(r"(?:(?<=[^\W\d_]{5})|(?<=\d))\.[ \u00a0]+(?=[A-ZА-ЯЁ])")
# One pass finds both kinds of digit seed: a postcode (a UK inward code or an Irish/Canadian
# digit-letter-digit, or 4-7 digits right after a word and a space: "Seoul 06234", "OR 97404")
# and a Russian house-flat number after a bare street name ("Вагжанова 9-40").  The pattern
# starts with a digit, so CPython skips to digits in C (the lookbehind sits after that digit).
_SEED = re.compile(
    r"\d(?:[A-Z]{2}(?![\w])|[A-Z]\d|(?<=[^\W\d_][ \u00a0]\d)\d{0,6}(?:[а-я]?[-/]\d{1,4})?(?![\w\-/]))"
)
_BARE_BEFORE = re.compile(r"(?<![\w\-])([А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)*),[ \u00a0]+([А-ЯЁ][а-яё]+(?:[ \u00a0][А-ЯЁ][а-яё]+)?)[ \u00a0]+$")


class _Part:
    __slots__ = ("end", "kind", "nl", "start")

    def __init__(self, start: int, end: int, nl: bool, kind: int | None) -> None:
        self.start, self.end, self.nl, self.kind = start, end, nl, kind


def _block(text: str, at: int, end: int | None = None) -> tuple[int, int]:
    """The label block around ``at`` (to ``end``): its line, cut to 240 characters either side
    at a comma (a paragraph is no address), and up to four short non-blank lines either side."""
    end = at if end is None else end
    lo = text.rfind("\n", 0, at) + 1
    if at - lo > _REACH:
        return max(lo, text.rfind(",", 0, at - _REACH) + 1), _line_end(text, end)
    lo = text.rfind("\n", 0, at) + 1
    for _ in range(_MAX_LINES):
        if lo == 0:
            break
        prev = text.rfind("\n", 0, lo - 1) + 1
        line = text[prev:lo - 1]
        if not line.strip() or len(line) > _MAX_LINE:
            break
        lo = prev
    hi = text.find("\n", end)
    hi = len(text) if hi == -1 else hi
    if hi - end > _REACH:
        return lo, _line_end(text, end)
    for _ in range(_MAX_LINES):
        if hi >= len(text):
            break
        nxt = text.find("\n", hi + 1)
        nxt = len(text) if nxt == -1 else nxt
        line = text[hi + 1:nxt]
        if not line.strip() or len(line) > _MAX_LINE:
            break
        hi = nxt
    return lo, hi


def _line_end(text: str, at: int) -> int:
    hi = text.find("\n", at)
    hi = len(text) if hi == -1 else hi
    if hi - at > _REACH:
        comma = text.find(",", at + _REACH, hi)
        hi = hi if comma == -1 else comma
    return hi


def _parts(text: str, lo: int, hi: int) -> list[_Part]:
    out: list[_Part] = []
    pos, nl = lo, False
    for m in _SEP.finditer(text, lo, hi):
        out.append(_Part(*_trim(text, pos, m.start()), nl, None))
        nl = m.group() == "\n"
        pos = m.end()
    out.append(_Part(*_trim(text, pos, hi), nl, None))
    return out


_SEP = re.compile(r"[,\n]")


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """``text[s:e]`` without spaces and sentence marks around it, nor a quote or bracket whose
    partner is not inside ("«Рассвет»" keeps both)."""
    while True:
        seg = text[s:e]
        core = seg.lstrip(_LEAD)
        s += len(seg) - len(core)
        stripped = core.rstrip(_TRAIL)
        if stripped != core and core[len(stripped)] == "." and _ABBREVIATION.search(core, 0, len(stripped) + 1):
            stripped = core[:len(stripped) + 1]  # "Уфимское ш.": the abbreviation keeps its dot
        e = s + len(stripped)
        if not stripped:
            return s, e
        last, first = stripped[-1], stripped[0]
        if last in _PAIRS and _PAIRS[last] not in stripped[:-1]:
            e -= 1
        elif first in "«“\"'([" and not any(_PAIRS.get(c) == first for c in stripped[1:]):
            s += 1
        else:
            return s, e


def classify(part: str) -> int | None:
    """:func:`addresses_grammar.kind`, with a Cyrillic town held to pymorphy's toponym tag."""
    k = g.kind(part)
    if k == g.TOWN and re.match(r"[А-ЯЁ]", part) and not g.geo(part.split()[0]):
        return None
    return k


def _kind(text: str, p: _Part) -> int | None:
    if p.kind is None and p.end > p.start:
        k = classify(text[p.start:p.end])
        p.kind = k if k is not None else -1
    return None if p.kind is None or p.kind < 0 else p.kind


def _left_ok(text: str, parts: list[_Part], i: int) -> bool:
    """May the run that starts at part ``i`` take part ``i - 1`` too?"""
    k = _kind(text, parts[i - 1])
    if k is None:
        return False
    if parts[i].nl:
        return (k in (g.STREET, g.UNIT, g.BUILDING) and _has_digit(text, parts[i - 1])) or k == g.BUILDING
    if k == g.TOWN and not re.match(r"[А-ЯЁ]", text[parts[i - 1].start:parts[i - 1].end]):
        return _plain_town(text[parts[i - 1].start:parts[i - 1].end])
    return k != g.STATE


def _plain_town(part: str) -> bool:
    """A Latin town before a street ("Almaty, Abay Ave 52") is one word, no English word, given
    name or surname ("Zwischen Katharina Schmidt-Hoffmann, wohnhaft …" is a clause,
    "Greenleaf Supplies, 77 Harbour Way" a company)."""
    words = part.split()
    return len(words) == 1 and lexicon.zipf(part) < 3.0 and part.lower() not in lexicon.first_names() and (
        part.lower() not in lexicon.last_names())


def _right_ok(text: str, parts: list[_Part], i: int, j: int) -> bool:
    """May the run of parts ``i..j`` take part ``j + 1`` too?"""
    k = _kind(text, parts[j + 1])
    if k is None:
        return False
    if parts[j + 1].nl:
        if k == g.COUNTRY:  # the country line of a label written one part a line, not after a one-line address
            return any(p.nl for p in parts[i + 1:j + 1])
        if k in (g.POST, g.STRONG_POST, g.STATE):
            return True
        if k == g.TOWN and j + 2 < len(parts):
            return _kind(text, parts[j + 2]) in (g.POST, g.STRONG_POST, g.STATE, g.COUNTRY)
        return False
    if k == g.HOUSE:  # "туп. Ремесленный, 1"; but "д. 11, 8 (4822) 41-73-06" is a phone after the house
        return _kind(text, parts[j]) in (g.STREET, g.DISTRICT, g.BUILDING) and not re.search(
            r"\d[\w/\-]{0,3}$", text[parts[j].start:parts[j].end])  # the street has no number yet
    return True


def _has_digit(text: str, p: _Part) -> bool:
    return any(ch.isdigit() for ch in text[p.start:p.end])


def _extend(text: str, parts: list[_Part], i: int, j: int) -> tuple[int, int]:
    while i > 0 and _left_ok(text, parts, i):
        i -= 1
    while j + 1 < len(parts) and _right_ok(text, parts, i, j):
        j += 1
    return i, j


def _edge_start(text: str, p: _Part) -> tuple[int, int] | None:
    """The longest tail of an unclassified part (same line) that is an address part, and its
    kind: "адрес зала — г. Астана" gives "г. Астана"; a bare town only after a label's colon."""
    seg = text[p.start:p.end]
    cuts = [(m.end(), ":" in m.group()) for m in re.finditer(r"[ \u00a0:—–(«\"]+", seg)]
    for x, label in cuts[-6:]:
        tail = seg[x:]
        if not _may_start(tail):
            continue
        k = classify(tail)
        if k is not None and k not in (g.STATE, g.HOUSE) and (k != g.TOWN or label):
            before = seg[:x].split()
            if before and before[-1][:1].isupper() and before[-1][-1:] not in ":;—–(«\"":
                return None  # the tail of a capitalised run is a name, not a place
            return p.start + x, k
    return None


def _may_start(part: str) -> bool:
    """Can an address part start here (a capital, a digit, an abbreviation or a unit word)?
    Cheap, so most tails and heads of prose are never classified."""
    return bool(part) and (part[0].isupper() or part[0].isdigit() or _START.match(part) is not None)


_START = re.compile(rf"[^\W\d_]{{1,5}}[.\-]|(?i:{g.UNIT_WORDS})\b")


def _edge_end(text: str, p: _Part) -> tuple[int, int] | None:
    """The longest head of an unclassified last part that is an address part ("Dubai. Call",
    "корп. B). Сумма"), and its kind."""
    seg = text[p.start:p.end]
    if not _may_start(seg):
        return None
    cut = _SENTENCE_END.search(seg)
    if cut is not None:
        seg = seg[:cut.start()]  # "Türkiye. Назначение —": the sentence ends with the country
    ends = [m.start() for m in re.finditer(r"[ \u00a0]+|\.(?=[ \u00a0])", seg)] + [len(seg)]
    for x in sorted(ends[:6], reverse=True):
        s, e = _trim(text, p.start, p.start + x)
        k = classify(text[s:e]) if e > s and s == p.start else None
        if k is not None and k not in (g.STATE, g.HOUSE):
            return e, k
    return None


def _accept(run: list[tuple[int, bool]]) -> bool:
    """``run``: (kind, holds a digit) of each part, in order."""
    if not any(d for _, d in run):
        return False
    kinds = [k for k, _ in run]
    n = len(run)
    street_num = any(
        k == g.STREET and (d or (x + 1 < n and kinds[x + 1] == g.HOUSE)) for x, (k, d) in enumerate(run)
    )
    has = set(kinds)
    fabric = bool(has & {g.STREET, g.UNIT, g.BUILDING})
    if street_num and n >= 2:
        return True
    posts = kinds.count(g.POST) + kinds.count(g.STRONG_POST)
    if posts > 1:
        return False  # "SW1A 1AA, M1 1AE, B33 8TH": a list of postcodes, not one address
    if g.STRONG_POST in has and (n >= 3 or (fabric and n >= 2)):
        return True
    if g.POST in has and fabric and n >= 3:
        return True
    return g.UNIT in has and g.BUILDING in has and n >= 3


def _span(
    text: str, parts: list[_Part], i: int, j: int, need_run: bool = True
) -> tuple[int, int, list[tuple[int, bool]]]:
    """The run's offsets, partial edge parts included, and (with ``need_run``) the kind and
    digit flag of its parts."""
    start, end = parts[i].start, parts[j].end
    run = [(_kind(text, p) or 0, _has_digit(text, p)) for p in parts[i:j + 1]] if need_run else []
    if i > 0 and not parts[i].nl and _kind(text, parts[i - 1]) is None:
        head = _edge_start(text, parts[i - 1])
        if head is not None:
            start = head[0]
            run.insert(0, (head[1], any(ch.isdigit() for ch in text[start:parts[i - 1].end])))
    if j + 1 < len(parts) and not parts[j + 1].nl and _kind(text, parts[j + 1]) is None:
        tail = _edge_end(text, parts[j + 1])
        if tail is not None:
            end = tail[0]
            run.append((tail[1], any(ch.isdigit() for ch in text[parts[j + 1].start:end])))
    return start, end, run


def _index(parts: list[_Part], at: int) -> int | None:
    """The part that holds offset ``at`` (or the separator or mark just after it)."""
    found = None
    for k, p in enumerate(parts):
        if p.start > at:
            break
        found = k
    return found


def grow(text: str, e: Entity) -> Entity:
    """``e`` grown over the address parts beside it.  The parts ``e`` starts or ends inside
    stay cut where ``e`` cuts them ("Юр. адрес: 125167, …" keeps its label out)."""
    if not (_may_grow_left(text, e.start) or _may_grow_right(text, e.end)):
        return e  # most findings end at a sentence mark: nothing beside them to classify
    lo, hi = _block(text, e.start, e.end)
    if e.end > hi:
        return e
    parts = _parts(text, lo, hi)
    i, j = _index(parts, e.start), _index(parts, max(e.start, e.end - 1))
    if i is None or j is None:
        return e
    # A part that ``e`` cuts joins its neighbours only when it is an address part as a whole
    # ("d. 101" cut after "d." does; "… будет жить в Torstraße 112" does not).
    cut_left = e.start > parts[i].start and _kind(text, parts[i]) is None
    cut_right = e.end < parts[j].end and _kind(text, parts[j]) is None
    i2, j2 = _extend(text, parts, i, j)
    if cut_left:
        i2 = i
    if cut_right:
        j2 = j
    start, end, _run = _span(text, parts, i2, j2, need_run=False)
    if cut_left:
        start = e.start
    if cut_right:
        end = e.end
    start, end = min(start, e.start), max(end, e.end)
    if (start, end) == (e.start, e.end):
        return e
    return Entity("ADDRESS", start, end, text[start:end], e.score, e.detector)


def _may_grow_left(text: str, at: int) -> bool:
    """Is ``at`` the start of a part with a part before it (a comma or line break first)?"""
    p = at
    while p > 0 and text[p - 1] in " \t\u00a0:\"“«'(":
        p -= 1
    short = text.rfind(",", max(0, at - 12), at)
    if short != -1 and re.fullmatch(r"[ \u00a0]*[^\W\d_]{1,5}\.?[ \u00a0]*", text[short + 1:at]):
        p = short + 1  # "…, d. 101": the finding starts after the part's house or unit word
    if p == 0 or text[p - 1] not in ",\n":
        return False
    if text[p - 1] == ",":
        return True
    prev = text.rfind("\n", 0, p - 1)
    return 0 < p - 2 - prev <= 60 and text[p - 2] not in "\n:"  # a short label line above, not a heading


def _may_grow_right(text: str, at: int) -> bool:
    p = at
    while p < len(text) and text[p] in " \t\u00a0.;:!?\"”»')]":
        p += 1
    if p == len(text) or text[p] not in ",\n":
        return False
    if text[p] == ",":
        return True
    nxt = text.find("\n", p + 1)
    return 0 < (len(text) if nxt == -1 else nxt) - p - 1 <= 45  # a short town/postcode/country line below


def _from_seed(text: str, at: int, postcode: bool) -> Entity | None:
    """The run around the part at ``at``; a digit seed must be a postcode part itself (a
    number in a log line is not looked at further)."""
    if postcode:
        lo, hi = max(0, at - 48), min(len(text), at + 48)  # a postcode part is short: look no further
        a = max(text.rfind(",", lo, at), text.rfind("\n", lo, at), lo - 1) + 1
        comma, line = text.find(",", at, hi), text.find("\n", at, hi)
        b = min(comma if comma != -1 else hi, line if line != -1 else hi)
        a, b = _trim(text, a, b)
        part = text[a:b]
        if b - a > 40 or not any(ch.isupper() for ch in part) or not g.postcode_part(part) or (
                g.kind(part) not in (g.POST, g.STRONG_POST)):
            return None
    lo, hi = _block(text, at)
    parts = _parts(text, lo, hi)
    k = _index(parts, at)
    if k is None:
        return None
    if _kind(text, parts[k]) is None:  # "по адресу Office 2104": the seed's part starts mid-clause
        head = _edge_start(text, parts[k])
        if head is None or head[0] > at:
            return None
        parts[k].start, parts[k].kind = head[0], head[1]
    i, j = _extend(text, parts, k, k)
    start, end, run = _span(text, parts, i, j)
    if not _accept(run):
        return None
    return Entity("ADDRESS", start, end, text[start:end], 0.8, "address_runs")


def _bare_street(text: str, m: re.Match[str]) -> Entity | None:
    """"Тверь, Вагжанова 9-40": a town (a toponym), a street name with no street word, and a
    house-flat number joined by a hyphen or slash."""
    head = _BARE_BEFORE.search(text, max(0, m.start() - 60), m.start())
    if head is None or not g.geo(head.group(1)) or g.geo(head.group(2).split()[0]):
        return None
    return Entity("ADDRESS", head.start(), m.end(), text[head.start():m.end()], 0.8, "address_runs")


def find_run_addresses(ix: TextIndex, found: list[Entity]) -> list[Entity]:
    text = ix.text
    grown: dict[tuple[int, int], Entity] = {}  # several grammars often find the same span
    out = []
    for e in found:
        if e.type == "ADDRESS":
            g_e = grown.get((e.start, e.end))
            if g_e is None:
                g_e = grown[(e.start, e.end)] = grow(text, e)
            out.append(g_e if g_e.start != e.start or g_e.end != e.end else e)
    covered = [(e.start, e.end) for e in out]

    def inside(at: int) -> bool:
        return any(s <= at < e for s, e in covered)

    seeds: list[tuple[int, bool]] = []
    bare: list[re.Match[str]] = []
    for m in _SEED.finditer(text):
        value = m.group()
        if "-" in value or "/" in value:
            if "а" <= text[m.start() - 2] <= "я" or text[m.start() - 2] == "ё":
                bare.append(m)
        elif (value.isdigit() and 4 <= len(value) <= 7) or not value.isdigit():
            seeds.append((m.start(), True))
    seeds = [(at, post) for at, post in seeds if not inside(at)]
    if len(ix.lower) == len(text):
        words = ix.literal_starts("addr_runs", fallback_find=True) or []
    else:  # "İ" lower-cases to two characters: the offsets in ``ix.lower`` drift
        words = TextIndex.stem_starts(literals.ADDR_RUN_WORDS, aligned_lower(text))
    seeds.extend((at, False) for at in words if not inside(at))
    for at, postcode in sorted(seeds):
        if not inside(at):
            run = _from_seed(text, at, postcode)
            if run is not None:
                out.append(run)
                covered.append((run.start, run.end))
    for m in bare:
        if not inside(m.start()):
            street = _bare_street(text, m)
            if street is not None:
                out.append(street)
    return out
