"""One case per failure class of the blind5 corpus (issue 11, fourth round), with negatives.

Every string is written fresh for this file (no value of blind5 or of any other split), so the
tests check the class — a layout, a slot, a shape — not the corpus.
"""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import covered, found, persons

# --- false alarms: look-alikes of a name, by class -------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        # a release number after the words: software, not a person
        "We migrated the backend to Quarkus Native 3.8 and the cold start dropped.",
        "Our service runs Apache Camel 4.4, is that supported?",
        # a cultivar in single quotes before a variety word
        "Is 'Princess Diana' clematis hardy? I also have 'Duke Ellington' and 'Mary Rose' varieties.",
        # an institution word closes the span
        "Our kid goes to Jefferson Academy and plays at Roosevelt Stadium on weekends.",
        # a firm noun right before one word, or a list of them
        "Сравни тарифы банков Халык и Каспи для переводов за границу.",
        # a route of towns
        "План поездки: Ярославль — Кострома — Иваново, три дня на машине.",
        # a colour adjective before a word that is also a name
        "Во дворе опять стоит красная Лада с проколотым колесом.",
        # a month abbreviation after a time preposition
        "The clinic is closed from Dec until Feb. due to renovation.",
        # an institution named after a person
        "Я окончил СПбГУ имени Жданова и школу им. Пушкина.",
        # Посад, Слобода: parts of a town's name
        "Когда отправляется автобус до Павловского Посада?",
    ],
)
def test_name_look_alikes_are_no_persons(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # the same cues must not hide real people
        ("Paula Mendes 2.1 from the design team will join.", None),  # a version only after a Latin name
        ("Составь доверенность от имени Галины Петровны Жуковой.", "Галины Петровны Жуковой"),
        ("Ask Thomas Hall about the invoice.", "Thomas Hall"),
        ("Пусть Максим из Твери позвонит мне.", "Максим"),
    ],
)
def test_people_next_to_those_cues_are_kept(scanner: Scanner, text: str, name: str | None) -> None:
    if name is not None:
        assert covered(scanner, text, name)


def test_date_and_hour_in_a_log_is_no_phone(patterns: Scanner) -> None:
    text = "17.03.2025 09:12 login ok\n18.03.2025 22:47 login failed"
    assert [t for t, _ in found(patterns, text) if t == "PHONE"] == []


def test_quantity_after_a_highway_is_no_house_number(scanner: Scanner) -> None:
    text = "Каждый день езжу по Киевскому шоссе, 40 км туда и обратно."
    assert [t for t, _ in found(scanner, text) if t == "ADDRESS"] == []
    assert covered(scanner, "Живу на Киевском шоссе, 40, кв. 7", "Киевском шоссе, 40, кв. 7")


# --- addresses ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Irish layout: street type, town, Co., Eircode
        ("Post it to 7 Beechwood Lawn, Naas, Co. Kildare, W91 K2T3 please.", "7 Beechwood Lawn, Naas, Co. Kildare, W91 K2T3"),
        ("We live at 14 Castle Grove, Clontarf, Dublin 3, D03 F8X2 since May.", "14 Castle Grove, Clontarf, Dublin 3, D03 F8X2"),
        # Arabic particles inside a street name
        ("Meet at Unit 5, Al Wasl Road, Sheikh Zayed bin Sultan Street, Abu Dhabi.", "Sheikh Zayed bin Sultan Street"),
        # a country before the town on the same line
        ("Адрес: Беларусь, г. Минск, ул. Сурганова, д. 9, кв. 12", "Беларусь, г. Минск, ул. Сурганова, д. 9, кв. 12"),
        # two units in one comma part, the region opens a 1C record cell
        ("017;Иванова Анна;8-900-100-20-30;Омская обл., г. Тара, мкр. 3, д. 5 кв. 17", "Омская обл., г. Тара, мкр. 3, д. 5 кв. 17"),
    ],
)
def test_address_layouts(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value)


def test_a_record_code_on_the_next_line_is_no_postcode(scanner: Scanner) -> None:
    text = "1;Петров;г. Омск, ул. Мира, д. 5, кв. 2\n455120;Сидоров"
    assert not any(t == "ADDRESS" and "455120" in v for t, v in found(scanner, text))


def test_passport_number_is_no_postcode(scanner: Scanner) -> None:
    text = "Покупатель: Орлова Вера Ильинична, паспорт 4518 № 602311, г. Москва, ул. Лесная, д. 3."
    assert ("RU_PASSPORT", "4518 № 602311") in found(scanner, text)


# --- fields and tables -------------------------------------------------------------------------

def test_csv_with_quoted_commas_keeps_its_columns(scanner: Scanner) -> None:
    text = (
        "id,full_name,birth_date,address\n"
        '7,Odalys Ferreira,1984-09-17,"12 Pine St, Reno, NV 89501"\n'
        '8,Tobiah Lindqvist,1979-01-30,"40 Oak Ave, Boise, ID 83702"\n'
    )
    out = found(scanner, text)
    assert ("DATE_OF_BIRTH", "1984-09-17") in out and ("DATE_OF_BIRTH", "1979-01-30") in out
    assert covered(scanner, text, "Tobiah Lindqvist")


