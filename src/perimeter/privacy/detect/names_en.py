"""English (Latin-script) person names, offline: name lists + capitalisation + context.

The lists in ``data/`` come from the US Census 1990 name frequency files (public domain,
5k first names, top 30k surnames) plus common first names and surnames of other origins
(Slavic transliterations, Indian, Chinese, Arabic, Japanese, European).  A name is a run of
capitalised words that starts with a known first name, an initial or a title ("Dr.", "Ms"),
or a single common first name in a place where names go ("Hi Sarah,", "ask Tom to…").
Later mentions of a surname found this way ("… Smith said") are reported too.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

from perimeter.privacy.detect import folded_re, lexicon
from perimeter.privacy.detect.gates import without_leading_assertion
from perimeter.privacy.detect.names_cues import find_cued_names, find_lower_cued_names, has_lower_title
from perimeter.privacy.detect.prescan import TextIndex, matches_at
from perimeter.privacy.entities import Entity

_UP = "A-ZÀ-ÖØ-Þ\u0100-\u024f"
_LO = "a-zß-öø-ÿ\u0100-\u024f"
# "'s" ends a name: "Warren Buffett's Berkshire Hathaway" is a name and a company.
_TOKEN = re.compile(rf"(?:Mc|Mac|O'|O’|D'|Al-|El-)?[{_UP}][{_LO}]+(?:-[{_UP}]?[{_LO}]+|['’](?![sS]\b)[{_UP}]?[{_LO}]+)*|[A-Z]\.")
_PARTICLES = re.compile(r"^ (?:(?:van|von|der|den|de|la|le|du|da|di|del|della|dos|das|do|bin|bint|ibn|abu|al|el|ter|ten|ní|nic|ó|mac)\s)+$")
_CAPS_WORD = r"[A-ZÀ-ÖØ-Þ](?:['’]?[A-ZÀ-ÖØ-Þ])+"
_CAPS_PAIR = re.compile(
    rf"(?<![A-Za-z])({_CAPS_WORD})[ \u00a0]+(?:[A-Z]\.?[ \u00a0]+)?({_CAPS_WORD}(?:-{_CAPS_WORD})?)(?![A-Za-z])"
    rf"(?:[ \u00a0]+({_CAPS_WORD}(?:-{_CAPS_WORD})?)(?![A-Za-z\-]))?"  # "… RAMASWAMY IYER": a third word
)
_CAPS_PAIR_GATE = without_leading_assertion(_CAPS_PAIR)  # see gates: tried at capitals only
# "CARTER, DENISE", "Nakamura, Ren": a surname, a comma, a given name (a list or a register).
_COMMA_NAME = re.compile(
    rf"(?<![\w'’-])({_CAPS_WORD}|(?:O['’]|Mc|Mac)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?),[ \u00a0]({_CAPS_WORD}|[A-Z][a-z]+)"
    rf"(?:[ \u00a0][A-Z]\.?)?(?![\w'’-])(?![ \u00a0]*(?:,|or|and)[ \u00a0]+[A-Z])"  # "Max, Bella, Charlie": a list
)
# Transliterated Slavic surnames are productive; the suffix says "surname" even when the list does not.
_SLAVIC_SURNAME = re.compile(r"(?:ov|ova|ev|eva|yov|yova|in|ina|yn|yna|sky|skiy|skii|skaya|ski|ska|enko|chuk|vich|ko|ук|yan)$")
_TITLE = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Madam", "Dame", "Lord", "Lady"})
# Capitalised words that are first names in the census lists but mostly something else here.
_AMBIGUOUS = frozenset(
    """
will may june april august grant mark bill chase hope faith joy grace rose dawn summer autumn
art guy pat sue rich frank ray jack gene don van major christian royal golden sterling precious
claude ada ruby julia jenkins alexa siri star sky angel honey crystal amber holly ivy lily iris
page lane dale glen forest river miles max lee wade sunny misty sandy penny bob jean carol
harmony destiny justice king prince princess rich chance cash buck drew reed ward price
""".split()  # noqa: SIM905 - a word list reads better as text
)
_STOP = frozenset(
    """
