"""Split a PERSON finding into name words and say how each one is to be replaced.

Each word gets a *label* that identifies it for consistency (the first name "Иван" in any case
is ``PERSON/ru/name/masc/иван``; the surname "Петров"/"Петрова"/"Петрову" is
``PERSON/ru/surn/петров``), the pool its surrogate comes from (same script, same gender), the
grammatical case it was written in, and the original's own forms in every case, so that a model
answer in another case can be restored to the original in *that* case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from perimeter.privacy.detect.morph import CASES, analyse, case_votes, gender_votes
from perimeter.privacy.pseudonymize.surrogates_draw import Draw
from perimeter.privacy.pseudonymize.surrogates_names import EN_FEMN_NAMES, EN_MASC_NAMES

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")
_HONORIFICS_MASC = frozenset({"mr", "mr.", "sir", "г-н", "господин"})
_HONORIFICS_FEMN = frozenset({"mrs", "mrs.", "ms", "ms.", "miss", "madam", "г-жа", "госпожа"})
_HONORIFICS = _HONORIFICS_MASC | _HONORIFICS_FEMN | {"dr", "dr.", "prof", "prof.", "д-р", "проф."}


@dataclass(slots=True, frozen=True)
class NamePart:
    text: str  # the word as written in the request
    label: str  # identity for consistency (keyed by HMAC)
    pool: str  # surrogate pool (see surrogates_names._POOLS)
    gender: str  # "masc" | "femn"
    case: int  # index into morph.CASES (0 for Latin script)
    orig_forms: tuple[str, ...]  # the original in each case (title case), or one form
    style: str  # "title" | "upper" | "lower"


def style_of(word: str) -> str:
    if len(word) > 1 and word.isupper():
        return "upper"
    if word.islower():
        return "lower"
    return "title"


def apply_style(form: str, style: str) -> str:
    if style == "upper":
        return form.upper()
    if style == "lower":
        return form.lower()
    return title(form)


def title(form: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in form.split("-"))


def _script(text: str) -> str:
    cyr = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    lat = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if cyr and not lat:
        return "ru"
    if lat and not cyr:
        return "en"
    return ""


@lru_cache(maxsize=4096)
def analyse_person(text: str, key: bytes) -> tuple[str | NamePart, ...] | None:
    """``text`` as literal pieces and :class:`NamePart` words; ``None`` if not a name we can mimic.

    Cached: a pure function of its arguments (the parts are frozen), and the same names come
    back in every turn of a conversation and across a tenant's requests."""
    script = _script(text)
    if not script:
        return None
    pieces: list[str | NamePart] = []
    words: list[tuple[int, int, str]] = []
    pos = 0
    for m in _WORD.finditer(text):
        words.append((m.start(), m.end(), m.group()))
    if not words:
        return None
    parts = _analyse_ru(words, key, text) if script == "ru" else _analyse_en(words, key, text)
    for (start, end, _w), part in zip(words, parts, strict=True):
        if start > pos:
            pieces.append(text[pos:start])
        pieces.append(part)
        pos = end
    if pos < len(text):
        pieces.append(text[pos:])
    return tuple(pieces)


def _draw_gender(key: bytes, text: str) -> str:
    return ("masc", "femn")[Draw(key, "PERSON/gender/" + text.lower()).below(2)]


def _is_initial(word: str) -> bool:
    return len(word.rstrip(".")) == 1


def _initial(word: str, script: str, gender: str) -> NamePart:
    letter = word.rstrip(".").upper()
    return NamePart(word, f"PERSON/{script}/init/{letter}", f"{script}_init", gender, 0, (word,), "title")


def _analyse_ru(words: list[tuple[int, int, str]], key: bytes, text: str) -> list[str | NamePart]:
    full = [w for _s, _e, w in words if not _is_initial(w) and w.lower() not in _HONORIFICS]
    votes: dict[str, float] = {}
    for w in full:
        for g, v in gender_votes(w).items():
            votes[g] = votes.get(g, 0.0) + v
    for w in (w for _s, _e, w in words):
        if w.lower() in _HONORIFICS_FEMN:
            votes["femn"] = votes.get("femn", 0.0) + 5
        elif w.lower() in _HONORIFICS_MASC:
            votes["masc"] = votes.get("masc", 0.0) + 5
    gender = max(votes, key=lambda g: votes[g]) if votes else _draw_gender(key, text)
    # The case most words agree on (names in a phrase share their case).
    tally = {c: 0 for c in CASES}
    for w in full:
        for c in case_votes(w, gender):
            tally[c] += 1
    span_case = max(CASES, key=lambda c: tally[c])  # ties go to the earlier case (nominative)
    out: list[str | NamePart] = []
    for _s, _e, w in words:
        if w.lower() in _HONORIFICS:
            out.append(w)
            continue
        if _is_initial(w):
            out.append(_initial(w, "ru", gender))
            continue
        nw = analyse(w, gender, span_case)
        style = style_of(w)
        if nw.role == "":
            out.append(NamePart(w, f"PERSON/ru/surn/{w.lower()}", "ru_surn", gender, CASES.index(span_case),
                                (title(w),), style))
            continue
        forms = [title(f) for f in nw.forms]
        case = CASES.index(nw.case)
        forms[case] = title(w)  # the word as written wins over the dictionary's spelling (е/ё)
        if nw.role == "Name":
            label, pool = f"PERSON/ru/name/{gender}/{nw.lemma}", f"ru_first_{gender}"
        elif nw.role == "Patr":
            label, pool = f"PERSON/ru/patr/{nw.lemma}", "ru_patr"
        else:
            label, pool = f"PERSON/ru/surn/{nw.lemma}", "ru_surn"
        out.append(NamePart(w, label, pool, gender, case, tuple(forms), style))
    return out


def _analyse_en(words: list[tuple[int, int, str]], key: bytes, text: str) -> list[str | NamePart]:
    gender = ""
    for _s, _e, w in words:
        low = w.lower()
        if low in _HONORIFICS_MASC:
            gender = "masc"
        elif low in _HONORIFICS_FEMN:
            gender = "femn"
    names = [(i, w) for i, (_s, _e, w) in enumerate(words) if w.lower() not in _HONORIFICS]
    if not gender:
        for _i, w in names:
            if w.lower() in EN_MASC_NAMES:
                gender = "masc"
                break
            if w.lower() in EN_FEMN_NAMES:
                gender = "femn"
                break
    if not gender:
        gender = _draw_gender(key, text)
    last = names[-1][0] if names else -1
    single = len(names) == 1
    out: list[str | NamePart] = []
    for i, (_s, _e, w) in enumerate(words):
        low = w.lower()
        if low in _HONORIFICS:
            out.append(w)
        elif _is_initial(w):
            out.append(_initial(w, "en", gender))
        elif (i == last and not single) or (
            single and low not in EN_MASC_NAMES and low not in EN_FEMN_NAMES
        ):
            out.append(NamePart(w, f"PERSON/en/surn/{low}", "en_surn", gender, 0, (w,), style_of(w)))
        else:
            out.append(NamePart(w, f"PERSON/en/name/{gender}/{low}", f"en_first_{gender}", gender, 0, (w,),
                                style_of(w)))
    return out
