"""Issue 11, fifth round: classes that still leaked on every new corpus, with negatives.

Every string is written for this file (no value of any corpus split), so the tests check the
class — a morphology, a slot, a construction, a shape — not the examples that exposed it.
"""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import covered, found, persons

# --- 1. lower-case Russian names with no cue: morphology alone --------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("напомни пж оле что завтра сбор в 9", "оле"),  # dative, a filler before it
        ("вчера с пашей обсудили ремонт", "пашей"),  # instrumental
        ("лёха так и не перезвонил", "лёха"),  # a colloquial form pymorphy lists as a name
        ("отдай ключи настей, она в курсе", "настей"),
        ("аню не видел с понедельника", "аню"),  # accusative at the head of the clause
        ("вовка сказал что приедет позже", "вовка"),
    ],
)
def test_lower_case_names_by_morphology(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name)


@pytest.mark.parametrize(
    "text",
    [
        # common nouns that are also names keep their common reading without a person slot
        "слава богу всё обошлось, вера в лучшее осталась",
        "надежда умирает последней, а любовь долготерпит",
        "на даче цветут роза и лилия, марс виден после полуночи",
        "лев — царь зверей, а до 8 марта ещё неделя",
        "в мае поедем на дачу, мила была погода",
        "на Берёзовой алл., д. 7 открыли кофейню, в меню раф «Малинка»",  # an abbreviation, a product
        "мы с надеждой ждём весны",  # "with hope": the noun outweighs the name
    ],
)
def test_lower_case_common_words_are_no_names(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


def test_lower_case_name_takes_its_surname(scanner: Scanner) -> None:
    text = "кто-нибудь знает олю кузнецову из 7в?"  # ("машу" would also be "I wave")
    assert "олю кузнецову" in persons(scanner, text)


def test_lower_case_name_joined_to_the_speaker(scanner: Scanner) -> None:
    assert covered(scanner, "забронируй столик для меня и алёнки на пятницу", "алёнки")


def test_lower_case_list_items_beside_a_found_name(scanner: Scanner) -> None:
    text = "делим счёт: я 500, дима 300, вика 200"
    assert covered(scanner, text, "дима") and covered(scanner, text, "вика")
    assert persons(scanner, "купили: хлеб 50, молоко 90, сыр 300") == []


# --- 2. English names by their position in chat ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Great work today, thanks Grant!", "Grant"),  # a common word closing the thank-you
        ("hey priya, can you send the deck?", "priya"),  # lower-case address
        ("@omar the build is green now", "omar"),  # a chat mention that is a given name
        ("can someone ping mark about the invoice", "mark"),
        ("Hi, it's Ivy again, the printer is jammed.", "Ivy"),
        ("My last name is Okonkwo and my first name is Chidi.", "Okonkwo"),
        ("Teodor, hello! the parcel arrived.", "Teodor"),  # a vocative before the greeting
        ("Ines said the venue is booked.", "Ines"),
        ("Plan: Bjorn writes the spec, Ingrid tests, Sunniva ships.", "Ingrid"),
        ("Thu - Tariq: rotated the certificates", "Tariq"),
        ("Judges: Laura Chen, Summer Kim", "Summer Kim"),  # a second full name beside a found one
        ("Route the form to Ma. Luisa Reyes.", "Ma. Luisa Reyes"),
        ("I left my bag at Tomasz's flat yesterday", "Tomasz"),
        ("Bohdan Kravchenko|+380 44 555 0101|Odesa", "Bohdan Kravchenko"),
    ],
)
def test_english_names_by_position(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name)


