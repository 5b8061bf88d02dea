"""Context words that tell one 10-20 digit number from another.

ИНН, ОГРН, an order number and a phone can all be 10-13 digits; people write the kind of a
number just before it ("ИНН 7707083893", "order #…").  :func:`nearest_context` returns the kind
named by the closest such word in the window before a value, or ``None``.
"""

from __future__ import annotations

import re

# Order matters only inside one alternative group; the closest match wins overall.
_GROUPS: dict[str, str] = {
    # "inn" also ends a field name ("applicant_inn=", "clientInn"): no letter before it, not \b
    # "tax id" is any country's: a 9-digit one in the SSN layout is a US taxpayer's (numbers.py)
    "RU_INN": r"инн|inn(?<![a-z]inn)(?![a-z])|taxpayer|\btin\b|\bitin\b|tax[ \-]?id|идентификационный номер налогоплательщика",
    "RU_SNILS": r"снилс|snils|страхов\w* номер|страховое свидетельство",
    "RU_OGRN": r"огрн(?:ип)?|ogrn(?:ip)?|основной государственный",
    "RU_PASSPORT": r"паспорт\w*|\bпасп\b|passport|серия|серии|series|загран\w*",
    "RU_BANK_ACCOUNT": r"р/с|р/сч|к/с|к/сч|расч[её]тн\w*|корр?\w*\s*сч[её]т|лицев\w* сч[её]т|сч[её]т\w*|account|\bacc\b|\bacct\b",
    "CREDIT_CARD": r"карт\w*|\bcard\b|visa|mastercard|\bмир\b|maestro|amex|pan\b",
    "US_SSN": r"\bssn\b|social security|\bsocial\b",  # "my social is 524 77 1093"
    "PHONE": (
        # few branches: every one is tried at every character of the window
        r"тел\w*|phone|моб\w*|mobile|\bcell\b|whatsapp|telegram|звони\w*|\bcall\b|\bfax\b|факс|"
        r"\btel\b|позвони\w*|\btext me\b|\bph\b|в[ао]тсап|\bring me\b|\bring\b|ll[aá]m\w*|tel[eé]fono|m[oó]vil|celular|telefone|"
        r"\bsms\b|\bсмс\b|viber|вайбер|\bhp\b|\bnomor\b|\btelp\b|telepon|handphone"
    ),
    "NEG": (
        r"заказ\w*|\border\b|orders?\s*(?:no|#|id)|трек\w*|track\w*|накладн\w*|invoice|ticket|тикет|"
        r"build(?!ing)|сборк\w*|артикул\w*|\bsku\b|верси\w*|version|\bid\b|uuid|обращени\w*|заявк\w*|"
        r"посылк\w*|отправлени\w*|shipment|parcel|партия|серийн\w*|serial|лиценз\w*|license|"
        r"\bref\b|reference|транзакц\w*|transaction|платёжк\w*|платежн\w* поручени\w*|request"
    ),
}

_KEYWORDS = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _GROUPS.items()))


def _alternatives(pattern: str) -> list[str]:
    """Split a pattern at its top-level ``|`` (not inside ``(...)`` or ``[...]``)."""
    parts, depth, cur, i, in_class = [], 0, "", 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            cur += pattern[i : i + 2]
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
            i += 1
            continue
        cur += ch
        i += 1
    parts.append(cur)
    return parts


def _literal_first(alternative: str) -> str:
    r"""``\bcard`` -> ``c(?<!\wc)ard``: same matches, but the branch now starts with a literal."""
    if alternative.startswith("\\b") and alternative[2].isalpha():
        first = alternative[2]
        return f"{first}(?<!\\w{first}){alternative[3:]}"
    return alternative


# The same alternatives in the same order without the named groups: CPython rejects a branch
# that starts with a literal in one comparison, but must enter every named group, which made
# the grouped pattern ~5x slower per character.  Same order means the same match at every
# position, so :func:`nearest_context` finds matches with this one and asks ``_KEYWORDS`` only
# which group the last match belongs to.
_FLAT = re.compile("|".join(_literal_first(a) for p in _GROUPS.values() for a in _alternatives(p)))


def nearest_context(text: str, start: int, window: int = 48) -> str | None:
    """The kind named by the last context word within ``window`` characters before ``start``."""
    lo = max(0, start - window)
    chunk = text[lo:start].lower()
    last: re.Match[str] | None = None
    for m in _FLAT.finditer(chunk):
        last = m
    if last is None:
        return None
    exact = _KEYWORDS.match(chunk, last.start())
    return exact.lastgroup if exact is not None else None
