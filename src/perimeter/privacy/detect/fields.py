"""Values whose field says what they are: table columns, JSON keys and form labels.

A CRM export, a pandas question or an API body names its columns (``name,ssn,dob``,
``"lastName": "…"``, ``Фамилия КУЗНЕЦОВА``).  The column or key then types the value even when
nothing about the value alone does: a name in no list, a bare nine-digit SSN, a date with no
birth word beside it.  Only keys that can mean nothing else are used; a plain ``name`` key
types its value only when the value looks like a person's name (two or three capitalised
words), because products and files have names too.
"""

from __future__ import annotations

import re

from perimeter.privacy.detect import lexicon
from perimeter.privacy.detect.prescan import aligned_lower
from perimeter.privacy.detect.ru_profile import word_profile
from perimeter.privacy.entities import Entity

_NAME_KEY = re.compile(
    r"(?:full|first|last|middle|given|family|sur|maiden|display|contact|customer|client|patient|employee|"
    r"holder|cardholder|card_holder|account_holder|beneficiary|payee|recipient|emergency_contact)[ _\-]?names?|"
    r"surname|lastname|firstname|middlename|patronymic|fio|фио|ф\.и\.о\.?|фамилия|имя|отчество|"
    r"cardholder|holder|employee|patient|ученик|сотрудник|пациент|клиент",
    re.IGNORECASE,
)
_PLAIN_NAME_KEY = re.compile(
    r"name|имя и фамилия|customer|client|"
    # people named by their role in a form ("Spouse: …", "Groom: …", "Гость: …"): the value must
    # still look like a name (two capitalised words, or one given name)
    r"spouse|husband|wife|partner|groom|bride|child|children|son|daughter|mother|father|parent|dependents?|"
    r"emergency contact|next of kin|contact person|buddy|mentor|supervisor|witness|guarantor|tenant|landlord|"
    r"applicant|guest|passenger|attendee|assignee|requester|signatory|"
    r"супруга?|муж|жена|мать|отец|сын|дочь|гость|заявитель|арендатор|поручитель|свидетель|направляется|пациентка?",
    re.IGNORECASE,
)
_BIRTH_KEY = re.compile(
    r"dob|d\.o\.b\.?|date[ _\-]?of[ _\-]?birth|birth[ _\-]?date|birthdate|birthday|birth|born|born[ _]on|"
    r"дата[ _]рождения|д\.?\s?р\.?|др|dr|data_rozhdeniya|geburtsdatum|date_naissance|"
    r"родил(?:ся|ась|ись)|год[ _]рождения|year[ _]of[ _]birth|yob|birth[ _]?year",
    re.IGNORECASE,
)
_SSN_KEY = re.compile(r"ssn|social[ _\-]?security(?:[ _\-]?(?:number|no))?", re.IGNORECASE)
# Table columns (CSV, SQL INSERT) that name a contact or an identifier: the value's shape is
# checked, not its check digits — a column called "snils" holds SNILS numbers even mistyped ones.
_PHONE_KEY = re.compile(r"phone|phone[ _]?number|tel|telephone|mobile|cell|msisdn|телефон|тел\.?|моб\.?|мобильный", re.IGNORECASE)
_PASSPORT_KEY = re.compile(r"passport|паспорт|pasport|passport[ _](?:no|number)", re.IGNORECASE)
_SNILS_KEY = re.compile(r"snils|снилс", re.IGNORECASE)
_PHONE_VALUE = re.compile(r"\+?\d[\d \u00a0()\-.]{5,18}\d")
# the internal passport (2+2+6) or the one for travel abroad (2+7: "75 6120447")
_PASSPORT_VALUE = re.compile(r"\d{2}[ \u00a0]?\d{2}[ \u00a0]?№?[ \u00a0]?\d{6}|\d{2}[ \u00a0]?№?[ \u00a0]?\d{7}")
_SNILS_VALUE = re.compile(r"\d{3}[ \-]?\d{3}[ \-]?\d{3}[ \-]?\d{2}")
_TIME_TAIL = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}(?::?\d{2})?)?)?")
_MONTH = (r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек)"
          r"[a-zа-яё]{0,7}\.?")