a an the and or but if so to of in on at by for with from as is are was were be been it its this
that these those he she we they you i my our your their his her me us them not no yes all any
please thanks thank hello hi hey dear best regards kind sincerely cheers yours note subject re fw
monday tuesday wednesday thursday friday saturday sunday feb apr aug sept oct nov dec
january february march april may june
july august september october november december street st road avenue lane drive court way place
inc ltd llc corp co company group team support service services bank university college school
department office project product customer client user admin manager director engineer
api server cloud database error warning info debug request response new york los angeles san
francisco united states kingdom north south east west park city county state hospital clinic
introduction summary overview report data update status issue bug feature release version
python java javascript docker kubernetes linux windows google microsoft amazon apple meta
openai github slack stripe azure aws gmail outlook teams zoom jira confluence notion
ceo cto cfo hr it qa ui ux pm vp dev ops sales marketing finance legal security privacy
ask tell call email send ping contact invite meet message remind notify cc forward reply write inform
let make help use check review fix add update create delete show find get set run see
""".split()  # noqa: SIM905 - a word list reads better as text
)
# A single capitalised word after these is a place ("a campus in Austin"), not a person.
_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|into|across|outside|around|via|of|visit|visited)\s+$", re.IGNORECASE)
# Narrower than _GREETING: "dispute with Chase" is a bank, "a note to Grace" a person.
_AMBIGUOUS_CUE = re.compile(
    r"\b(?:hi|hello|hey|dear|thanks|thank|to|ask|tell|call|ping|cc|and|named|name is|i am|i'm|this is|"
    r"(?:spoke|spoken|talked|met|meeting|chatted|working|work|lunch|dinner) with|name\s*:)\s*,?\s*$",
    re.IGNORECASE,
)
# Ambiguous words that, before a known surname, are names even at the start of a sentence
# ("Grace Hopper invented…", "Bill Gates founded…"); modal verbs and months are not here.
_MOSTLY_NAMES = frozenset(
    """
grace rose hope faith joy ruby julia ada claude lily ivy iris holly jean carol bob bill mark dawn
amber crystal angel penny sandy victoria jack ray frank gene lee
""".split()  # noqa: SIM905 - a word list reads better as text
)
# Chinese names in pinyin, family name first ("Zhou Xinyi", "Xu Mingyang"): a one-syllable
# family name from the surname list and a given name of one or two pinyin syllables.
_PINYIN_SYLLABLE = (
    r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|er|a|o|e|i|u|v)"
)
_PINYIN_GIVEN = re.compile(rf"(?:{_PINYIN_SYLLABLE}){{1,2}}")
_PINYIN_FAMILY = re.compile(_PINYIN_SYLLABLE)
# Generic words of geography and company names: a run that starts or ends with one names a
# place or a firm ("Long Beach", "Silicon Valley", "Santa Clara", "Dell Technologies").
_PLACE_FIRST = frozenset(
    "santa las los fort port mount mt cape puerto costa são sao porto rio baton palm salt silicon saint lake loch lago".split()  # noqa: SIM905
)
_PLACE_LAST = frozenset(
    """
