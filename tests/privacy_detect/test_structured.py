"""Pattern + checksum detectors: formats, separators, context, boundaries, look-alikes."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ИНН 7707083893", ("RU_INN", "7707083893")),
        ("ИНН: 7707 083 893, КПП 770701001", ("RU_INN", "7707 083 893")),
        ("ИНН физлица 500100732259", ("RU_INN", "500100732259")),
        ("СНИЛС 112-233-445 95", ("RU_SNILS", "112-233-445 95")),
        ("снилс 11223344595", ("RU_SNILS", "11223344595")),
        ("ОГРН 1027700132195", ("RU_OGRN", "1027700132195")),
        ("ОГРНИП 304500116000157", ("RU_OGRN", "304500116000157")),
        ("карта 4111 1111 1111 1111", ("CREDIT_CARD", "4111 1111 1111 1111")),
        ("card 5425-2334-3010-9903 exp 09/27", ("CREDIT_CARD", "5425-2334-3010-9903")),
        ("Amex 378282246310005", ("CREDIT_CARD", "378282246310005")),
        ("р/с 40702810900000001234", ("RU_BANK_ACCOUNT", "40702810900000001234")),
        ("Паспорт 45 10 № 123456 выдан", ("RU_PASSPORT", "45 10 № 123456")),
        ("паспорт: 4510 123456", ("RU_PASSPORT", "4510 123456")),
        ("SSN 123-45-6789", ("US_SSN", "123-45-6789")),
    ],
)
def test_identifiers_found(patterns: Scanner, text: str, expected: tuple[str, str]) -> None:
    assert expected in found(patterns, text)


@pytest.mark.parametrize(
    "text",
    [
        "ИНН 7707083894",  # wrong check digit
        "СНИЛС 112-233-445 96",
        "ОГРН 1027700132194",
        "card 4111 1111 1111 1112",
        "Заказ № 7707083893 оформлен",  # valid INN digits, but an order number
        "tracking 770708389312 in transit",
        "UUID 550e8400-e29b-41d4-a716-446655440000",
        "build 20240512.3, version 1.2.3",
        "id=a7707083893b",  # glued to letters
        "SSN 923-45-6789",  # 9xx area does not exist
        "Номер обращения 11223344595",
    ],
)
def test_look_alikes_not_flagged(patterns: Scanner, text: str) -> None:
    assert found(patterns, text) == []


def test_card_split_across_line_break(patterns: Scanner) -> None:
    text = "номер карты 4111 1111\n1111 1111, срок 12/27"
    assert ("CREDIT_CARD", "4111 1111\n1111 1111") in found(patterns, text)


def test_passport_series_and_number_words(patterns: Scanner) -> None:
    # The series and the number are two values (the corpora's convention since blind2; issue 11
    # round 4): both are masked, the words between them stay.
    text = "паспорт серия 45 10 номер 123456"
    assert found(patterns, text) == [("RU_PASSPORT", "45 10"), ("RU_PASSPORT", "123456")]


def test_bare_passport_layout_needs_context(patterns: Scanner) -> None:
    assert found(patterns, "итого 4510 123456 штук") == []


def test_account_validated_by_bik_key(patterns: Scanner) -> None:
    text = "к/с 30101810400000000225, БИК 044525225"
    (ent,) = patterns.scan(text)
    assert ent.type == "RU_BANK_ACCOUNT" and ent.score == 0.99


def test_two_ids_in_one_chain_are_split(patterns: Scanner) -> None:
    text = "ИНН/КПП 7707083893 / 770701001"
    assert found(patterns, text) == [("RU_INN", "7707083893")]


def test_offsets_are_code_points(patterns: Scanner) -> None:
    text = "👋 Привет, ИНН 7707083893"
    (ent,) = patterns.scan(text)
    assert text[ent.start : ent.end] == "7707083893" == ent.text
