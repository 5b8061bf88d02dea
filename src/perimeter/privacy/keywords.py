"""Context words that tell one 10-20 digit number from another.

ИНН, ОГРН, an order number and a phone can all be 10-13 digits; people write the kind of a
number just before it ("ИНН 7707083893", "order #…").  :func:`nearest_context` returns the kind
named by the closest such word in the window before a value, or ``None``.
"""

from __future__ import annotations

import re

# Order matters only inside one alternative group; the closest match wins overall.
_GROUPS: dict[str, str] = {
    "RU_INN": r"инн|\binn\b|taxpayer|\btin\b|идентификационный номер налогоплательщика",
    "RU_SNILS": r"снилс|snils|страхов\w* номер|страховое свидетельство",
    "RU_OGRN": r"огрн(?:ип)?|ogrn(?:ip)?|основной государственный",
    "RU_PASSPORT": r"паспорт\w*|passport|серия|серии|series|загран\w*",
    "RU_BANK_ACCOUNT": r"р/с|р/сч|к/с|к/сч|расч[её]тн\w*|корр?\w*\s*сч[её]т|лицев\w* сч[её]т|сч[её]т\w*|account|\bacc\b|\bacct\b",
    "CREDIT_CARD": r"карт\w*|\bcard\b|visa|mastercard|\bмир\b|maestro|amex|pan\b",
    "US_SSN": r"\bssn\b|social security",
    "PHONE": r"тел\w*|phone|моб\w*|mobile|\bcell\b|whatsapp|telegram|звонит\w*|\bcall\b|\bfax\b|факс",
    "NEG": (
        r"заказ\w*|\border\b|orders?\s*(?:no|#|id)|трек\w*|track\w*|накладн\w*|invoice|ticket|тикет|"
        r"build|сборк\w*|артикул\w*|\bsku\b|верси\w*|version|\bid\b|uuid|обращени\w*|заявк\w*|"
        r"посылк\w*|отправлени\w*|shipment|parcel|партия|серийн\w*|serial|лиценз\w*|license|"
        r"\bref\b|reference|транзакц\w*|transaction|платёжк\w*|платежн\w* поручени\w*|request"
    ),
}

_KEYWORDS = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _GROUPS.items()))


def nearest_context(text: str, start: int, window: int = 48) -> str | None:
    """The kind named by the last context word within ``window`` characters before ``start``."""
    lo = max(0, start - window)
    chunk = text[lo:start].lower()
    last: str | None = None
    for m in _KEYWORDS.finditer(chunk):
        last = m.lastgroup
    return last


# Stretches of text that can hold a number-like value: Python's ``re`` scans a pattern that
# starts with a character class at ~150 MB/s, while the full detectors crawl at 5-30 MB/s, so
# detectors run only inside these regions (see benchmarks/privacy/bench_speed.py).
_DIGIT_REGION = re.compile(r"\d[\d \t\u00a0\-–./№()+\n]{5,}\d")
_LONG_DIGIT_REGION = re.compile(r"\d[\d \t\u00a0\-–./№()+\n]{7,}\d")


def digit_regions(text: str, pad: int = 2, min_len: int = 7) -> list[tuple[int, int]]:
    """(start, end) windows around runs of digits and separators, merged when they touch."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    for m in (_LONG_DIGIT_REGION if min_len >= 9 else _DIGIT_REGION).finditer(text):
        a, b = max(0, m.start() - pad), min(n, m.end() + pad)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans
