"""E-mail, phone, IP, IBAN, date of birth, secrets: positives and the negatives next to them."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("пишите на anna.petrova@mail.ru.", ("EMAIL", "anna.petrova@mail.ru")),
        ("почта: иван@почта.рф", ("EMAIL", "иван@почта.рф")),
        ("тел. +7 (912) 345-67-89", ("PHONE", "+7 (912) 345-67-89")),
        ("звоните 8 912 345 67 89", ("PHONE", "8 912 345 67 89")),
        ("мой номер 89123456789", ("PHONE", "89123456789")),
        ("call (415) 555-0132 today", ("PHONE", "(415) 555-0132")),
        ("UK office +44 20 7946 0958", ("PHONE", "+44 20 7946 0958")),
        ("host 192.168.1.10 refused", ("IP_ADDRESS", "192.168.1.10")),
        ("from 2001:db8::8a2e:370:7334 we saw", ("IP_ADDRESS", "2001:db8::8a2e:370:7334")),
        ("IBAN DE89 3704 0044 0532 0130 00 please", ("IBAN", "DE89 3704 0044 0532 0130 00")),
        ("Дата рождения: 12.03.1985", ("DATE_OF_BIRTH", "12.03.1985")),
        ("родился 5 марта 1979 года", ("DATE_OF_BIRTH", "5 марта 1979 года")),
        ("DOB: March 4, 1979", ("DATE_OF_BIRTH", "March 4, 1979")),
        ("Иванов, 1985 г.р.", ("DATE_OF_BIRTH", "1985 г.р.")),
    ],
)
def test_contacts_found(patterns: Scanner, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(patterns, text)


@pytest.mark.parametrize(
    "text",
    [
        "requests==2.31.0 and numpy 1.26.4",
        "version 1.2.3.4 released",
        "at 12:30:45 the job ran",
        "Совещание 12.03.2024 в 10:00",  # a date, but not a birth date
        "Invoice 4155550132 is due",
        "IBAN DE89 3704 0044 0532 0130 01",  # bad mod-97
        "mask 255.255.255.0",
        "std::vector<int> v; a::b",
    ],
)
def test_contact_look_alikes(patterns: Scanner, text: str) -> None:
    assert found(patterns, text) == []


def test_birth_word_binds_to_first_date_only(patterns: Scanner) -> None:
    text = "родился 01.02.1990, принят на работу 03.04.2015"
    assert found(patterns, text) == [("DATE_OF_BIRTH", "01.02.1990")]


@pytest.mark.parametrize(
    "secret",
    [
        "sk-proj-Abc123Def456Ghi789Jkl012Mno345",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "AIzaSyD-1234567890abcdefghijklmnopqrstu",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ],
)
def test_vendor_keys(patterns: Scanner, secret: str) -> None:
    assert ("SECRET", secret) in found(patterns, f"config: {secret} end")


def test_private_key_block(patterns: Scanner) -> None:
    block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
    assert found(patterns, f"key:\n{block}\nthanks") == [("SECRET", block)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("DB_PASSWORD=Qwerty!2024", "Qwerty!2024"),
        ('password: "s3cr3t-P@ss"', "s3cr3t-P@ss"),
        ("пароль: Zima2023#", "Zima2023#"),
        ("the VPN password is hunter2!X", "hunter2!X"),
        ("postgres://app:Xk29vLq0pZ@db:5432/prod", "Xk29vLq0pZ"),
        ("Authorization: Bearer abcDEF1234567890ghiJKL", "abcDEF1234567890ghiJKL"),
    ],
)
def test_credential_assignments(patterns: Scanner, text: str, value: str) -> None:
    assert ("SECRET", value) in found(patterns, text)


@pytest.mark.parametrize(
    "text",
    [
        "password = os.environ['DB_PASSWORD']",
        "password: ${DB_PASSWORD}",
        'api_key = "<your-api-key>"',
        "token: null",
        "Passport: 4510",
        "Forgot password? Click here to reset it.",
    ],
)
def test_placeholders_are_not_secrets(patterns: Scanner, text: str) -> None:
    assert [t for t, _ in found(patterns, text) if t == "SECRET"] == []