def test_password_column_in_a_table_of_people(scanner: Scanner) -> None:
    text = "| Name | Login | Initial password |\n|---|---|---|\n| Oona Keller | okeller | Spring!Start42 |\n"
    assert ("SECRET", "Spring!Start42") in found(scanner, text)
    # a placeholder in that column is no secret
    text2 = "| Name | Login | Initial password |\n|---|---|---|\n| Oona Keller | okeller | ******** |\n"
    assert not any(t == "SECRET" for t, _ in found(scanner, text2))


def test_role_field_with_a_number_after_the_name(scanner: Scanner) -> None:
    text = "Emergency contact: Ingrid 0161 496 0712\nBlood type: A+"
    assert covered(scanner, text, "Ingrid")


# --- phones ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Call our help desk at 1-888-321-4470 on weekdays.", "1-888-321-4470"),
        ("Delivery boy's mobile 99870 12345, call before coming.", "99870 12345"),
        ("мой номер 8 903 12 12 004, пиши в любое время", "8 903 12 12 004"),
    ],
)
def test_phone_layouts(patterns: Scanner, text: str, value: str) -> None:
    assert ("PHONE", value) in found(patterns, text)


def test_five_plus_five_digits_need_a_phone_word(patterns: Scanner) -> None:
    assert found(patterns, "Batch 98870 12345 shipped on time.") == []


# --- secrets -----------------------------------------------------------------------------------

def test_pgpass_line(patterns: Scanner) -> None:
    text = "Here is my ~/.pgpass:\ndb1.prod.local:5432:billing:svc_bill:R7w!mQ-22x\n"
    assert ("SECRET", "R7w!mQ-22x") in found(patterns, text)


def test_password_with_an_at_sign(patterns: Scanner) -> None:
    assert ("SECRET", "Lisboa@1999") in found(patterns, "I typed the password Lisboa@1999 twice")
    assert not any(t == "SECRET" for t, _ in found(patterns, "send the password reset to kim@corp.example.org"))


def test_url_token_and_webhook_boundaries(patterns: Scanner) -> None:
    text = "git remote set-url origin https://oauth2:glpat-Zx81Qw02Lm55Tr90Pq1A@gitlab.example.com/a/b.git"
    assert ("SECRET", "glpat-Zx81Qw02Lm55Tr90Pq1A") in found(patterns, text)
    hook = "alerts go to https://hooks.slack.com/services/T0ABCDEF1/B0GHIJKL2/Qa81Zx02Wc93Ed74Rf65Tg06"
    assert ("SECRET", "Qa81Zx02Wc93Ed74Rf65Tg06") in found(patterns, hook)


def test_passport_series_and_number_are_two_values(patterns: Scanner) -> None:
    out = found(patterns, "паспорт: серия 5012 № 118844, выдан ОВД")
    assert ("RU_PASSPORT", "5012") in out and ("RU_PASSPORT", "118844") in out


# --- names and dates ---------------------------------------------------------------------------

def test_lifespan_after_a_name_opens_with_the_birth_year(scanner: Scanner) -> None:
    text = "A short obituary for my aunt, Margaret Ellen Doyle (1941–2025), a nurse."
    assert ("DATE_OF_BIRTH", "1941") in found(scanner, text)
    assert not any(t == "DATE_OF_BIRTH" for t, _ in found(scanner, "The bridge project (1998–2003) ran late."))


def test_lower_case_items_that_open_with_a_found_name(scanner: Scanner) -> None:
    text = "Итоги встречи: были Тимур, Оксана Лебедь и я.\n- тимур готовит смету\n- оксана пишет письмо\n- вера в успех есть"
    out = persons(scanner, text)
    assert "тимур" in out and "оксана" in out
    assert "вера" not in out


def test_latin_given_name_before_a_russian_present_tense_verb(scanner: Scanner) -> None:
    assert covered(scanner, "Кто сломал сборку? Andrei пишет, что это не он.", "Andrei")
    # a noun with a verb-like ending after the name is no cue
    assert persons(scanner, "Для Apple бюджет урезали.") == []


def test_capitals_after_a_payment_direction(scanner: Scanner) -> None:
    text = (
        "11/02 ZELLE TO MIGUEL ORTEGA -$120.00\n"
        "11/03 VENMO FROM AYESHA KHAN +$15.00\n"
        "11/04 PAYMENT TO CHASE CARD -$300.00\n"
        "11/05 TRANSFER TO SAVINGS ACCT -$50.00\n"
    )
    out = persons(scanner, text)
    assert "MIGUEL ORTEGA" in out and "AYESHA KHAN" in out
    assert not any("CARD" in p or "SAVINGS" in p for p in out)