beach city valley town springs island islands bay heights falls harbor harbour village county creek
center centre market mall plaza stadium arena museum gallery theatre theater library
canyon coast shore gardens square station airport terrace mountains technologies technology bros
brothers motors holdings partners capital group labs systems solutions industries airlines airways marine
logistics trading shipping energy construction engineering software electronics residency residence apartments
towers tower enclave villas estate estates lodge
pharma pharmaceuticals foods media studios ventures consulting associates hotel resort university
""".split()  # noqa: SIM905 - a word list reads better as text
)
# A name at the start of a sentence or a list line is a name when a verb of what people do
# follows ("Raj raised the question", "Will also helped"); "Will also help" (a modal) and
# "Bill passed the Senate" (not a person's verb) are not.
_PERSON_VERB_AFTER = re.compile(
    r"[ \t]+(?:(?:also|just|already|then|still|never|kindly|has|had|will)[ \t]+)?"
    r"(?:helped|said|says|asked|asks|wrote|writes|told|tells|sent|sends|called|calls|mentioned|suggested|"
    r"agreed|promised|offered|replied|joined|covered|fixed|raised|presented|reviewed|thinks|thought|"
    r"wants|wanted|needs|needed|emailed|texted|messaged|pinged|shared|explained|complained|confirmed|"
    r"noticed|reported|approved|signed|booked|cancelled|canceled|owns|leads|led|will follow|follows|"
    r"reproduced|set (?:it|this|that|them) up|configured|deployed|debugged|investigated|escalated|"
    r"flagged|promised|forgot|left|resigned|is out|is off|is on leave|is on vacation|is on holiday|is sick|"
    r"was out|and I|and me)\b"
)
# "Anna: hi" — a speaker label at the start of a line in a chat log.
_SPEAKER_AFTER = re.compile(r"[ \t]*:[ \t]+\S")
# Pets get people's names; a single name after a pet word in the same sentence is the pet's.
_PET_REACH = 400
_PET = re.compile(
    r"\b(?:dog|dogs|cat|cats|puppy|puppies|pup|kitten|kittens|kitty|pet|pets|retriever|terrier|shepherd|"
    r"labrador|poodle|beagle|bulldog|hamster|parrot|budgie|bird|horse|pony|rabbit|bunny|goldfish|fish|"
    r"turtle|tortoise|ferret|guinea pig|lizard|snake)\b",
    re.IGNORECASE,
)
# Firms named after people: a legal-form word or "&" right after (or "&" right before) the name.
_FIRM_AFTER = re.compile(
    r"^(?:[ \t]+[A-Z][\w'’.-]*){0,3}?,?[ \t]*(?:GmbH|AG|Inc\b|LLC|Ltd\b|Corp\b|Co\.|plc|PLC|S\.A\.|SA\b|KG\b|"
    r"LLP|Group\b|Holdings?\b|& (?:Co|Sons|Partners|Associates)\b|Foundation\b|Institute\b|Award\b|Prize\b|"
    r"AS\b|ASA\b|AB\b|Oy\b|Oyj\b|ApS\b|A/S\b|BV\b|B\.V\.|NV\b|N\.V\.|SRL\b|S\.r\.l\.|SpA\b|S\.p\.A\.|SARL\b|"
    r"SAS\b|S\.L\.|Sp\. z o\.o\.|OÜ\b|Kft\b|Zrt\b|s\.r\.o\.|a\.s\.|d\.o\.o\.|Pty\b|Pte\b|K\.K\.)"
    r"|^[ \t]*&[ \t]*[A-Z]"
)
_PLACE_AFTER = re.compile(
    r"[ \t]+(?:office|offices|branch|campus|store|shop|headquarters|hq|plant|factory|warehouse|site|airport|station|"
    r"stadium|hotel|restaurant|cafe|café|location|region|area|market|marathon|metro|subway|airport)\b",
    re.IGNORECASE,
)
_STATE_AFTER = re.compile(
    r",[ \t]*(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|"
    r"OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|ON|QC|BC|AB|NSW|VIC|QLD)\b"
)
_FIRM_BEFORE = re.compile(r"[A-Z][\w'’.-]*[ \t]*&[ \t]*$")
# Well-known firms and places whose names are also people's names.
_NOT_PERSON = re.compile(
    r"\b(?:Morgan Stanley|Goldman Sachs|Merrill Lynch|Lehman Brothers|Charles Schwab|Edward Jones|Wells Fargo|"
    r"Dow Jones|Ralph Lauren|Calvin Klein|Tommy Hilfiger|Hugo Boss|Louis Vuitton|Christian Dior|Estée Lauder|"
    r"Estee Lauder|Yves Saint Laurent|Walt Disney|Harley[- ]Davidson|Rolls[- ]Royce|Aston Martin|Philip Morris|"
    r"Booz Allen|Arthur Andersen|Johnson Controls|Marks (?:&|and) Spencer|Hong Kong|Sri Lanka|Costa Rica|"
    r"Puerto Rico|Kuala Lumpur|Ho Chi Minh|Tel Aviv|Abu Dhabi|Buenos Aires|Rio de Janeiro|S[aã]o Paulo|"
    r"New Delhi|Addis Ababa|Phnom Penh|Dar es Salaam|Cape Town|Da Nang|Hai Phong|Chiang Mai|Lake Tahoe|"
    r"Las Vegas|Santa Monica|San Diego|San Jose|Saint Petersburg|St\.? Petersburg)\b"
)
_NOT_PERSON_GATE = without_leading_assertion(_NOT_PERSON)
NOT_PERSON = _NOT_PERSON  # for the final filters (names_filters)
# Vietnamese names: family name, a common middle name, one or two given syllables ("Nguyen Van An").
_VIET_MIDDLE = (
    r"[ \u00a0](?:V[aă]n|Th[iị]|[DĐ][uứ]c|Minh|Ng[oọ]c|Qu[oố]c|Th[aà]nh|H[uữ]u|Ho[aà]ng|Xu[aâ]n|Kim|H[oồ]ng|Anh|C[oô]ng|"
    r"Gia|B[aả]o|Tu[aấ]n|Quang|Thu|Mai|Thanh)"
)
_VIET = re.compile(
    r"\b(?:Nguy[eễ]n|Tr[aầ]n|L[eê]|Ph[aạ]m|Ho[aà]ng|Hu[yỳ]nh|Phan|V[uũ]|V[oõ]|[DĐ][aặ]ng|B[uù]i|[DĐ][oỗ]|H[oồ]|Ng[oô]|"
    r"D[uư][oơ]ng|L[yý]|Tr[iị]nh|[DĐ][iì]nh|L[aâ]m|L[uư][oơ]ng|Tr[uư][oơ]ng)"
    + _VIET_MIDDLE
    + r"(?:[ \u00a0][A-ZĐÀ-Ỹ][a-zà-ỹđ]{1,6}){1,2}\b"
)
# every match holds a middle name between spaces and a capital after it (see gates): tried at spaces only
_VIET_GATE = re.compile(_VIET_MIDDLE + r"[ \u00a0][A-ZĐÀ-Ỹ]")
# A roster or list: "Mon - Li Wei", "Wed - Bob", "10:00 Anna Smith"; a line whose value is
# one to four capitalised words.
_LIST_LINE = re.compile(
    r"^[ \t]*(?:[-*•][ \t]*)?[^\n]{1,24}?[ \t]*(?:-|–|—|:|\||\t)[ \t]*"
    r"([A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+){0,3})[ \t]*(?=:|$|\()",
    re.MULTILINE,
)
# Assistants and devices with people's names: "Ask Claude to refactor", "tell Alexa to…".
_ASSISTANTS = frozenset({"claude", "alexa", "siri", "cortana", "gemini", "jarvis"})
_MONTHS = frozenset({"may", "june", "april", "august", "january", "march", "july"})
# Lower-case names in chat ("talked to john smith"): only right after words that introduce a person.
_LOWER_CUE = re.compile(
    r"\b(?:talked to|talk to|spoke to|spoke with|speak to|speak with|met with|meeting with|call with|chat with|"
    r"my name is|name is|i am|i'm|im|this is|my (?:gf|bf|wife|husband|girlfriend|boyfriend|friend|boss|colleague|"
    r"coworker|manager|son|daughter|brother|sister|mom|dad|landlord|neighbor|neighbour)|ask|tell|call|ping|email|cc)"
    r"[ \t]+([a-z][a-z'’-]+)(?:[ \t]+([a-z][a-z'’-]+))?",
    re.IGNORECASE,
)
_INTRO = re.compile(r"\b(?:i'm|i’m|i am|this is|my name is|name is|named)[ \t]+$", re.IGNORECASE)
_GREETING = re.compile(
    r"(?:\b(?:hi|hello|hey|dear|thanks|thank you|regards|cheers|best|sincerely|yours|cc|from|to|by|"
    r"with|contact|ask|tell|call|email|ping|named|name is|i am|i'm|this is|patient|employee|"
    r"customer|client|mr|mrs|ms|dr|signed|attn|attention|for|and|or|met|meet|colleague|manager|"
    r"my (?:gf|bf|wife|husband|girlfriend|boyfriend|partner|friend|boss|coworker|son|daughter|brother|"
    r"sister|mom|mum|dad|landlord|landlady|neighbou?r|cousin|aunt|uncle|niece|nephew|fianc[eé]e?|roommate))\s*[,:.]?|@|name\s*:)\s*$",
    re.IGNORECASE,
)


def _names(kind: str) -> frozenset[str]:
    """``first_names`` (next to a surname), ``first_names_common`` (alone) or ``last_names``."""
    if kind == "first_names":
        return lexicon.first_names()
    if kind == "first_names_common":
        return lexicon.single_first_names()
    return lexicon.last_names()


def load() -> None:
    lexicon.load()
    lexicon.common_words()


def _fold(word: str) -> str:
    """"maría" -> "maria": the lists are mostly unaccented; accents must not hide a name."""
    if word.isascii():
        return word
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def has_lower_cue(text: str) -> bool:
    """Whether a text without capitals may still hold a name written in lower case."""
    return (folded_re.search(_LOWER_CUE, text) is not None
            or (_QUOTE_OPEN_GATE.search(text) is not None and _QUOTE_OPEN.search(text) is not None) or has_lower_title(text))


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'«(":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;*#>-•"


def _line_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t-*•>":
        i -= 1
    return i < 0 or text[i] == "\n"


# Every match of ``_TOKEN`` opens with a capital of ``_UP`` and then a lower-case letter, an
# apostrophe or a dot ("Anna", "Mc…", "O'…", "Al-…", "J."): a class first, so CPython skips
# ahead in C (``_TOKEN`` opens with an optional group and is tried at every character).
_TOKEN_START = re.compile(rf"[{_UP}](?=[{_LO}'’.])")


def _capitalised_words(text: str) -> list[re.Match[str]]:
    """``list(_TOKEN.finditer(text))``, with ``_TOKEN`` tried only where ``_TOKEN_START`` matches
    (a third of the time on a prompt)."""
    out: list[re.Match[str]] = []
    search, match = _TOKEN_START.search, _TOKEN.match
    at = search(text)
    while at is not None:
        m = match(text, at.start())
        if m is not None and m.end() - m.start() == 2 and at.start() and text[at.start() - 1].isalpha():
            m = None  # "SOW. Will", "AEDT. Card": the last letter of an abbreviation, no initial
        if m is None:
            at = search(text, at.start() + 1)
        else:
            out.append(m)
            at = search(text, m.end())
    return out


def find_en_names(text: str, ix: TextIndex | None = None) -> list[Entity]:
    """Latin-script names; ``ix``: the scan's index, whose one literal pass stands in for the
    whole-text regex passes of the lower-case rules' cues (the same findings without it)."""
    first, common, last = _names("first_names"), _names("first_names_common"), _names("last_names")
    # A word glued to a slash or a digit is a date or code part ("12/Jun/2024"), not a name.
    tokens = [
        t for t in _capitalised_words(text)
        if not (t.start() and text[t.start() - 1] in "/0123456789") and text[t.end():t.end() + 1] not in ("/",)
        and not text[t.end():t.end() + 1].isdigit()
    ]
    out: list[Entity] = []
    i = 0
    while i < len(tokens):
        # Run of tokens separated by a single space (or space after an initial).
        run = [tokens[i]]
        j = i + 1
        while j < len(tokens):
            gap = text[run[-1].end():tokens[j].start()]
            after_title = run[-1].group() in _TITLE and gap in (". ", ".\u00a0")
            particle = bool(_PARTICLES.match(gap))
            if gap not in (" ", "\u00a0") and not (run[-1].group().endswith(".") and gap == "") and not after_title and not particle:
                break
            run.append(tokens[j])
            j += 1
        out.extend(_names_in_run(text, run, first, common, last))
        i = j
    if any(ch.isupper() for ch in text):
        out.extend(_caps_names(text, first, last))
    out.extend(_lower_names(text, common, last, ix))
    out.extend(_start_names(text, tokens, common))
    out.extend(_viet_names(text))
    out.extend(find_cued_names(text))
    out.extend(find_lower_cued_names(text, ix))
    out = [_with_given_name(text, e) for e in out]
    out = _corefer(text, out, tokens)
    out.extend(_list_column(text, out))
    return _drop_non_persons(text, out)


