"""Addresses as a run of comma-separated address parts, in any country's order.

Postal layouts differ in order ("Almaty, Abay Ave 52, apt 14, 050008, Kazakhstan", "Room 1203,
No. 88 Century Avenue, Pudong New District, Shanghai 200120", "3-15-8 Nishi-Azabu, Minato-ku,
Tokyo 106-0031", "вул. Хрещатик, 22, кв. 41, Київ, 01001", "12 rue de la roquette, 75011
paris"), but they are all a list of parts on one line, and each part has a shape of its own:

- a **street** — a street-type word in any of the languages a prompt uses (Ave, str., vulica,
  ul., вул., rue, Calle, Road, "Street 14"; or glued: Keizersgracht, Hauptstraße) next to a name
  and usually a house number, in either order; a Japanese block number "3-15-8 Nishi-Azabu";
- a **unit** — apt/flat/room/building/house No./villa/floor/кв./оф./корп.;
- a **district** or **settlement** — "Nanshan District", "Minato-ku", "Bole Sub-City",
  "Калининский р-н", "г. Грозный", "Чеченская Респ.";
- a **postcode**, alone or with its town on either side ("Tokyo 106-0031", "Baku AZ1010",
  "75011 paris", "Montréal (Québec) H3G 1K4");
- a **town** (one to three capitalised words) or a **country**.

A run of such parts is an address when it holds a street (or a unit with a number next to a
settlement or district) and one more part.  The first part may start mid-clause ("lives at
Bole Sub-City" keeps "Bole Sub-City") and the last may end one ("Dubai. Plumber's report").
This finds the layouts the street grammars in ``addresses.py`` do not know; the scanner joins
overlapping address findings, so a partial match there and a run here cover the whole value.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from perimeter.privacy.detect import lexicon, literals
from perimeter.privacy.detect.prescan import TextIndex, matches_at
from perimeter.privacy.entities import Entity

_UP = "A-ZÀ-ÖØ-ÞĀ-ŽȘȚА-ЯЁІЇЄЎҐ"
_LO = "a-zß-öø-ÿā-žșțа-яёіїєўґ'’"
_CAPW = rf"[{_UP}][{_LO}]+(?:-[{_UP}]?[{_LO}]+)*"
_ANYW = rf"[{_UP}{_LO}][{_LO}]*(?:-[{_UP}{_LO}][{_LO}]+)*"
# Street-type words (lower case, dot optional), before or after the name.
_TYPES = literals.PART_TYPES
_TYPE = rf"(?i:{_TYPES})\.?"
_GLUED_WORDS = (
    "straße|strasse|gasse|weg|platz|allee|ring|damm|ufer|straat|gracht|laan|plein|kade|singel|"
    "dijk|steeg|vej|gade|gatan|vägen|gata|veien|gate|katu|tie|utca|ulica"
)
_GLUED = rf"[\wß]{{2,}}(?i:{_GLUED_WORDS}|str\.)"
_NUM = r"(?:No\.?[ \u00a0]*|№[ \u00a0]*|#)?\d{1,5}[A-Za-zА-Яа-я]?(?:[/\-–]\d{1,5}[A-Za-zА-Яа-я]?)*(?![\w])"
_ORD = r"\d{1,3}(?:st|nd|rd|th|-я|-й|-ая|-ий)"
_NAMEW = rf"(?:{_ORD}|{_CAPW}|\d{{1,2}}(?=[ \u00a0]+[{_UP}]))"
_NAME = (rf"{_NAMEW}(?:[ \u00a0]+(?:de|del|de la|da|do|dos|di|du|des|la|le|van|von|der|den|e|y|bin|bint|ibn|al|el|"
         rf"{_NAMEW})){{0,4}}")  # "Sheikh Mohammed bin Rashid Blvd"
_LNAME = rf"{_ANYW}(?:[ \u00a0]+{_ANYW}){{0,3}}"  # lower-case names, only with a number and a type word
_SP = r"[ \u00a0]+"
_STREET = re.compile(
    rf"(?:(?:{_NUM},?{_SP})?{_TYPE}{_SP}{_NAME}(?:,?{_SP}{_NUM})?"  # ul. Marszałkowska 84/92, 1450 rue Sherbrooke Ouest
    rf"|{_TYPE}{_SP}{_NUM}"  # Street 14
    rf"|(?:{_NUM},?{_SP})?{_NAME}{_SP}{_TYPE}(?:,?{_SP}{_NUM})?"  # Abay Ave 52, No. 88 Century Avenue, 12th Main Road
    rf"|(?:{_NUM}{_SP})?{_GLUED}(?:{_SP}{_NUM})?"  # Keizersgracht 123-2
    rf"|\d{{1,4}}(?:-\d{{1,4}}){{1,2}}{_SP}{_CAPW}"  # 3-15-8 Nishi-Azabu
    rf"|{_NUM}{_SP}{_TYPE}{_SP}{_LNAME}|{_GLUED}{_SP}{_NUM})"  # 12 rue de la roquette, oudegracht 211
    rf"(?:,?{_SP}(?i:apt|app|m|kv|кв|flat|unit|suite|ste)\.?[ \u00a0]*\d[\w\-/]{{0,5}})?",  # "84/92 m. 15"
)
_UNIT_ONE = (
    rf"(?i:unit|apt|apartment|suite|ste|flat|floor|fl|room|rm|bldg|building|block|blk|tower|house|villa|plot|lot|"
    rf"app|appt|apto|piso|wohnung|top|lok|m|kv|bus|office|of|oficina|depto|dpto|departamento|local|sala|andar|conj|"
    rf"кв|квартира|оф|офис|корп|корпус|к|стр|строение|лит|литера|пом|помещение|д|дом|зд|здание|эт|этаж)\.?"
    rf"[ \u00a0]*(?:No\.?[ \u00a0]*|№[ \u00a0]*|#)?[\wА-Яа-я]{{0,4}}\d[\w\-/]{{0,5}}"
    rf"|(?i:лит|литера|корп|корпус|building|bldg|block|tower|пом)\.?[ \u00a0]*[A-ZА-Я](?:-[A-ZА-Я0-9]+)?"
    rf"|\d{{1,3}}(?i:st|nd|rd|th)?[ \u00a0]+(?i:floor|fl\.?)|\d{{1,3}}F|{_NUM}"
)
_UNIT = re.compile(rf"(?:{_UNIT_ONE})(?:[ \u00a0]+(?:{_UNIT_ONE}))?")  # "д. 33 кв. 40" without a comma
_POSTCODE = (
    r"\d{3}-\d{4}|\d{2}-\d{3}|\d{4}-\d{3}|\d{4,7}|[A-Z]{2}[ \u00a0-]?\d{4}|[A-Z]\d[A-Z][ \u00a0]?\d[A-Z]\d"
    r"|[A-Z]{1,2}\d[A-Z\d]?[ \u00a0]?\d[A-Z]{2}|\d{4}[ \u00a0]?[A-Za-z]{2}"
    r"|[AC-FHKNPRTV-Y]\d[\dW][ \u00a0]?[0-9AC-FHKNPRTV-Y]{4}"  # Irish Eircode "D02 WP20"
    r"|\d{3}[ \u00a0]\d{2}"  # Czech/Slovak/Greek/Swedish "100 00"
)
_TOWN = rf"{_CAPW}(?:[ \u00a0]{_CAPW}){{0,2}}"
_REGION_PAREN = rf"(?:[ \u00a0]+\({_CAPW}\))?"
_POST_PART = re.compile(
    rf"(?:{_TOWN}{_REGION_PAREN},?[ \u00a0]+)?(?:{_POSTCODE})(?:[ \u00a0]+{_TOWN})?"
)
_POST_LOWER = re.compile(rf"(?:{_POSTCODE})[ \u00a0]+{_ANYW}(?:[ \u00a0]{_ANYW})?")  # "75011 paris", lower-case lines
_SETTLEMENT = (
    r"г|м|с|д|п|пгт|рп|ст|ст-ца|х|аул|дер|пос|село|город|місто|смт|village|vill"
)
_DISTRICT = re.compile(
    rf"(?:(?:{_SETTLEMENT})\.[ \u00a0]*{_TOWN}|(?:{_SETTLEMENT})[ \u00a0]+{_TOWN}"
    rf"|{_TOWN}[ \u00a0]+(?i:district|province|prefecture|county|oblast|region|sub-city|subcity|ward|"
    rf"обл\.?|область|край|р-н|район|респ\.?|республика|ао|округ)"
    rf"|(?i:респ\.?|республика|обл\.?|область|р-н|район)[ \u00a0]+{_TOWN}"
    rf"|{_CAPW}-(?:ku|shi|cho|machi|gu|dong|si|ro|gil)"
    rf"|[А-ЯA-Z]\.[ \u00a0]?[А-ЯA-Z]\."
    rf"|Co\.[ \u00a0]+{_TOWN})",  # Irish and Northern Irish counties, "Co. Kildare"
)
# "Woreda 03", "Al Barsha 2", "HAL 2nd Stage": a named and numbered area, only inside a run.
_NAMED = re.compile(rf"{_TOWN}[ \u00a0]+\d{{1,4}}|[A-Z]{{2,4}}[ \u00a0]+\d(?:st|nd|rd|th)[ \u00a0]+[A-Z][a-z]+")
_COUNTRY_LIST = (
    "russia,россия,рф,ukraine,україна,украина,belarus,беларусь,kazakhstan,казахстан,uzbekistan,узбекистан,"
    "kyrgyzstan,кыргызстан,tajikistan,таджикистан,turkmenistan,armenia,армения,georgia,грузия,azerbaijan,"
    "азербайджан,moldova,молдова,latvia,lithuania,estonia,poland,polska,germany,deutschland,france,italy,italia,"
    "spain,españa,portugal,netherlands,the netherlands,nederland,belgium,switzerland,schweiz,austria,österreich,"
    "czechia,czech republic,slovakia,hungary,romania,bulgaria,serbia,croatia,slovenia,greece,turkey,türkiye,"
    "cyprus,israel,uae,united arab emirates,saudi arabia,qatar,egypt,ethiopia,kenya,nigeria,ghana,south africa,"
    "morocco,tunisia,india,pakistan,bangladesh,sri lanka,nepal,china,prc,japan,korea,south korea,republic of korea,"
    "vietnam,viet nam,thailand,indonesia,malaysia,singapore,philippines,australia,new zealand,canada,usa,u.s.a.,"
    "united states,mexico,brazil,argentina,chile,colombia,peru,uk,united kingdom,england,scotland,wales,ireland,"
    "norway,sweden,denmark,finland,iceland"
)
_COUNTRY_NAMES = frozenset(_COUNTRY_LIST.split(","))
_GAP = re.compile(r"[ \u00a0\"«“'(:;|\t]+")  # ";", "|", tab: a CSV/1C record before the address cell
_END_CUT = re.compile(
    r"(?:(?<=[^\W\d_]{4})|(?<=\d))\.[ \u00a0]+(?=[A-ZА-ЯЁ])|[ \u00a0]+(?:—|–|-|\||\(|(?i:tel|phone|тел|моб)\b)|[\"»”)\]]"
)
# Only lines with a digit and a comma, and an address-part word, are looked at.  Every
# alternative starts with a word of ``literals.PART_WORDS``, so with hyperscan the words come
# from the shared one-pass literal search (this alternation over the whole text cost 0.3 ms/KB).
_UNIT_WORDS = literals.PART_UNITS
_GLUED_SUFFIXES = literals.PART_GLUED
_WARD_SUFFIXES = literals.PART_WARDS
_TRIGGER = re.compile(
    rf"(?<![\w])(?:{_TYPES}|{_UNIT_WORDS})\.?(?![\w])"
    rf"|(?<=[^\W\d_]{{2}})(?:{_GLUED_SUFFIXES})(?![\w])"  # Keizersgracht, Hauptstraße
    rf"|(?<=[^\W\d_])-(?:{_WARD_SUFFIXES})(?![\w])"  # Minato-ku
)
_DIGIT = re.compile(r"\d")
_STREET_KIND, _UNIT_KIND, _POST_KIND, _DISTRICT_KIND, _TOWN_KIND, _COUNTRY_KIND, _NAMED_KIND = range(7)


_AREA_WORDS = (
    "no no. № # district province prefecture county oblast region sub-city subcity ward область край район республика "
    "ао округ лит литера корпус строение стр помещение пом дом д зд здание эт этаж квартира офис оф m kv bus office of "
    "suite ste fl rm bldg block blk tower plot lot appt apto piso wohnung top lok"
)
_PART_WORD_SET = frozenset(literals.PART_ALL) | frozenset(_SETTLEMENT.split("|")) | frozenset(_AREA_WORDS.split())
_TOWN_RX = re.compile(_TOWN + _REGION_PAREN)
_SPLIT_WORDS = re.compile(r"[\s.,()]+")


def _kind(part: str) -> int | None:
    """The shape of one comma-separated part, or None when it is no address part.  The patterns
    are tried only when the part holds what they need (a digit, a street or area word): a line
    of requisites or prose has many parts, and each pattern is a long alternation."""
    if len(part) > 64 or part.count(" ") > 6 or "@" in part:
        return None  # a clause of prose, not a part (and the patterns would backtrack over it)
    low = part.lower()
    if low.rstrip(".") in _COUNTRY_NAMES:
        return _COUNTRY_KIND
    digit = _DIGIT.search(part) is not None
    words = _SPLIT_WORDS.split(low)
    keyword = any(w in _PART_WORD_SET for w in words) or (digit and _BLOCK.match(part) is not None)
    glued = not keyword and any(w.endswith(_GLUED_ENDINGS) for w in words)
    if words[0] in _UNIT_FIRST and _UNIT.fullmatch(part):
        return _UNIT_KIND  # "apt 14", "Room 1203": the cheap pattern first
    if (keyword or glued) and _STREET.fullmatch(part) and any(ch.isalpha() for ch in part):
        return _STREET_KIND
    if digit or keyword:
        if _UNIT.fullmatch(part):
            return _UNIT_KIND
        if digit and (_POST_PART.fullmatch(part) or (part.islower() and _POST_LOWER.fullmatch(part))):
            return _POST_KIND
    if (keyword or "-" in part or "." in part) and _DISTRICT.fullmatch(part):
        return _DISTRICT_KIND
    if digit and _NAMED.fullmatch(part):
        return _NAMED_KIND
    if not digit and _TOWN_RX.fullmatch(part) and not any(w in _NOT_TOWN for w in words):
        return _TOWN_KIND
    return None


_GLUED_ENDINGS = (*_GLUED_WORDS.split("|"), "str")
_BLOCK = re.compile(r"\d{1,4}-\d{1,4}(?:-\d{1,4})?[ \u00a0]")  # "3-15-8 Nishi-Azabu"
_UNIT_FIRST_WORDS = (
    "unit apt apartment suite ste flat floor fl room rm bldg building block blk tower house villa plot lot app appt "
    "apto piso kv кв квартира оф офис корп корпус лит литера пом помещение эт этаж"
)
_UNIT_FIRST = frozenset(_UNIT_FIRST_WORDS.split())


_NOT_TOWN = frozenset(
    """