_DATE = re.compile(
    r"\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)\d{2}|(?:19|20)\d{2}[./\-]\d{1,2}[./\-]\d{1,2}"
    rf"|\d{{1,2}}[ \-]?{_MONTH}[ \-]?(?:19|20)\d{{2}}|{_MONTH}[ ]\d{{1,2}},?[ ](?:19|20)\d{{2}}"  # 14 MAR 1988, March 14, 1988
)
# Under a birth key only: what no other column would write as a date of birth — a two-digit
# year ("14/03/88", "1.09.74"), a year alone, HL7's "19790314", a Roman month ("11.IV.1990").
_BIRTH_ONLY_DATE = re.compile(
    r"(?:0?[1-9]|[12]\d|3[01])[./\-](?:0?[1-9]|1[0-2])[./\-]\d{2}|(?:19|20)\d{2}"
    r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|\d{1,2}\.[IVX]{1,4}\.(?:19|20)\d{2}"
)
_SSN = re.compile(r"(?!000|666|9\d\d)\d{3}([- ]?)(?!00)\d{2}\1(?!0000)\d{4}")  # "608 41 3390" too
_PERSONISH = re.compile(r"[A-ZА-ЯЁÀ-Þ][\w'’.\-]*(?:[ \u00a0]+[A-ZА-ЯЁÀ-Þ][\w'’.\-]*){1,3}")
_ANY_NAME = re.compile(
    r"(?:(?:de|del|della|da|di|du|van|von|der|den|dos|das|ter|ten|le|la|al|el|bin|ibn)[ \u00a0]+){0,2}"  # "de la Vega", "van den Berg"
    r"[A-ZА-ЯЁÀ-Þ][\w'’.\-]*(?:[ \u00a0]+(?:[A-ZА-ЯЁÀ-Þ][\w'’.\-]*|de|dela|del|della|der|den|van|von|da|das|dos|du|"
    r"la|le|ter|ten|ibn|al|bin|bint|ben|y|e|оглы|кызы|улы)){0,4}"
)
# "key": "value" / key: value / key = value, and RU form lines "Фамилия КУЗНЕЦОВА".
_KEY_VALUE = re.compile(
    rf"(?<![\w])(?P<q>[\"']?)(?P<key>{_NAME_KEY.pattern}|{_PLAIN_NAME_KEY.pattern}|{_BIRTH_KEY.pattern}|{_SSN_KEY.pattern})(?P=q)"
    r"[ \t]*(?:[:=]|(?<=[А-Яа-яЁё])[ \t]+(?=[А-ЯЁ]{2})|\n\u00b7\n(?=[^\n]*(?:\n\u00b7\n|\Z)))[ \t]*"
    r"(?:(?P<vq>[\"'])(?P<value>[^\"'\n]{1,80}?)(?P=vq)|(?P<bare>[^\"'\n,;{}|]{1,80}?)[ \t]*(?=$|[\n,;}|]|\.$|\.[ \t]+[A-ZА-ЯЁ][a-zа-яё]*[ \t]+[a-zа-яё]))",
    re.MULTILINE | re.IGNORECASE,
)
# A password column in a table of people ("| Name | VPN user | Temp password |"): any token without
# spaces, a digit or symbol in it, that is no placeholder.
_SECRET_KEY = re.compile(r"(?i:password|passwd|pwd|passphrase|пароль)")
_SECRET_VALUE = re.compile(r"(?=\S*[\d\W_])(?!(?i:x+|\*+|changeme|none|null|n/?a|-+|tbd|\?+)$)\S{6,64}")
_DIGIT_TAIL = re.compile(r"[ \t]*[,(–—-]?[ \t]*\+?\d")
_SPLIT = re.compile(r"\t|;|\||,")


