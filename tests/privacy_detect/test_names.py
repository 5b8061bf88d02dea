"""Person names: Russian in every case and with initials, English with lists and context."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import persons


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Меня зовут Петрова Анна Сергеевна, я бухгалтер.", "Петрова Анна Сергеевна"),
        ("Передайте документы Сергею Кузнецову до пятницы.", "Сергею Кузнецову"),
        ("Встреча с Дмитрием Волковым перенесена.", "Дмитрием Волковым"),
        ("Генеральный директор Иванов И. С. подписал приказ.", "Иванов И. С."),
        ("Приказ подписал И. С. Иванов.", "И. С. Иванов"),
        ("Жалоба от Ольги Николаевны Смирновой.", "Ольги Николаевны Смирновой"),
        ("Напишите письмо Марии Долгих о переносе.", "Марии Долгих"),
        ("Роман Владимирович, ИНН прислать?", "Роман Владимирович"),
        ("Характеристика на ученика Гусейнова Тимура.", "Гусейнова Тимура"),
    ],
)
def test_russian_names(scanner: Scanner, text: str, name: str) -> None:
    assert name in persons(scanner, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, my name is John Smith and I need help.", "John Smith"),
        ("Please forward this to Priya Venkataraman.", "Priya Venkataraman"),
        ("Mr. Thompson called about the invoice.", "Thompson"),
        ("Dear Sarah, thanks for the update.", "Sarah"),
        ("The patient, Tomasz Wiśniewski, was admitted.", "Tomasz Wiśniewski"),
        ("Cardholder: IVAN PETROV", "IVAN PETROV"),
        ("Ask Margaret O'Connor for the keys.", "Margaret O'Connor"),
        ("Signed by Matteo D. van der Berg", "Matteo D. van der Berg"),
    ],
)
def test_english_names(scanner: Scanner, text: str, name: str) -> None:
    assert name in persons(scanner, text)


def test_later_surname_mentions_are_found(scanner: Scanner) -> None:
    text = "John Smith joined in May. Smith will lead the team."
    assert persons(scanner, text) == ["John Smith", "Smith"]


@pytest.mark.parametrize(
    "text",
    [
        "Напиши пост о том, как ПАО «Сбербанк» и «Яндекс» внедряют ИИ.",
        "Поезд вышел из Москвы в Казань в 10:30.",
        "Составь счёт для клиента ООО «Альфа-Логистик».",
        "Summarize: Apple and Microsoft reported earnings on Monday.",
        "Will the New York office open in May?",
        "Grant Proposal for the Main Street project",
        "Ask Claude to refactor the Python code.",
    ],
)
def test_not_names(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


def test_ner_false_skips_names() -> None:
    assert Scanner(ner=False).scan("Меня зовут Петрова Анна Сергеевна") == []


def test_extra_types_only_when_asked(scanner: Scanner) -> None:
    text = "Иван Петров переехал из Москвы в Казань и устроился в ПАО «Сбербанк»."
    assert {e.type for e in scanner.scan(text)} == {"PERSON"}
    extra = Scanner(types={"PERSON", "LOCATION", "ORGANIZATION"})
    kinds = {e.type for e in extra.scan(text)}
    assert {"PERSON", "LOCATION"} <= kinds
