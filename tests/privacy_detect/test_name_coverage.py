"""International and transliterated names, list columns, start-of-line names, corrected dates of
birth, and the negatives each rule must leave alone (pets, firms named after people, places).

Every example is written fresh for this file: none is a string of any corpus split.
"""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import found, persons


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # Given names of many origins, alone after a cue word or with a surname.
        ("Please forward the contract to Obinna before noon.", "Obinna"),
        ("Thanks Mahsa, the slides look great.", "Mahsa"),
        ("Invite Kwabena Boateng to the review.", "Kwabena Boateng"),
        ("The report was written by Siddharth Venkataraman last year.", "Siddharth Venkataraman"),
        ("Our new hire Zeynep Öztürk starts on Monday.", "Zeynep Öztürk"),
        # Transliterated Russian names in English text.
        ("can you write a note for my wife Lyudmila? it's our anniversary", "Lyudmila"),
        ("I spoke with Vyacheslav about the invoice.", "Vyacheslav"),
        # Vietnamese order: family name, middle name, given name.
        ("Applicant: Tran Thi Huong, ward 5.", "Tran Thi Huong"),
        # A first name opening a list line or a sentence, followed by a person's verb.
        ("Notes:\n- Omid raised the budget issue\n- the rest is fine", "Omid"),
        ("Grace wrote the summary. Will also reviewed it.", "Will"),
        # A speaker label in a chat log.
        ("Ngozi: are we still on for 3?\nme: yes", "Ngozi"),
        # A lower-case name opening a quoted message.
        ('reword this: "priyanka the build is red again, pls check"', "priyanka"),
    ],
)
def test_international_names_found(scanner: Scanner, text: str, name: str) -> None:
    assert name in persons(scanner, text)


def test_roster_column_fills_in_an_ambiguous_name(scanner: Scanner) -> None:
    text = "Duty roster:\nMon - Anna Kowalska\nTue - Kenji Watanabe\nWed - Mark\nThu - Olena Shevchenko"
    got = persons(scanner, text)
    assert "Mark" in got and "Kenji Watanabe" in got


def test_field_list_is_not_a_roster(scanner: Scanner) -> None:
    text = "Owner: Anna Kowalska\nReviewer: Kenji Watanabe\nStatus: Done\nPriority: High\nArea: Billing"
    got = persons(scanner, text)
    assert "Done" not in got and "High" not in got and "Billing" not in got


def test_modal_will_and_bills_are_not_names(scanner: Scanner) -> None:
    assert persons(scanner, "Will also help with the rollout next week.") == []
    assert persons(scanner, "Bill passed the Senate on Tuesday.") == []


@pytest.mark.parametrize(
    "text",
    [
        # Pets are named like people.
        "Our cat keeps waking us at 5am. Her name is Olivia, any tips?",
        "Looking for puppy names. We like Charlotte, Oliver or Teddy.",
        # Firms named after people, and places that look like names.
        "Schedule a call with Becker Logistik GmbH about the delivery.",
        "Is Hong Kong or Kuala Lumpur better for a regional office?",
        "Compare Morgan Stanley with Goldman Sachs on fees.",
        "Ernst & Young audited the accounts.",
    ],
)
def test_not_persons(scanner: Scanner, text: str) -> None:
    assert persons(scanner, text) == []


def test_surname_mention_inside_a_firm_name_is_not_a_person(scanner: Scanner) -> None:
    text = "Send it to Hans Becker at Becker Logistik GmbH."
    assert persons(scanner, text) == ["Hans Becker"]


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("Дата рождения в анкете 03.04.1979, а правильно 04.03.1979.", ["03.04.1979", "04.03.1979"]),
        ("My DOB is listed as 1985-02-11, correct is 1985-11-02.", ["1985-02-11", "1985-11-02"]),
    ],
)
def test_corrected_birth_date(scanner: Scanner, text: str, dates: list[str]) -> None:
    assert [t for kind, t in found(scanner, text) if kind == "DATE_OF_BIRTH"] == dates


def test_a_later_unrelated_date_is_not_a_birth_date(scanner: Scanner) -> None:
    text = "Родился 01.02.1990, принят на работу 03.04.2015."
    assert [t for kind, t in found(scanner, text) if kind == "DATE_OF_BIRTH"] == ["01.02.1990"]