def _type_of(key: str, value: str) -> str | None:
    key = key.strip().strip("\"'").strip()
    value = value.strip()
    if not value or "@" in value:
        return None
    if _BIRTH_KEY.fullmatch(key):
        date = _DATE.match(value) or _BIRTH_ONLY_DATE.fullmatch(value)
        ok = date is not None and _TIME_TAIL.fullmatch(value, date.end()) is not None  # "1996-08-30 21:00:00+00"
        return "DATE_OF_BIRTH" if ok else None
    if _PHONE_KEY.fullmatch(key):
        return "PHONE" if _PHONE_VALUE.fullmatch(value) and sum(ch.isdigit() for ch in value) >= 7 else None
    if _PASSPORT_KEY.fullmatch(key):
        return "RU_PASSPORT" if _PASSPORT_VALUE.fullmatch(value) else None
    if _SNILS_KEY.fullmatch(key):
        return "RU_SNILS" if _SNILS_VALUE.fullmatch(value) else None
    if _SSN_KEY.fullmatch(key):
        return "US_SSN" if _SSN.fullmatch(value) else None
    if any(ch.isdigit() for ch in value):
        return None
    if _NAME_KEY.fullmatch(key):
        if _SPEAKER_KEY.fullmatch(key) and " " not in value and not _one_word_name(value):
            return None  # a transcript's speaker label: "Клиент: Здравствуйте", "Patient: Thanks"
        return "PERSON" if _ANY_NAME.fullmatch(value) or (value.isupper() and value.replace(" ", "").isalpha()) else None
    if _PLAIN_NAME_KEY.fullmatch(key):
        words = value.split()
        if _PERSONISH.fullmatch(value) or (_ANY_NAME.fullmatch(value) and sum(w[0].isupper() for w in words) >= 2):
            return "PERSON"
        # one word: a person's only when it is a known given name ("name": "Милана")
        low = value.lower()
        known = low in lexicon.first_names() or low in lexicon.cyrillic_first_names()
        if not known and not value.isascii():
            known = sum(word_profile(value)[:3]) >= 0.3  # pymorphy: a first name, surname or patronymic
            # a field holds the nominative: "Милана" is Милан's genitive only in running text
            known = known or _nominative_name(value)
        if not known and value.isascii() and not re.fullmatch(r"name|customer|client", key, re.IGNORECASE):
            known = len(value) > 2 and lexicon.zipf(value) < lexicon.COMMON_ZIPF  # "Bride: Chiamaka": a role's slot
        return "PERSON" if value[:1].isupper() and value.isalpha() and known else None
    return None


# Keys that name a role rather than a name field: in a dialogue they label who speaks.
_SPEAKER_KEY = re.compile(r"holder|cardholder|employee|patient|client|customer|ученик|сотрудник|пациент|клиент", re.IGNORECASE)


def _one_word_name(word: str) -> bool:
    """A lone word after a role key is a name only if it can be one: a listed name, a name
    reading pymorphy knows or a noun (Cyrillic), or no ordinary English word (Latin)."""
    low = word.lower()
    if low in lexicon.first_names() or low in lexicon.cyrillic_first_names() or low in lexicon.last_names() \
            or low in lexicon.cyrillic_last_names():
        return True
    if word.isascii():
        return lexicon.zipf(word) < lexicon.COMMON_ZIPF
    name, surn, patr, _, known = word_profile(word)
    if name + surn + patr >= 0.3 or not known:
        return True
    # a noun can be a surname ("Мельник", "Кузнец"); a greeting, a verb or a particle cannot
    from perimeter.privacy.detect.morph import analyzer

    return analyzer().parse(word)[0].tag.POS == "NOUN"


def _nominative_name(word: str) -> bool:
    """Whether pymorphy reads ``word`` as a first name or surname in the nominative."""
    from perimeter.privacy.detect.morph import analyzer

    return any(("Name" in p.tag or "Surn" in p.tag) and "nomn" in p.tag for p in analyzer().parse(word))


# Every key above holds one of these (lower case): a text without any has no such field.
_KEY_STEMS = (
    "name", "фио", "ф.и.о", "фамил", "имя", "отчеств", "dob", "d.o.b", "birth", "born", "рожд", "д.р",
    "ssn", "social", "holder", "patient", "employee", "customer", "client", "пациент", "сотрудник", "клиент",
    "ученик", "fio", "patronymic", "insert into", "passport", "паспорт", "fname", "lname", "manager", "менеджер",
    "first,", "first;", "first\t", "first|", "first |",
)
# Role keys ("Spouse:", "Гость:") are looked up at the colons instead: as stems they would be
# searched for everywhere ("son" in "person", "json").
_ROLE_KEYS = frozenset(
    """
spouse husband wife partner groom bride child children son daughter mother father parent dependent dependents
buddy mentor supervisor witness guarantor tenant landlord applicant guest passenger attendee assignee requester
signatory супруг супруга муж жена мать отец сын дочь гость заявитель арендатор поручитель свидетель направляется
пациент пациентка
""".split()  # noqa: SIM905 - a word list reads better as text
) | {"emergency contact", "next of kin", "contact person"}


