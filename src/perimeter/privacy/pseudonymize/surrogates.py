"""Realistic surrogates for structured values: same kind, same layout, valid check digits.

A surrogate must look like the real thing to the model (so answers stay useful and detectors
downstream do not choke) and keep the *layout* of the original (``+7 (912) 345-67-89`` stays
``+7 (9xx) xxx-xx-xx``), while carrying nothing of the original beyond its kind: the digits are
drawn from the keyed :class:`~perimeter.privacy.pseudonymize.surrogates_draw.Draw`, only the network/country
prefix is kept where the kind needs it, and check digits are recomputed.

Names live in :mod:`perimeter.privacy.pseudonymize.surrogates_names` (they need morphology).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from perimeter.privacy.pseudonymize.surrogates_draw import Draw

_DIGIT = re.compile(r"\d")


_NOT_ASCII_DIGIT = re.compile(r"[^0-9]+")


def digits_of(text: str) -> str:
    return _NOT_ASCII_DIGIT.sub("", text)


def fill_layout(original: str, digits: str) -> str:
    """``original`` with its ASCII digits replaced, in order, by ``digits``."""
    it = iter(digits)
    return "".join(next(it, ch) if "0" <= ch <= "9" else ch for ch in original)


def normalize(entity_type: str, original: str) -> str:
    """The identity of a value for consistency: layouts of the same number map together."""
    if entity_type == "PHONE":
        d = digits_of(original)
        if len(d) == 11 and d[0] in "78":
            return d[1:]
        return d or original
    if entity_type in _DIGIT_TYPES:
        return digits_of(original) or original
    if entity_type in ("IBAN",):
        return original.replace(" ", "").upper()
    if entity_type in ("EMAIL", "ADDRESS", "LOCATION", "ORGANIZATION"):
        return " ".join(original.lower().split())
    return original


# ---------------------------------------------------------------- check digits
def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False))


def inn_check(body: str) -> str:
    """Check digits for the first 9 (org) or 10 (person) digits of an ИНН."""
    if len(body) == 9:
        return str(_weighted(body, (2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10)
    c1 = str(_weighted(body, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10)
    c2 = str(_weighted(body + c1, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10)
    return c1 + c2


def snils_check(body: str) -> str:
    total = sum(int(d) * (9 - i) for i, d in enumerate(body))
    check = total if total < 100 else 0 if total in (100, 101) else total % 101
    return f"{0 if check == 100 else check:02d}"


def luhn_check(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def iban_check(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(ch, 36)) for ch in rearranged))
    return f"{98 - number % 97:02d}"


# ---------------------------------------------------------------- generators
def _phone(original: str, d: Draw) -> str:
    digits = digits_of(original)
    n = len(digits)
    if n == 11 and digits[0] in "78":
        keep = 2  # trunk/country code + the first digit of the operator code (9 = mobile)
    elif n >= 10:
        keep = 2
    else:
        keep = 1 if n > 4 else 0
    new = digits[:keep] + d.digit(1) + d.digits(max(0, n - keep - 1))
    return fill_layout(original, new[:n])


def _inn(original: str, d: Draw) -> str:
    digits = digits_of(original)
    if len(digits) == 10:
        body = f"{d.below(89) + 10:02d}" + d.digits(7)
    elif len(digits) == 12:
        body = f"{d.below(89) + 10:02d}" + d.digits(8)
    else:
        return fill_layout(original, d.digits(len(digits)))
    return fill_layout(original, body + inn_check(body))


def _snils(original: str, d: Draw) -> str:
    digits = digits_of(original)
    if len(digits) != 11:
        return fill_layout(original, d.digits(len(digits)))
    body = d.digit(1) + d.digits(8)  # > 001-001-998, where the check rule applies
    return fill_layout(original, body + snils_check(body))


def _card(original: str, d: Draw) -> str:
    digits = digits_of(original)
    n = len(digits)
    if n < 12:
        return fill_layout(original, d.digits(n))
    keep = 4 if digits[0] == "2" else 2  # network only (Mir 2200-2204 needs four digits)
    body = digits[:keep] + d.digits(n - keep - 1)
    return fill_layout(original, body + luhn_check(body))


def _iban(original: str, d: Draw) -> str:
    compact = original.replace(" ", "").upper()
    country = compact[:2]
    bban = "".join(
        d.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") if ch.isalpha() else d.digit() if ch.isdigit() else ch
        for ch in compact[4:]
    )
    new = country + iban_check(country, bban) + bban
    it = iter(new)
    out = "".join(ch if ch == " " else next(it, "") for ch in original)
    return out if original[:2].isupper() else out.lower()


def _ogrn(original: str, d: Draw) -> str:
    digits = digits_of(original)
    if len(digits) == 13:
        body = d.choice("15") + d.digits(11)
        return fill_layout(original, body + str(int(body) % 11 % 10))
    if len(digits) == 15:
        body = "3" + d.digits(13)
        return fill_layout(original, body + str(int(body) % 13 % 10))
    return fill_layout(original, d.digits(len(digits)))


def _account(original: str, d: Draw) -> str:
    digits = digits_of(original)
    keep = 8 if len(digits) == 20 else 0  # balance account + currency code: kind, not identity
    return fill_layout(original, digits[:keep] + d.digits(len(digits) - keep))


def _ssn(original: str, d: Draw) -> str:
    digits = digits_of(original)
    if len(digits) != 9:
        return fill_layout(original, d.digits(len(digits)))
    area = d.below(898) + 1
    if area >= 666:
        area += 1
    return fill_layout(original, f"{area:03d}{d.below(99) + 1:02d}{d.below(9999) + 1:04d}")


def _passport(original: str, d: Draw) -> str:
    digits = digits_of(original)
    return fill_layout(original, f"{d.below(99) + 1:02d}" + d.digits(max(0, len(digits) - 2)))


_DATE = re.compile(r"^(\d{1,2})([./\- ])(\d{1,2})\2(\d{4})$|^(\d{4})([./\-])(\d{1,2})\6(\d{1,2})$")
_MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
              "октября", "ноября", "декабря")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def _date(original: str, d: Draw) -> str:
    day, month, year = d.below(28) + 1, d.below(12) + 1, None
    m = _DATE.match(original.strip())
    if m and m.group(1):
        w1, w3 = len(m.group(1)), len(m.group(3))
        year = max(1930, min(2015, int(m.group(4)) + d.below(11) - 5))
        return f"{day:0{w1}d}{m.group(2)}{month:0{w3}d}{m.group(2)}{year}"
    if m:
        year = max(1930, min(2015, int(m.group(5)) + d.below(11) - 5))
        return f"{year}{m.group(6)}{month:0{len(m.group(7))}d}{m.group(6)}{day:0{len(m.group(8))}d}"
    out = original
    for names in (_MONTHS_RU, _MONTHS_EN):
        for name in names:
            if name.lower() in out.lower():
                out = re.sub(name, names[month - 1], out, flags=re.IGNORECASE)
                break
    groups = _DIGIT.sub("#", out)
    new_digits = []
    for run in re.findall(r"#+", groups):
        if len(run) == 4:
            year = 1950 + d.below(60)
            new_digits.append(str(year))
        else:
            new_digits.append(f"{day:0{len(run)}d}"[-len(run):])
    return fill_layout(out, "".join(new_digits))


def _ip(original: str, d: Draw) -> str:
    try:
        addr = ipaddress.ip_address(original)
    except ValueError:
        return fill_layout(original, d.digits(len(digits_of(original))))
    if isinstance(addr, ipaddress.IPv4Address):
        if addr.is_private:
            first = original.split(".")[0]
            if first == "10":
                return f"10.{d.below(256)}.{d.below(256)}.{d.below(253) + 1}"
            if first == "172":
                return f"172.{16 + d.below(16)}.{d.below(256)}.{d.below(253) + 1}"
            return f"192.168.{d.below(256)}.{d.below(253) + 1}"
        return f"{d.choice((31, 37, 46, 62, 77, 81, 85, 91, 95, 109, 178, 185, 188, 212))}." \
               f"{d.below(256)}.{d.below(256)}.{d.below(253) + 1}"
    return "".join(d.choice("0123456789abcdef") if ch in "0123456789abcdefABCDEF" else ch for ch in original)


_WEBMAIL = frozenset({
    "gmail.com", "mail.ru", "yandex.ru", "ya.ru", "outlook.com", "hotmail.com", "yahoo.com", "bk.ru",
    "inbox.ru", "list.ru", "rambler.ru", "icloud.com", "proton.me", "protonmail.com",
})
_SYLLABLES = ("ka", "ro", "mi", "te", "lu", "na", "vo", "si", "de", "pa", "ri", "no", "ve", "la", "to")
_LOCAL_WORDS = ("alex", "maria", "ivan", "olga", "team", "office", "info", "sales", "dmitry", "anna",
                "kate", "nick", "sam", "max", "lena", "pavel")


def _email(original: str, d: Draw) -> str:
    domain = original.rpartition("@")[2]
    word = d.choice(_LOCAL_WORDS)
    sep = d.choice((".", "_", ""))
    new_local = f"{word}{sep}{d.choice(_LOCAL_WORDS)}{d.below(90) + 10}"
    if domain.lower() in _WEBMAIL:
        new_domain = domain
    else:
        tld = domain.rsplit(".", 1)[-1] if "." in domain else "com"
        new_domain = "".join(d.choice(_SYLLABLES) for _ in range(3)) + "." + tld
    return f"{new_local}@{new_domain}"


_SECRET_PREFIX = re.compile(
    r"^(?:sk-(?:proj-|ant-(?:api\d\d-)?|live_|test_)?|pk_(?:live|test)_|rk_(?:live|test)_|ghp_|gho_|ghs_|"
    r"github_pat_|glpat-|xox[abpr]-|AKIA|ASIA|AIza|ya29\.|hf_|-----BEGIN [A-Z ]+-----)"
)
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"


def _secret(original: str, d: Draw) -> str:
    """Same vendor prefix and same character classes position by position."""
    m = _SECRET_PREFIX.match(original)
    keep = m.end() if m else 0
    tail = original[keep:]
    footer = ""
    if original.startswith("-----BEGIN"):
        idx = tail.rfind("-----END")
        if idx >= 0:
            tail, footer = tail[:idx], tail[idx:]
    out = []
    for ch in tail:
        if "0" <= ch <= "9":
            out.append(d.digit())
        elif "a" <= ch <= "z":
            out.append(d.choice(_LOWER))
        elif "A" <= ch <= "Z":
            out.append(d.choice(_UPPER))
        else:
            out.append(ch)
    return original[:keep] + "".join(out) + footer


_STREETS_RU = ("Садовая", "Лесная", "Школьная", "Заречная", "Полевая", "Луговая", "Набережная",
               "Молодёжная", "Речная", "Берёзовая", "Солнечная", "Сиреневая")
_CITIES_RU = ("Тверь", "Калуга", "Вологда", "Кострома", "Пенза", "Курск", "Тула", "Рязань", "Псков",
              "Смоленск")
_STREETS_EN = ("Maple", "Oak", "Cedar", "Pine", "Elm", "Willow", "Birch", "Chestnut", "Spruce", "Hawthorn")
_CITIES_EN = ("Springfield", "Riverton", "Fairview", "Georgetown", "Salem", "Franklin", "Clinton")


def _is_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def _address(original: str, d: Draw) -> str:
    house = d.below(120) + 1
    if _is_cyrillic(original):
        parts = []
        if "г." in original or "город" in original.lower():
            parts.append(f"г. {d.choice(_CITIES_RU)}")
        parts.append(f"ул. {d.choice(_STREETS_RU)}")
        parts.append(f"д. {house}")
        if "кв" in original.lower():
            parts.append(f"кв. {d.below(200) + 1}")
        return ", ".join(parts)
    out = f"{house} {d.choice(_STREETS_EN)} St"
    if "," in original:
        out += f", {d.choice(_CITIES_EN)}"
    return out


_LOCATIONS_RU = ("Тверь", "Калуга", "Вологда", "Кострома", "Пенза", "Курск", "Тула", "Рязань", "Псков")
_LOCATIONS_EN = ("Springfield", "Riverton", "Fairview", "Georgetown", "Salem", "Franklin")
_ORGS_RU = ("ООО «Вектор»", "АО «Меридиан»", "ООО «Горизонт»", "ООО «Альтаир»", "АО «Сигма»", "ООО «Ретро»")
_ORGS_EN = ("Northwind Ltd", "Contoso LLC", "Fabrikam Inc", "Acme Corp", "Globex Inc", "Initech LLC")


def _location(original: str, d: Draw) -> str:
    return d.choice(_LOCATIONS_RU if _is_cyrillic(original) else _LOCATIONS_EN)


def _organization(original: str, d: Draw) -> str:
    return d.choice(_ORGS_RU if _is_cyrillic(original) else _ORGS_EN)


GENERATORS: dict[str, Callable[[str, Draw], str]] = {
    "PHONE": _phone,
    "RU_INN": _inn,
    "RU_SNILS": _snils,
    "CREDIT_CARD": _card,
    "IBAN": _iban,
    "RU_OGRN": _ogrn,
    "RU_BANK_ACCOUNT": _account,
    "US_SSN": _ssn,
    "RU_PASSPORT": _passport,
    "DATE_OF_BIRTH": _date,
    "IP_ADDRESS": _ip,
    "EMAIL": _email,
    "SECRET": _secret,
    "ADDRESS": _address,
    "LOCATION": _location,
    "ORGANIZATION": _organization,
}

# Kinds whose identity is their digits (layout is presentation).
_DIGIT_TYPES = frozenset({"RU_INN", "RU_SNILS", "CREDIT_CARD", "RU_OGRN", "RU_BANK_ACCOUNT", "US_SSN",
                          "RU_PASSPORT"})
NUMERIC_TYPES = _DIGIT_TYPES | {"PHONE"}


def placeholder(entity_type: str, d: Draw) -> str:
    """A typed placeholder, e.g. ``<PERSON_3f9a1c>``: keyed, so stable across turns."""
    return f"<{entity_type}_{d.hex(6)}>"


def realistic(entity_type: str, original: str, d: Draw) -> str | None:
    """A surrogate of the same kind and layout, or ``None`` when the kind has no generator."""
    gen = GENERATORS.get(entity_type)
    return gen(original, d) if gen else None
