"""Phones in a national layout with no "+" and no trunk prefix, found only beside a phone cue.

"тел. 921 334 18 07", "call me back, 4155550134", "text me on 07700900781", "Tel. 030
55501874": written the way people dial inside their own country, these numbers have no
international prefix for :func:`contacts.find_phones` to anchor on, and a bare 10-digit run is
far more often an order number or an ИНН.  Two things together make them a phone here:

* a phone cue right before the number (``тел``, ``call``, ``text me``, ``WhatsApp`` …, the
  ``PHONE`` words of :mod:`keywords`), or another phone in the next lines of the same list
  ("MUNICH_SUPPORT_LINE: +49 89 …" above "BERLIN_FALLBACK: 030 …");
* the digits are a valid number in the numbering plan (``phonenumbers`` metadata) of a region
  the text points at: its script (Cyrillic → RU), country names, cities, currency signs,
  top-level domains and the country codes of the other phones in it.

A number after a passport, account or IBAN word is that thing's (the context word of the
nearest cue decides), and digits inside a longer chain (an IBAN's tail) are never tried.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import partial
from itertools import accumulate

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.keywords import nearest_context
from perimeter.privacy.detect.phone_plans import (
    mobile_in,
    region_of_country_code,
    valid_in,
    valid_international,
)
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.entities import Entity

# Digit groups with single separators (one split only: no backtracking over where a run ends);
# never touching a letter, "+", "/" or more digits.  A trunk-prefixed area code may end in a
# slash, as German and Austrian letterheads write it ("089 / 5512 48-30").
_CANDIDATE = re.compile(
    r"(?:(?<![\w+/.,:\-])|(?<=,)(?=\())(?<![A-Z]{2}\d{2} )(?:0\d{1,5}[ \u00a0]?/[ \u00a0]?\d{2,8}|\(?\d{2,12}\)?)(?:[ \u00a0\-.]\d{2,8}){0,4}(?![\w]|[.,:\-/]\d)"
)
_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DE", re.compile(r"\+49|germany|deutschland|berlin|münchen|munich|hamburg|köln|frankfurt|\.de\b|€|\beur\b|tel\.:", re.I)),
    ("GB", re.compile(r"\+44|\buk\b|united kingdom|england|london|croydon|manchester|£|\bgbp\b|\.co\.uk\b|\bM25\b", re.I)),
    ("US", re.compile(r"\+1\b|\busa?\b|united states|\$|\busd\b|\b[A-Z]{2} \d{5}\b|new york|california|texas")),
    ("RU", re.compile(r"\+7|росси|москв|петербург|₽|руб|\.ru\b", re.I)),
    ("FR", re.compile(r"\+33|france|paris|\.fr\b", re.I)),
    ("ES", re.compile(r"\+34|españa|spain|madrid|barcelona|valencia|sevilla|\.es\b", re.I)),
    ("BR", re.compile(r"\+55|brasil|brazil|são paulo|sao paulo|rio de janeiro|r\$|\.br\b", re.I)),
    ("IE", re.compile(r"\+353|ireland|dublin|cork|galway|\.ie\b", re.I)),
    ("KZ", re.compile(r"\+7 ?7|казахстан|kazakh|алматы|almaty|астана|astana|₸|тенге|\.kz\b", re.I)),
    ("UZ", re.compile(r"\+998|узбекистан|uzbek|o['‘’`]zbek|ташкент|toshkent|tashkent|so['‘’`]m\b|\.uz\b", re.I)),
    ("PL", re.compile(r"\+48|polska|poland|warszaw|warsaw|kraków|krakow|wrocław|gdańsk|poznań|\bzł\b|\bpln\b|\.pl\b", re.I)),
    ("IT", re.compile(r"\+39|italia|italy|roma\b|milano|milan\b|napoli|torino|\.it\b", re.I)),
    ("NL", re.compile(r"\+31|nederland|netherlands|amsterdam|rotterdam|utrecht|\.nl\b", re.I)),
    ("PT", re.compile(r"\+351|portugal|lisboa|lisbon|porto\b|\.pt\b", re.I)),
    ("UA", re.compile(r"\+380|україн|украин|ukrain|київ|киев|kyiv|львів|львов|₴|грн|\.ua\b", re.I)),
    ("BY", re.compile(r"\+375|беларус|belarus|мінск|минск|minsk|\.by\b", re.I)),
    ("TR", re.compile(r"\+90|türkiye|turkey|istanbul|İstanbul|ankara|izmir|\.tr\b", re.I)),
    ("PK", re.compile(r"\+92|pakistan|karachi|lahore|islamabad|rawalpindi|multan|faisalabad|peshawar|\.pk\b|shukriya|rabta", re.I)),
    ("IN", re.compile(r"\+91|₹|\binr\b|\brs\.? ?\d|india|mumbai|delhi|bengaluru|bangalore|chennai|hyderabad|kolkata|\.in\b", re.I)),
)
# Any other country code written with its "+" in the text: its region ("+995 …" → GE).
_COUNTRY_CODE = re.compile(r"(?<![\w+])\+(\d{1,3})(?=[ \u00a0\-(])")
_CUE_WORD = re.compile(
    r"(?<![^\W\d_])(?:тел|phone|моб|mobile|cell|whatsapp|telegram|звон|позвон|call|fax|факс|tel|text me|ph|contact|"
    r"в[ао]тсап|ring|ll[aá]m|tel[eé]fono|m[oó]vil|celular|telefone|sms|смс|viber|вайбер|hp|nomor|telp|telepon|"
    r"handphone|n[uú]mero|numero)",
    re.IGNORECASE,
)
_DEFAULT_EN = ("US", "GB")
# "My number is 9822 014 763", "contact no. …": the word "number" made a phone's by its owner.
_NUMBER_CUE = re.compile(
    r"(?i:(?:my|mobile|contact|cell|whatsapp|direct)[ \u00a0]+(?:number|no\.?)|number is)[ \u00a0:]*$"
    # a signature's name right before it: "– Neha Kapoor, 9810 227 461"
    r"|(?<![\w])[A-Z][a-z]+(?:[ \u00a0][A-Z][a-z'’\-]+){1,2},[ \u00a0]*$"
    # Roman Urdu and Hindi: "… se rabta karein, number 0300 4172859"
    # (the word alone after a comma: "order number", "member no." name other numbers)
    r"|[,;!?(\n][ \u00a0]*(?i:number|nambar)[ \u00a0:]*$"
)
# Russian: "кидайте мне на сбер по номеру 9270014582" — the word right before a mobile's digits
_RU_NUMBER_CUE = re.compile(r"(?<![\w])(?i:номер[уа]?|телефону)[ \u00a0:]*$")
_RU_MOBILE = re.compile(r"[78]?9\d{9}")
_TRUNK_BEFORE = re.compile(r"(?<![\w+\-])0[ \u00a0]$")
_NON_DIGITS = str.maketrans("", "", " \u00a0-.()")
_PHONE_SHAPE_DIGITS = range(9, 13)


# Scripts that name their countries: a Chinese address, a Hebrew note, a Greek form.
_SCRIPT_REGIONS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"[\u4e00-\u9fff]"), ("CN", "TW", "HK")),
    (re.compile(r"[\u3040-\u30ff]"), ("JP",)),
    (re.compile(r"[\uac00-\ud7af]"), ("KR",)),
    (re.compile(r"[\u0590-\u05ff]"), ("IL",)),
    (re.compile(r"[\u0600-\u06ff]"), ("SA", "AE", "EG", "PK")),
    (re.compile(r"[\u0370-\u03ff]"), ("GR", "CY")),
    (re.compile(r"[\u10a0-\u10ff]"), ("GE",)),
    (re.compile(r"[\u0530-\u058f]"), ("AM",)),
    (re.compile(r"[\u0e00-\u0e7f]"), ("TH",)),
    (re.compile(r"[\u0900-\u097f]"), ("IN",)),
)


def _script_regions(head: str) -> list[str]:
    if head.isascii():
        return []
    return [region for rx, regions in _SCRIPT_REGIONS if rx.search(head) for region in regions]


def _regions(text: str, strong: bool = False) -> tuple[str, ...]:
    """Regions the text points at, the script's own first.  ``strong``: only those the text
    itself names (no Cyrillic-means-Russia, no default English-speaking plans)."""
    head = text[:4000]
    found: list[str] = ["RU"] if not strong and re.search(r"[а-яё]", head, re.I) else []
    for script_region in _script_regions(head):
        if script_region not in found:
            found.append(script_region)
    found.extend(region for region, rx in _HINTS if region not in found and rx.search(head))
    if "+" in head:
        for m in _COUNTRY_CODE.finditer(head):
            region = region_of_country_code(int(m.group(1)))
            if region and region not in found:
                found.append(region)
    for region in _named_places(head):
        if region not in found:
            found.append(region)
    if strong:
        return tuple(found)
    for region in _DEFAULT_EN:
        if region not in found:
            found.append(region)
    return tuple(found)


# Capitalised words, one to three, that may name a city or a country ("Bengaluru", "São Paulo").
_PLACE_WORDS = re.compile(r"(?<![\w])[A-ZА-ЯЁÀ-Þ][\w'’\-]+(?:[ \u00a0][A-ZА-ЯЁÀ-Þ][\w'’\-]+){0,2}")
_MAX_PLACE_REGIONS = 4


def _named_places(head: str) -> list[str]:
    """The countries of the cities and countries ``head`` names, in order of first mention (at
    most a few: a text naming many places gives no region of its own)."""
    table = lexicon.place_regions()
    out: list[str] = []
    for m in _PLACE_WORDS.finditer(head):
        words = m.group().split()
        for n in range(len(words), 0, -1):
            for k in range(len(words) - n + 1):
                region = table.get(" ".join(words[k:k + n]).lower())
                if region is not None and region not in out:
                    out.append(region)
        if len(out) > _MAX_PLACE_REGIONS:
            return []
    return out


def _sibling_phone(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Another phone within two lines of this one: a list of numbers (``spans`` sorted)."""
    k = bisect_left(spans, (start, start))
    for a, b in spans[max(0, k - 1):k + 1]:
        lo, hi = (b, start) if b <= start else (end, a)
        if 0 <= hi - lo <= 160 and text.count("\n", lo, hi) <= 2:
            return True
    return False


