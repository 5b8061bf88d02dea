"""Check-digit algorithms against published valid values and single-digit corruptions."""

from __future__ import annotations

import pytest

from perimeter.privacy.detect.checksums import (
    card_valid,
    iban_valid,
    inn_valid,
    luhn_valid,
    ogrn_valid,
    ru_account_key_valid,
    snils_valid,
    ssn_valid,
)


def corrupt(value: str, pos: int = -1) -> str:
    d = int(value[pos])
    return value[:pos] + str((d + 1) % 10) + (value[pos + 1 :] if pos != -1 else "")


@pytest.mark.parametrize("inn", ["7707083893", "7736207543", "500100732259"])
def test_inn_valid_and_corrupted(inn: str) -> None:
    assert inn_valid(inn)
    assert not inn_valid(corrupt(inn))
    assert not inn_valid(corrupt(inn, 3))


def test_inn_rejects_wrong_lengths_and_zero_region() -> None:
    assert not inn_valid("770708389")
    assert not inn_valid("77070838930")
    assert not inn_valid("0000000000")


def test_snils() -> None:
    assert snils_valid("11223344595")
    assert not snils_valid("11223344596")
    assert snils_valid("08765430300")  # weighted sum 202, 202 mod 101 = 0 -> check "00"
    assert not snils_valid("000000000")


def test_ogrn_and_ogrnip() -> None:
    assert ogrn_valid("1027700132195")  # Sberbank
    assert not ogrn_valid("1027700132194")
    assert ogrn_valid("304500116000157")
    assert not ogrn_valid("304500116000158")
    assert not ogrn_valid("9027700132195")  # sign digit 9 does not exist


def test_cards_luhn_and_prefix() -> None:
    assert luhn_valid("4111111111111111")
    assert card_valid("4111111111111111")
    assert card_valid("5425233430109903")
    assert card_valid("2200000000000004")  # Mir
    assert card_valid("378282246310005")  # Amex test number
    assert not card_valid("4111111111111112")
    assert not card_valid("1111111111111117")  # no issuer starts with 1
    assert not card_valid("0000000000000000")


@pytest.mark.parametrize("iban", ["DE89370400440532013000", "GB29NWBK60161331926819", "FR1420041010050500013M02606"])
def test_iban(iban: str) -> None:
    assert iban_valid(iban)
    assert not iban_valid(iban[:2] + corrupt(iban[2:4]) + iban[4:])
    assert not iban_valid(iban + "0")


def test_account_key_against_bik() -> None:
    # Sberbank correspondent account and its BIK (published).
    assert ru_account_key_valid("30101810400000000225", "044525225", correspondent=True)
    assert not ru_account_key_valid("30101810500000000225", "044525225", correspondent=True)


def test_ssn_rules() -> None:
    assert ssn_valid("123456789")
    assert not ssn_valid("000456789")
    assert not ssn_valid("666456789")
    assert not ssn_valid("923456789")
    assert not ssn_valid("123006789")
    assert not ssn_valid("123450000")
