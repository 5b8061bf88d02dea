"""Addresses anchored on a postcode, in any country's layout.

Street-type lists never end (Hohenzollernring, Teheran-ro, Lijnbaansgracht, "ul.", "Rua"), but
every postal layout puts a postcode next to the town: "50672 Köln", "00-640 Warszawa",
"1017 PH Amsterdam", "1200-658 Lisboa", "Seoul 06151", "Tomsk, 634050", "QC H3G 1L7",
"NSW 2150", "D06 K2X8".  So the anchor is postcode + town (either order, a state or
province code between them), and the address is grown backwards over the comma-separated
parts before it on the same line (or the line before, for a two-line US label) as long as each
part looks like one: a house number with capitalised words ("22 Argyle Street",
"Calle de Embajadores 112", "14F", "Unit 5", "4º B", "2º Esq.", "app. 802").  At least one part
must hold a house number next to a name, so "2024 Olympics" or "Error 500, Berlin" is not one.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.entities import Entity

_UP = "A-ZÀ-ÖØ-ÞĀ-ŽȘȚ"
_LO = "a-zß-öø-ÿā-žșț"
_TOWN = rf"[{_UP}][{_LO}'’]+(?:[ \-][{_UP}][{_LO}'’]+){{0,2}}"
_POST_FIRST = r"\d{2}-\d{3}|\d{4}-\d{3}|\d{4}[ \u00a0]?[A-Z]{2}|\d{3}[ \u00a0]\d{2}|\d{4,6}"  # "185 36 Piraeus"
_POST_AFTER = (
    r"[A-Z]\d[A-Z][ \u00a0]?\d[A-Z]\d"  # Canada
    r"|[AC-FHKNPRTV-Y]\d{2}[ \u00a0]?[AC-FHKNPRTV-Y0-9]{4}"  # Irish Eircode
    r"|[A-Z]{1,2}\d[A-Z\d]?[ \u00a0]?\d[A-Z]{2}"  # UK
    r"|\d{2}-\d{3}|\d{4}-\d{3}|\d{4,6}(?:-\d{4})?"
)
_REGION = rf"(?:[A-Z]{{2,3}}|[{_UP}][{_LO}]+(?: [{_UP}][{_LO}]+)?)"
_ANCHOR = re.compile(
    rf"(?<![\w\-])(?:(?:{_POST_FIRST})[ \u00a0]+{_TOWN}"
    rf"|{_TOWN}(?:,[ \u00a0]*|[ \u00a0]+)(?:(?:\d{{1,2}}|{_REGION}|\({_REGION}\)),?[ \u00a0]+)?(?:{_POST_AFTER}))(?![\w\-])"
)
# One comma-separated part before the anchor that can belong to an address.
_NUM = r"\d{1,5}[A-Za-z]?(?:[/\-–]\d{1,5}[A-Za-z]?|-(?:[IVX]+|[A-Za-z])(?![a-z]))?"
_NAME_WORD = rf"(?:ul\.|al\.|os\.|pl\.|str\.|[{_UP}][\w'’.\-]*|de|del|della|da|do|dos|das|di|du|des|la|le|van|von|der|den|e|y|d'|'s)"
_STREET = rf"{_NAME_WORD}(?:[ \u00a0]+{_NAME_WORD}){{0,5}}"
_UNIT = (
    r"(?:Unit|Apt|Apartment|Suite|Ste|Flat|Floor|Fl|Room|Rm|Bldg|Building|app|apt|appt|Apto|Piso|piso|planta|Planta|"
    r"puerta|escalera|andar|sala|conj|bloco|Wohnung|"
    r"Stiege|Top|lok|m|kv|кв|of|office|Office|bus|Bus)\.?[ \u00a0]*#?[\w\-]{1,6}"
    r"|\d{1,3}F|\d{1,2}[ºª°][ \u00a0]*[A-Za-z]{0,4}\.?|[\w\-]{1,4}"
)
_PART = re.compile(
    rf"(?:{_NUM},?[ \u00a0]+{_STREET}|{_STREET}[ \u00a0]+{_NUM}|{_UNIT}|{_STREET})"
)
_STREET_PART = re.compile(rf"(?:{_NUM},?[ \u00a0]+{_STREET}|{_STREET},?[ \u00a0]+{_NUM})$")
_UNIT_SUFFIX = re.compile(
    r"(?<![\w])(?:(?:Unit|Apt|Apartment|Suite|Flat|Floor|Fl|Room|Level|app|apt)\.?[ \u00a0]*#?[\w\-]{1,6}|\d{1,3}F|\d{1,2}[ºª°][ \u00a0]*[A-Za-z]{0,4}\.?)$"
)
# "C-12, Shanti Niketan Society, …": a block letter and a flat number, India's housing societies
_LETTER_UNIT = re.compile(r"(?<![\w\-])[A-Z]-\d{1,4}$")
_HAS_HOUSE = re.compile(rf"(?:^|[ \u00a0]){_NUM}(?:[ \u00a0,]|$)|^{_NUM}|^[A-Z]-?\d{{1,4}}$")  # "C-12": a flat in an Indian society
# A British street needs no house number when a house name or the postcode pins the door down:
# "Denmark Hill, London SE5 9RS", "The Old Rectory, Church Lane, Little Shelford, Cambridge CB22 5HH".
_STREET_TYPE = re.compile(
    rf"(?:[{_UP}][\w'’\-]*[ \u00a0]+){{1,3}}(?:Road|Street|Lane|Hill|Avenue|Close|Drive|Way|Crescent|Place|Square|Gardens|"
    r"Terrace|Row|Walk|Grove|Quay|Rise|Green|Mews|Parade|Embankment|Wharf|Boulevard)"
)
_HOUSE_NAME = re.compile(
    rf"(?:The[ \u00a0]+(?:[{_UP}][\w'’\-]*[ \u00a0]*){{1,3}}|(?:[{_UP}][\w'’\-]*[ \u00a0]+){{1,3}}"
    r"(?:House|Cottage|Farm|Lodge|Barn|Mill|Hall|Manor|Court|Villa|Chambers|Building|Centre|Center|Tower|Rectory|"
    r"Vicarage|Grange|Works|Barns|Farmhouse))$"
)
_COUNTRY = re.compile(
    r",?[ \u00a0]*(?:USA|U\.S\.A?\.?|United States|UK|United Kingdom|Ireland|Canada|Australia|Germany|Deutschland|"
    r"France|Spain|España|Portugal|Italy|Italia|Poland|Polska|Netherlands|Nederland|Belgium|Switzerland|Austria|"
    r"Russia|Russian Federation|South Korea|Korea|Georgia|Kazakhstan|Ukraine|Japan|China|India|Brazil|Mexico)(?![\w])"
)
_BRITISH = re.compile(r"[ \u00a0,][A-Z]{1,2}\d[A-Z\d]?[ \u00a0]?\d[A-Z]{2}(?![\w])|[ \u00a0,][AC-FHKNPRTV-Y]\d{2}[ \u00a0]?[AC-FHKNPRTV-Y0-9]{4}(?![\w])")
_STOP = frozenset(
    "the a an and or but to of in on at by for with from is are was were be it this that my our your we".split()  # noqa: SIM905
)


def _common_head(part: str) -> bool:
    """"Error 500", "Version 2": one ordinary English word before a number is no street name
    ("Hohenzollernring 56", "Piotrkowska 104" are no English words)."""
    m = re.fullmatch(r"([A-Za-z]+)[ \u00a0]+\d{1,5}", part)
    if m is None or _UNIT_SUFFIX.fullmatch(part):
        return False  # "Floor 3", "Unit 5" are address parts
    return lexicon.zipf(m.group(1)) >= lexicon.COMMON_ZIPF


def _plausible(part: str) -> bool:
    words = re.findall(r"[A-Za-zÀ-ž']+", part)
    return not any(w in _STOP for w in words)  # lower-case prose words; "A" in "101-A" is a letter


def _grow_back(text: str, line_start: int, anchor_start: int, comma: bool = True) -> int | None:
    """Where the address that ends with the postcode anchor at ``anchor_start`` starts."""
    head = text[line_start:anchor_start]
    if comma and head.strip() and not head.rstrip().endswith(","):
        return None  # "… and 2024 Olympics": the anchor must follow a comma or open the line
    parts = head.rstrip().rstrip(",").split(",")
    start = anchor_start
    house = False
    pos = line_start + len(head.rstrip().rstrip(","))
    for raw in reversed(parts):
        seg_start = pos - len(raw)
        seg = raw.strip()
        if not seg:
            break
        lead = seg_start + (len(raw) - len(raw.lstrip()))
        if _PART.fullmatch(seg) and _plausible(seg) and not _common_head(seg):
            start = lead
            house = house or (bool(_HAS_HOUSE.search(seg)) and any(c.isalpha() for c in seg)) or (
                _STREET_TYPE.fullmatch(seg) is not None and _BRITISH.search(text, anchor_start, anchor_start + 60) is not None)
            pos = seg_start - 1
            continue
        if house and (named := _HOUSE_NAME.search(seg)) is not None and _plausible(named.group()):
            start = lead + named.start()  # "… — The Old Rectory, Church Lane, …": the house's name
            break
        tail = _STREET_PART.search(seg) or _UNIT_SUFFIX.search(seg) or _LETTER_UNIT.search(seg)
        if tail is not None and _plausible(tail.group()) and not _common_head(tail.group()):
            start = lead + tail.start()
            house = house or _STREET_PART.search(seg) is not None or _LETTER_UNIT.fullmatch(tail.group()) is not None
        break
    return start if house else None


def find_postal_addresses(text: str) -> list[Entity]:
    """Anchors are matched only at the few places that can start one near a seed (a capital
    on the same line up to 45 characters before it, or the seed's own digit run): a ``search``
    over windows around every three-digit number cost a third of the pattern stage on code."""
    out: list[Entity] = []
    tried: set[int] = set()
    reach = -1
    seeds = sorted(m.span() for rx in _SEEDS for m in rx.finditer(text))
    # The digit run of the last seed tried, and whether it gave candidates.  A later seed in the
    # same run ("123" then "456" of "123456") has the same run start and no capital after the
    # first seed's (the run holds none): its candidates were all tried, or found an address that
    # reaches past the run.  With none, it has some only when a letter follows it ("1AB").
    run_start, run_end, had = -1, -1, False
    for seed_start, seed_end in seeds:
        if seed_start < reach:
            continue
        if run_start <= seed_start < run_end and (had or not text[seed_start + 1:seed_start + 2].isalpha()):
            continue
        run_start, run_end, starts = _candidate_starts(text, seed_start)
        had = bool(starts)
        for at in starts:
            if at in tried:
                continue
            tried.add(at)
            m = _ANCHOR.match(text, at)
            if m is None or m.end() < seed_end:
                continue
            ent = _from_anchor(text, m)
            if ent is not None:
                out.append(ent)
                reach = ent.end
                break
    return out


# Every postcode holds three digits in a row, or is a UK/Canadian one: those are the seeds.
# Three patterns that each start with a digit (CPython then skips to digits in C; one
# alternation with a letter-first branch is tried at every position).
_SEEDS = (re.compile(r"\d{3}"), re.compile(r"\d[A-Z]{2}(?![\w])"), re.compile(r"\d[A-Z]\d"))


_SPACED_TAIL = re.compile(r"[ \u00a0]\d{2}[ \u00a0]+[A-Z]")
_CAPITAL = re.compile(rf"(?<![\w'’-])[{_UP}]")
_DIGIT_RUN = re.compile(r"[\d-]*")
# A character no part of an _ANCHOR match can be (its towns, regions, postcodes and separators
# are letters of _UP/_LO, digits, spaces, "'’-,()"): an anchor that starts before one ends before
# it, so it cannot reach a seed after it ("Anna Keller, phone +1 415 555 1234": not from "Anna").
_NOT_IN_ANCHOR = re.compile(rf"[^{_UP}{_LO}'’ \u00a0\-,()\d]")


def _candidate_starts(text: str, seed: int) -> tuple[int, int, list[int]]:
    """The seed's digit run (start, end), and the capitals up to 45 characters before the seed
    on its line with no character between that an anchor cannot hold, and the run's start —
    none when the digit run cannot be a postcode (a phone's "912", a 9-digit id)."""
    p = seed
    while p > 0 and (text[p - 1].isdigit() or text[p - 1] == "-"):
        p -= 1
    run = _DIGIT_RUN.match(text, p).group()  # type: ignore[union-attr]  # always matches
    digits = len(run) - run.count("-")  # the run is digits and hyphens only
    spaced = digits == 3 and _SPACED_TAIL.match(text, p + len(run)) is not None  # "185 36 Piraeus"
    if not (4 <= digits <= 7 or (digits == 9 and "-" in run) or text[seed + 1:seed + 2].isalpha() or spaced):
        return p, p + len(run), []  # a postcode has 4–7 digits in its run, ZIP+4 nine (UK/Canadian ones: a letter next)
    lo = max(text.rfind("\n", 0, seed) + 1, seed - 45)
    for bad in _NOT_IN_ANCHOR.finditer(text, lo, seed):  # (the caller wants an anchor reaching the seed)
        lo = bad.end()
    out = [m.start() for m in _CAPITAL.finditer(text, lo, seed)]
    out.append(p)
    return p, p + len(run), out


def _from_anchor(text: str, m: re.Match[str]) -> Entity | None:
    line_start = text.rfind("\n", 0, m.start()) + 1
    start = _grow_back(text, line_start, m.start())
    if start is None and not text[line_start:m.start()].strip() and line_start > 0:
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        # A two-line label: "350 Pine Street, Suite 1400\nSan Francisco, CA 94104".
        start = _grow_back(text, prev_start, line_start - 1, comma=False)
    if start is None:
        return None
    if text.startswith(("'s ", "’s "), start):
        start += 3  # "that's Akti Miaouli 47, …": the contraction's tail is no street word
    end = m.end()
    country = _COUNTRY.match(text, end)
    if country is not None:
        end = country.end()
    return Entity("ADDRESS", start, end, text[start:end], 0.8, "address_postal")


def british_street_at(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a street that a British or Irish postcode follows on its
    line ("Denmark Hill, London SE5 9RS"): the name rules read "Denmark Hill" as a person."""
    if _STREET_TYPE.fullmatch(text, start, end) is None:
        return False
    stop = text.find("\n", end)
    stop = len(text) if stop == -1 else stop
    return text.startswith(",", end) and _BRITISH.search(text, end, min(stop, end + 60)) is not None