the a an and or but to of in on at by for with from is are was were be it this that my our your we i you he she they
hi hello dear thanks regards best name address phone tel email mobile customer client employee order invoice please
привет спасибо адрес телефон имя
""".split()  # noqa: SIM905 - a word list reads better as text
)


def _person_like(part: str) -> bool:
    words = part.split()
    if len(words) < 2:
        return False
    low = words[0].lower()
    return low in lexicon.first_names() or low in lexicon.cyrillic_first_names()


def _accept(kinds: list[int]) -> bool:
    streets = kinds.count(_STREET_KIND)
    if streets and len(kinds) >= 2:
        return True
    units = kinds.count(_UNIT_KIND)
    places = kinds.count(_DISTRICT_KIND) + kinds.count(_POST_KIND)
    return units >= 1 and places >= 1 and len(kinds) >= 3


def _split(line: str) -> list[tuple[int, int]]:
    """(start, end) of each comma-separated part of a line, stripped."""
    out = []
    pos = 0
    for piece in line.split(","):
        s = pos + len(piece) - len(piece.lstrip())
        e = pos + len(piece.rstrip())
        out.append((s, max(s, e)))
        pos += len(piece) + 1
    return out


_DIGIT_GROUP_BEFORE = re.compile(r"\d[ \u00a0]+$")


def _best_suffix(line: str, s: int, e: int) -> int | None:
    """Start of the longest word-aligned tail of ``line[s:e]`` that is an address part."""
    seg = line[s:e]
    starts = [0] + [m.end() for m in _GAP.finditer(seg)]
    for x in starts[-5:]:  # an address part is at most a few words: only the tail is tried
        kind = _kind(seg[x:]) if x < len(seg) else None
        if kind == _POST_KIND and (seg[:x].rstrip().endswith(("№", "#")) or _DIGIT_GROUP_BEFORE.search(seg[:x])):
            continue  # "паспорт 4518 № 602311, г. Москва", "92 19 304771": a document number, not a postcode
        if kind is not None and not (kind == _TOWN_KIND and _person_like(seg[x:])):
            before = seg[:x].split()
            if before and before[-1][0].isupper() and before[-1][-1] not in ":;\"«“(":
                return None  # "Declan L. Zhang, 1422 Main Lane": the tail of a capitalised run is a name
            return s + x
    return None


_QUANTITY_AFTER = re.compile(r"[ \u00a0]+(?:тыс|млн|млрд|км\b|km\b|руб|₽|%|miles?\b|kg\b|кг\b)")


def _best_prefix(line: str, s: int, e: int, after_street: bool) -> int | None:
    seg = line[s:e]
    m = _END_CUT.search(seg)
    if m is not None:
        seg = seg[:m.start()]
    ends = [m.start() for m in re.finditer(r"[ \u00a0]+", seg)] + [len(seg)]
    for x in sorted(set(ends[:5]), reverse=True):
        head = seg[:x].rstrip(".")
        if _QUANTITY_AFTER.match(seg, x):
            continue  # "по Новорижскому шоссе, 25 тыс. км в год": a quantity, not a house number
        if x and (after_street or len(head) >= 4 or not head.isdigit()) and _kind(head) is not None:
            return s + len(seg[:x].rstrip("."))
    return None


def _delimited(words: frozenset[str] | set[str], after: str) -> str:
    before = "".join(re.escape(c) for c in literals.PART_BEFORE)
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return rf"(?<=[{before}])(?:{alternation})(?={after})"


# The same words as the literal groups, as regexes: the path without hyperscan finds the same starts.
_AFTER_CLASS = "[" + "".join(re.escape(c) for c in literals.PART_AFTER) + "]"
_FALLBACK = re.compile(
    _delimited(literals.PART_ALL - literals.PART_NOT_TRIGGERS - literals.PART_DOT_ONLY, _AFTER_CLASS)
    + "|" + _delimited(literals.PART_DOT_ONLY - literals.PART_NOT_TRIGGERS, r"\.")
    + "|" + "(?:" + "|".join(re.escape(w) for w in literals.PART_SUFFIXES_WORDS) + f")(?={_AFTER_CLASS})"
)


_HEAD_WORD = re.compile(r"\s*(\S+)")


def _triggers(ix: TextIndex) -> list[re.Match[str]]:
    low = ix.lower
    suffixes = ix.literal_starts("part_suffixes")
    delimited = ix.literal_starts("part_delimited")
    if suffixes is None or delimited is None:
        starts = {m.start() for m in _FALLBACK.finditer(low)}
    else:
        starts = {*suffixes, *(at + 1 for at in delimited)}
    head = _HEAD_WORD.match(low)
    if head is not None and head.group(1).rstrip(".") in literals.PART_ALL:
        starts.add(head.start(1))  # a word at the very start has nothing before it
    return matches_at(_TRIGGER, low, sorted(starts))


def find_part_addresses(ix: TextIndex, found: list[Entity] | None = None) -> list[Entity]:
    """``found``: the addresses the street and postcode grammars gave; a line one of them already
    covers whole (after its label) is not split again."""
    text = ix.text
    out: list[Entity] = []
    if "," not in text:
        return out
    lines: dict[int, list[int]] = {}  # line start -> trigger offsets on it
    for hit in _triggers(ix):
        if _DIGIT.search(text, max(0, hit.start() - 24), hit.end() + 24) is None:
            continue  # a street or unit word with no number near it ("per month", "at the square")
        lines.setdefault(text.rfind("\n", 0, hit.start()) + 1, []).append(hit.start())
    for a, hits in lines.items():
        b = text.find("\n", a)
        line = text[a:len(text) if b == -1 else b]
        if "," in line and not _covered_line(a, line, found):
            out.extend(_line_addresses(text, a, line, [h - a for h in hits]))
    return out


def _covered_line(base: int, line: str, found: list[Entity] | None) -> bool:
    if not found:
        return False
    head = line.rfind(": ", 0, 40)
    lo = base + (head + 2 if head != -1 else len(line) - len(line.lstrip()))
    hi = base + len(line.rstrip(" .;\t\"'»)"))
    return any(e.start <= lo and e.end >= hi for e in found)


def _line_addresses(text: str, base: int, line: str, hits: list[int]) -> list[Entity]:
    """A run holds a street or a unit, so it holds a trigger: only the parts up to six either side
    of a trigger's part are classified (a requisites line can have twenty parts)."""
    out: list[Entity] = []
    parts = _split(line)
    near: set[int] = set()
    ends = [e for _, e in parts]  # increasing: the part holding a hit is found by bisection
    for h in hits:
        n = min(bisect_left(ends, h), len(parts) - 1)
        near.update(range(max(0, n - 6), min(len(parts), n + 7)))
    kinds = [_kind(line[s:e]) if k in near else None for k, (s, e) in enumerate(parts)]
    i = 0
    while i < len(parts):
        # a run: a (partial) first part, whole parts, a (partial) last part
        if kinds[i] == _TOWN_KIND and _person_like(line[parts[i][0]:parts[i][1]]):
            kinds[i] = None  # "Declan Zhang, 1422 Main Lane": a person before the street, not a town
        if kinds[i] is None and not (i + 1 < len(parts) and (kinds[i + 1] is not None or _DIGIT.search(line, *parts[i]))):
            i += 1  # a run cannot start in this part: nothing after it is an address part
            continue
        first_start = parts[i][0] if kinds[i] is not None else _best_suffix(line, *parts[i])
        if first_start is None:
            i += 1
            continue
        run = [kinds[i] if kinds[i] is not None else _kind(line[first_start:parts[i][1]])]
        end = parts[i][1]
        j = i + 1
        while j < len(parts) and kinds[j] is not None:
            run.append(kinds[j])  # type: ignore[arg-type]
            end = parts[j][1]
            j += 1
        if j < len(parts):
            tail = _best_prefix(line, *parts[j], run[-1] == _STREET_KIND)
            if tail is not None:
                run.append(_kind(line[parts[j][0]:tail]))  # type: ignore[arg-type]
                end = tail
        s, e = base + first_start, base + end
        if _accept([k for k in run if k is not None]) and _DIGIT.search(text, s, e) is not None:
            out.append(Entity("ADDRESS", s, e, text[s:e], 0.75, "address_parts"))
        i = max(j, i + 1)
    return out
