"""Rounds 9 and 10 of issue 11, class by class (docs/privacy-detection.md): postcodes, address
edges and layouts, pet names, IRC logs, lone lower-case names, eponyms, birth columns, national
phone plans, the tagger's own checks — each with the look-alikes that must stay text."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect.addresses_edges import grown
from perimeter.privacy.detect.names_lower_lone import find_lone_lower_names, find_lower_full_names
from perimeter.privacy.detect.names_ru_diminutives import find_pet_names
from perimeter.privacy.entities import Entity

# ``scanner``: the session's warmed-up Scanner (conftest.py)


def found(scanner: Scanner, text: str, kind: str) -> list[str]:
    return [e.text for e in scanner.scan(text) if e.type == kind]


@pytest.mark.parametrize(("text", "code"), [
    ("Мой индекс 452740, пришлите туда квитанцию", "452740"),
    ("почтовый индекс: 620014", "620014"),
    ("Ship it to zip 94110-2231 please", "94110-2231"),
    ("CEP 01304-001, São Paulo", "01304-001"),
    ("Kod pocztowy 00-950", "00-950"),
    ("PLZ 10115", "10115"),
])
def test_a_numeric_postcode_after_its_word_is_an_address(scanner: Scanner, text: str, code: str) -> None:
    addresses = found(scanner, text, "ADDRESS")
    assert len(addresses) == 1 and code in addresses[0]


@pytest.mark.parametrize("text", [
    "индекс массы тела 23, давление в норме",
    "индекс Мосбиржи 2800 пунктов",
    "индекс 12345678 в каталоге",
    "Write a regex that validates a ZIP code like 94110 or 94110-2231",
    "zip 2.0 archive, build 123456",
])
def test_other_indices_and_postcode_format_talk_stay_text(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


@pytest.mark.parametrize("text", [
    "Адрес: Астана, пр. Республики 62/1-9, кв. 4",
    "Астана, ул. Кенесары 40",
])
def test_the_town_an_address_line_starts_with_is_no_person(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []
    assert any(a.startswith("Астана, ") for a in found(scanner, text, "ADDRESS"))


def test_a_person_before_an_address_is_still_a_person(scanner: Scanner) -> None:
    text = "Лиза, ул. Ленина 5 кв 3 — там и встретимся"
    assert found(scanner, text, "PERSON") == ["Лиза"]


def test_house_building_and_flat_joined_by_slash_and_dash(scanner: Scanner) -> None:
    assert found(scanner, "Доставка: пр. Республики 62/1-9", "ADDRESS") == ["пр. Республики 62/1-9"]


# ------------------------------------------------------------------ pet names (names_ru_diminutives)

@pytest.mark.parametrize(("text", "name"), [
    ("ильдарчик привет, скинь отчёт", "ильдарчик"),
    ("вчера с витьком ездили на дачу", "витьком"),
    ("номер танюхи у тебя есть?", "танюхи"),
    ("машуля, ты где", "машуля"),
    ("передай оксанке что созвон в 5", "оксанке"),
    ("толян опять опоздал", "толян"),
    ("Привет! Ильдарчик, глянь договор", "Ильдарчик"),
])
def test_a_first_names_pet_form_is_a_person(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


@pytest.mark.parametrize("text", [
    "на танки и санки скидка 20%",
    "поставь галочку в анкете и купи колечко",
    "чай с ромашкой и родком посоветоваться",
    "Шоколад «Алёнка» и конфеты «Мишка косолапый»",
    "г. Мурино, ул. Шоссе в Лаврики, д. 64",
])
def test_words_and_brands_that_look_like_pet_names_stay_text(text: str) -> None:
    assert find_pet_names(text) == []


# ------------------------------------------------------------------ the learned tagger's checks

def test_a_name_that_is_a_noun_too_needs_a_sure_tagger(scanner: Scanner) -> None:
    assert found(scanner, "Лев — самый крупный хищник саванны.", "PERSON") == []
    assert found(scanner, 'Переведи: Гостевой дом "У Самвела" в Дилижане.', "PERSON") == []


def test_the_possessive_stays_outside_a_tagged_name(scanner: Scanner) -> None:
    names = found(scanner, "hey moh can u send me fatima's number, the one for the caterer", "PERSON")
    assert "fatima" in names and not any(n.endswith("'s") for n in names)


def test_an_all_capitals_booking_name_reaches_the_surname_first_rule(scanner: Scanner) -> None:
    assert found(scanner, "booking ref 8812: SANTOS/GABRIEL, 2 bags", "PERSON") == ["SANTOS/GABRIEL"]


# ------------------------------------------------------------------ IRC logs (names_speakers)

def test_irc_nicks_and_join_lines_are_speakers(scanner: Scanner) -> None:
    text = "02:19 sven joined #ops\n02:20 <sven> anyone up?\n02:21 <mira> yes, deploy is done\n"
    names = found(scanner, text, "PERSON")
    assert names.count("sven") == 2 and "mira" in names
    quit_log = "17:02 -!- tomasz [~tomasz@10.2.3.4] has quit\n17:03 <ana> bye\n"
    assert found(scanner, quit_log, "PERSON") == ["tomasz", "ana"]


def test_html_tags_are_no_irc_turns(scanner: Scanner) -> None:
    assert found(scanner, "<div>hello</div>\n<span> x </span>\n<b>bold</b> text", "PERSON") == []


# ------------------------------------------------------------------ address edges, field-name cues

@pytest.mark.parametrize(("text", "address"), [
    ("Поставщик: ИП Ахметова\n450077, РБ, г. Уфа, ул. Ленина, д. 70, кв. 8\nР/с 40802810161457964836",
     "450077, РБ, г. Уфа, ул. Ленина, д. 70, кв. 8"),
    ("Адрес: 620014, г. Екатеринбург, ул. Малышева, 5", "620014, г. Екатеринбург, ул. Малышева, 5"),
    ("the router was sent to ul. Marszałkowska 84/92 lok. 109, 00-514 Warszawa. Tracking: 6A24871109934.",
     "ul. Marszałkowska 84/92 lok. 109, 00-514 Warszawa"),
    ("Address: Moscow, Tverskaya St 22, bld. 1", "Moscow, Tverskaya St 22, bld. 1"),
])
def test_an_address_grows_over_its_postcode_street_abbreviation_and_units(scanner: Scanner, text: str,
                                                                            address: str) -> None:
    assert found(scanner, text, "ADDRESS") == [address]


def test_a_postcode_is_only_grown_onto_from_the_start_of_a_line_or_field() -> None:
    def grow(text: str, address: str) -> str:
        at = text.index(address)
        return grown(text, [Entity("ADDRESS", at, at + len(address), address, 0.8, "test")])[0].text

    assert grow("Доставка: 450077, г. Уфа, ул. Ленина, д. 70", "г. Уфа, ул. Ленина, д. 70").startswith("450077")
    assert grow("заказ 450077, г. Уфа, ул. Ленина, д. 70", "г. Уфа, ул. Ленина, д. 70").startswith("г. Уфа")


def test_an_inn_named_by_a_field_name(scanner: Scanner) -> None:
    text = "2024-05-17 INFO [loan-scoring] request_id=7f3c2a91 applicant_inn=505896805799 score=612"
    assert found(scanner, text, "RU_INN") == ["505896805799"]


# ------------------------------------------------------------------ lone lower-case names (names_lower_lone)

def test_lone_lower_case_given_names_in_a_chat(scanner: Scanner) -> None:
    text = "ok so gaurav and shreya are on the migration\nasked wojtek about the certs, he'll ping later\n"
    names = found(scanner, text, "PERSON")
    assert "gaurav" in names and "shreya" in names and "wojtek" in names


@pytest.mark.parametrize("text", [
    "роза в саду вся облезлая после дождя. лев в зоопарке спит весь день",
    "what's the okta procedure? approved in teams. check the sys design doc",
    "Dear team, Gaurav Singh will present. The quarterly review follows.",
])
def test_words_and_capitalised_prose_are_no_lone_lower_names(text: str) -> None:
    assert find_lone_lower_names(text) == []


# ------------------------------------------------------------------ Iberian birth dates, streets named after people

@pytest.mark.parametrize(("text", "date"), [
    ("Paciente: Ana Ortega, nacida el 8 de mayo de 1959 en Sevilla.", "8 de mayo de 1959"),
    ("nascida em 5 de junho de 1980, em Braga", "5 de junho de 1980"),
])
def test_a_spanish_or_portuguese_birth_date(scanner: Scanner, text: str, date: str) -> None:
    assert found(scanner, text, "DATE_OF_BIRTH") == [date]


def test_a_meeting_date_in_spanish_is_no_birth_date(scanner: Scanner) -> None:
    assert found(scanner, "Reunión el 8 de mayo de 2024 en Madrid", "DATE_OF_BIRTH") == []


@pytest.mark.parametrize(("text", "address"), [
    ("сотрудница в пункте выдачи на Гагарина 12 нахамила моей маме", "Гагарина 12"),
    ("живу на Байтурсынова 43, кв 5", "Байтурсынова 43, кв 5"),
])
def test_a_street_named_after_a_person_with_a_house_number(scanner: Scanner, text: str, address: str) -> None:
    assert found(scanner, text, "ADDRESS") == [address]
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize("text", ["надеюсь на Петрова 2024 года", "ставка на Петрова 3 человека"])
def test_a_count_or_a_year_after_a_surname_is_no_house(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


# ------------------------------------------------------------------ owners and doers (names_en_chat)

def test_a_bulleted_task_owner_and_a_surname_owning_a_thing(scanner: Scanner) -> None:
    notes = "Action items:\n- Nwosu to send the use-case list\n- Paolo owns integration with Epic sandbox"
    assert "Paolo" in found(scanner, notes, "PERSON")
    assert found(scanner, "send me the scan of Ivanova's passport by EOD", "PERSON") == ["Ivanova"]


@pytest.mark.parametrize("text", [
    "Parkinson's disease and Murphy's law are eponyms",
    "Halley's comet returns every ~76 years",
    "And is Hashimoto's the same as hypothyroidism?",
])
def test_eponyms_own_nothing(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


# ------------------------------------------------------------------ national plans from the text's hints (phones_cued)

@pytest.mark.parametrize(("text", "phone"), [
    ("[16:22] bartosz: his desk +48 22 628 41 77 is silent\n[16:23] marek: I'll call his mobile, 698-204-315",
     "698-204-315"),
    ("Biuro: tel. 22 307 11 40, Warszawa", "22 307 11 40"),
    ("call me at 555 12 34 56, I am in Tbilisi, office +995 32 2 11 22 33", "555 12 34 56"),
])
def test_a_national_number_in_the_plan_the_text_points_at(scanner: Scanner, text: str, phone: str) -> None:
    assert phone in found(scanner, text, "PHONE")


# ------------------------------------------------------------------ Colombian "#" and Turkish "No:" layouts (addresses_intl)

@pytest.mark.parametrize(("text", "address"), [
    ("Ship to: Carrera 43A #1-50, Oficina 702, El Poblado, Medellín, Antioquia 050021",
     "Carrera 43A #1-50, Oficina 702, El Poblado, Medellín, Antioquia 050021"),
    ("Cra. 70 #44-25, Laureles, Medellín. Gracias", "Cra. 70 #44-25, Laureles, Medellín"),
    ("Cumhuriyet Mahallesi, Halaskargazi Cd. No: 88 D: 5, 34373 Şişli/İstanbul",
     "Cumhuriyet Mahallesi, Halaskargazi Cd. No: 88 D: 5, 34373 Şişli/İstanbul"),
])
def test_colombian_and_turkish_street_layouts(scanner: Scanner, text: str, address: str) -> None:
    assert found(scanner, text, "ADDRESS") == [address]


@pytest.mark.parametrize("text", ["Calle 13 played 2 songs #1-2 hits", "see issue #12-3 in the tracker"])
def test_hash_numbers_without_a_street_stay_text(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


def test_a_tab_separates_two_cells_of_numbers(scanner: Scanner) -> None:
    row = "ШАЙХУТДИНОВ РУСТЕМ\t11.IV.1990\t797-401-186 35\t00417"
    assert found(scanner, row, "RU_SNILS") == ["797-401-186 35"]
    inn_row = "Бухгалтерия\tАхмедова Зарема\t19.08.1983\t541188734000\nСклад"
    assert found(scanner, inn_row, "RU_INN") == ["541188734000"]


def test_voice_assistants_and_streets_are_no_lone_names() -> None:
    assert find_lone_lower_names("алиса включи погоду. маруся стоп. улица габдуллы тукая перекрыта") == []


def test_birth_columns_take_short_years_years_alone_and_hl7_dates(scanner: Scanner) -> None:
    csv = "Name,Surname,Date of birth,Passport\nArman,Seitkali,14/03/88,N12844016\nDilnoza,Karimova,03/10/95,N1\n"
    assert found(scanner, csv, "DATE_OF_BIRTH") == ["14/03/88", "03/10/95"]
    tsv = "Табельный\tФИО\tРодился\n118\tГалимзянов Айдар\t1986\n120\tАбрамович Илья\t1.09.74\n"
    assert found(scanner, tsv, "DATE_OF_BIRTH") == ["1986", "1.09.74"]
    assert found(scanner, "dob: 19790314", "DATE_OF_BIRTH") == ["19790314"]


def test_a_short_date_in_another_column_is_no_birth_date(scanner: Scanner) -> None:
    assert found(scanner, "Order,Date,Qty\n1,14/03/88,5\n2,15/03/88,1\n", "DATE_OF_BIRTH") == []


def test_a_one_word_name_found_once_is_found_again(scanner: Scanner) -> None:
    text = "CUSTOMER: Yes. Call me Conor by the way.\nREP: Great, Conor. I will send the quote."
    assert found(scanner, text, "PERSON") == ["Conor", "Conor"]


def test_a_frequent_word_found_as_a_name_is_not_echoed(scanner: Scanner) -> None:
    text = "thanks Will! Will the build pass today?"
    assert found(scanner, text, "PERSON").count("Will") <= 1


def test_a_lower_case_given_name_and_rare_surname(scanner: Scanner) -> None:
    text = '"bree mcallister unit 4 / 27 kingsford smith dr hamilton qld 4007 ph 0438 221 570'
    assert "bree mcallister" in found(scanner, text, "PERSON")
    assert find_lower_full_names('"Sunny Side" (lemon curd), col. del valle, 64750 monterrey') == []


# ------------------------------------------------------------------ eponyms (names_filters)

@pytest.mark.parametrize("text", [
    "Диагноз: болезнь Паркинсона в анамнезе.",
    "НМИЦ онкологии им. Н. Н. Блохина",
    "Is Hashimoto's thyroiditis the same as Graves' disease?",
    "Miranda warnings and Brady material were disclosed late",
])
def test_diseases_laws_and_institutions_named_after_people_are_no_persons(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ("Например: «выдать премию Черных Анне»", "Черных Анне"),
    ("Please send Anna's test results to her GP", "Anna"),
])
def test_a_person_before_a_test_or_after_a_bonus_stays_a_person(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


# ------------------------------------------------------------------ a card before a weak gap, legal-English and transliterated birth dates

def test_a_card_in_four_groups_before_a_date(scanner: Scanner) -> None:
    text = "с моей карты 2204 1664 5361 9453 11.09 списали 48 900 ₽"
    assert found(scanner, text, "CREDIT_CARD") == ["2204 1664 5361 9453"]


@pytest.mark.parametrize(("text", "date"), [
    ("I, Oluwadamilola Adeyemi, born on the 28th day of August, 1992, respectfully apply", "the 28th day of August, 1992"),
    ("Pani Oksana Hrytsenko, data narodzhennia 12.12.1977, adresa prozhyvannia", "12.12.1977"),
])
def test_legal_english_and_transliterated_birth_dates(scanner: Scanner, text: str, date: str) -> None:
    assert found(scanner, text, "DATE_OF_BIRTH") == [date]


def test_a_contract_date_in_legal_english_is_no_birth_date(scanner: Scanner) -> None:
    assert found(scanner, "Signed on the 28th day of August, 1992, in Lagos.", "DATE_OF_BIRTH") == []
