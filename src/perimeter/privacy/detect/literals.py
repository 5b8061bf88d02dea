"""The literal words every detector starts from, found for all detectors in one pass.

Most detectors begin at a fixed word: a credential stem ("password", "token"), a street type
("ул.", "Street"), a vendor key prefix ("sk-", "AKIA"), a birth word ("родился", "DOB").  Python's
``re`` has no multi-literal search: an alternation of 20 words is tried at nearly every
character (15-30 ms per 3 MB each), and the detectors together made six such passes.  When
`hyperscan <https://pypi.org/project/hyperscan/>`_ is installed (a wheel on Linux x86-64), one
hyperscan database per haystack finds every word of every group in a single pass at
hundreds of MB/s.  Without it, each detector falls back to its own regex pass, with the same
results.

Hyperscan reports every occurrence, overlapping ones included; :func:`prescan.matches_at`
turns those start offsets back into exactly what ``pattern.finditer`` would return, so the
answer never depends on which path ran (a test runs both).
"""

from __future__ import annotations

import re
import threading
from typing import Any

# Searched in ``text.lower()`` (as the detectors did before this table existed).
SECRET_WORDS = ("pass", "pwd", "парол", "secret", "token", "токен", "key", "ключ", "auth", "bearer", "credential", "x-api")
# Words of chat that name a credential without the word "password" (``secrets_chat``).
CHAT_CREDENTIALS = ("wi", "вай", "pw", "pass", "пасс", "парол", "логин", "login", "ключ", "key", "user", "юзер", "учётк",
                    "учетк", "creds", "креды", "доступ")
RU_STREETS = (
    "ул.", "улиц", "пр-", "пр.", "просп", "пер.", "переул", "ш.", "шоссе", "наб.", "набер", "б-р", "бул.", "бульв",
    "пл.", "площад", "проезд", "пр-д", "туп", "мкр", "микрор", "алл", "линия", "лин.", "тракт", "кв-л", "квартал",
    "дор.", "дорог", "спуск", "тер.", "массив",
)
# The literal each alternative of ``contacts._BIRTH`` / ``_BIRTH_AFTER`` starts with.
BIRTH_BEFORE = ("рожд", "родил", "д.", "д/р", "dob", "d.o.b", "birth", "born", "b-day", "bday", "возраст", "b.", "г.р", "др ",
                "народ", "нараджэ", "нарадзі", "naissance", "né le", "née le", "nacimiento", "nacid", "nascimento",
                "nascid", "nascita", "nato il", "nata il", "geboren", "geb.", "geburt", "urodz", "geboorte", "doğum",
                "narodz", "rozhden")
BIRTH_AFTER = ("г.", "г/р", "года рождения")
# Searched in :attr:`TextIndex.folded`, where they stand for case-insensitive patterns.
PASSPORT_SERIES = ("сери", "series")
BIK = ("бик", "bik")
# Searched in the text itself (case matters).
VENDOR_PREFIXES = (
    "sk-", "sk_", "rk_", "pk_", "whsec_", "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA",
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "https://hooks.slack", "AIza", "ya29.",
    "SG.", "glpat-", "npm_", "hf_", "pypi-", "dop_v1_", "shp", "xkeysib-", "AC", "SK", "key-", "y0_", "AQVN",
    "t1.", ":AA", "eyJ", "sntrys_", "sntryu_",
)
# Street-type words of US (USPS Publication 28) and UK/Irish/Commonwealth addresses; the
# abbreviations also in lower case ("123 main st"), as people type them in chat.
EN_STREETS = (
    "Street", "St", "Avenue", "Ave", "Av", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr", "Court",
    "Ct", "Way", "Place", "Pl", "Terrace", "Ter", "Parkway", "Pkwy", "Circle", "Cir", "Square", "Sq", "Highway",
    "Hwy", "Close", "Crescent", "Cres", "Row", "Mews", "Gardens", "Gdns", "Trail", "Trl", "Plaza", "Alley", "Aly",
    "Bend", "Causeway", "Crossing", "Xing", "Cove", "Creek", "Crest", "Expressway", "Expy", "Freeway", "Fwy",
    "Grove", "Grv", "Heights", "Hts", "Hill", "Junction", "Loop", "Path", "Pike", "Point", "Pt", "Ridge", "Run",
    "Trace", "Turnpike", "Tpke", "Walk", "Wharf", "Green", "Rise", "Vale", "View", "Park", "Quay", "Embankment",
    "Broadway", "Hollow", "Landing", "Glen", "Manor", "Pass", "Estate", "Esplanade", "Parade", "Promenade",
    "st", "ave", "rd", "blvd", "ln", "dr", "ct", "pl", "hwy", "pkwy", "cir", "ter", "street", "avenue", "road",
)