def _viet_names(text: str) -> list[Entity]:
    return [Entity("PERSON", m.start(), m.end(), m.group(), 0.85, "en_names") for m in _VIET.finditer(text)] if _VIET_GATE.search(text) else []


def _start_names(text: str, tokens: list[re.Match[str]], common: frozenset[str]) -> list[Entity]:
    """A first name that starts a sentence or a list line, followed by a person's verb
    ("Raj raised the hiring question", "Will also helped") or a speaker colon at a line start."""
    out: list[Entity] = []
    for t in tokens:
        word = t.group()
        w = _fold(word.lower())
        if w not in common or w in _STOP or w in _MONTHS or not _sentence_start(text, t.start()):
            continue
        if _PERSON_VERB_AFTER.match(text, t.end()) or (
            w not in _AMBIGUOUS and _line_start(text, t.start()) and _SPEAKER_AFTER.match(text, t.end())
            and lexicon.zipf(w) < 3.5  # "Buddy: Noa Friedman": a common word before a colon is a label
        ):
            out.append(Entity("PERSON", t.start(), t.end(), word, 0.7, "en_names"))
    return out


def _list_column(text: str, found: list[Entity]) -> list[Entity]:
    """In a roster ("Mon - Li Wei" / "Wed - Bob"), a value in the same column as two or more
    names found otherwise, covering two thirds of the lines, is a name too."""
    if "\n" not in text:
        return []
    lines = [m for m in _LIST_LINE.finditer(text) if m.group(1).split()[0].lower() not in _STOP]
    if len(lines) < 3:
        return []
    spans = [(e.start, e.end) for e in found if e.type == "PERSON"]
    hit = [m for m in lines if any(s < m.end(1) and m.start(1) < e for s, e in spans)]
    if len(hit) < 2 or 3 * len(hit) < 2 * len(lines):
        return []
    return [
        Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.65, "en_names")
        for m in lines if m not in hit and not any(ch.isdigit() for ch in m.group(1))
    ]


