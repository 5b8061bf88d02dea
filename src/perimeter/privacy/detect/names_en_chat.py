"""Latin-script names that chat and notes give away by position, not by a list or a title.

- **Addressing**: a given name right after a greeting, a thank-you or a ping and closing the
  phrase ("thanks Will!", "hey maya,", "ping chase", "cc Omar."), or a chat mention "@maya";
  the name may be a common word ("Will", "Chase") because the phrase ends right after it.
- **Self-introduction and naming**: "it's Maya again", "its Joy from number 9", "her first name
  is Hetal", "my name's Ren".
- **A vocative before a greeting**: "Levan, hi!".
- **An owner**: a given name that is no frequent English word before "'s" ("at Nuno's garage").
- **A speaker or a doer**: a listed given name or surname before a reporting verb ("Nuno said"),
  a given name before a verb in the third person in a list of tasks ("Yusuf fixes the bug,
  Chiara reviews"), and a name as a speaker label after a weekday or a time in a roster
  ("Mon - Yusuf: finished …").
- **Neighbours of a found name**: a second full name joined to one found ("Frank Miller, Sunny
  Park"), an abbreviated given name before one ("Ma. Teresa Aquino"), other cells of a CSV
  column most of whose cells are names.

Every rule needs a given name the lists know, or a word that is no English word, in a slot only
a person fills; words of address that are no names (team, guys, man, honey…) are left out.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.names_en import firm_place_or_pet_dropped
from perimeter.privacy.detect.prescan import TextIndex
from perimeter.privacy.entities import Entity

_NOT_NAMES = frozenset(
    """
