"""Is a digit string somebody's phone number in one of these countries' numbering plans?

Shared by the uncued national-layout rule (``contacts``) and the cued one (``phones_cued``), so
both read the plans, and Ofcom's drama range, the same way.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8192)
def valid_in(digits: str, regions: tuple[str, ...]) -> bool:
    """True when ``digits`` (national layout) is a valid number of one of ``regions``.

    UK mobiles in the range Ofcom reserves for drama ("07700 900…") are possible, not valid, yet
    in a text they stand for somebody's phone all the same: they count when GB is a region.
    """
    import phonenumbers  # its metadata loads on first use, not at import of the scanner

    for region in regions:
        try:
            number = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
        if region == "GB" and digits.startswith("07") and phonenumbers.is_possible_number(number):
            return True
    return False


@lru_cache(maxsize=8192)
def mobile_in(digits: str, regions: tuple[str, ...]) -> bool:
    """True when ``digits`` is a valid mobile number of one of ``regions`` ("07700 184 392",
    "087 914 2265"): no bank account or card is written in a mobile range's layout."""
    import phonenumbers

    mobile = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    for region in regions:
        try:
            number = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in mobile:
            return True
    return False


@lru_cache(maxsize=8192)
def valid_international(digits: str) -> bool:
    """True when "+" followed by ``digits`` is a valid number of the country its code names."""
    import phonenumbers

    try:
        number = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def region_of_country_code(code: int) -> str | None:
    """The region a "+CC" dials ("+995" → "GE"), or None for a code no single region owns."""
    import phonenumbers

    region = phonenumbers.region_code_for_country_code(code)
    return None if region in ("ZZ", "001") else region
