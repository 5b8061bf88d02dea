"""One case per failure class of the blind3 corpus (issue 11, third round), with negatives.

Every string is written fresh for this file (no value of blind3 or of any other split), so the
tests check the class — a layout, a slot, a shape — not the corpus.
"""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import covered, found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # City first, street type after the name, unit, postcode, country: CIS and Caucasus layouts.
        ("Ship it to: Bishkek, Chui Ave 114, apt 7, 720001, Kyrgyzstan. Thanks!", "Bishkek, Chui Ave 114, apt 7, 720001, Kyrgyzstan"),
        ("Адрес доставки: Tashkent, Amir Temur str. 15, apt. 40, 100000", "Tashkent, Amir Temur str. 15, apt. 40, 100000"),
        ("Moja adresa: Vilnius, Gedimino pr. 9, kv. 3, LT-01103", "Vilnius, Gedimino pr. 9, kv. 3"),
        # Ukrainian street and settlement words.
        ("Адреса: м. Одеса, вул. Дерибасівська, 7, кв. 12", "м. Одеса, вул. Дерибасівська, 7, кв. 12"),
        # Japanese block numbers and wards, Chinese districts and rooms.
        ("Deliver to 1-2-3 Kita-Aoyama, Minato-ku, Tokyo 107-0061 please", "1-2-3 Kita-Aoyama, Minato-ku, Tokyo 107-0061"),
        ("He lives at Room 502, No. 17 Jianguo Road, Chaoyang District, Beijing 100022 now.",
         "Room 502, No. 17 Jianguo Road, Chaoyang District, Beijing 100022"),
        # Indian layout: flat, society, numbered main road, area, city + PIN.
        ("Flat 12C, Green Meadows, 4th Cross Road, Koramangala, Bengaluru 560034", "Flat 12C, Green Meadows, 4th Cross Road, Koramangala, Bengaluru 560034"),
        # Gulf layout with no postcode: villa, numbered street, area, city.
        ("Leak reported at Villa 8, Street 22, Jumeirah 3, Dubai. Please send someone.", "Villa 8, Street 22, Jumeirah 3, Dubai"),
        # Lower-case European lines.
        ("maria rossi, 5 via roma, 00184 roma", "5 via roma, 00184 roma"),
        ("prinsengracht 263, 1016 gv amsterdam", "prinsengracht 263, 1016 gv amsterdam"),
        # Russian: region adjective + Респ./обл., a village without a street, a town without «г.».
        ("Адрес: Республика Адыгея, Майкопский р-н, п. Тульский, ул. Школьная, 4", "Республика Адыгея, Майкопский р-н, п. Тульский, ул. Школьная, 4"),
        ("Ярославская обл., Ростовский р-н, с. Поречье, д. 25, тел. 8 (48536) 2-11-00", "Ярославская обл., Ростовский р-н, с. Поречье, д. 25"),
        ("доставка: Кисловодск, пр-т Победы, 31, кв 4, до обеда", "Кисловодск, пр-т Победы, 31, кв 4"),
        # A Polish unit written with "m." after the house number.
        ("Adres: ul. Długa 12/14 m. 3, 80-831 Gdańsk", "ul. Długa 12/14 m. 3, 80-831 Gdańsk"),
    ],
)
def test_address_layouts(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value), found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "We walked down Main Street, Springfield, and then went home.",
        "Requirements: Python 3, Django 4, Unit 5, Building 2 of the course.",
        "See section 4, Figure 2, Table 3 and page 12.",
        "Cover letter for Declan L. Zhang, 1422 Main Lane, Springfield.",  # the name stays a name
    ],
)
def test_address_negatives(scanner: Scanner, text: str) -> None:
    kinds = found(scanner, text)
    if "Declan" in text:
        assert ("PERSON", "Declan L. Zhang") in kinds, kinds
    else:
        assert not [k for k in kinds if k[0] == "ADDRESS"], kinds


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # Birth dates: two-digit years, a year alone, other languages' months and birth words, CJK.
        ("Пациент Ковалёв, д.р. 17.11.84, жалобы на кашель", "DATE_OF_BIRTH", "17.11.84"),
        ("DOB 11/02/67, insured since 2001", "DATE_OF_BIRTH", "11/02/67"),
        ("Her grandmother was born in 1931 in Porto.", "DATE_OF_BIRTH", "1931"),
        ("Дата народження: 3 квітня 1975 р., м. Суми", "DATE_OF_BIRTH", "3 квітня 1975 р."),
        ("Geburtsdatum: 9. Oktober 1968", "DATE_OF_BIRTH", "9. Oktober 1968"),
        ("생년월일 DOB: 1988년 11월 2일", "DATE_OF_BIRTH", "1988년 11월 2일"),
        ("Рахимов Бахтиёр Алиевич (по паспорту — Рахимов), 4 августа 1979 г., слесарь", "DATE_OF_BIRTH", "4 августа 1979 г."),
        # Phones: a plain 8-prefixed number in a +7 mobile range other than Russia's 9xx.
        ("Айгерим | 87751234567 | оплачено", "PHONE", "87751234567"),
        # Columns that name the value: CSV with quoted cells, SQL INSERT column lists.
        ('id,fio,tel,birth\n7,"Абдуллаев Руслан",+7 900 123-45-67,1984-06-30', "PERSON", "Абдуллаев Руслан"),
        ('id,fio,tel,birth\n7,"Абдуллаев Руслан",+7 900 123-45-67,1984-06-30', "DATE_OF_BIRTH", "1984-06-30"),
        ("INSERT INTO staff (id, name, passport, snils) VALUES\n(5, 'Olga Brant', '4012 556677', '112-233-445 95');",
         "RU_PASSPORT", "4012 556677"),
        ("INSERT INTO staff (id, name, passport, snils) VALUES\n(5, 'Olga Brant', '4012 556677', '112-233-445 95');",
         "RU_SNILS", "112-233-445 95"),
    ],
)
def test_fields_dates_phones(scanner: Scanner, text: str, kind: str, value: str) -> None:
    assert covered(scanner, text, value), found(scanner, text)
    assert any(k == kind for k, t in found(scanner, text) if value in t or t in value), found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "Reference 84951234567 was closed yesterday.",  # a Moscow landline range, no phone word: not a number we flag
        "The release 12.03.24 fixed the bug; version 1.2.3 is next.",  # a short date with no birth word
        "Sales grew in 1998 and again in 2004.",  # years with no birth word
    ],
)
def test_fields_dates_phones_negatives(scanner: Scanner, text: str) -> None:
    assert found(scanner, text) == []


