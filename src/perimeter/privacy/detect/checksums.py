"""Check-digit validators for structured identifiers.

Each function takes a string of ASCII digits (separators already removed) and answers whether
it is a well-formed value of its kind.  Validation is what separates an ИНН from an order
number of the same length, so every rule here is the published algorithm, not a heuristic.
"""

from __future__ import annotations

from operator import mul

_INN10_W = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_W1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_W2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(map(mul, map(int, digits), weights))


def inn_valid(digits: str) -> bool:
    """ИНН: 10 digits (organisation, one check digit) or 12 (person, two check digits)."""
    if not digits.isdigit() or digits[:2] == "00":
        return False
    if len(digits) == 10:
        return _weighted(digits, _INN10_W) % 11 % 10 == int(digits[9])
    if len(digits) == 12:
        return (
            _weighted(digits, _INN12_W1) % 11 % 10 == int(digits[10])
            and _weighted(digits, _INN12_W2) % 11 % 10 == int(digits[11])
        )
    return False


_SNILS_W = (9, 8, 7, 6, 5, 4, 3, 2, 1)


def snils_valid(digits: str) -> bool:
    """СНИЛС: 9 digits + 2-digit check number (sum of digit × (9 − position), mod 101)."""
    if len(digits) != 11 or not digits.isdigit() or digits[:9] == "000000000":
        return False
    total = sum(map(mul, map(int, digits[:9]), _SNILS_W))
    if total < 100:
        check = total
    elif total in (100, 101):
        check = 0
    else:
        check = total % 101
        if check == 100:
            check = 0
    return check == int(digits[9:])


def ogrn_valid(digits: str) -> bool:
    """ОГРН (13 digits, mod 11) and ОГРНИП (15 digits, mod 13), with the sign digit checked."""
    if not digits.isdigit():
        return False
    if len(digits) == 13:
        return digits[0] in "1235789" and int(digits[:12]) % 11 % 10 == int(digits[12])
    if len(digits) == 15:
        return digits[0] in "34" and int(digits[:14]) % 13 % 10 == int(digits[14])
    return False


_LUHN_DOUBLED = {str(d): (2 * d if d < 5 else 2 * d - 9) for d in range(10)}


def luhn_valid(digits: str) -> bool:
    if digits.isascii() and digits.isdigit():
        # Every other digit from the right is doubled (and 9 taken off when that is > 9).
        kept = sum(map(int, digits[-1::-2]))
        return (kept + sum(map(_LUHN_DOUBLED.__getitem__, digits[-2::-2]))) % 10 == 0
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


#: Issuer prefixes of national card schemes that print 16-digit Luhn numbers: Uzcard (8600),
#: Humo (9860) in Uzbekistan, Belkart (9112) in Belarus, Troy (9792) in Turkey.
_NATIONAL_SCHEMES = frozenset({"8600", "9860", "9112", "9792"})


def card_valid(digits: str) -> bool:
    """Payment card: known issuer prefix, plausible length for it, Luhn check."""
    n = len(digits)
    if not 13 <= n <= 19 or not digits.isdigit() or len(set(digits)) < 2:
        return False
    first = digits[0]
    if first == "4":  # Visa
        ok = n in (13, 16, 19)
    elif first == "5":  # Mastercard, Maestro
        ok = n == 16 or (digits[1] in "06789" and n >= 12)
    elif first == "2":  # Mir (2200-2204) and Mastercard 2221-2720
        ok = n >= 16 and ("2200" <= digits[:4] <= "2204" or "2221" <= digits[:4] <= "2720")
    elif first == "3":  # Amex 34/37, JCB 35, Diners 30/36/38
        ok = (digits[:2] in ("34", "37") and n == 15) or (digits[:2] in ("30", "35", "36", "38") and n >= 14)
    elif first == "6":  # Discover, UnionPay, Maestro
        ok = n >= 16
    elif first in "89":  # the national schemes of the CIS and Turkey: Uzcard, Humo, Belkart, Troy
        ok = n == 16 and digits[:4] in _NATIONAL_SCHEMES
    else:
        ok = False
    return ok and luhn_valid(digits)


# ISO 13616 lengths for the countries whose IBANs appear in practice.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BY": 28, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MT": 31,
    "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24,
    "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29,
    "VG": 24, "XK": 20,
}


def iban_valid(value: str) -> bool:
    """IBAN: country length table + ISO 7064 mod 97 == 1 (``value`` without spaces)."""
    value = value.upper()
    if IBAN_LENGTHS.get(value[:2]) != len(value) or not value[2:4].isdigit() or not value.isalnum():
        return False
    rearranged = value[4:] + value[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


# ОКВ currency codes that appear in positions 6-8 of a Russian account number.
_ACCOUNT_CURRENCIES = frozenset({"810", "643", "840", "978", "156", "826", "756", "392", "398", "933", "051"})


def ru_account_layout(digits: str) -> bool:
    """20-digit Russian account: balance-account group + currency code (no check without БИК)."""
    return len(digits) == 20 and digits[0] != "0" and digits[5:8] in _ACCOUNT_CURRENCIES


_ACCOUNT_W = (7, 1, 3) * 8


def ru_account_key_valid(account: str, bik: str, correspondent: bool = False) -> bool:
    """Control key of an account against its bank's БИК (Bank of Russia algorithm)."""
    if len(account) != 20 or len(bik) != 9:
        return False
    prefix = ("0" + bik[4:6]) if correspondent else bik[-3:]
    return sum(map(mul, map(int, prefix + account), _ACCOUNT_W)) % 10 == 0


def ssn_valid(digits: str) -> bool:
    """US SSN: no 000/666/9xx area, no 00 group, no 0000 serial."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"
