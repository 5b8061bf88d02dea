"""One case per class of failure the independent hand-written corpus exposed (and its negatives).

Each example is written fresh for this file (none is a string of the corpus), so the tests check
the rule, not the corpus.
"""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import found, persons


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # Bank statements print full names in capitals, in any case.
        ("Зачисление от ПЕТРОВОЙ МАРИНЫ ОЛЕГОВНЫ, 5 000 руб.", "ПЕТРОВОЙ МАРИНЫ ОЛЕГОВНЫ"),
        # A surname the dictionary reads as a common noun, made a surname by two initials.
        ("Ответственный: Кулик Д.С., отдел закупок", "Кулик Д.С."),
        ("Согласовано с С. В. Гайдуком", "С. В. Гайдуком"),
        # A first name and a surname inside straight quotes: a JSON value, not a company.
        ('{"client": "Зуева Дарья", "city": "Тула"}', "Зуева Дарья"),
        # A weak first-name reading after a word that puts a person there.
        ("Уточни у Вари, когда она будет в офисе", "Вари"),
        # A noun homograph at the start of a sentence is a person when a past-tense verb follows.
        ("Вера позвонила утром и всё объяснила.", "Вера"),
        # A surname confirms the noun-homograph first name before it.
        ("Надежда Румянцева выступит первой.", "Надежда Румянцева"),
    ],
)
def test_russian_names_found(scanner: Scanner, text: str, name: str) -> None:
    assert name in persons(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "Лев — самый крупный хищник саванны.",
        "Вера в себя помогает не меньше опыта.",
        "Роза «Чёрная магия» цветёт всё лето.",
        "Поезд идёт через Ростов-на-Дону и Каменск-Шахтинский.",
        "ВНИМАНИЕ ВСЕМ СОТРУДНИКАМ: СЕРВЕР ПЕРЕЗАГРУЗИТСЯ",
    ],
)
def test_russian_non_names(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Shares of Jeff Bezos's rocket company rose.", "Jeff Bezos"),
        ("Please call José Hernández tomorrow.", "José Hernández"),
        ("i spoke with mary johnson about the invoice", "mary johnson"),
        ("Send a thank-you card to Hope for the flowers.", "Hope"),
        ("Grace Kelly starred in Rear Window.", "Grace Kelly"),
        ("Our intern Liu Haoran wrote the parser.", "Liu Haoran"),
        ("Patient name: Ruby Sanders", "Ruby Sanders"),
    ],
)
def test_english_names_found(scanner: Scanner, text: str, name: str) -> None:
    assert name in persons(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "How do I close my account with Chase online?",
        "Our new office is in Virginia Beach, near the harbor.",
        "Analysts at Dell Technologies expect a slow quarter.",
        "The Boston Globe ran the story on Sunday.",
        '10.1.2.3 - - [03/Jun/2024:11:02:13 +0000] "GET / HTTP/1.1" 200',
        "the smith family reunion is in july",
        "Hope is not a plan. Will the build pass?",
    ],
)
def test_english_non_names(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


def test_lower_case_names_need_a_cue(scanner: Scanner) -> None:
    assert persons(scanner, "ok so my wife emma thinks we should wait") == ["emma"]
    # A lower-case given name before a verb of what people do is a cue of its own (issue 11,
    # round 2: "jake just posted his address").  A given name that is mostly a word was not,
    # until round 15: before a verb only a person does ("thinks", "says", "approved") and at a
    # clause start it is the person too ("grace thinks", "bill said"); elsewhere it stays a word.
    assert persons(scanner, "emma thinks we should wait") == ["emma"]
    assert persons(scanner, "grace thinks we should wait") == ["grace"]
    assert persons(scanner, "the grace period ends friday, we should wait") == []
    assert persons(scanner, "the team thinks we should wait") == []


def test_url_credentials_are_not_an_email(patterns: Scanner) -> None:
    ents = found(patterns, "DSN=mysql://svc:Pa$$w0rd!2@10.1.1.9:3306/app")
    assert ("SECRET", "Pa$$w0rd!2") in ents
    assert not any(kind == "EMAIL" for kind, _ in ents)


def test_ipv6_loopback_and_prefixes_are_not_addresses(patterns: Scanner) -> None:
    assert found(patterns, "Bind to ::1 only; ULA space is fd00::/8.") == []
    assert found(patterns, "peer 2a02:6b8::2:242 dropped") == [("IP_ADDRESS", "2a02:6b8::2:242")]


def test_foreign_passport_needs_its_word(patterns: Scanner) -> None:
    assert found(patterns, "Загранпаспорт 72 5551234, срок до 2031 г.") == [("RU_PASSPORT", "72 5551234")]
    assert found(patterns, "Остаток 72 5551234 руб.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ИНН 7707083893", [("RU_INN", "7707083893")]),
        ("ООО «Вектор», 7707083893, КПП 770701001", [("RU_INN", "7707083893")]),
        ("7707083893", [("RU_INN", "7707083893")]),  # a whole field value (a JSON argument)
        ("created_at=7707083893 and retries=3", []),  # a bare 10-digit number: a timestamp
        ("event ts 1102345678907 processed", []),  # a millisecond timestamp with a valid ОГРН check digit
        ("ОГРН 1102345678907", [("RU_OGRN", "1102345678907")]),
    ],
)
def test_bare_single_check_digit_numbers_need_context(patterns: Scanner, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(patterns, text) == expected


def test_phone_like_product_code(patterns: Scanner) -> None:
    assert found(patterns, "SKU 555-201-7788-B is out of stock") == []
    assert found(patterns, "call 555-201-7788 today") == [("PHONE", "555-201-7788")]