# Street types, units and area words of the comma-separated address layouts (``addresses_parts``).
PART_TYPES = (
    "street|st|str|avenue|ave|av|avda|road|rd|boulevard|blvd|bd|bvd|lane|ln|drive|court|ct|place|pl|way|terrace|"
    "crescent|close|highway|hwy|parkway|pkwy|square|sq|embankment|quay|row|mews|alley|lawn|grove|gardens|heights|"
    "rue|allée|allee|chemin|quai|impasse|cours|calle|carrer|avenida|rua|travessa|largo|praça|via|viale|piazza|corso|"
    "ulitsa|ul|ulica|ulice|vulica|vul|vulytsia|prospekt|prosp|pr|pereulok|per|shosse|bulvar|aleja|al|os|plac|"
    "sokak|sok|cadde|caddesi|mahallesi|utca|út|strada|calea|bulevardul|odos|lu|jie|dajie|"
    "ул|улица|вул|вулиця|вуліца|просп|проспект|пр-т|пр-кт|пер|пров|провулок|бульв|б-р|бульвар|ш|шосе|шоссе|наб|"
    "пл|площадь|майдан|линия|лінія|тупик|туп|проезд|пр-д|мкр|мкрн|микрорайон|квартал|кв-л"
)
PART_UNITS = "unit|apt|flat|room|building|house|villa|floor|кв|корп|district|sub-city|р-н|обл|респ|республика|app"
# Glued street types ("Keizersgracht", "Hauptstraße"): only the ones no English word or code
# identifier ends with ("ring", "gate", "weg" would be found in every "string", "delegate").
PART_GLUED = "straße|strasse|gasse|straat|gracht|plein|singel|steeg|gatan|vägen|veien|katu|utca|ulica"
PART_WARDS = "ku|shi|cho|gu|dong"
# Words an address run (``addresses_runs``) may start from where no street grammar does: a
# numbered office in a named tower, a Turkish or Hebrew street type, a Russian SNT, line or
# street type in Latin letters.
ADDR_RUN_WORDS = (
    "office", "tower", "cad.", "caddesi", "sok.", "sokak", "bulvar", "rehov ", "rechov ", "derech ", "снт", "днт", "гск", "линия",
    "ul. ", "ulitsa ", "blk ", "apartments", "-ro ", "-gil", "cottage", "rural route", "тц «", "бц «", "трц «",
)
PART_ALL = {*PART_TYPES.split("|"), *PART_UNITS.split("|")}
PART_BEFORE = (" ", "\n", "(", "\"", "«", "\t", ",", ":")
PART_AFTER = (" ", ".", ",", "\u00a0", "\n")
#: The literals ``addresses_parts._TRIGGER`` starts from (lower case).  A street or unit word is
#: searched with the character before and after it (``PART_DELIMITED``; the word starts one
#: character later), so the one-pass search does not report every "st" in "first" or "place" in
#: "replace"; glued types and wards (``PART_SUFFIXES``) are searched at the suffix, with the
#: character after it.
# Abbreviations that are also words of code or prose ("os.path", "x: str,", "per day", "the way")
# count only with their dot; a few are left to the other words of the line.
PART_DOT_ONLY = frozenset("str al pl pr ul per av bd ct ln sq sok m ш пр пл пер туп".split())  # noqa: SIM905
PART_NOT_TRIGGERS = frozenset("os lu jie".split())  # noqa: SIM905
PART_DELIMITED = tuple(sorted(
    f"{b}{w}{a}" for w in PART_ALL - PART_NOT_TRIGGERS for b in PART_BEFORE
    for a in ((".",) if w in PART_DOT_ONLY else PART_AFTER)
))
PART_SUFFIXES_WORDS = (*PART_GLUED.split("|"), *("-" + w for w in PART_WARDS.split("|")))
PART_SUFFIXES = tuple(sorted(
    f"{w}{a}" for w in (*PART_GLUED.split("|"), *("-" + w for w in PART_WARDS.split("|"))) for a in PART_AFTER
))

# Where ``secrets_context`` and ``birth_dates_more`` rules start (kept equal to their STEMS by a test).
SECRET_CONTEXT = (
    "pass", "pwd", "secret", "token", "key", "парол", "пасс", "pw", "wi-fi", "wifi", "вайфа", "wlan", "логин",
    "login", "кодов", "the code", "код от", "router", "роутер", "admin", "админк", "sticker", "стикер", "-u", "mysql",
    "mariadb", "://",
)
BIRTH_MORE = ("родил", "днюх", "днем", "днём", "юбиле", "исполн", "др:", "др -", "др —", "др –", "др-", "др :", "birthday",
              "b-day", "bday", "turn ", "turns ", "turning ", "рожд", "birth")
