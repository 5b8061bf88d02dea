"""One test per failure class of the held-out corpus (issue 11), each with its negatives.

Addresses by their components (settlement and street types, building parts, postcodes on
either side; US/UK/EU layouts and units), phones by national numbering plans, Russian names in
lower case, and places that look like surnames.
"""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner
from tests.privacy_detect.conftest import found


@pytest.mark.parametrize(("text", "value"), [
    ("Адрес: 452000, Респ. Башкортостан, г. Белебей, ул. Пионерская, д. 21, кв. 4",
     "452000, Респ. Башкортостан, г. Белебей, ул. Пионерская, д. 21, кв. 4"),
    ("Прописан: Московская обл., п. Мещерино, мкр. Южные горки, д. 3, корп. 2, кв. 17",
     "Московская обл., п. Мещерино, мкр. Южные горки, д. 3, корп. 2, кв. 17"),
    ("Москва, наб. Тараса Шевченко, д. 1/2, кв. 45, 121248", "Москва, наб. Тараса Шевченко, д. 1/2, кв. 45, 121248"),
    ("Санкт-Петербург, пр. Просвещения, д. 87, к. 1, лит. А, кв. 104",
     "Санкт-Петербург, пр. Просвещения, д. 87, к. 1, лит. А, кв. 104"),
    ("Самара, алл. Строителей, 4, оф. 12", "Самара, алл. Строителей, 4, оф. 12"),
    ("Адрес: с. Ивановка, пер. Садовый, д. 7.", "с. Ивановка, пер. Садовый, д. 7"),
    ("Склад: ст-ца Полтавская, ул. Красная, 112 стр. 3", "ст-ца Полтавская, ул. Красная, 112 стр. 3"),
])
def test_russian_addresses_with_every_component(scanner: Scanner, text: str, value: str) -> None:
    assert ("ADDRESS", value) in found(scanner, text)


@pytest.mark.parametrize(("text", "value"), [
    ("Our office moved to 1450 N Harbor Blvd Suite 210, Fullerton, CA 92835.",
     "1450 N Harbor Blvd Suite 210, Fullerton, CA 92835"),
    ("Deliver to Flat 4, 15 Kensington High St, London W8 5NP, United Kingdom.",
     "Flat 4, 15 Kensington High St, London W8 5NP, United Kingdom"),
    ("Ship to 88 Colin P Kelly Jr St, San Francisco, CA 94107", "88 Colin P Kelly Jr St, San Francisco, CA 94107"),
    ("Mailing address: 350 Fifth Avenue, 34th Floor, New York, NY 10118",
     "350 Fifth Avenue, 34th Floor, New York, NY 10118"),
    ("i moved to 12 oak st apt 4 last week", "12 oak st apt 4"),
    ("Adresse: Hauptstraße 12, 10115 Berlin, Germany", "Hauptstraße 12, 10115 Berlin"),
    ("Send it to 15 rue de la Paix, 75002 Paris please", "15 rue de la Paix"),
    ("Office: Via Monte Napoleone 8, 20121 Milano.", "Via Monte Napoleone 8, 20121 Milano"),
])
def test_english_and_european_addresses(scanner: Scanner, text: str, value: str) -> None:
    got = [v for t, v in found(scanner, text) if t == "ADDRESS"]
    assert any(value in g for g in got), got


@pytest.mark.parametrize("text", [
    "We drove 5 miles down the road and 3 more on the street.",
    "Top 10 cafes near Baker Street, ranked by the blog in 2024.",
    "Spring 2024 release notes: 12 fixes, 3 features.",
    "Via Slack 3 people asked about the outage.",
    "Улица Ленина — главная улица города, дом 5 построен в 1952 году.",
])
def test_address_look_alikes(scanner: Scanner, text: str) -> None:
    assert [t for t, _ in found(scanner, text) if t == "ADDRESS"] == []


@pytest.mark.parametrize(("text", "value"), [
    ("Call our London desk on 020 7946 0958 today", "020 7946 0958"),
    ("Manchester office: 0161 496 0734", "0161 496 0734"),
    ("My mobile is 07700 900461, text me", "07700 900461"),
    ("Le bureau de Paris : 01 42 68 53 00", "01 42 68 53 00"),
])
def test_phones_by_national_numbering_plans(scanner: Scanner, text: str, value: str) -> None:
    assert ("PHONE", value) in found(scanner, text)


@pytest.mark.parametrize("text", [
    "IBAN DE89 3704 0044 0532 0130 01 is invalid",
    "Invoice 0123 4567 89 is overdue",
    "Version 0.12.345 was released",
])
def test_phone_look_alikes(scanner: Scanner, text: str) -> None:
    assert [t for t, _ in found(scanner, text) if t == "PHONE"] == []


@pytest.mark.parametrize(("text", "value"), [
    ("вчера звонил петров иван, просил перезвонить", "петров иван"),
    ("скинь контакт ани смирновой плиз", "ани смирновой"),
    ("надо перезвонить ольге петровне насчет договора", "ольге петровне"),
    ("короче скажи лене что всё готово", "лене"),
])
def test_russian_names_in_lower_case(scanner: Scanner, text: str, value: str) -> None:
    assert ("PERSON", value) in found(scanner, text)


@pytest.mark.parametrize("text", [
    "вера в лучшее помогает, роман дочитал вчера",
    "у мамы дома тепло, скажи спасибо",
    "Филиалы работают в Королёве, Пушкине, Лермонтове и Гагарине.",
    "На выходных съездили в Чехов и Жуковский.",
    "Совещание в Ярославле перенесли, а в Иванове прошло по плану.",
])
def test_places_and_words_are_not_people(scanner: Scanner, text: str) -> None:
    assert [v for t, v in found(scanner, text) if t == "PERSON"] == []


def test_a_person_after_v_in_the_accusative_is_still_a_person(scanner: Scanner) -> None:
    assert ("PERSON", "Петрова") in found(scanner, "Мы верим в Петрова, он справится.")
