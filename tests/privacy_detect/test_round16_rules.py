"""Round 16 of issue 11 (docs/privacy-detection.md, "Round 16"): values written the way forms
and reports write them — a passport's series and number split by a slash or a dash, its fields
without the word "паспорт" but with what only a passport's form asks (кем выдан, дата выдачи),
the abbreviation "пасп.", and an IP address defanged in a security report — each with the
neighbours that must stay what they are (a date with slashes, a version, a network range)."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import covered_as as covered
from .conftest import found_of as found

# ``scanner``: the session's warmed-up Scanner (conftest.py)


@pytest.mark.parametrize(("text", "values"), [
    ("Серия/номер паспорта: 4510/123456, выдан ОВД Тверского района", ["4510/123456"]),
    ("паспортные данные: 4510-123456", ["4510-123456"]),
    ("Паспорт 45-10 123456", ["45-10 123456"]),
    ("пасп. 4510 123456 — проверьте", ["4510 123456"]),
    ("серия паспорта — 4510, номер — 123456", ["4510", "123456"]),
    ("паспорт серия - 4510 номер - 123456", ["4510", "123456"]),
    # a form's fields, the document named only by what it asks next
    ("Серия: 45 10\nНомер: 123456\nКем выдан: ОВД Тверского района\nДата выдачи: 12.03.2015", ["45 10", "123456"]),
])
def test_passport_parts_in_form_layouts(scanner: Scanner, text: str, values: list[str]) -> None:
    for value in values:
        assert covered(scanner, text, value, "RU_PASSPORT"), value


@pytest.mark.parametrize("text", [
    "паспорт продлён 12/03/2015, см. приказ 4510/2024",  # dates and a document's number with a slash
    "Серия: 45 10 сериала «Кухня», номер 123456 в плейлисте",  # neither a passport word nor its form
    "заказ 4510-123456 отгружен",  # an order number in the same layout, no passport word
])
def test_slashes_and_dashes_elsewhere_stay(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "RU_PASSPORT") == []


@pytest.mark.parametrize(("text", "value"), [
    ("IOC: callback to 185[.]12[.]94[.]7 over 443", "185[.]12[.]94[.]7"),
    ("C2 at 10(.)0(.)0(.)5", "10(.)0(.)0(.)5"),
])
def test_a_defanged_ip_address_is_one(scanner: Scanner, text: str, value: str) -> None:
    assert found(scanner, text, "IP_ADDRESS") == [value]


@pytest.mark.parametrize("text", [
    "scheduled to ip-10-42-7-19.ec2.internal",  # a machine's name: no author labels it
    "array[1][.]length and 300[.]1[.]1[.]1",  # not octets
])
def test_host_names_and_non_addresses_stay(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "IP_ADDRESS") == []


@pytest.mark.parametrize(("text", "date"), [
    # the birth date in brackets after the name, with its cue inside
    ("Турист 2: Алексеева Марфа Ивановна (род. 30.05.1966), загранпаспорт 65 3094188", "30.05.1966"),
    # a role between commas before the date
    ("3. Ахметов Тимур, ребёнок, 21.07.2017", "21.07.2017"),
])
def test_a_birth_date_after_a_name_behind_a_remark(scanner: Scanner, text: str, date: str) -> None:
    assert covered(scanner, text, date, "DATE_OF_BIRTH")


def test_a_recent_date_after_a_name_and_role_is_not_a_birth_date(scanner: Scanner) -> None:
    assert found(scanner, "Ахметов Тимур, менеджер, 02.12.2026 — встреча", "DATE_OF_BIRTH") == []


def test_a_config_directive_password(scanner: Scanner) -> None:
    text = "bind 0.0.0.0\nport 6379\nrequirepass Hh8$kQz2!vN0pLxR\nmasterauth 'Zr7!pQ2mVx'\nmaxmemory 6gb"
    assert found(scanner, text, "SECRET") == ["Hh8$kQz2!vN0pLxR", "Zr7!pQ2mVx"]
    assert found(scanner, "# example redis.conf\nrequirepass changeme\n", "SECRET") == []


def test_the_client_address_of_an_access_log_line(scanner: Scanner) -> None:
    text = '5.18.144.201 - - [12/Nov/2024:23:01:14 +0300] "GET / HTTP/1.1" 200 48211'
    assert found(scanner, text, "IP_ADDRESS") == ["5.18.144.201"]
    assert found(scanner, "release 1.8.1.159 - notes", "IP_ADDRESS") == []


@pytest.mark.parametrize(("text", "value"), [
    # the travel passport's 2+7 layout in a passport column of a CSV export
    ('name,dob,passport,phone\n"Oganesyan Armen",1988-09-17,75 6120447,+79261105562', "75 6120447"),
    # the same layout in prose, the passport word a sentence away
    ("Проблема в маскировании номеров загранпаспортов. Пример из прода: турист Лысенко Андрей, 72 1108563.",
     "72 1108563"),
])
def test_a_travel_passport_by_its_layout(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value, "RU_PASSPORT")


def test_a_two_plus_seven_number_without_a_passport_in_the_text_stays(scanner: Scanner) -> None:
    assert found(scanner, "звоните 12 3456789 после обеда", "RU_PASSPORT") == []


@pytest.mark.parametrize(("text", "names"), [
    ("we moved his patients to doctor vardanyan please tell kate", ["vardanyan", "kate"]),
    ("dr patel said ok", ["patel"]),  # "said" is a surname too, but a common word first
])
def test_lower_case_doctors(scanner: Scanner, text: str, names: list[str]) -> None:
    assert found(scanner, text, "PERSON") == names


@pytest.mark.parametrize(("text", "date"), [
    ("my DOB is nine eleven eighty-six", "nine eleven eighty-six"),  # month, day, year as numbers
    ("DOB: one seven zero three one nine nine nine", "one seven zero three one nine nine nine"),  # digit by digit
    ("born in nineteen seventy-two", "nineteen seventy-two"),  # the year alone
])
def test_a_birth_date_said_as_plain_numbers(scanner: Scanner, text: str, date: str) -> None:
    assert found(scanner, text, "DATE_OF_BIRTH") == [date]


@pytest.mark.parametrize("text", [
    "DOB twelve forty five",  # no real date either way round
    "my number is nine eleven eighty-six",  # no birth cue
    "born in two thousand and thirty",  # a year to come
])
def test_numbers_that_are_no_birth_date(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "DATE_OF_BIRTH") == []


@pytest.mark.parametrize(("text", "names"), [
    ("お客様への返信です。\n\n田中様\nいつもお世話になっております。Corvana サポートの小林 美咲です。", ["田中", "小林 美咲"]),
    ("yamada: ありがとう、ポストモーテムは 鈴木さんにお願いする", ["鈴木"]),
    ("Inoue Haruto / 井上 陽翔\nMitsuboshi Logistics Co., Ltd.", ["Inoue Haruto", "井上 陽翔"]),
    ("王伟先生，您好", ["王伟"]),
    ("スミスさんから連絡がありました", ["スミス"]),
])
def test_japanese_and_chinese_names_by_honorific_and_inner_space(scanner: Scanner, text: str, names: list[str]) -> None:
    assert found(scanner, text, "PERSON") == names


@pytest.mark.parametrize("text", [
    "お客様各位、患者さんと担当者様へ",  # a customer, a patient, the person in charge: roles
    "株式会社ミツボシ御中、東京 大阪の倉庫",  # a company and two towns
])
def test_japanese_roles_and_places_are_no_names(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "address"), [
    ("Сухроб: на Мира 14к1 в Реутове шлагбаум, как заехать?", "Мира 14к1"),
    ("Азиз ака: через Мира 12 со двора", "Мира 12"),
    ("живу на Ленина, 5, кв. 12", "Ленина, 5, кв. 12"),
    # said in words, in lower case, without a unit word or after a plot
    ("отель в батуми называется улица руставели двадцать семь вылет двенадцатого", "улица руставели двадцать семь"),
    ("я приехал на адрес снт ромашка улица пятая участок сорок два это под чеховом",
     "снт ромашка улица пятая участок сорок два"),
    ("на одной написано сыктывкар октябрьский проспект сто сорок один квартира двенадцать получатель",
     "сыктывкар октябрьский проспект сто сорок один квартира двенадцать"),
])
def test_streets_by_their_common_names_and_said_in_words(scanner: Scanner, text: str, address: str) -> None:
    assert covered(scanner, text, address, "ADDRESS")


@pytest.mark.parametrize("text", [
    "у Пушкина 5 романов",  # a count after a famous name
    "на улице минус двадцать пять",  # the weather
    "проспект мира три года ремонтируют",  # a count of years
])
def test_counts_and_weather_are_no_addresses(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


@pytest.mark.parametrize(("text", "name"), [
    ("Казань — 4 кресла, загрузка 64%, ортодонт Мингазов уходит в марте", "Мингазов"),
    ("жалобы: кровоточивость дёсен, направлена к пародонтологу Шутовой", "Шутовой"),
])
def test_a_surname_after_the_noun_of_its_trade(scanner: Scanner, text: str, name: str) -> None:
    assert found(scanner, text, "PERSON") == [name]


@pytest.mark.parametrize("text", ["житель Ростова", "гость Смоленской области", "клиент Сбербанка"])
def test_where_someone_is_from_is_no_surname(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ("Vragen kunnen gericht worden aan mevr. L. de Vries-Oosterhuis, tel. 020 794 1152.", "L. de Vries-Oosterhuis"),
    ("copy R. van der Meulen on it", "R. van der Meulen"),
])
def test_initials_before_a_surname_with_its_particles(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name, "PERSON")


def test_a_lower_case_given_name_in_a_person_field(scanner: Scanner) -> None:
    text = "add synthetic check for webhook idempotency (owner: dylan / integrations)"
    assert found(scanner, text, "PERSON") == ["dylan"]
    assert found(scanner, "owner: will, lead: mark, owner: root", "PERSON") == []  # words first


@pytest.mark.parametrize("text", [
    "тур в Таиланд, Пхукет, отель Kata Palm, вылет 14.02",
    "места в отеле Delphin Imperial сняты",
    "Купила духи Chanel Coco Mademoiselle 50 мл",
    "distributor in Mexico (Grupo Hermanos Caballero) wants a demo",
])
def test_a_name_after_the_noun_of_a_venue_firm_or_product_is_that_things(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_person_after_a_venue_noun_and_a_role_stays(scanner: Scanner) -> None:
    assert found(scanner, "the hotel manager John Smith called", "PERSON") == ["John Smith"]


@pytest.mark.parametrize("text", [
    "has been listed for hearing at Taylor House on 12 December 2024 at 10:00",
    "Reference Florida Statutes ch. 765 for the directive",
    "opening hours of the Anne Frank House on Sundays",
])
def test_an_institution_or_a_law_named_after_someone_is_no_person(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ("Please call Jae-won Park tomorrow", "Jae-won Park"),  # Park, Hall, Law are surnames as often
    ("Interview with Tom Hall on Monday", "Tom Hall"),
])
def test_surnames_that_are_institution_words_stay(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name, "PERSON")


@pytest.mark.parametrize("text", [
    "алиса включи погоду на завтра. алиса, громче",  # a voice assistant, by the command after it
    "Hey Siri, what's the weather in Denver",
    'fixtures: {"name": "Test User", "email": "x"}',  # a placeholder
    "«проспект Шота Руставели» или «пр. Руставели»?",  # a street named after someone
])
def test_assistants_placeholders_and_streets_are_no_persons(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ("Alexa Chung wrote to us", "Alexa Chung"),  # no command, no wake word: a person
    ("позвони Алисе завтра", "Алисе"),
])
def test_the_same_names_as_people_stay(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name, "PERSON")


@pytest.mark.parametrize("text", [
    "12:30 lunch at Trattoria Roma, 14:00 breakout sessions",  # the venue's noun opens the name
    "Site 07, Hospital Universitario La Paz. Due date for corrective action",  # or stands before it
])
def test_venues_by_their_noun_are_no_persons(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_person_after_a_venue_noun_and_a_role_stays_in_a_hospital(scanner: Scanner) -> None:
    assert found(scanner, "the hospital nurse Maria Lopez called", "PERSON") == ["Maria Lopez"]
