"""Spans the name rules read as people that their neighbours show to be things, places or roles.

- **A saint's place**: "St Vincent's Hospital", "at St George's" — a name after "St"/"Saint".
- **An institution or a street named after someone**: "Martin Luther King Jr. Community Health
  Center", "… Jr Blvd" — the name, an optional "Jr."/"Sr.", then the institution or street word.
- **A word-name in a fixed phrase**: "Bill of Lading", "Will of the people" — a frequent English
  word that is also a given name, right before "of"; "Airway Bill", "Metro Line" — a common noun
  that is no name, then a frequent word.
- **A role at a clause's start**: "Merchant says …", "Landlord refused …" — a role noun alone.
- **A street in Kazakh or Uzbek after the name**: "Назарбаев даңғылы", "Amir Temur ko'chasi".
- **Code**: "toBe", "getName" (a lower-case start with a capital inside).
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.names_cues import cue_before, previous_word
from perimeter.privacy.entities import Entity

_SAINT_BEFORE = re.compile(r"(?<![\w])(?:St|Ste|Saint|San|Santa|Sainte)\.?[ \u00a0]$")
_NAMED_AFTER = re.compile(
    r"(?:[ \u00a0]+[A-Z][a-z]+){0,3}(?:,?[ \u00a0]+(?:Jr|Sr|Junior|Senior)\.?)?[ \u00a0]+(?:Community|Health|Medical|Memorial|Center|Centre|Hospital|"
    r"Clinic|Blvd|Boulevard|Street|Avenue|Ave|Way|Drive|Road|School|College|University|Airport|Park|Library|"
    r"Institute|Foundation|Stadium|Bridge|Square|Hall|Museum|Station|Highway|Parkway)\b"
)
_OF_AFTER = re.compile(r"[ \u00a0]+of[ \u00a0]+")
# an institution, a law or a building named after someone, its own noun inside the span ("Taylor
# House" the tribunal, "Anne Frank House", "Florida Statutes", "Sloan Kettering Center");
# not Hall, Park, Law or Street, which are surnames as often
_INSTITUTION_WORDS = frozenset({
    "house", "statutes", "act", "museum", "hospital", "center", "centre", "institute", "foundation", "stadium",
    "university", "college", "library", "clinic", "airport", "cathedral", "theatre", "theater", "gallery",
})
_ROLES = frozenset(
    """