# Where the round-7 number rules start: a phone word before an odd-separator phone
# (``phones_loose``), a kind's word before an OCR-damaged value (``ocr_values``), a cue before a
# dictated value (``spoken_values``).
PHONE_LOOSE = ("тел", "phone", "моб", "mobile", "cell", "whatsapp", "telegram", "звон", "call", "fax", "факс", "tel",
               "text me", "ph:", "ph.", "ph ", "вотсап", "ватсап")
OCR_CUES = ("инн", "inn", "tin", "снилс", "snils", "огрн", "ogrn", "карт", "card", "visa", "mastercard", "мир",
            "maestro", "amex", "pan", "iban")
SPOKEN_CUES = ("паспорт", "passport", "сери", "series", "карт", "card", "social", "ssn", "родил", "рожд", "д.р", "д. р",
               "dob", "d.o.b", "born", "birth", "тел", "номер", "моб", "сотов", "звон", "позвон", "перезвон", "phone", "number", "cell",
               "mobile", "call", "reach me", "whatsapp", "ватсап", "вотсап")
# The words ``addresses._EU_HINT`` alternates (a European street type somewhere in the text);
# those in ``EU_STREET_HINTS_BOUNDED`` only at a word's end there.
EU_STREET_HINTS = (
    "straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer", "laan", "straat", "gracht",
    "plein", "kade", "vej", "gade", "gatan", "gata", "vägen", "veien", "gate", "katu", "rue", "avenue", "boulevard",
    "place", "allée", "chemin", "impasse", "quai", "cours", "via", "viale", "piazza", "corso", "largo", "vicolo",
    "calle", "avenida", "plaza", "paseo", "carrer", "rua", "travessa", "praça", "ulica", "unter den", "stræde", "torv",
    "utca", "jalan", "jln", "lorong", "persiaran", "lebuh",
)
EU_STREET_HINTS_BOUNDED = frozenset({"weg", "ring", "vej", "gate", "rue", "cours", "via", "rua"})
# Where the lower-case name rules of chat can match, each word with what must follow it:
# ``names_en._LOWER_CUE`` (case-insensitive: searched in the folded text) a cue and a space or a tab;
# ``names_cues._LOWER_TITLE`` a title and a dot or a space; ``_LOWER_GREETING``'s gates a
# greeting and a space or a comma, or a space and a request; ``_LOWER_BEFORE_VERB``'s gate a
# space and a person's verb.  Where none occurs the rule cannot match, and its whole-text
# regex pass (tried at every character) is skipped.
_SPACES = (" ", "\u00a0")
LOWER_NAME_CUES = (*(f"{w}{s}" for w in (
    "talked to", "talk to", "spoke to", "spoke with", "speak to", "speak with", "met with", "meeting with", "call with",
    "chat with", "my name is", "name is", "i am", "i'm", "im", "this is", "ask", "tell", "call", "ping", "email", "cc",
) for s in (" ", "\t")), "my ")
LOWER_TITLES = tuple(f"{w}{a}" for w in (
    "mr", "mrs", "ms", "miss", "dr", "prof", "aunt", "auntie", "uncle", "tío", "tía", "tio", "tia", "abuela", "abuelo",
    "grandma", "grandpa", "nana", "cousin", "coach", "mme", "frau", "herr", "doctor",
) for a in (".", *_SPACES))
LOWER_GREETINGS = (
    *(f"{w}{a}" for w in ("hi", "hey", "hello", "hiya", "yo", "thanks", "thx", "ty", "sorry", "morning", "cheers")
      for a in (*_SPACES, ",")),
    *(f"{s}{w}" for s in _SPACES for w in ("can u", "can you", "could you", "pls", "please", "plz")),
)
PERSON_VERBS = tuple(f"{s}{w}" for s in _SPACES for w in (
    "said", "says", "told", "tells", "asked", "asks", "posted", "wrote", "sent", "texted", "messaged", "called", "emailed",
    "replied", "mentioned", "shared", "forgot", "left", "quit", "got", "went", "thinks", "wants", "needs", "pinged", "dmd",
    "dm'd", "dropped", "promised", "agreed", "complained",
))
_FOLDED: dict[str, tuple[str, ...]] = {"passport_series": PASSPORT_SERIES, "bik": BIK, "lower_name_cues": LOWER_NAME_CUES}
# The "folded" groups ride along in the "lower" pass: the two strings are the same object
# unless the text holds one of the rare characters ``prescan.FOLD_TRAPS`` lists.
HAYSTACKS: dict[str, dict[str, tuple[str, ...]]] = {
    "lower": {"secret_words": SECRET_WORDS, "chat_credentials": CHAT_CREDENTIALS, "ru_streets": RU_STREETS, "birth_before": BIRTH_BEFORE,
              "birth_after": BIRTH_AFTER, "part_suffixes": PART_SUFFIXES,
              "part_delimited": PART_DELIMITED, "addr_runs": ADDR_RUN_WORDS, "secret_context": SECRET_CONTEXT,
              "birth_more": BIRTH_MORE, "phone_loose": PHONE_LOOSE, "ocr_cues": OCR_CUES, "spoken_cues": SPOKEN_CUES,
              "eu_streets": EU_STREET_HINTS,
              **_FOLDED},
    "folded": _FOLDED,
    "text": {"vendor_prefixes": VENDOR_PREFIXES, "en_streets": EN_STREETS, "lower_titles": LOWER_TITLES,
             "lower_greetings": LOWER_GREETINGS, "person_verbs": PERSON_VERBS},
}
HAYSTACK_OF: dict[str, str] = {
    group: haystack for haystack in ("lower", "text", "folded") for group in HAYSTACKS[haystack]
}