def _drop_non_persons(text: str, found: list[Entity]) -> list[Entity]:
    """Firms named after people, eponymous places, and pets' names."""
    if not found:
        return found
    blocked = [(m.start(), m.end()) for m in _NOT_PERSON.finditer(text)] if _NOT_PERSON_GATE.search(text) else []
    out = []
    for e in found:
        if any(s < e.end and e.start < t for s, t in blocked):
            continue
        if _FIRM_AFTER.match(text[e.end:e.end + 48]) or _FIRM_BEFORE.search(text[max(0, e.start - 24):e.start]):
            continue
        if " " not in e.text and (_PLACE_AFTER.match(text, e.end) or _STATE_AFTER.match(text, e.end)):
            continue  # "our Milan office", "Austin, TX": a place
        if " " not in e.text and e.score <= 0.75:
            # this sentence or the one before ("names for a puppy? Max, Bella or Daisy")
            # (at most _PET_REACH characters back: a run-on text with no full stop stays linear)
            floor = max(0, e.start - _PET_REACH)
            start = max(text.rfind(ch, floor, e.start) for ch in ".!?\n")
            start = max(text.rfind(ch, floor, max(start, floor)) for ch in ".!?\n")
            if _PET.search(text, max(start + 1, floor), e.start):
                continue
        out.append(e)
    return out