@pytest.mark.parametrize(
    "text",
    [
        # Titles of works and products in quotes.
        'Give me a one-paragraph review of "Jane Eyre" for a book club.',
        "Посоветуй, с чем подать торт «Анна Павлова» на день рождения.",
        'Draft a menu blurb for our new tea blends: "Lavender Fog" and "Lady Grey Orange".',
        "Реквизиты: ООО «Уральские зори», ИНН не нужен.",
        # Breeds, states and countries, months before a day, toponym prefixes, organisational forms.
        "Is a King Charles spaniel good with small kids?",
        "Why is Virginia a popular state for data centres?",
        "On Mon, Aug 5, 2024 the build went green.",
        "Как доехать от Ново-Переделкино до центра на электричке?",
        # Log and config fields after a password word.
        "WARN login failed: wrong password user_id=1234 retries=3",
        "Почему сервис не видит пароль:\n\nvolumes:\n  data:",
    ],
)
def test_negatives_that_looked_like_names_or_secrets(scanner: Scanner, text: str) -> None:
    assert found(scanner, text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Hi Georgia, the lease is attached.", "Georgia"),  # a greeting keeps a name that is also a state
        ("Пароль сменили, теперь Zv3zda_Sklad#77 на всех кассах", "Zv3zda_Sklad#77"),  # one comma on
    ],
)
def test_cues_still_win(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value), found(scanner, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # A form label types the value up to a remark in brackets or a slash.
        ("Name: Tamar Kvaratskhelia (грузинка, живёт в Батуми)\nPhone: none", "Tamar Kvaratskhelia"),
        ("Family name: ABDYKADYROVA (Абдыкадырова)\nGiven names: AIZHAN", "ABDYKADYROVA"),
        ("Family name: ABDYKADYROVA (Абдыкадырова)\nGiven names: AIZHAN", "AIZHAN"),
        ("Family name: ABDYKADYROVA (Абдыкадырова)\nGiven names: AIZHAN", "Абдыкадырова"),
        # People named by their role in a form, one or several.
        ("Witness: Obiageli Nwachukwu\nDate: today", "Obiageli Nwachukwu"),
        ("Children: Tolga (7), Elif (4)", "Elif"),
        ("Bride: Oluwaseun, groom: Tiago.", "Oluwaseun"),
        ("UPDATE users SET surname = 'de la Vega' WHERE id = 4;", "de la Vega"),
        # The other script after a slash, a Turkic patronymic marker.
        ("Супруга: Алиева Нармин Рашидовна / ALIYEVA NARMIN", "ALIYEVA NARMIN"),
        ("Пациент: Гасанов Эльчин Ахмед оглы, палата 4", "Гасанов Эльчин Ахмед оглы"),
    ],
)
def test_labels_and_linked_names(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value), found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        'config = {"name": "Redis", "client": "Jedis"}',  # products in name keys
        "Contact: support team\nGuest: none",
    ],
)
def test_labels_negatives(scanner: Scanner, text: str) -> None:
    assert [k for k in found(scanner, text) if k[0] == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # A role or relation before a name, with or without a possessive.
        ("The electrician Tendai will be there at nine.", "Tendai"),
        ("Granddaughter aside, Son Bartholomew pays the bills.", "Bartholomew"),
        ("Escalate to team lead Oyelaran Adebisi if it happens again.", "Oyelaran Adebisi"),
        # A verb that takes a person as its object.
        ("Next week we interview Zaineb Haddadi about her startup.", "Zaineb Haddadi"),
        ("Don't forget to remind Grant about the invoice.", "Grant"),
        # The other script in brackets after a found name.
        ("Signed: Dmitri Volkov (Дмитрий Волков)", "Дмитрий Волков"),
    ],
)
def test_role_and_verb_slots(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value), found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "Please ask Claude to refactor the module.",
        "We will call Microsoft Support tomorrow.",
        "The client Globex Corp wants a refund.",
        "Name: Arsen-style label (Армянский шрифт, старый)",  # a remark in brackets is no second spelling
    ],
)
def test_role_and_verb_negatives(scanner: Scanner, text: str) -> None:
    assert [k for k in found(scanner, text) if k[0] == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Capitals: a third word, accented and hyphenated surnames, "SURNAME, GIVEN" registers.
        ("Applicant: LAKSHMI NARAYANAN PILLAI\nPosition: analyst", "LAKSHMI NARAYANAN PILLAI"),
        ("Guest list: MARÍA JOSÉ GARCÍA-LÓPEZ (table 4)", "MARÍA JOSÉ GARCÍA-LÓPEZ"),
        ("ID NAME\n77 HOLLOWAY, GRETCHEN 401-22-8731\n78 PETERSEN, ANDERS 402-10-1111", "HOLLOWAY, GRETCHEN"),
        # A self-introduction, a nickname in quotes.
        ("Hello! I'm Ravi Venkataraman, a data engineer from Pune.", "Ravi Venkataraman"),
        ('Welcome aboard, Yitzhak "Itzik" Shapiro!', 'Yitzhak "Itzik" Shapiro'),
        # Items of a list whose other items are names.
        ("Seating: Grace, Joy, Oluwaseun Bello, Radek, Anh Thu, Hope", "Joy"),
        ("Смены на неделю:\nАнжелика Фёдоровна — понедельник\nОльга Викторовна — вторник\nЛюбовь — среда", "Любовь"),
        ("Итоги:\n- Ренат закрыл сделку\n- Гульнара готовит отчёт\n- Тимур — в отпуске", "Тимур"),
    ],
)
def test_caps_intro_and_lists(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value), found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "Good names for a kitten? Luna, Milo, Oliver or Bella.",
        "Agenda:\n- Budget review\n- Next steps: hiring\n- Hope to finish by May",
        "Offices: Paris, Berlin, Madrid and Lisbon.",
        "Palette: Red, Amber, Teal, Ruby and Coral.",
    ],
)
def test_caps_intro_and_lists_negatives(scanner: Scanner, text: str) -> None:
    assert [k for k in found(scanner, text) if k[0] == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Russian chat in lower case: introductions, the vocative at a clause head, colloquial patronymics.
        ("всем привет, я вика из маркетинга, подскажите по отпуску", "вика"),
        ("это гоша, у меня вопрос по заказу", "гоша"),
        ("юль, глянь плиз мой отчёт", "юль"),
        ("наш завуч ирина михална опять задержала", "ирина михална"),
        # Coordination with a found name, the surname around a found given name and patronymic.
        ("Приедут Игорь и Маша, встречай.", "Маша"),
        ("мы с андреем и викой были там", "викой"),
        ("ФИО: гончарук ольга петровна", "гончарук ольга петровна"),
        # Latin: particles after, an unknown word before a found name, a mailing line in lower case.
        ("Patient: Maria Luisa Reyes dela Paz, ward 3", "Maria Luisa Reyes dela Paz"),
        ("Contacts: Ingrid Solberg, Torvald Solberg, spouse", "Torvald Solberg"),
        ("henrike van dam, prinsengracht 12, 1015 dv amsterdam", "henrike van dam"),
    ],
)
def test_chat_and_linked_names(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value), found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "я рада помочь, это важно. короче, вера в себя важна",
        "скинь плиз ссылку на доку",
        "Мы говорили о весне и любви.",
    ],
)
def test_chat_negatives(scanner: Scanner, text: str) -> None:
    assert [k for k in found(scanner, text) if k[0] == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12.04 Зачисление от КОВАЛЕНКО Р.Т. 4 500,00", "КОВАЛЕНКО Р.Т."),
        ("Документы подпишет Любови из бухгалтерии, она в курсе.", "Любови"),
        ("For the form: name Bartosz Wieczorek, born in Łódź", "Bartosz Wieczorek"),
        ("appointment with dr. priyanka raghavan on monday", "priyanka raghavan"),
    ],
)
def test_initials_departments_and_label_words(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value), found(scanner, text)