all everyone everybody team guys folks there here man mate bro sis dude buddy pal boss doc sir madam mom mum dad
honey babe baby sweetie darling dear love again so much much a lot lot you ya u me us him her them again both
mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december spring summer autumn fall winter morning evening night
the a an and or but for to of in on at by with from as is are was be it its this that not no yes ok okay
support admin sales legal finance hr it ops security marketing accounting payroll billing
""".split()  # noqa: SIM905 - a word list reads better as text
)
_ADDRESS = re.compile(
    r"(?<![\w@])(?i:hi|hey|hello|hiya|yo|thanks|thank you|thx|ty|cheers|ping|cc)[ \t]*,?[ \t]+"
    r"(?P<n>[A-Za-z][a-z'’-]{1,20})(?=[ \t]*(?:[,!.?:;)\n\"”]|$|—|–| -))"
)
# "ping chase about the PR", "cc omar re the invoice", "ping taro pls", "and copy bea": a verb of
# messaging, the person, then what about, a please, or the clause's end.
_PING = re.compile(
    r"(?<![\w@])(?i:ping|pinged|cc|dm|dm'd|remind|nudge|copy)[ \t]+(?P<n>[a-z][a-z'’-]{1,20})"
    r"(?=[ \t]+(?:about|re|on|for|to|when|if|asap|again|today|tomorrow|pls|please|and|too)\b|[ \t]*[,.!?]|[ \t]*$)"
)
_MENTION = re.compile(r"(?<![\w.@])@(?P<n>[a-z]{3,20})(?![\w.@-])")
_INTRO = re.compile(
    r"(?<![\w])(?i:it['’]s|its|it is|this is|i['’]m|i am)[ \t]+(?P<n>[A-Z][a-z'’-]{1,20})"
    r"(?=[ \t]*(?:again|here|from|speaking|[,.!?\n]|$))"
)
_NAMED = re.compile(
    r"(?<![\w])(?:(?i:my|his|her|their|your|our)[ \t]+(?:(?i:first|given|last|family|middle|full|real)[ \t]+)?(?i:name)"
    r"(?:[ \t]+(?i:is|was)|['’]s)|(?i:first|given|last|family|middle)[ \t]+(?i:name)(?:[ \t]+(?i:is|was)|[ \t]*:))"
    r"[ \t]+(?P<n>[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+)?)"
)
_VOCATIVE = re.compile(
    r"(?:^|(?<=[\"“«(])|(?<=[.!?][ \t]))(?P<n>[A-Z][a-z'’-]{2,20}),[ \t]*(?i:hi|hello|hey|good morning|good afternoon)\b",
    re.MULTILINE,
)
_REPORTING = re.compile(
    r"(?P<n>[A-Z][a-z'’-]{2,20})[ \t]+(?:said|says|asked|asks|wrote|writes|told|tells|replied|texted|"
    r"messaged|emailed|mentioned)\b"
)
_TASK_AFTER = r"[ \t]*(?:[-*•][ \t]+)?[\"“(]?(?P<n>[A-Z][a-z'’-]{2,20})[ \t]+(?P<v>[a-z]{3,}s)\b"
_TASK = re.compile(rf"[.!?:;,\n]{_TASK_AFTER}")  # a clause start: the character class first, for speed
_TASK_FIRST = re.compile(_TASK_AFTER)
# "at Nuno's garage", "Chiamaka's laptop": a given name that is no frequent word, owning a thing.
_OWNER = re.compile(r"(?P<n>[A-Z][a-z]{2,20})['’]s[ \t]+[a-z]")
_NOT_OWNED = re.compile(r"(?:the|a|an|is|was|not|been|got|gonna|just|also|so|still|already|never|really)\b")
_EPONYM_NOUN = re.compile(
    r"[a-z]*(?:disease|syndrome|law|theorem|principle|paradox|rule|razor|constant|equation|sign|palsy|test|"
    r"method|algorithm|lemma|conjecture|hypothesis|effect|number|triangle|cube|comet|list|ale|fries)\b"
)
_ROSTER = re.compile(
    r"^[ \t]*(?:[-*•][ \t]*)?(?:(?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|\d{1,2}[:.]\d{2}|\[[^\]\n]{1,24}\])"
    r"[ \t]*[-–—|:]?[ \t]*(?P<n>[A-Z][a-z'’-]+)[ \t]*:",
    re.MULTILINE,
)


# "Dmytro Hrytsenko", "Oksana Melnychuk": a transliterated East Slavic surname says "surname" by
# its suffix alone; before it, a word that is no English word is the given name.
_SLAVIC_ENDS = ("enko", "chuk", "czuk", "yuk", "iuk", "vych", "vich", "sky", "skyi", "skiy", "skaya", "shyn")
_SLAVIC_PAIR = re.compile(
    r"(?P<g>[A-Z][a-z]{2,})[ \u00a0](?P<f>[A-Z][a-z]{2,}(?:enko|chuk|czuk|yuk|iuk|ovych|evych|ovich|evich|"
    r"ovskyi|evskyi|ovskiy|evskiy|ovsky|evsky|ovskaya|evskaya|shyn|yshyn))(?![\w'’-])"
)


def _given(word: str) -> bool:
    low = word.lower()
    return low not in _NOT_NAMES and low in lexicon.first_names()


def _given_or_rare(word: str) -> bool:
    low = word.lower()
    return low not in _NOT_NAMES and (low in lexicon.first_names() or lexicon.zipf(low) < lexicon.COMMON_ZIPF)


def _entity(m: re.Match[str], group: str = "n", score: float = 0.7) -> Entity:
    return Entity("PERSON", m.start(group), m.end(group), m.group(group), score, "en_names")


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'“«(-*•":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;,"


def _word_start(text: str, end: int) -> int:
    i = end
    while i > 0 and (text[i - 1].isalpha() or text[i - 1] in "'’-"):
        i -= 1
    return i


_ADDRESS_WORDS = "hi|hey|hello|hiya|yo|thanks|thank you|thx|ty|cheers"
_PING_WORDS = "ping|pinged|cc|dm|dm'd|remind|nudge|copy"
_INTRO_WORDS = "it's|it’s|its|it is|this is|i'm|i’m|i am"
_REPORTING_WORDS = "said|says|asked|asks|wrote|writes|told|tells|replied|texted|messaged|emailed|mentioned"
# Cue words are looked for with ``in`` and ``str.find`` (C loops): most texts hold few of them,
# and a regex that opens each try with a space class stops at every space.
_CUE_WORDS = tuple(sorted(set(f"{_ADDRESS_WORDS}|{_PING_WORDS}|{_INTRO_WORDS}".split("|"))))
_REPORTING_SET = tuple(_REPORTING_WORDS.split("|"))
_VOCATIVE_CUES = re.compile(r",[ \t]*(?:hi|hello|hey|good)(?![a-z])")
_CUE_BEFORE = frozenset(" \t\n\r\"(\u00a0")
_ADDRESS_SET = frozenset(_ADDRESS_WORDS.split("|")) | {"ping", "cc"}
_PING_SET = frozenset(_PING_WORDS.split("|"))
_TIME = re.compile(r"\d[:.]\d\d")


def _cue_hits(low: str) -> list[tuple[int, str, str]]:
    """(start, kind, word) of every cue: "cue" (a greeting, a ping, an introduction opening a
    word), "voc" (", hi" after a word), "rep" (a reporting verb), "own" ("'s " after a word)."""
    out: list[tuple[int, str, str]] = []
    n = len(low)
    for word in _CUE_WORDS:
        if word in low:
            for at in TextIndex.stem_starts((word,), low):
                end = at + len(word)
                if (at == 0 or low[at - 1] in _CUE_BEFORE) and (end == n or not low[end].isalnum()):
                    out.append((at, "cue", word))
    for word in _REPORTING_SET:
        if word in low:
            for at in TextIndex.stem_starts((word,), low):
                end = at + len(word)
                if at and low[at - 1] in " \t" and (end == n or not low[end].isalpha()):
                    out.append((at, "rep", word))
    for lead in (", h", ",h", ", g"):
        if lead in low:
            out.extend((at, "voc", ",") for at in TextIndex.stem_starts((lead,), low) if _VOCATIVE_CUES.match(low, at))
    for mark in ("'s ", "’s ", "'s\t"):
        if mark in low:
            out.extend((at + 2, "own", mark) for at in TextIndex.stem_starts((mark,), low))
    return out


def _cue_rules(cue: str) -> tuple[re.Pattern[str], ...]:
    if cue in _ADDRESS_SET:
        return (_ADDRESS, _PING) if cue in _PING_SET else (_ADDRESS,)
    return (_PING,) if cue in _PING_SET else (_INTRO,)


def find_chat_names(text: str) -> list[Entity]:
    out: list[Entity] = []
    low = text.lower()
    if len(low) != len(text):
        from perimeter.privacy.detect.prescan import aligned_lower

        low = aligned_lower(text)
    cues = _cue_hits(low)
    for at, kind, cue in cues:
        if kind == "cue":
            for rx in _cue_rules(cue):
                if (m := rx.match(text, at)) is not None and _given(m.group("n")):
                    out.append(_entity(m))
            continue
        # the word before the cue: "Levan, hi", "Ines said", "Nuno's garage"
        cut = at if kind == "voc" else at - 1 if kind == "rep" else at - 2
        start = _word_start(text, cut)
        if start >= at:
            continue
        m = (_VOCATIVE if kind == "voc" else _REPORTING if kind == "rep" else _OWNER).match(text, start)
        if m is None:
            continue
        w = m.group("n").lower()
        if kind == "voc":
            ok = _given_or_rare(m.group("n"))
        elif kind == "rep":
            listed = w in lexicon.single_first_names() or w in lexicon.last_names()
            ok = w not in _NOT_NAMES and listed and _sentence_start(text, m.start())
        else:
            # "the Wendy's location": an article before the owner makes it a brand
            article = text[max(0, m.start() - 5):m.start()].lower().rstrip().rsplit(" ", 1)[-1] in ("the", "a", "an", "our", "your")
            listed = w in lexicon.single_first_names() and lexicon.zipf(w) < 4.0
            # "Ivanova's passport": a listed surname that is no English word too
            surname = not listed and w in lexicon.last_names() and lexicon.zipf(w) < 2.5
            # owning a thing that is no eponym's ("Parkinson's disease", "Halley's comet"), and
            # not "Hashimoto's the same" (a contracted "is")
            owned = _EPONYM_NOUN.match(text, m.end() - 1) is None and _NOT_OWNED.match(text, m.end() - 1) is None
            ok = w not in _NOT_NAMES and (listed or surname) and owned and not article
        if ok:
            out.append(_entity(m))
    at = text.find("@")
    while at != -1:
        m = _MENTION.match(text, at)
        if m is not None and _given(m.group("n")):
            out.append(_entity(m, score=0.65))
        at = text.find("@", at + 1)
    seen: set[int] = set()
    at = low.find("name")
    while at != -1:
        m = _NAMED.search(text, max(0, at - 40), min(len(text), at + 80))
        at = low.find("name", at + 4)
        if m is None or m.start("n") in seen:
            continue
        seen.add(m.start("n"))
        words = m.group("n").split()
        if _given_or_rare(words[0]):
            n = len(words[0]) if len(words) > 1 and not _given_or_rare(words[1]) and words[1].lower() in _NOT_NAMES else len(m.group("n"))
            out.append(Entity("PERSON", m.start("n"), m.start("n") + n, m.group("n")[:n], 0.75, "en_names"))
    first = _TASK_FIRST.match(text)
    for m in [first, *_TASK.finditer(text)] if first is not None else _TASK.finditer(text):
        w, v = m.group("n").lower(), m.group("v")
        stem_ok = lexicon.zipf(v[:-1]) >= 3.5 or (v.endswith("es") and lexicon.zipf(v[:-2]) >= 3.5)
        # a listed given name ("Paolo owns the integration"): the census and hand-written lists,
        # or the wider one for a name of four letters at least that is a rare English word
        listed = w in lexicon.single_first_names() or (len(w) >= 4 and w in lexicon.first_names() and lexicon.zipf(w) < 3.5)
        if stem_ok and w not in _NOT_NAMES and listed and lexicon.zipf(w) < 4.0:
            out.append(_entity(m))
    if ":" in text and (" - " in text or "] " in text or " – " in text or _TIME.search(text)):
        out.extend(_entity(m) for m in _ROSTER.finditer(text) if _given(m.group("n")))
    for m in _SLAVIC_PAIR.finditer(text) if any(end in low for end in _SLAVIC_ENDS) else ():
        g = m.group("g").lower()
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "'’-"):
            continue
        if g not in _NOT_NAMES and (g in lexicon.first_names() or lexicon.zipf(g) < lexicon.COMMON_ZIPF):
            out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.8, "en_names"))
    return firm_place_or_pet_dropped(text, out) if out else out  # "Our cat … Her name is Olivia": the pet's


_CAPW = r"[A-ZÀ-ÖØ-Þ\u0100-\u024f\u1e00-\u1eff][a-zß-öø-ÿ\u0100-\u024f\u1e00-\u1eff'’-]+"
_PAIR_AFTER = re.compile(rf"(?:,|[ \t]+and|[ \t]+&)[ \t]+(?P<g>{_CAPW})[ \t]+(?P<f>{_CAPW})(?![\w'’-])")
_PAIR_BEFORE = re.compile(rf"(?<![\w'’-])(?P<g>{_CAPW})[ \t]+(?P<f>{_CAPW})(?:,|[ \t]+and|[ \t]+&)[ \t]+$")
_ABBREVIATED = re.compile(r"(?<![\w.])([A-Z][a-z]{1,3}\.)[ \t]+$")
_NOT_ABBREVIATED = frozenset(
    """