def _role_hits(text: str, lower: str) -> list[int]:
    """Starts of role keys right before a colon whose value starts with a capital ("Spouse: K…");
    plain string operations: code has a colon on every other line."""
    out = []
    at = text.find(":")
    while at != -1:
        nxt = at + 1
        while nxt < len(text) and text[nxt] in " \t":
            nxt += 1
        if nxt < len(text) and (text[nxt].isupper() or text[nxt] in "\"'«"):
            head = lower[max(0, at - 24):at].rstrip(" \t")
            words = head.split()
            if words and words[-1] in _ROLE_KEYS:
                out.append(at - (len(lower[max(0, at - 24):at]) - len(head)) - len(words[-1]))
            elif len(words) >= 2 and f"{words[-2]} {words[-1]}" in _ROLE_KEYS:
                out.append(at - (len(lower[max(0, at - 24):at]) - len(head)) - len(words[-1]) - 1 - len(words[-2]))
        at = text.find(":", at + 1)
    return out


# A bare value ends before a remark: "Arsen Grigoryan (армянин)", "KOZLOVA / Козлова", "Oscar (14)".
_VALUE_END = re.compile(r"[ \u00a0]*(?:\(|/|<|—|–|\.[ \u00a0]|\.$)")


_STEM = re.compile("|".join(re.escape(stem) for stem in _KEY_STEMS))


def _key_value_at(text: str, lo: int, at: int) -> re.Match[str] | None:
    """The key-value match whose key holds the stem at ``at``: tried only at the word starts
    (and quotes) just before it — a ``search`` over the window cost ~50 µs per stem."""
    p = at
    best = None
    while p >= lo:
        ch = text[p - 1] if p else " "
        if not (ch.isalnum() or ch == "_"):
            m = _KEY_VALUE.match(text, p - 1 if ch in "\"'" else p, min(len(text), at + 130))
            if m is not None:
                best = m  # the longest key wins: "Last name:" over "name:"
            if ch in ":=\n":
                break
        p -= 1
    return best


def find_field_values(text: str) -> list[Entity]:
    """Only the places where a key stem occurs are tried (the key-value pattern over a whole
    1 MB source file cost ~0.5 s; around the stems it costs a few ms)."""
    out: list[Entity] = []
    lower = text.lower()
    stems = any(stem in lower for stem in _KEY_STEMS)
    if not stems and ":" not in text:
        return out
    if len(lower) != len(text):  # "İ" lowers to two code points: keep offsets aligned
        lower = aligned_lower(text)
    roles = _role_hits(text, lower)
    if not stems and not roles:
        return out
    hits = sorted([m.start() for m in _STEM.finditer(lower)] + roles) if stems else roles
    seen: set[int] = set()
    reach = -1
    for at in hits:
        if at < reach:
            continue
        near = text[at:at + 32]
        if ":" not in near and "=" not in near and "\u00b7" not in near and not (lower[at] in "фио" and " " in near):
            continue  # no separator right after the key: not a key-value pair (tables are read below)
        m = _key_value_at(text, max(0, at - 24, reach), at)
        if m is None or m.start() in seen:
            continue
        seen.add(m.start())
        reach = m.end()
        group = "value" if m.group("value") is not None else "bare"
        s, e = m.span(group)
        if group == "bare" and (cut := _VALUE_END.search(text, s, e)) is not None and cut.start() > s:
            e = cut.start()
        kind = _type_of(m.group("key"), text[s:e])
        named = _PLAIN_NAME_KEY.fullmatch(m.group("key")) or _NAME_KEY.fullmatch(m.group("key"))
        if kind is None and named and (digit := _DIGIT_TAIL.search(text, s, e)) is not None and digit.start() > s:
            e = digit.start()  # "Son: Faisal 07700 900782": the name, then the person's number
            kind = _type_of(m.group("key"), text[s:e])
        if kind is not None:
            out.append(Entity(kind, s, e, text[s:e], 0.85, "field"))
            if kind == "PERSON":
                out.extend(_more_in_list(text, m.group("key"), m.end()))
    out.extend(_table_columns(text, hits))
    if "insert into" in lower:
        out.extend(_sql_inserts(text))
    return out


_INSERT = re.compile(r"insert[ \t]+into[ \t]+[\w.\"`\[\]]+[ \t]*\(([^()]{1,400})\)[ \t\n]*values", re.IGNORECASE)
_SQL_ROW = re.compile(r"[ \t\n]*\(((?:'(?:[^']|'')*'|[^()'])*)\)[ \t]*,?")
_SQL_VALUE = re.compile(r"[ \t\n]*('(?:[^']|'')*'|[^,]*?)[ \t\n]*(?:,|$)")