merchant customer vendor seller buyer lender landlord landlady tenant provider supplier carrier courier driver
officer manager director auditor regulator reviewer client patient doctor nurse teacher student pharmacist
broker banker cashier clerk judge mayor sheriff coach captain chief bishop major general sergeant
""".split()  # noqa: SIM905 - a word list reads better as text
)
_CLAUSE_START = re.compile(r"(?:^|[.!?\n:;\"“(]|\A)[ \t]*$")
_LOCAL_STREET_AFTER = re.compile(
    r"[ \u00a0]+(?:даңғыл\w*|көше\w*|шағын[ \u00a0]аудан\w*|ko['‘’`]chasi|ko['‘’`]chas|mavzesi|prospekti|даҳаси|кӯчаи)",
    re.IGNORECASE,
)
_CAMEL = re.compile(r"[a-z]+[A-Z]\w*")
# the noun of a venue, a firm or a product right before a Latin-script name: the name is that
# thing's ("отель Kata Palm", "в отеле Delphin Imperial", "духи Chanel Coco Mademoiselle", "Grupo
# Hermanos Caballero", "the Hotel Bristol")
_THING_NOUNS = frozenset("""
отель отеля отелю отеле отели отелях гостиница гостинице гостиницу гостиницы курорт курорта курорте курорту
ресторан ресторана ресторане ресторану кафе бар бара баре бару клуб клуба клубе клубу духи духов парфюм парфюма
парфюме парфюму аромат аромата аромате аромату бренд бренда бренде бренду марка марке марку марки модель модели
моделе моделя холдинг холдинга холдинге холдингу группа группе группу группы hotel resort restaurant ristorante
trattoria brand grupo group groupe gruppo holding perfume fragrance hospital clinic university universidad museum
museo school college church cathedral
""".split())  # noqa: SIM905 - a word list reads better as text


# voice assistants, by their wake word or the command after them ("алиса, включи погоду", "Hey
# Siri, what's …"); Siri, Cortana and Bixby are nobody's names
_ASSISTANTS = frozenset({"алиса", "алисы", "алисе", "алису", "маруся", "маруси", "марусе", "марусю", "маруську",
                         "alice", "alexa", "marusya", "siri", "cortana", "bixby"})
_ONLY_ASSISTANTS = frozenset({"siri", "cortana", "bixby"})
_WAKE_BEFORE = re.compile(r"(?i:hey|ok|okay|эй|окей|слушай)[ \u00a0,]*$")
_COMMAND_AFTER = re.compile(
    r"[ \u00a0]*,?[ \u00a0]*(?i:включи|выключи|поставь|найди|скажи|расскажи|какая|какой|сколько|громче|тише|стоп|"
    r"play|add|set|turn|call|stop|remind|open|show|tell|text|send|what|what's|how|when|where)(?![\w])"
)
# placeholders in fixtures and examples ("Test User", first_name='Test', "Demo Account")
_PLACEHOLDER_WORDS = frozenset({"test", "user", "demo", "account", "sample", "example", "dummy", "tester", "foo", "bar",
                                "admin", "guest", "customer"})
# a venue's noun opening the span ("Trattoria Roma", "Hotel Bristol", "Grupo Bimbo")
_VENUE_FIRST = frozenset({"trattoria", "ristorante", "restaurant", "hotel", "hospital", "clinic", "university",
                          "universidad", "museum", "museo", "café", "cafe", "grupo", "group"})
# a street named after someone, its street word right before ("улица Янки Купалы", "проспект Шота
# Руставели", "пр. Руставели")
_STREET_WORDS = frozenset("""
улица улице улицу улицы ул проспект проспекта проспекте проспекту пр пр-т переулок переулка переулке пер бульвар
бульвара бульваре бульвару б-р площадь площади пл шоссе набережная набережной наб
""".split())  # noqa: SIM905 - a word list reads better as text
_STREET_ABBREVIATIONS = frozenset({"ул", "пр", "пер", "пл", "наб"})


def _an_assistant(text: str, e: Entity, low: str) -> bool:
    if low not in _ASSISTANTS:
        return False
    return (low in _ONLY_ASSISTANTS or _WAKE_BEFORE.search(text, max(0, e.start - 8), e.start) is not None
            or _COMMAND_AFTER.match(text, e.end) is not None)


def is_a_thing(text: str, e: Entity) -> bool:
    """Whether the PERSON span ``e`` is a thing, a place or a role (module docstring)."""
    span = e.text
    words = span.split()
    if _SAINT_BEFORE.search(text, max(0, e.start - 7), e.start):
        return True
    if len(words) == 1 and _an_assistant(text, e, span.lower()):
        return True
    if all(w.lower() in _PLACEHOLDER_WORDS for w in words):
        return True
    before = previous_word(text, e.start, " \t\u00a0")  # one backward walk, not a regex per window position
    # a dot ends the word before only in an abbreviation ("ул. Руставели"); after "… clinic. Rosa"
    # a sentence has ended, and the name is no longer the noun's
    i = e.start - 1
    while i >= 0 and text[i] in " \t\u00a0":  # (not a copy of the text before: this runs per candidate)
        i -= 1
    dotted = i >= 0 and text[i] == "."
    if before in _STREET_WORDS and (not dotted or before in _STREET_ABBREVIATIONS):
        return True
    if span.isascii() and _NAMED_AFTER.match(text, e.end):
        return True
    if _LOCAL_STREET_AFTER.match(text, e.end):
        return True
    if span.isascii() and before in _THING_NOUNS and not dotted:
        return True
    if len(words) >= 2 and span.isascii() and (words[-1].lower() in _INSTITUTION_WORDS or words[0].lower() in _VENUE_FIRST):
        return True
    if len(words) == 1:
        low = span.lower()
        if _CAMEL.fullmatch(span):
            return True  # "toBe", "getName": code
        if lexicon.zipf(low) >= 4.0 and _OF_AFTER.match(text, e.end) and not cue_before(text, e.start):
            return True  # "Bill of Lading" (but "Mr Flood of 22 Griffith Avenue")
        if low in _ROLES and _CLAUSE_START.search(text, max(0, e.start - 3), e.start) \
                and not text[e.end:e.end + 2].strip()[:1].isupper():
            return True  # "Merchant says"
    if len(words) == 2 and span.isascii():
        first, last = (w.lower() for w in words)
        named = first in lexicon.first_names() or first in lexicon.last_names()
        given_last = last in lexicon.single_first_names()
        if not named and len(first) >= 3 and lexicon.zipf(first) >= 3.0 and lexicon.zipf(last) >= (5.0 if given_last else 4.0):
            return True  # "Airway Bill", "Metro Line"
    return False

