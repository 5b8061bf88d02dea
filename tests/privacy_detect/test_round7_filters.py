"""Round 7 false-alarm classes: a transcript's speaker labels and places named after people."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    s = Scanner()
    s.warm_up()
    return s


def persons(scanner: Scanner, text: str) -> list[str]:
    return [e.text for e in scanner.scan(text) if e.type == "PERSON"]


@pytest.mark.parametrize("text", [
    "Оператор: Добрый день!\nКлиент: Здравствуйте\nОператор: Назовите, пожалуйста, номер договора.\nКлиент: Да\nКлиент: Спасибо",
    "Agent: How can I help?\nCustomer: Thanks\nPatient: Sorry",
])
def test_a_speaker_label_does_not_make_a_greeting_a_name(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("Клиент: Мельник", "Мельник"),  # a noun can be a surname
    ("Пациент: Иванов", "Иванов"),
    ("Patient: Baker", "Baker"),  # a census surname, though an English word
    ("Customer: Okonkwo", "Okonkwo"),
])
def test_a_name_after_a_role_key_is_still_found(scanner: Scanner, text: str, name: str) -> None:
    assert persons(scanner, text) == [name]


@pytest.mark.parametrize("text", [
    "Офис переезжает с улицы Льва Толстого, парковка со двора.",
    "Оттуда 7 минут пешком мимо сквера Лермонтова.",
    "Музей Рублёва работает с 11:00.",
    "Встретимся у станции Горького в шесть.",
])
def test_a_name_in_the_genitive_after_a_place_noun_names_the_place(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("Директор музея Петрова Анна Сергеевна согласовала график.", "Петрова Анна Сергеевна"),
    ("Сотрудник театра Иван Петров пришёл на смену.", "Иван Петров"),
    ("Заведующий библиотеки Смирнов уволился.", "Смирнов"),
])
def test_a_person_after_a_place_noun_in_the_nominative_is_a_person(scanner: Scanner, text: str, name: str) -> None:
    assert persons(scanner, text) == [name]


@pytest.mark.parametrize("text", [
    "Hurricane Katrina made landfall in Louisiana. Hurricane Rita followed a month later.",
    "Ранее в регионе прошёл ураган „Хелен“.",
    "Compare prices at Best Buy in Augusta, Maine and near Lagos.",
])
def test_storms_and_cities_after_a_place_preposition_are_not_people(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("I spoke to Austin yesterday about the budget.", "Austin"),
    ("Hi Victoria, the report is ready.", "Victoria"),
    ("Katrina Petrova called about her claim.", "Katrina Petrova"),
])
def test_the_same_names_as_people_are_found(scanner: Scanner, text: str, name: str) -> None:
    assert persons(scanner, text) == [name]