def test_a_part_of_a_name_found_by_its_column_is_found_again(scanner: Scanner) -> None:
    text = "Holder,Beneficiary,Relation\nMarisol Quiroga,Esteban Quiroga,son"
    assert covered(scanner, text, "Esteban Quiroga"), found(scanner, text)


def test_address_parts_same_with_and_without_hyperscan() -> None:
    """The trigger words come from the one-pass literal search or from a regex of the same words."""
    from perimeter.privacy.detect import literals
    from perimeter.privacy.detect.addresses_parts import find_part_addresses
    from perimeter.privacy.detect.prescan import TextIndex

    texts = [
        "Ship it to: Bishkek, Chui Ave 114, apt 7, 720001, Kyrgyzstan. Thanks!",
        "str. Mihai Eminescu 5, ap. 3, Chișinău, MD-2012\nx: str, y: os.path",
        "Deliver to 1-2-3 Kita-Aoyama, Minato-ku, Tokyo 107-0061 please",
        "prinsengracht 263, 1016 gv amsterdam",
        "Адреса: м. Одеса, вул. Дерибасівська, 7, кв. 12",
        "st. 5, Main St 12, (Ave 3), first place replace 4, 5",
    ]
    try:
        literals.use_hyperscan(False)
        without = [[(e.start, e.end) for e in find_part_addresses(TextIndex(t))] for t in texts]
    finally:
        literals.use_hyperscan(True)
    with_hs = [[(e.start, e.end) for e in find_part_addresses(TextIndex(t))] for t in texts]
    assert with_hs == without
    assert sum(map(len, with_hs)) >= 4


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Rechnung\nKlaus Werner – Schreinerei\nTel. none", "Schreinerei"),  # a trade after a dash, mid-line
        ("Suppliers: Bergvik Fisk AS, Hollands Glas BV and Dolce Forno SRL.", "Bergvik Fisk"),
        ("Mentor: Aviva Cohen\nLaptop: Dell", "Mentor"),  # a label, not a speaker
        ("Встретимся у ул. Пушкина около 18:30, потом решим.", "ул. Пушкина около 18"),  # a time, not a house
        ("We signed with Fjordline Marine last week.", "Fjordline Marine"),
    ],
)
def test_look_alikes_in_sensitive_documents(scanner: Scanner, text: str, kind: str) -> None:
    assert all(kind not in t for _, t in found(scanner, text)), found(scanner, text)


def test_sign_off_dash_after_a_sentence_still_signs(scanner: Scanner) -> None:
    assert covered(scanner, "See you there! — Oyelowo", "Oyelowo")