firm_place_or_pet_dropped = _drop_non_persons  # for the chat-position rules (``names_en_chat``)


def assistant_or_firm_dropped(text: str, found: list[Entity]) -> list[Entity]:
    """Other detectors' Latin-script names (the tagger's) less firms, eponymous places, pets and
    assistants ("Ask Claude to refactor"): the vetoes this module's own readings pass."""
    kept = [e for e in found if e.text.lower() not in _ASSISTANTS]
    return _drop_non_persons(text, kept) if kept else kept


# A message quoted in lower case often opens with the addressee: "kevin the heater is broken".
_QUOTE_OPEN = re.compile(r"(?:^|[\s(:])[\"“«]([a-z][a-z'’-]{2,})(?=[ ,])")
_QUOTE_OPEN_GATE = re.compile(r"[\"“«][a-z]")  # in every match of _QUOTE_OPEN (see gates)


def _lower_names(text: str, common: frozenset[str], last: frozenset[str], ix: TextIndex | None = None) -> list[Entity]:
    """"talked to john smith", "my gf roza": a common first name in lower case right after a
    word that introduces a person, plus a following known surname."""
    out: list[Entity] = []
    for q in _QUOTE_OPEN.finditer(text) if _QUOTE_OPEN_GATE.search(text) else ():
        given = q.group(1)
        if given not in _STOP and given not in _AMBIGUOUS and given in common:
            out.append(Entity("PERSON", q.start(1), q.end(1), given, 0.65, "en_names"))
    # every match starts at a cue word and the space or tab after it (``literals.LOWER_NAME_CUES``)
    cues = ix.literal_starts("lower_name_cues") if ix is not None else None
    for m in folded_re.finditer(_LOWER_CUE, text) if cues is None else matches_at(_LOWER_CUE, text, cues):
        given = m.group(1)
        if not given.islower() or given in _STOP or given in _AMBIGUOUS or _fold(given) not in common:
            continue
        end = m.end(1)
        family = m.group(2)
        if family and family.islower() and family not in _STOP and family not in _AMBIGUOUS and _fold(family) in last:
            end = m.end(2)
        out.append(Entity("PERSON", m.start(1), end, text[m.start(1):end], 0.7, "en_names"))
    return out


_WORD_START_BEFORE = re.compile(r"(?:O['’]|Mc|Mac)?[^\W\d_][\w'’-]*$")


def _comma_names(text: str) -> list[re.Match[str]]:
    """``_COMMA_NAME`` tried only at the word before each ", " + capital (a pattern with a
    look-behind is otherwise tried at every character)."""
    out = []
    at = text.find(", ")
    while at != -1:
        if at + 2 < len(text) and text[at + 2].isupper() and at and text[at - 1].isalpha():
            w = _WORD_START_BEFORE.search(text, max(0, at - 30), at)
            if w is not None and (m := _COMMA_NAME.match(text, w.start())) is not None:
                out.append(m)
        at = text.find(", ", at + 2)
    return out


