"""E-mail, phone, IP address, IBAN and date-of-birth detectors (pattern + validation)."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from perimeter.privacy.detect.birth_date_layouts import LAYOUTS as _MORE_LAYOUTS
from perimeter.privacy.detect.birth_dates_more import more_birth_dates
from perimeter.privacy.detect.checksums import IBAN_LENGTHS, iban_valid
from perimeter.privacy.detect.contacts_disguised import find_disguised_emails, find_disguised_phones
from perimeter.privacy.detect.fields_contacts import find_contact_fields
from perimeter.privacy.detect.ibans_cued import find_cued_ibans
from perimeter.privacy.detect.keywords import nearest_context
from perimeter.privacy.detect.phone_plans import mobile_in, valid_in
from perimeter.privacy.detect.phones_cued import find_cued_phones, find_local_phones, find_uncued_mobiles
from perimeter.privacy.detect.phones_dialled import find_dialled_phones
from perimeter.privacy.detect.phones_loose import find_loose_phones
from perimeter.privacy.detect.prescan import TextIndex, aligned_lower, matches_at
from perimeter.privacy.entities import Entity

# --- e-mail: anchor on "@" and grow both ways (much faster than scanning with a full regex).
_EMAIL_LEFT = re.compile(r"[\w.+\-']{1,64}$")
_EMAIL_RIGHT = re.compile(r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.)+[^\W\d_]{2,24}(?![\w\-])")


def find_emails(ix: TextIndex) -> list[Entity]:
    text = ix.text
    out: list[Entity] = []
    at = text.find("@")
    while at != -1:
        left = _EMAIL_LEFT.search(text, max(0, at - 64), at)
        # "sipho.ndlovu@@gmail.com": a typed double "@" (a validator's rejected input) is still
        # the person's address
        right = _EMAIL_RIGHT.match(text, at + 2 if text.startswith("@@", at) else at + 1)
        if left and right:
            start = left.start()
            while start < at and text[start] in ".'-":
                start += 1
            if start < at and not (start > 0 and text[start - 1] in "/:") and not _in_url_userinfo(text, start):
                out.append(Entity("EMAIL", start, right.end(), text[start:right.end()], 0.99, "email"))
        at = text.find("@", at + 1)
    out.extend(find_disguised_emails(text, ix.aligned))
    return out


def _in_url_userinfo(text: str, start: int) -> bool:
    """"postgresql://user:Pa!ss@host": the "@" ends URL credentials, not an e-mail address."""
    word_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start), text.rfind("\t", 0, start), 0)
    return "://" in text[word_start:start]


# --- phones: international (+CC), Russian 8-prefixed, (area) local, US 3-3-4.
_SEP = r"[ \t\u00a0\-.]*"
_PHONE = re.compile(
    rf"(?<![\w+/])(?:"
    rf"(?P<intl>\+\s?\d{{1,3}}){_SEP}\(?\d{{1,5}}\)?(?:{_SEP}\d{{1,5}}){{1,5}}"
    rf"|(?P<ru8>8){_SEP}\(?\d{{3,5}}\)?{_SEP}\d{{1,3}}{_SEP}\d{{2}}{_SEP}\d{{2,3}}"  # "8 917 45 45 009" too
    rf"|(?P<ru7>7)[\-. \u00a0]\(?9\d\d\)?[\-. \u00a0]\d{{3}}[\-. \u00a0]?\d{{2}}[\-. \u00a0]?\d{{2}}"  # "7-905-771-22-17": "+" dropped
    rf"|\(\d{{3,5}}\){_SEP}\d{{1,3}}{_SEP}\d{{2}}{_SEP}\d{{2,4}}"
    rf"|(?P<us1>1[\-.\u00a0 ])?\d{{3}}[\-.\u00a0 ]\d{{3}}[\-.\u00a0 ]\d{{4}}"  # "1-800-555-0199"
    rf"|(?<!\d[\- ])(?P<loc>\d{{3}}-\d{{2}}-\d{{2}})"  # not the tail of "913-215-70-44"
    rf"|(?P<five>[6-9]\d{{4}}[ \u00a0]\d{{5}})"  # Indian mobiles "98110 45678", with a phone word only
    # "555-123-4567-X" is a product code; a Korean or Japanese particle may be glued on ("…3367입니다")
    rf")(?!(?![\uac00-\ud7af\u3040-\u30ff])\w|-\w)"
)


def find_phones(ix: TextIndex) -> list[Entity]:
    text = ix.text
    out: list[Entity] = []
    matches = [m for lo, hi in ix.digit_regions(pad=3) for m in _PHONE.finditer(text, lo, hi)]
    for m in matches:
        start, end = m.start(), m.end()
        value = m.group()
        digits = [i for i, ch in enumerate(value) if ch.isdigit()]
        count = len(digits)
        # The layout checks come first: the context look-up (which can veto any of them with a
        # negative word) is the expensive step.
        score = 0.9
        if m.group("intl"):
            cc = m.group("intl")[1:].lstrip()  # "+", an optional space, the country code
            limit = 11 if cc in ("7", "1") else 15
            if count > limit:
                end = start + digits[limit - 1] + 1
                count = limit
            if count < (11 if cc in ("7", "1") else 8):
                continue
            # a "+" and a country code are a phone's own marks: an order word nearby ("номер в
            # заказе +7 701 438 29 16") names what the phone belongs to, not another number
            ctx = None
            score = 0.95
        elif m.group("ru8"):
            if count != 11:
                continue
            ctx = nearest_context(text, start, 32)
            compact = "".join(ch for ch in value if ch.isdigit())
            plain = value.isdigit()
            if plain and compact[1] not in "9" and ctx != "PHONE" and not _mobile_7(compact[1:]):
                continue
        elif m.group("loc") or m.group("five"):
            ctx = nearest_context(text, start, 32)
            if ctx != "PHONE":
                continue
        else:
            if count not in (10, 11):
                continue
            ctx = nearest_context(text, start, 32)
            core = value[2:] if m.group("us1") else value
            if core[3] == "." and ctx != "PHONE" and not (core[0] in "23456789" and core[4] in "23456789"):
                continue
            if ctx not in ("PHONE", None):
                continue
        if ctx == "NEG":
            continue
        while end > start and not text[end - 1].isdigit():
            end -= 1
        out.append(Entity("PHONE", start, end, text[start:end], score, "phone"))
    out.extend(_national_phones(ix, out))
    out.extend(find_cued_phones(ix, out))
    out.extend(find_local_phones(ix, out))
    out.extend(find_dialled_phones(ix, out))
    out.extend(find_loose_phones(ix, out))
    out.extend(find_uncued_mobiles(ix, out))
    out.extend(find_disguised_phones(text, ix.aligned))
    out.extend(find_contact_fields(text, ix.aligned))  # offsets in the lower-cased copy are the text's
    return out


# --- phones in national layouts with a trunk "0" (UK "020 7946 0958", FR "01 42 68 53 00", DE
# "030 901820"): checked against each country's numbering plan with ``phonenumbers`` (Google's
# libphonenumber metadata, shipped inside the package).
_NATIONAL = re.compile(
    r"(?<![\w+/.,])(?<!\d[ \u00a0\-.])\(?0[1-9]\d{0,3}\)?(?:[ \u00a0\-.]\d{2,6}){1,4}(?![\w]|-\w|[.,]\d|[ \u00a0\-.]\d)")
# "05.12.2026 23:41" in a log: a date and an hour, which some plan reads as a ten-digit number.
_DATE_START = re.compile(r"\d{2}([./])\d{2}\1(?:19|20)\d{2}(?!\d)")
_PLAN_REGIONS = ("GB", "IE", "FR", "DE", "IT", "ES", "NL", "BE", "AT", "CH", "PL", "SE", "NO", "DK", "FI", "PT",
                 "CZ", "AU", "NZ", "ZA")


@lru_cache(maxsize=4096)
def _mobile_7(national: str) -> bool:
    """"87017770312": a plain 8-prefixed number is a phone when the +7 plan (Russia and
    Kazakhstan) has it as a mobile range, not only the Russian 9xx ones."""
    import phonenumbers

    try:
        number = phonenumbers.parse("+7" + national)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE
    )


def _national_phones(ix: TextIndex, found: list[Entity]) -> list[Entity]:
    text = ix.text
    out: list[Entity] = []
    taken = [(e.start, e.end) for e in found]
    for lo, hi in ix.digit_regions(pad=3):
        for m in _NATIONAL.finditer(text, lo, hi):
            value = m.group()
            digits = "".join(ch for ch in value if ch.isdigit())
            if not 9 <= len(digits) <= 12 or any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if _DATE_START.match(value):
                continue
            ctx = nearest_context(text, m.start(), 32)
            # "the number on the account? 07700 184 392": an account or card word names what the
            # number belongs to when the number is in a mobile range
            owned = ctx in ("RU_BANK_ACCOUNT", "CREDIT_CARD") and mobile_in(digits, _PLAN_REGIONS)
            if (ctx not in ("PHONE", None) and not owned) or not valid_in(digits, _PLAN_REGIONS):
                continue
            out.append(Entity("PHONE", m.start(), m.end(), value, 0.85 if ctx is None else 0.95, "phone_plan"))
    return out


# --- IP addresses.
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])")
_IP_CTX = re.compile(r"\b(?:ip|ipv4|host|server|addr\w*|адрес\w*|сервер\w*|хост\w*|src|dst|from|client|peer|remote|с|from)\b\W*$|=\s*$", re.IGNORECASE)
# what follows the client's address in a web server's access log: "5.18.144.201 - - [12/Nov/2024:…"
_ACCESS_LOG = re.compile(r" - \S+ \[")
_VERSION_CTX = re.compile(
    # a lone "v" only as a word of its own: "user=ekaterina.v.sorokina client_ip=…" is no version
    r"(?:\b(?:version|верси\w*|ver\.?|release|релиз|build|oid|сборк\w*|patch|патч\w*)|(?<![\w.])v)\W+(?:\w+\W+){0,2}$"
    r"|(?<![\w.])v$",
    re.IGNORECASE,
)


_ROUTER_DEFAULTS = frozenset({"192.168.0.1", "192.168.1.1", "192.168.1.254", "192.168.0.254", "192.168.100.1", "10.0.0.1", "10.0.0.138"})
_ROUTER = re.compile(r"роутер|маршрутизатор|модем|router|modem|админк|admin panel|web ?ui|веб-интерфейс|wi-?fi|вайфай", re.IGNORECASE)


def find_ips(ix: TextIndex) -> list[Entity]:
    text = ix.text
    out: list[Entity] = []
    if "." in text:
        # An address is one digit region with three dots: other regions are not tried.
        windows = [(lo, hi) for lo, hi in ix.digit_regions() if text.count(".", lo, hi) >= 3]
        for m in (m for lo, hi in windows for m in _IPV4.finditer(text, lo, hi)):
            parts = m.group().split(".")
            if any(int(p) > 255 or (len(p) > 1 and p[0] == "0") for p in parts):
                continue
            if parts[0] in ("0", "255") or _VERSION_CTX.search(text, max(0, m.start() - 28), m.start()):
                continue
            if m.group() in _ROUTER_DEFAULTS and _ROUTER.search(text, max(0, m.start() - 80), m.end() + 80):
                continue  # "админка роутера на 192.168.1.1": a factory default every such box has
            if parts[0] == "127" or (parts[3] == "0" and text[m.end():m.end() + 1] == "/"):
                continue  # loopback and "10.0.0.0/8" network prefixes identify no one (as "::1", "fe80::/10")
            if (len(parts[0]) == 1 and not _IP_CTX.search(text, max(0, m.start() - 40), m.start())
                    and _ACCESS_LOG.match(text, m.end()) is None):
                continue  # "1.8.1.159" is far more often a version than an address (not in an access log)
            out.append(Entity("IP_ADDRESS", m.start(), m.end(), m.group(), 0.95, "ipv4"))
    if "::" in text or text.count(":") >= 7:
        for m in (m for lo, hi in ix.ipv6_windows() for m in _IPV6.finditer(text, lo, hi)):
            value = m.group()
            if value.count(":") < 2 or ("::" not in value and value.count(":") < 7) or value == "::":
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            if not any(ch.isdigit() for ch in value) or value == "::1":
                continue  # "::1" is every machine's loopback: it identifies no one
            if value.endswith("::") and text[m.end():m.end() + 1] == "/":
                continue  # "fe80::/10" is a network prefix, not an address
            out.append(Entity("IP_ADDRESS", m.start(), m.end(), value, 0.95, "ipv6"))
    if "[.]" in text or "(.)" in text:
        out.extend(_spelt_ips(text))
    return out


# An address in a security report's defanged form ("185[.]12[.]94[.]7", "10(.)0(.)0(.)5").  (A
# cloud host name that spells a private one, "ip-10-0-1-23.ec2.internal", is a machine's name:
# no corpus author labels it.)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_SPELT_IP = re.compile(
    rf"(?<![\w.]){_OCTET}(?:\[\.\]|\(\.\)){_OCTET}(?:\[\.\]|\(\.\)){_OCTET}(?:\[\.\]|\(\.\)){_OCTET}(?!\w)"
)


def _spelt_ips(text: str) -> list[Entity]:
    return [Entity("IP_ADDRESS", m.start(), m.end(), m.group(), 0.9, "ipv4") for m in _SPELT_IP.finditer(text)]


# --- IBAN: country + check digits + BBAN, optionally in groups of four.
_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]){10,32})")


def find_ibans(ix: TextIndex) -> list[Entity]:
    text = ix.text
    out: list[Entity] = []
    # Every IBAN starts with two capitals and two digits: only those places are tried.
    starts = ix.iban_starts()
    for m in matches_at(_IBAN, text, starts):
        want = IBAN_LENGTHS.get(m.group()[:2])
        if want is None:
            continue
        taken = 0
        end = m.start()
        for i, ch in enumerate(m.group()):
            if ch.isalnum():
                taken += 1
                if taken == want:
                    end = m.start() + i + 1
                    break
        if taken != want:
            continue
        if end < len(text) and text[end].isalnum() and not text[end - 1 : end + 1].isupper():
            continue
        value = text[m.start():end]
        if iban_valid(value.replace(" ", "").replace("\u00a0", "")):
            out.append(Entity("IBAN", m.start(), end, value, 0.99, "iban"))
    if starts and len(out) < len(starts):
        out.extend(find_cued_ibans(text, starts, out))
    return out


# --- dates of birth: a date plus a birth context word before it (or "г.р." after it).
_MONTHS_RU = r"январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]|октябр[яь]|ноябр[яь]|декабр[яь]"
# Ukrainian and Belarusian month names in the genitive ("12 березня 1969 р.").
_MONTHS_UA_BY = (
    r"січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня|"
    r"студзеня|лютага|сакавіка|красавіка|мая|чэрвеня|ліпеня|жніўня|верасня|кастрычніка|лістапада|снежня"
)
_MONTHS_EN = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = re.compile(
    rf"(?<![\w.])(?:"
    rf"\d{{1,2}}[./\-]\d{{1,2}}[./\-](?:19|20)\d{{2}}"
    rf"|(?:19|20)\d{{2}}[-./]\d{{2}}[-./]\d{{2}}"
    rf"|\d{{1,2}}\s+(?:{_MONTHS_RU})\s+(?:19|20)\d{{2}}(?:\s*(?:г\.|года|г\b))?"
    # the day said as a word: "второе февраля 1989 года"
    rf"|(?:(?:двадцать|тридцать)\s+)?(?:перв|втор|трет|четв[её]рт|пят|шест|седьм|восьм|девят|десят|одиннадцат|двенадцат|"
    rf"тринадцат|четырнадцат|пятнадцат|шестнадцат|семнадцат|восемнадцат|девятнадцат|двадцат|тридцат)(?:ое|ье|ого|ьего|его)"
    rf"\s+(?:{_MONTHS_RU})\s+(?:19|20)\d{{2}}(?:\s*(?:г\.|года|г\b))?"
    rf"|\d{{1,2}}\s+(?:{_MONTHS_UA_BY})\s+(?:19|20)\d{{2}}(?:\s*(?:р\.|року|г\.|года))?"
    rf"|(?:19|20)\d{{2}}\s?[年년]\s?\d{{1,2}}\s?[月월]\s?\d{{1,2}}\s?[日일]?"  # 1994年3月8日, 1994년 3월 8일
    rf"|\d{{1,2}}\.?\s+[^\W\d_]{{3,10}}\.?\s+(?:19|20)\d{{2}}"  # "3 mars 1980", "14. Mai 1977": any month word
    rf"|\d{{1,2}}(?:º|°)?\s+de\s+[^\W\d_]{{3,10}}\s+(?:de|del)\s+(?:19|20)\d{{2}}"  # "8 de mayo de 1959", "5 de junho de 1980"
    rf"|(?P<short>\d{{1,2}}[./\-]\d{{1,2}}[./\-]\d{{2}})(?![./\-]\d)"  # 05.07.90: only after a birth word
    rf"|(?:{_MONTHS_EN})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+day\s+of\s+(?:{_MONTHS_EN}),?\s+(?:19|20)\d{{2}}"  # "the 28th day of August, 1992"
    rf"|(?:the\s+(?=\d{{1,2}}(?:st|nd|rd|th)\s))?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS_EN})\.?,?\s+(?:19|20)\d{{2}}"
    rf"|(?P<year>(?:19|20)\d{{2}})(?=\s*(?:г\.\s*р\.?|года рождения|г/р))"
    # a two-digit year after a month's word: "13 march 96", "the 3rd of May '88", "May 3rd, '88"
    rf"|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS_EN})\.?,?\s+['’]?\d{{2}}(?![\d:])"
    rf"|(?:{_MONTHS_EN})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+['’]\d{{2}}(?!\d)"
    # a scanned form's "O" for a zero: "D.O.B.: O4/11/1961"
    rf"|(?=[\dO./\-]{{0,9}}O)[\dO]{{1,2}}[./\-][\dO]{{1,2}}[./\-](?:19|20)[\dO]{{2}}"
    rf"|{_MORE_LAYOUTS}"  # "16-Apr-1985", "1958-9-2", "12.IV.1985" (birth_date_layouts)
    rf")(?![\w])",
    re.IGNORECASE,
)
_BIRTH = re.compile(
    r"рожд\w*|родил\w*|д\.\s?р\.|д/р|dob\b|d\.o\.b\.?|birth\w*|born\b|b-day|bday|возраст\w*|(?<![a-zа-я])b\.(?=\s?\d)|г\.р\.?:|др\s(?=\s*\d)"
    # the same word in the languages a form or a CV around a Russian/English prompt uses
    r"|народж\w*|народи\w*|нараджэ\w*|нарадзі\w*|naissance|née? le|nacimiento|nacid[oa]|nascimento|nascid[oa]|"
    r"nascita|nat[oa] il|geboren|geb\.|geburt\w*|urodz\w*|geboorte\w*|doğum\w*|narodz\w*|rozhden\w*"
)
_YEAR_ONLY = re.compile(r"\.?[ \t:,\-–—]*(?:(?:in|в|году|year)[ \t]+)?((?:19|20)\d{2})(?!\d|[\-./]\d)(?![ \t]*(?:г\.|год)\w*[ \t]+(?!р))")
_DATE_BEFORE = re.compile(r"(?:19|20)\d{2}[ \t]*(?:г\.|года|г)?[ \t]*$")
# "день рождения 14 марта", "ДР 12.05", "birthday is June 3rd": a birthday without its year is a
# date of birth too, but only right after a word that names the birthday itself (not "родился",
# which takes a full date, nor "Рождество"), with at most a few words between and no sentence break.
_YEARLESS = re.compile(
    rf"(?<![\w.])(?:\d{{1,2}}[ \u00a0]+(?:{_MONTHS_RU})(?![\w])"
    rf"|(?:{_MONTHS_EN})\.?[ \u00a0]+\d{{1,2}}(?:st|nd|rd|th)?(?![\w:])"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \u00a0]+(?:of[ \u00a0]+)?(?:{_MONTHS_EN})(?![\w])"
    rf"|(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])(?![./]?\d|[\w]))",
    re.IGNORECASE,
)
_BIRTHDAY_WORD = re.compile(r"рождени|др\b|д\.\s?р|д/р|birthday|bday|b-day", re.IGNORECASE)
_YEARLESS_GAP = re.compile(r"[^\d.!?\n]{0,16}")


def _yearless_birthday(text: str, kw: re.Match[str]) -> re.Match[str] | None:
    if _BIRTHDAY_WORD.match(kw.group()) is None:
        return None
    gap = _YEARLESS_GAP.match(text, kw.end())
    m = _YEARLESS.search(text, kw.end(), min(len(text), kw.end() + 40))
    return m if m is not None and gap is not None and m.start() <= gap.end() else None


_TIME_AFTER = re.compile(r"(?:[ T]|,[ ])\d{1,2}:\d{2}")
_BIRTH_AFTER = re.compile(r"г\.\s?р\.|г/р|года рождения|г\.\s?рождения|года рожд\.?")
# Every alternative of these two starts with a word of ``literals.BIRTH_BEFORE`` / ``BIRTH_AFTER``.


def find_birth_dates(ix: TextIndex) -> list[Entity]:
    """Dates right after a birth word ("дата рождения", "DOB", "born") or before "г.р."."""
    text = ix.text
    out: list[Entity] = []
    seen: set[int] = set()
    lower = ix.lower
    for kw in matches_at(_BIRTH, lower, ix.literal_starts("birth_before", fallback_find=True) or []):
        if _DATE_BEFORE.search(text, max(0, kw.start() - 24), kw.start()):
            continue  # "1 декабря 1972 года рождения, обратился 02.07.2024": the word closes the date before it
        m = _DATE.search(text, kw.end(), min(len(text), kw.end() + 80))
        reach = kw.end() + 48
        while m is not None and _TIME_AFTER.match(text, m.end()) is not None:
            # "[2026-02-11 09:16:40] guest: 14/03/1991": a chat's or a log's timestamp after the
            # question is the line's, not the answer; the answer is the next date
            reach = m.end() + 48
            m = _DATE.search(text, m.end(), min(len(text), m.end() + 80))
        if m is not None and m.start() > reach:
            m = None  # the date must start within 48 characters; a long one may end past them
        short = _yearless_birthday(text, kw)
        if short is not None and (m is None or short.start() < m.start()) and short.start() not in seen:
            seen.add(short.start())
            out.append(Entity("DATE_OF_BIRTH", short.start(), short.end(), short.group(), 0.75, "birth_date"))
            continue
        if m is None:
            m = _YEAR_ONLY.match(text, kw.end())  # "born 1983", "Year of birth: 1975"
            if m is not None and m.start(1) not in seen:
                seen.add(m.start(1))
                out.append(Entity("DATE_OF_BIRTH", m.start(1), m.end(1), m.group(1), 0.8, "birth_date"))
            continue
        if m.start() in seen:
            continue
        # The date must be the first one after the word ("родился 01.02.1990, принят 03.04.2015").
        seen.add(m.start())
        out.append(Entity("DATE_OF_BIRTH", m.start(), m.end(), m.group(), 0.9, "birth_date"))
    for suffix in matches_at(_BIRTH_AFTER, lower, ix.literal_starts("birth_after", fallback_find=True) or []):
        lo = max(0, suffix.start() - 32)
        last = None
        for m in _DATE.finditer(text, lo, suffix.start() + 8):
            last = m
        if last is not None and last.start() not in seen and last.end() <= suffix.start() + 8:
            seen.add(last.start())
            out.append(Entity("DATE_OF_BIRTH", last.start(), last.end(), last.group(), 0.9, "birth_date"))
    if len(lower) == len(text):
        out.extend(more_birth_dates(text, lower, out, _DATE, ix.literal_starts("birth_more", fallback_find=True)))
    else:
        out.extend(more_birth_dates(text, aligned_lower(text), out, _DATE))
    return out