mr mrs ms mx dr st sr jr prof rev gen col capt lt sgt hon mt no fr vol fig ch art sec dept inc co ltd mme mlle
ave rd blvd apt ste jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
""".split()  # noqa: SIM905 - a word list reads better as text
)
_PLACE_WORDS = frozenset(
    "street road avenue lane park drive way hall center centre school college university hospital hotel bank".split()  # noqa: SIM905
)


def _full(word_g: str, word_f: str) -> bool:
    """A given name the lists know before a capitalised word that is no place or firm word."""
    return word_g.lower() in lexicon.first_names() and word_g.lower() not in _NOT_NAMES and word_f.lower() not in _NOT_NAMES


def names_beside_names(text: str, found: list[Entity]) -> list[Entity]:
    """"Frank Miller, Sunny Park", "Ma. Teresa Aquino", a CSV column of names."""
    persons = [e for e in found if e.type == "PERSON"]
    if not persons:
        return []
    out: list[Entity] = []
    covered = [(e.start, e.end) for e in found]
    for e in persons:
        if " " not in e.text:
            continue
        m = _PAIR_AFTER.match(text, e.end) if text[e.end:e.end + 1] in (",", " ") else None
        if m is not None and _full(m.group("g"), m.group("f")) and not _inside(covered, m.start("g")):
            out.append(Entity("PERSON", m.start("g"), m.end("f"), text[m.start("g"):m.end("f")], 0.7, "en_names"))
        before = text[max(0, e.start - 5):e.start]
        b = None
        if before.endswith((", ", " and ", " & ")):  # the end-anchored pattern only where it can match
            b = _PAIR_BEFORE.search(text, max(0, e.start - 60), e.start)
        if b is not None and _full(b.group("g"), b.group("f")) and not _inside(covered, b.start("g")):
            out.append(Entity("PERSON", b.start("g"), b.end("f"), text[b.start("g"):b.end("f")], 0.7, "en_names"))
        a = _ABBREVIATED.search(text, max(0, e.start - 8), e.start) if before.endswith(". ") else None
        if a is not None and a.group(1)[:-1].lower() not in _NOT_ABBREVIATED:
            out.append(Entity("PERSON", a.start(1), e.end, text[a.start(1):e.end], e.score, e.detector))
    if text.count("\n") >= 2 and text.count(",") >= 6:
        out.extend(_csv_column(text, persons))
    if not text.isascii() and any(e.text.islower() for e in persons):
        from perimeter.privacy.detect.names_ru_chat import parallel_lower_names

        out.extend(parallel_lower_names(text, found))
    out.extend(_lower_partners(text, persons, covered))
    return out


_LOWER_PARTNER_AFTER = re.compile(r"(?:,[ \t]*|[ \t]+(?:and|or|&|\+|n)[ \t]+)(?P<w>[a-z]{3,15})(?![\w'’@.-])")
_LOWER_PARTNER_BEFORE = re.compile(r"(?<![\w'’@.-])(?P<w>[a-z]{3,15})(?:[ \t]*,[ \t]*|[ \t]+(?:and|or|&|\+|n)[ \t]+)$")


def _lower_partners(text: str, persons: list[Entity], covered: list[tuple[int, int]]) -> list[Entity]:
    """"route their tickets to aisha or omar", "laila and noor are on leave": a lower-case given
    name joined to a lower-case name found in the same breath is a name too, when a given-name
    list knows it and English does not use it much ("aisha or support" stays a word)."""
    out = []
    for e in persons:
        if not (e.text.islower() and e.text.isascii() and " " not in e.text):
            continue
        for m in (_LOWER_PARTNER_AFTER.match(text, e.end), _LOWER_PARTNER_BEFORE.search(text, max(0, e.start - 22), e.start)):
            if m is None:
                continue
            w = m.group("w")
            if w in lexicon.single_first_names() and lexicon.zipf(w) < 4.2 and not _inside(covered, m.start("w")):
                out.append(Entity("PERSON", m.start("w"), m.end("w"), w, 0.65, "en_names"))
    return out


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(s <= pos < e for s, e in spans)


_CELL_NAME = re.compile(rf"{_CAPW}(?:[ \t]{_CAPW}){{1,3}}")


def _csv_column(text: str, persons: list[Entity]) -> list[Entity]:
    """Cells of a comma-separated column in which at least two cells, and at least half of its
    cells, are names found otherwise: the other cells with a name's shape are names too."""
    out: list[Entity] = []
    lines: list[tuple[int, list[tuple[int, int]]]] = []
    pos = 0
    for line in text.split("\n"):
        if line.count(",") >= 2 and '"' not in line:
            cells, at = [], pos
            for cell in line.split(","):
                cells.append((at, at + len(cell)))
                at += len(cell) + 1
            lines.append((len(cells), cells))
        pos += len(line) + 1
    if len(lines) < 3:
        return out
    width = max(set(n for n, _ in lines), key=[n for n, _ in lines].count)
    rows = [cells for n, cells in lines if n == width]
    spans = [(e.start, e.end) for e in persons]
    for col in range(width):
        cells = [row[col] for row in rows]
        hit = [c for c in cells if any(a < c[1] and c[0] < b for a, b in spans)]
        if len(hit) < 2 or 2 * len(hit) < len(cells):
            continue
        for s, e in cells:
            if (s, e) in hit:
                continue
            m = _CELL_NAME.fullmatch(text, s, e)
            if m is not None and not any(w.lower() in _PLACE_WORDS for w in m.group().split()):
                out.append(Entity("PERSON", s, e, text[s:e], 0.65, "name_list"))
    return out