def _caps_names(text: str, first: frozenset[str], last: frozenset[str]) -> list[Entity]:
    """Names in capitals, as embossed on cards and typed in forms: "IVAN PETROV"."""
    out = []
    for m in _CAPS_PAIR.finditer(text) if _CAPS_PAIR_GATE.search(text) else ():
        given, family = m.group(1).lower(), m.group(2).lower()
        if given in _STOP or family in _STOP:
            continue
        # A known given name before a word that is no English word ("SANTIAGO FERREYRA"), or the
        # reverse ("HWANG JIHOON" aside), counts as well as two listed words.
        rare_family = len(family) > 2 and lexicon.zipf(family) < lexicon.COMMON_ZIPF
        rare_given = len(given) > 2 and lexicon.zipf(given) < lexicon.COMMON_ZIPF
        if (
            (given in first and (family in last or rare_family))
            or (rare_given and family in last)
            or (len(given) > 2 and _SLAVIC_SURNAME.search(family))
        ):
            end = m.end(2)
            third = m.group(3)
            if third and third.lower() not in _STOP and (_fold(third.lower()) in last or lexicon.zipf(third) < lexicon.COMMON_ZIPF):
                end = m.end(3)
            out.append(Entity("PERSON", m.start(), end, text[m.start():end], 0.85, "en_names"))
    for m in _comma_names(text):
        family, given = _fold(m.group(1).lower()).replace("’", "'"), _fold(m.group(2).lower())
        if family in _STOP or given in _STOP or given in _AMBIGUOUS or given not in first:
            continue
        # a register in capitals ("CARTER, DENISE") is a clear layout; in mixed case a town after a
        # name ("Wojcik-Brandt, Berlin") looks the same, so the given name must be a rarer word there
        limit = 4.5 if m.group().isupper() else 3.8
        if (family in last or family.replace("'", "") in last or lexicon.zipf(family) < lexicon.COMMON_ZIPF) and lexicon.zipf(given) < limit:
            out.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.8, "en_names"))
    return out


def _names_in_run(
    text: str, run: list[re.Match[str]], first: frozenset[str], common: frozenset[str], last: frozenset[str]
) -> list[Entity]:
    out: list[Entity] = []
    words = [_fold(m.group().rstrip(".").lower()) for m in run]
    k = 0
    while k < len(run):
        w = words[k]
        if w in _PLACE_FIRST and k + 1 < len(run) and text[max(0, run[k].start() - 4):run[k].start()].lower() != "mr. ":
            break  # "Lake Victoria", "Mount Charlotte": no later word of a place name is a name alone
        is_initial = len(run[k].group()) == 2 and run[k].group().endswith(".")
        title = run[k].group().rstrip(".") in _TITLE
        end_k = -1
        score = 0.0
        if title and k + 1 < len(run) and words[k + 1] not in _STOP:
            end_k = k + 1
            while end_k + 1 < len(run) and end_k - k < 3 and words[end_k + 1] not in _STOP:
                end_k += 1
            k += 1
            score = 0.9
        elif w not in _STOP and k + 1 < len(run) and (w in first or is_initial or len(w) > 2 or w in last):
            m = k + 1
            while m < len(run) and len(run[m].group()) == 2 and run[m].group().endswith(".") and m - k < 3:
                m += 1  # middle initials
            if m < len(run) and words[m] not in _STOP and not run[m].group().endswith("."):
                surname_known = words[m] in last or words[m].replace("’", "'") in last
                if not surname_known and w in first and _SLAVIC_SURNAME.search(words[m]):
                    surname_known = True
                # An unknown first name followed by a known surname counts too ("Tomasz Wiśniewski").
                # "Grace", "Will": ambiguous words count as first names only mid-sentence before a surname.
                ambiguous_ok = w in _AMBIGUOUS and surname_known and (
                    not _sentence_start(text, run[k].start()) or w in _MOSTLY_NAMES
                    or bool(_GREETING.search(text[max(0, run[k].start() - 24):run[k].start()]))
                )
                # After a possessive ("Buffett's Berkshire Hathaway") an unknown first word names a thing.
                owned = w not in first and text[max(0, run[k].start() - 3):run[k].start()] in ("'s ", "’s ")
                if owned:
                    surname_known = False
                pinyin = (
                    not surname_known and w in last and len(w) <= 6 and len(words[m]) <= 8
                    and bool(_PINYIN_FAMILY.fullmatch(w)) and bool(_PINYIN_GIVEN.fullmatch(words[m]))
                    and words[m] not in _STOP and not _sentence_start(text, run[k].start())
                )
                if pinyin:
                    surname_known = True
                # An unknown first word before a surname counts unless it is an ordinary English
                # word ("Trusted Root", "Best Sellers"); "Tomasz Wiśniewski" still does.
                plain_word = (
                    w not in first and w not in last and not is_initial and lexicon.zipf(w) >= 3.5
                    and not _INTRO.search(text, max(0, run[k].start() - 16), run[k].start())
                )
                if (surname_known and w not in _AMBIGUOUS and not plain_word) or (not is_initial and w not in _AMBIGUOUS and w in first) or (surname_known and is_initial) or ambiguous_ok:
                    end_k = m
                    score = 0.9 if surname_known else 0.75
                    while end_k + 1 < len(run) and end_k - k < 3 and _continues_name(words[end_k + 1], last) and not (
                        text[run[end_k + 1].end():run[end_k + 1].end() + 1].isalpha()  # "GmbH"
                    ):
                        end_k += 1
        if end_k < 0 and w in common and w not in _AMBIGUOUS and w not in _STOP and not is_initial:
            start = run[k].start()
            before = text[max(0, start - 24):start]
            if _PLACE_BEFORE.search(before) and not _GREETING.search(before):
                pass  # "a new campus in Austin"
            elif not _sentence_start(text, start) or _GREETING.search(before) or text[run[k].end():run[k].end() + 1] == ",":
                end_k, score = k, 0.7
        elif end_k < 0 and w in _AMBIGUOUS and w not in _MONTHS and w not in _ASSISTANTS and w in common and (
            (k == 0 or words[k - 1] in _STOP) and (k + 1 == len(run) or words[k + 1] in _STOP)
        ):
            # "a thank-you note to Grace", "ask Will": an ambiguous name is a name mid-sentence
            # right after a word that introduces a person.
            start = run[k].start()
            if not _sentence_start(text, start) and _AMBIGUOUS_CUE.search(text[max(0, start - 24):start]):
                end_k, score = k, 0.65
        if end_k >= 0 and not title and (
            text[max(0, run[k].start() - 4):run[k].start()].lower() == "the "
            or words[k] in _PLACE_FIRST or words[end_k] in _PLACE_LAST
            or (end_k + 1 < len(run) and words[end_k + 1] in _PLACE_LAST)
        ):
            end_k = -1  # "The Washington Post", "the Grace Hotel": a title or a company, not a person
        if end_k >= 0:
            s, e = run[k].start(), run[end_k].end()
            out.append(Entity("PERSON", s, e, text[s:e], score, "en_names"))
            k = end_k + 1
        else:
            k += 1
    return out