def _sql_inserts(text: str) -> list[Entity]:
    """``INSERT INTO t (fio, passport, phone) VALUES ('…', '4618 …', '+7 …'), (…)``: the column
    list types the values of every row."""
    out: list[Entity] = []
    for ins in _INSERT.finditer(text):
        keys = [k.strip().strip("\"'`[]") for k in ins.group(1).split(",")]
        pos = ins.end()
        while (row := _SQL_ROW.match(text, pos)) is not None:
            pos = row.end()
            at = row.start(1)
            body = row.group(1)
            for key, val in zip(keys, _SQL_VALUE.finditer(body), strict=False):
                raw = val.group(1)
                s, e = at + val.start(1), at + val.end(1)
                if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
                    s, e = s + 1, e - 1
                value = text[s:e]
                kind = _type_of(key, value) if value and value.upper() != "NULL" else None
                if kind is None and _PLAIN_NAME_KEY.fullmatch(key) and _ANY_NAME.fullmatch(value):
                    kind = "PERSON"
                if kind is not None:
                    out.append(Entity(kind, s, e, value, 0.8, "field"))
    return out


_NEXT_ITEM = re.compile(r"[ \t]*(?:\([^()\n]{0,20}\))?[ \t]*(?:,|;|and|и)[ \t]+([^,;\n()]{1,60}?)(?=[ \t]*(?:$|[\n,;(]|\.[ \t]))")


def _more_in_list(text: str, key: str, pos: int) -> list[Entity]:
    """"Dependents: Oscar (14), Pilar (9)": the items after the first, while each is a name."""
    out: list[Entity] = []
    while (m := _NEXT_ITEM.match(text, pos)) is not None and _type_of(key, m.group(1)) == "PERSON":
        out.append(Entity("PERSON", m.start(1), m.end(1), m.group(1), 0.8, "field"))
        pos = m.end(1)
    return out


def _cells(line: str, sep: str) -> list[tuple[int, int]]:
    """Cells of one row; a separator inside double quotes belongs to the cell
    (``E1021,Maria Clara,"4417 Mission St, San Francisco, CA 94112"``)."""
    if '"' not in line:
        spans, pos = [], 0
        for part in line.split(sep):
            spans.append((pos, pos + len(part)))
            pos += len(part) + 1
        return spans
    spans, start, pos = [], 0, 0
    for k, piece in enumerate(line.split('"')):
        if k % 2 == 0:  # outside quotes
            i = piece.find(sep)
            while i != -1:
                spans.append((start, pos + i))
                start = pos + i + 1
                i = piece.find(sep, i + 1)
        pos += len(piece) + 1
    spans.append((start, len(line)))
    return spans


_RULE_LINE = re.compile(r"[ \t]*[-+=|:]{3,}[-+=|: \t]*")
# Column headers that say "name" only inside a table, where a bare "first"/"last" beside other
# columns can mean nothing else ("row,first,last,dob,ssn"); as a form key "Last:" is ambiguous.
_TABLE_NAME_KEY = re.compile(r"first|last|given|family|fname|lname|forename|first[ _]nm|last[ _]nm", re.IGNORECASE)
# A shop or CRM export prefixes its columns ("billing_first_name", "shipping_last_name").
_COLUMN_PREFIX = re.compile(r"(?:billing|shipping|bill|ship|customer|client|contact|user|member|emp|employee|account|primary|"
                            r"dependent|spouse|child|emergency|beneficiary|guarantor|patient|insured|policyholder|"
                            r"owner|tenant|guest|passenger|student|parent|guardian|applicant|holder)[ _\-]",
                            re.IGNORECASE)
# Columns holding the person responsible for a row ("Manager | Region | Q3 sales"): a cell is a
# person's only when it starts with a listed given name — teams and queues sit in them too.
_ROLE_COLUMN_KEY = re.compile(r"manager|account manager|sales ?rep|rep|owner|assignee|agent|менеджер|ответственный|исполнитель",
                              re.IGNORECASE)


_CELL_NAME = re.compile(r"[^\W\d_][\w'’\-]*(?:[ \u00a0][^\W\d_][\w'’\-]*){0,3}")