def alternation(words: tuple[str, ...]) -> str:
    """The words as one regex alternation, in order (leftmost-first, like the old patterns)."""
    return "|".join(re.escape(w) for w in words)


_hs: Any
try:  # an optional accelerator: every caller has a pure-Python path with the same results
    import hyperscan as _hs
except ImportError:  # pragma: no cover - exercised where the wheel is not installed
    _hs = None


class _Database:
    """One compiled hyperscan database for one haystack, with a scratch space per thread."""

    def __init__(self, groups: dict[str, tuple[str, ...]], encoding: str) -> None:
        self.encoding = encoding
        self.width = {"utf-32-le": 4, "utf-16-le": 2}.get(encoding, 1)
        self.ids: list[str] = []
        expressions: list[bytes] = []
        for group, words in groups.items():
            for word in words:
                expressions.append(b"".join(b"\\x%02x" % byte for byte in word.encode(encoding)))
                self.ids.append(group)
        assert _hs is not None
        self.db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
        self.db.compile(
            expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions),
            flags=[_hs.HS_FLAG_SOM_LEFTMOST] * len(expressions),
        )
        self.local = threading.local()

    def starts(self, data: bytes) -> dict[str, list[int]]:
        scratch = getattr(self.local, "scratch", None)
        if scratch is None:
            assert _hs is not None
            scratch = self.local.scratch = _hs.Scratch(self.db)
        hits: list[tuple[int, int]] = []
        append = hits.append

        def on_match(expr_id: int, start: int, end: int, flags: int, context: Any) -> None:
            append((start, expr_id))

        self.db.scan(data, match_event_handler=on_match, scratch=scratch)
        out: dict[str, list[int]] = {}
        ids, width = self.ids, self.width
        for start, expr_id in hits:
            if start % width:
                continue  # a match across two code units is not a match of characters
            out.setdefault(ids[expr_id], []).append(start // width)
        for found in out.values():
            found.sort()
        return out


_databases: dict[tuple[str, str], _Database] = {}
_lock = threading.Lock()


_enabled = True


def available() -> bool:
    """True when hyperscan is installed and not switched off with :func:`use_hyperscan`."""
    return _enabled and _hs is not None


def use_hyperscan(enabled: bool) -> None:
    """Switch the accelerator off (``False``) or back on: for tests and benchmarks that compare
    the two paths.  Takes effect for scans that start afterwards."""
    global _enabled
    _enabled = enabled


def find_all(haystack: str, data: bytes, encoding: str) -> dict[str, list[int]]:
    """Sorted start offsets (code points) of every word of every group of ``haystack``.

    ``data`` is the haystack string encoded with ``encoding``: ``"utf-32-le"`` for any text,
    ``"utf-16-le"`` when every character is in the BMP, or ``"latin-1"`` bytes with one byte
    per code point when every word is ASCII.
    """
    key = (haystack, encoding)
    db = _databases.get(key)
    if db is None:
        with _lock:
            db = _databases.get(key)
            if db is None:
                db = _databases[key] = _Database(HAYSTACKS[haystack], encoding)
    return db.starts(data)