@pytest.mark.parametrize(
    "text",
    [
        "thanks will do, see you tomorrow",  # "will" is a verb here: the phrase goes on
        "hey guys, thanks again for the help!",
        "it's Monday again and the queue is long",
        "The project name is Phoenix and it ships in May.",
        "We lunch at the Wendy's counter near gate 4.",
        "Jordan's economy grew faster than expected.",
        "Roses like morning shade and clay soil.",
        "ping me about the release if it slips",
    ],
)
def test_chat_phrases_without_a_name(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


def test_csv_column_of_names_takes_its_other_cells(scanner: Scanner) -> None:
    text = (
        "owner,contact,city\n"
        "Acme,Laura Chen,Boston\n"
        "Globex,Tomasz Nowak,Gdansk\n"
        "Initech,Thị Hằng,Hanoi\n"
    )
    assert covered(scanner, text, "Thị Hằng")


# --- 3. addresses without a street word ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("забери посылку на Пятницкой, 12/1, я там до шести", "Пятницкой, 12/1"),
        ("встречаемся на Арбате 24 у входа", "Арбате 24"),
        ("Доставка: Пермь, Куйбышева 45-17", "Пермь, Куйбышева 45-17"),
        ("I rented a room on Sadovaya 5-21 for a month", "Sadovaya 5-21"),
        ("Post it to Flat 9, 17 Westbury, Bristol", "Flat 9, 17 Westbury, Bristol"),
        ("Dodací adresa: Korunní 810/104, 101 00 Praha 10", "Korunní 810/104, 101 00 Praha 10"),
    ],
)
def test_addresses_without_a_street_word(scanner: Scanner, text: str, value: str) -> None:
    assert ("ADDRESS", value) in found(scanner, text) or covered(scanner, text, value)


@pytest.mark.parametrize(
    "text",
    [
        "мы были в Самаре, 12 человек приехали",  # a count after a town
        "в Самаре, 14.",  # a town takes "в", and a plain number after it is no house
        "в Москве, 2025 год был тяжёлым",  # a year
        "на Урале 5 заводов закрылись",  # a noun after the number
        "Section 4/2 of the contract applies.",
    ],
)
def test_towns_and_counts_are_no_addresses(scanner: Scanner, text: str) -> None:
    assert [t for t, _ in found(scanner, text) if t == "ADDRESS"] == []


# --- 4. passwords without the word "password" ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("вай-фай в офисе: Qp7$zL9m", "Qp7$zL9m"),
        ("wifi на кухне - Ty6#Pw2x", "Ty6#Pw2x"),
        ("логин manager / Hv3!kd8Q", "Hv3!kd8Q"),
        ("creds: deploy:Rt5%yU8i", "Rt5%yU8i"),
        ("pw: Lm4&Nq7z", "Lm4&Nq7z"),
        ("my password was Kiwi#2024 and before that mango7711, both leaked", "mango7711"),
        ("забыла пароль от роутера. на наклейке написано Home_Net5x", "Home_Net5x"),
    ],
)
def test_chat_credentials(scanner: Scanner, text: str, secret: str) -> None:
    assert ("SECRET", secret) in found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "the code for the gate is 7731#",  # a door code is no credential
        "ключ от квартиры у соседки в 12 квартире",
        "DATABASE_URL=postgres://user:password@localhost:5432/app",  # a placeholder URL
        "invalid password user=a.b@c.ru attempts=3\n2024-06-11T08:14:09.007Z retry",
        "wifi is down again on floor 3",
    ],
)
def test_credential_words_without_a_secret(scanner: Scanner, text: str) -> None:
    assert [t for t, _ in found(scanner, text) if t == "SECRET"] == []


# --- 5. a birthday without its year ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("у мамы день рождения 3 апреля, что подарить?", "3 апреля"),
        ("её др 28.02, закажи торт", "28.02"),
        ("his birthday is March 9th, remind me", "March 9th"),
        ("bday: 17 of October", "17 of October"),
    ],
)
def test_birthday_without_a_year(scanner: Scanner, text: str, date: str) -> None:
    assert ("DATE_OF_BIRTH", date) in found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "на Рождество 7 января едем к бабушке",  # Christmas is no birthday
        "Join the birthday party! Saturday Oct 4, 2-5 pm",  # the sentence ends before the date
        "дата рождения компании — 12 мая, отмечаем всем офисом 14.05",
    ],
)
def test_dates_near_birth_words_that_are_no_birthdays(scanner: Scanner, text: str) -> None:
    births = [v for t, v in found(scanner, text) if t == "DATE_OF_BIRTH"]
    assert "7 января" not in births and "Oct 4" not in births and "14.05" not in births


def test_a_one_word_name_field_read_in_the_nominative(scanner: Scanner) -> None:
    assert covered(scanner, '{"last_name": "Орлова", "name": "Милена"}', "Милена")
    assert persons(scanner, '{"name": "Москва"}') == []