def _overlaps(spans: list[tuple[int, int]], reach: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps a span; ``reach[k]``: the furthest end among spans[:k+1]."""
    k = bisect_left(spans, (end, end))
    return k > 0 and reach[k - 1] > start


def _candidates(ix: TextIndex, phones: list[Entity]) -> Iterator[tuple[re.Match[str], str, str]]:
    """(match, value, digits) of the national-layout candidates of 8 to 12 digits that overlap no
    phone found already and hold no unbalanced bracket; shared by the cued and uncued rules."""
    taken = sorted((e.start, e.end) for e in phones)
    reach = list(accumulate((b for _, b in taken), max))
    for m, value, digits in ix.memo("phone_candidates", partial(_all_candidates, ix)):
        if not 8 <= len(digits) <= 12 or _overlaps(taken, reach, m.start(), m.end()):
            continue
        if value.startswith("(") != (")" in value):
            continue
        yield m, value, digits


def _all_candidates(ix: TextIndex) -> list[tuple[re.Match[str], str, str]]:
    """(match, value, digits) of every _CANDIDATE match in the text's identifier windows: found
    once per text, as the cued and the uncued rules both read them."""
    text = ix.text
    return [
        (m, value, value.translate(_NON_DIGITS))
        for lo, hi in ix.digit_regions(min_len=9)  # the windows numbers.py asked for: already cached
        for m in _CANDIDATE.finditer(text, lo, hi)
        for value in (m.group(),)
    ]


def find_cued_phones(ix: TextIndex, phones: list[Entity]) -> list[Entity]:
    """Cued national-layout phones not overlapping ``phones`` (the detector's own finds)."""
    text = ix.text
    out: list[Entity] = []
    regions: tuple[str, ...] | None = None
    taken = sorted((e.start, e.end) for e in phones)
    for m, _value, digits in _candidates(ix, phones):
        if len(digits) not in _PHONE_SHAPE_DIGITS:
            continue
        ctx = nearest_context(text, m.start(), 40)
        if ctx == "PHONE":  # the keyword list also matches inside words ("водиТЕЛьское")
            cued = _CUE_WORD.search(text, max(0, m.start() - 40), m.start()) is not None
        else:
            cued = ctx is None and (_sibling_phone(text, m.start(), m.end(), taken)
                                    or _NUMBER_CUE.search(text, max(0, m.start() - 24), m.start()) is not None
                                    or (_RU_MOBILE.fullmatch(digits) is not None
                                        and _RU_NUMBER_CUE.search(text, max(0, m.start() - 12), m.start()) is not None))
        if not cued:
            continue
        if regions is None:
            regions = _regions(text)
        start = m.start()
        trunk = _TRUNK_BEFORE.search(text, max(0, start - 3), start)
        if trunk is not None and valid_in("0" + digits, regions):
            digits, start = "0" + digits, trunk.start()  # "0 770 22 18 45": the trunk "0" said apart
        # "sms sent to 79031187245": the international form with its "+" dropped is one too
        if valid_in(digits, regions) or (len(digits) >= 11 and start == m.start() and valid_international(digits)):
            out.append(Entity("PHONE", start, m.end(), text[start:m.end()], 0.85, "phone_cued"))
    return out


# --- local numbers: six to eight digits in a dialling layout ("45-12-90", "412-08-77",
# "9127 4408", "555 0142"), which people give for a city line or inside a small country.  No
# numbering plan tells them from other short numbers, so only a phone word right before them
# (within a few words, with no other kind of number named nearer) makes them phones.
_LOCAL = re.compile(
    r"(?<![\w+/.,:\-])(?:\d{1,3}-\d{2}-\d{2}|\d{3,4}[ \u00a0\-]\d{4})(?![\w]|[.,:\-/]\d|[ \u00a0\-]\d)"
)
_YEARS = re.compile(r"(?:19|20)\d\d\D(?:19|20)\d\d")
# a phone's kind written after it: "52-18-09 (дом.)", "45-12-90 (раб.)", "555 0142 (home)"
_KIND_AFTER = re.compile(r"[ \u00a0]*\((?i:дом|домашний|раб|рабочий|моб|сот|home|work|mob|cell)\.?\)")


def find_local_phones(ix: TextIndex, phones: list[Entity]) -> list[Entity]:
    """Cued local-layout phones not overlapping ``phones``."""
    text = ix.text
    out: list[Entity] = []
    taken = sorted((e.start, e.end) for e in phones)
    reach = list(accumulate((b for _, b in taken), max))
    for lo, hi in ix.digit_regions(pad=3):
        for m in _LOCAL.finditer(text, max(0, lo), hi):
            if _overlaps(taken, reach, m.start(), m.end()) or _YEARS.fullmatch(m.group()):
                continue
            if _KIND_AFTER.match(text, m.end()) is not None and nearest_context(text, m.start(), 28) in ("PHONE", None):
                out.append(Entity("PHONE", m.start(), m.end(), m.group(), 0.8, "phone_cued"))
                continue
            if nearest_context(text, m.start(), 28) != "PHONE":
                continue
            if _CUE_WORD.search(text, max(0, m.start() - 28), m.start()) is not None:
                out.append(Entity("PHONE", m.start(), m.end(), m.group(), 0.8, "phone_cued"))
    return out


# --- mobiles with no cue at all: "Contact 98450 12736", "电话：138 1724 5590", "ship to musa
# abdullahi, no 15 ahmadu bello way, kaduna, 08031184450".  A mobile range of a country the text
# itself names (a city, a country, its script, a "+CC" elsewhere) is specific enough on its
# own: order numbers and amounts seldom fall in one.  Still never after another kind's word.
_GROUPED = re.compile(r"\d[ \u00a0\-.()]+\d")
_RU_MOBILE_GROUPS = re.compile(r"9\d\d([ \u00a0\-])\d{3}\1\d\d\1\d\d")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def find_uncued_mobiles(ix: TextIndex, phones: list[Entity]) -> list[Entity]:
    text = ix.text
    out: list[Entity] = []
    regions: tuple[str, ...] | None = None
    cyrillic: bool | None = None
    for m, value, digits in _candidates(ix, phones):
        grouped = _GROUPED.search(value) is not None
        if not (len(digits) in _PHONE_SHAPE_DIGITS or grouped):
            continue  # eight digits only in groups: "8452 6613" in Singapore
        if _DATE_LIKE.match(value) or (len(digits) < 10 and not grouped):
            continue  # nine bare digits: an id far more often than a phone
        if nearest_context(text, m.start(), 40) not in (None, "PHONE"):
            continue
        # "963 701 44 28": a Russian mobile without its trunk, in the 3-3-2-2 groups no
        # other number is written in
        if _RU_MOBILE_GROUPS.fullmatch(value):
            if cyrillic is None:
                cyrillic = _CYRILLIC.search(text) is not None
            if cyrillic and mobile_in(digits, ("RU",)):
                out.append(Entity("PHONE", m.start(), m.end(), value, 0.8, "phone_mobile"))
                continue
        if regions is None:
            regions = _regions(text, strong=True)
        # a mobile range, or any line dialled with its trunk "0" and written in groups
        # ("021-35293418" in Karachi)
        if regions and (mobile_in(digits, regions) or (grouped and digits[0] == "0" and valid_in(digits, regions))):
            out.append(Entity("PHONE", m.start(), m.end(), value, 0.8, "phone_mobile"))
    return out


_DATE_LIKE = re.compile(r"(?:19|20)\d\d[\-.]\d\d[\-.]\d\d|\d\d[\-.]\d\d[\-.](?:19|20)\d\d")
