"""Contacts written so that the plain patterns of :mod:`contacts` do not see them.

People and programs disguise an address or a number without meaning to hide it:

- **spelt out**, against scrapers or because a call is being transcribed: "davide dot conti
  at ferrante dash design dot it", "john[at]example[dot]com", "иван точка петров собака яндекс
  точка ру";
- **percent-encoded** in a URL or a form body: "reset?email=harriet.osei%40btinternet.com",
  "phone=%2B79052247711";
- **inside a SIP or tel URI**, as telephony logs write the caller: "sip:79172204418@sip.telphin.ru".

Each is the same value to whoever reads it, so each must be masked the same way.  A spelt-out
address needs its last word to be a top-level domain ("dot com", "точка ру"), which ordinary
prose with "at" and "dot" in it does not end with; numbers must be valid in the numbering plan
their country code names.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect.phone_plans import valid_international
from perimeter.privacy.entities import Entity

_WORD = r"[^\W_][\w']*"
# how a dot, a hyphen or an underscore is said: "dot", "(dot)", "[dot]", "точка"
_DOT = r"(?:[ \t]*(?:[(\[{]dot[)\]}]|[(\[{]точка[)\]}])[ \t]*|[ \t]+(?:dot|точка)[ \t]+)"
_DASH = r"[ \t]+(?:dash|hyphen|minus|дефис|тире)[ \t]+"
_UNDERSCORE = r"[ \t]+(?:underscore|нижнее[ \t]+подч[её]ркивание|подч[её]ркивание)[ \t]+"
_JOIN = rf"(?:{_DOT}|{_DASH}|{_UNDERSCORE}|[.\-_])"
_AT = r"(?:[ \t]*[(\[{](?:at|собака)[)\]}][ \t]*|[ \t]+(?:at|собака|эт)[ \t]+)"
# the words a spoken address may end with: generic domains, and any two-letter country code
_TLD = (r"(?:com|net|org|info|biz|edu|gov|io|ai|app|dev|co|me|tech|online|site|store|pro|cloud|"
        r"ру|рф|ком|нет|орг|[a-z]{2})(?![\w])")
_SPELT = re.compile(
    # the local part: words joined by said (or written) dots, hyphens and underscores
    rf"(?<![\w.@\-])(?P<local>{_WORD}(?:{_JOIN}{_WORD}){{0,4}})"
    rf"{_AT}"
    # the domain: up to three words (a dictated "kaizen foods" is one label) joined the same way
    rf"(?P<domain>{_WORD}(?:(?:{_JOIN}|[ \t]){_WORD}){{0,3}}?)"
    rf"(?:{_DOT}|\.)(?P<tld>{_TLD})",
    re.IGNORECASE,
)
_JOINED = re.compile(rf"{_JOIN}", re.IGNORECASE)
# country codes that are also English words: "at home dot at" is no address
_WORD_TLDS = frozenset(["at", "in", "it", "me", "be", "by", "do", "go", "is", "my", "no", "so", "to", "us", "we", "am", "as", "an", "on", "or", "of", "he", "hi", "if", "up"])
_WRITTEN_WORDS = ("dot", "точка", "собака", "[at]", "(at)", "{at}")

_PERCENT_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}%40(?:[^\W_][\w\-]{0,61}\.)+[^\W\d_]{2,24}(?![\w\-])", re.IGNORECASE)
_PERCENT_PHONE = re.compile(r"(?<![\w%])%2B(\d{7,15})(?!\d)", re.IGNORECASE)
_URI_PHONE = re.compile(r"(?<![\w])(?:sips?|tel):(\+?\d{7,15})(?=[@;>\s\"',]|$)", re.IGNORECASE)


def find_disguised_emails(text: str, lower: str) -> list[Entity]:
    """Spelt-out and percent-encoded e-mail addresses."""
    out: list[Entity] = []
    if "%40" in text:
        out.extend(Entity("EMAIL", m.start(), m.end(), m.group(), 0.95, "email_encoded")
                   for m in _PERCENT_EMAIL.finditer(text))
    if any(w in lower for w in _WRITTEN_WORDS):
        for m in _SPELT.finditer(text):
            # a dot must be said, not written: "x at example.com" is prose about a site ("we met
            # at example.com"), "x dot y at example dot com" is an address
            if not _said_dot(m.group()):
                continue
            # "met at the conference dot com", "be at home dot at": prose, unless the local part
            # itself is spelt ("emiko dot sato at kaizen foods dot jp")
            spelt_local = _JOINED.search(m.group("local")) is not None
            if not spelt_local and (" " in m.group("domain").strip() or m.group("tld").lower() in _WORD_TLDS):
                continue
            out.append(Entity("EMAIL", m.start(), m.end(), m.group(), 0.9, "email_spelt"))
    return out


def _said_dot(value: str) -> bool:
    low = value.lower()
    return any(w in low for w in (" dot ", "(dot)", "[dot]", "{dot}", "точка"))


def find_disguised_phones(text: str, lower: str) -> list[Entity]:
    """Percent-encoded "+" numbers and the numbers of SIP and tel URIs."""
    out: list[Entity] = []
    if "%2b" in lower:
        for m in _PERCENT_PHONE.finditer(text):
            if valid_international(m.group(1)):
                out.append(Entity("PHONE", m.start(), m.end(), m.group(), 0.95, "phone_encoded"))
    if "sip:" in lower or "sips:" in lower or "tel:" in lower:
        for m in _URI_PHONE.finditer(text):
            digits = m.group(1).lstrip("+")
            if len(digits) == 11 and digits[0] == "8":
                digits = "7" + digits[1:]  # a Russian trunk "8" dialled from a softphone
            if valid_international(digits):
                out.append(Entity("PHONE", m.start(1), m.end(1), m.group(1), 0.95, "phone_uri"))
    return out