_ARABIC_PARTICLE = re.compile(r"(?:Al|El|Bin|Ibn|Abu|Bint|Ben|Ní|Nic|Van|De|Da|Di|Del|Dos|Le|La)[ \u00a0]")
_WORD_BEFORE = re.compile(rf"(?<![\w])([{_UP}][{_LO}]+)[ \u00a0]+$")


def _with_given_name(text: str, e: Entity) -> Entity:
    """"Hamdan Al Falasi": a name found from its particle on takes the rare word before it."""
    if e.type != "PERSON" or not _ARABIC_PARTICLE.match(e.text):
        return e
    before = _WORD_BEFORE.search(text, max(0, e.start - 30), e.start)
    if before is None or before.group(1).lower() in _STOP or lexicon.zipf(before.group(1)) >= lexicon.COMMON_ZIPF:
        return e
    s = before.start(1)
    return Entity("PERSON", s, e.end, text[s:e.end], e.score, e.detector)


def _continues_name(word: str, last: frozenset[str]) -> bool:
    """A word after a found name that is one more surname ("Khadija Ouazzani Touhami"): a known
    surname, or a word that is no ordinary English word."""
    if word in _STOP or word in _PLACE_LAST:
        return False
    return word in last or lexicon.zipf(word) < lexicon.COMMON_ZIPF


def _merged_spans(found: list[Entity]) -> list[tuple[int, int]]:
    """The found spans as sorted, disjoint intervals: a mention is looked up by bisection, so a
    long text with thousands of names stays linear-logarithmic (it was names × mentions)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted((e.start, e.end) for e in found):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _corefer(text: str, found: list[Entity], tokens: list[re.Match[str]]) -> list[Entity]:
    """Report later bare mentions of a surname or first name already found in a full name."""
    if not found:
        return found
    known: set[str] = set()
    for ent in found:
        parts = [p for p in ent.text.split() if len(p) > 2 and not p.endswith(".")]
        if len(parts) >= 2:
            known.update(parts)
    if not known:
        return found
    covered = _merged_spans(found)
    starts = [s for s, _ in covered]
    extra = []
    for m in tokens:
        k = bisect_right(starts, m.start()) - 1
        if m.group() in known and not (k >= 0 and m.start() < covered[k][1]):
            extra.append(Entity("PERSON", m.start(), m.end(), m.group(), 0.7, "en_names"))
    return found + extra