def _column_key(key: str) -> str:
    """The key a table column means: its prefix dropped ("billing_first_name" → "first_name")."""
    m = _COLUMN_PREFIX.match(key)
    if m is not None and m.end() < len(key):
        rest = key[m.end():]
        if _NAME_KEY.fullmatch(rest) or _TABLE_NAME_KEY.fullmatch(rest) or _PHONE_KEY.fullmatch(rest) or _BIRTH_KEY.fullmatch(rest):
            return rest
    return key


def _column_type(key: str, value: str) -> str | None:
    """A cell's type from its column, with the table-only keys beside the form keys."""
    kind = _type_of(key, value)
    if kind is not None or not key:
        return kind
    if _TABLE_NAME_KEY.fullmatch(key) and (_ANY_NAME.fullmatch(value) or _CELL_NAME.fullmatch(value)) and not any(
            ch.isdigit() for ch in value):
        return "PERSON"  # a name column's cell in any case: "rao", "DA SILVA", "o'brien"
    if _ROLE_COLUMN_KEY.fullmatch(key) and _ANY_NAME.fullmatch(value):
        first = value.split()[0].lower()
        if first in lexicon.first_names() or first in lexicon.cyrillic_first_names():
            return "PERSON"
    return None


def _table_columns(text: str, hits: list[int]) -> list[Entity]:
    """Rows under a header line that names a column ``name``/``dob``/``ssn`` (only the lines
    holding a key stem can be such a header)."""
    if "\n" not in text:
        return []
    out: list[Entity] = []
    lines = text.split("\n")
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    from bisect import bisect_right

    candidates = sorted({bisect_right(offsets, at) - 1 for at in hits})
    done = -1
    for n in candidates:
        if n <= done:
            continue
        header = lines[n]
        sep = next((c for c in ("\t", "|", ";", ",") if header.count(c) >= 2), None)
        if sep is None:
            continue
        keys = [_column_key(header[a:b].strip().strip("\"'`")) for a, b in _cells(header, sep)]
        width = len(keys)
        if not any(_NAME_KEY.fullmatch(k) or _PLAIN_NAME_KEY.fullmatch(k) or _BIRTH_KEY.fullmatch(k) or _SSN_KEY.fullmatch(k)
                   or _PASSPORT_KEY.fullmatch(k) or _ROLE_COLUMN_KEY.fullmatch(k) for k in keys if k) and sum(
                bool(_TABLE_NAME_KEY.fullmatch(k)) for k in keys) < 2:
            continue  # ("first,last,email": the pair alone makes it a table of people)
        if sum(bool(_TABLE_NAME_KEY.fullmatch(k)) for k in keys) == 1:
            keys = [k if not _TABLE_NAME_KEY.fullmatch(k) else "" for k in keys]  # "last" alone: "last login"
        row = n + 1
        if row < len(lines) and _RULE_LINE.fullmatch(lines[row]):
            row += 1  # psql's "-----+-----" under the header
        while row < len(lines) and (lines[row].count(sep) == header.count(sep) or (
                '"' in lines[row] and len(_cells(lines[row], sep)) == width)):
            line = lines[row]
            for (a, b), key in zip(_cells(line, sep), keys, strict=False):
                cell = line[a:b]
                value = cell.strip()
                if len(value) > 2 and value[0] == value[-1] and value[0] in "\"'":
                    cell, value = cell.replace(value, value[1:-1], 1), value[1:-1]  # '"Мирзоев Фаррух"'
                    a += 1
                if not value or set(value) <= set("-: "):
                    continue
                kind = _column_type(key, value) if key else None
                if kind is None and key and _SECRET_KEY.search(key) and _SECRET_VALUE.fullmatch(value):
                    kind = "SECRET"  # "| Temp password |" column: only under a header that names people
                if kind is None and _PLAIN_NAME_KEY.fullmatch(key or "") and _ANY_NAME.fullmatch(value):
                    kind = "PERSON"  # a column called "name" holds names, one word or several
                if kind == "DATE_OF_BIRTH" and (day := _DATE.match(value) or _BIRTH_ONLY_DATE.match(value)) is not None:
                    value = day.group()  # "1996-08-30 21:00:00+00": the time of day is no part of it
                if kind is not None:
                    s = offsets[row] + a + (len(cell) - len(cell.lstrip()))
                    out.append(Entity(kind, s, s + len(value), value, 0.8, "column"))
            row += 1
        done = row
    return out
