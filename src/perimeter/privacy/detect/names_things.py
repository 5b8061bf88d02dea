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
from perimeter.privacy.detect.names_cues import cue_before
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
_THING_NOUN_BEFORE = re.compile(
    r"(?<![\w])(?:отел[ьяюеи]|отелях?|гостиниц[аеуы]|курорт[аеу]?|ресторан[аеу]?|кафе|бар[аеу]?|клуб[аеу]?|"
    r"духи|духов|парфюм[аеу]?|аромат[аеу]?|бренд[аеу]?|марк[аеуи]|модел[ьиея]|холдинг[аеу]?|групп[аеуы]|"
    r"(?i:hotel|resort|restaurant|ristorante|trattoria|brand|grupo|group|groupe|gruppo|holding|perfume|fragrance|"
    r"hospital|clinic|university|universidad|museum|museo|school|college|church|cathedral))[ \u00a0]+$"
)


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
_STREET_WORD_BEFORE = re.compile(
    r"(?<![\w])(?:улиц[аеуы]|ул\.|проспект[аеу]?|пр\.|пр-т|переул(?:ок|ка|ке)|пер\.|бульвар[аеу]?|б-р|площад[ьи]|пл\.|"
    r"шоссе|набережн(?:ая|ой)|наб\.)[ \u00a0]*$", re.IGNORECASE)


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
    if _STREET_WORD_BEFORE.search(text, max(0, e.start - 12), e.start):
        return True
    if span.isascii() and _NAMED_AFTER.match(text, e.end):
        return True
    if _LOCAL_STREET_AFTER.match(text, e.end):
        return True
    if span.isascii() and _THING_NOUN_BEFORE.search(text, max(0, e.start - 12), e.start):
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

