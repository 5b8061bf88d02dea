"""Round 8 classes: chat speakers and lower-case echoes, surname-first layouts, local phones,
inflected street types, building parts, lone postcodes, passports before "выдан" — each with
the look-alikes that must stay text."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect.names_inverted import find_inverted_names


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    s = Scanner()
    s.warm_up()
    return s


def found(scanner: Scanner, text: str, kind: str) -> list[str]:
    return [e.text for e in scanner.scan(text) if e.type == kind]


# ------------------------------------------------------------------ speakers and echoes

def test_chat_speakers_and_their_lower_case_mentions_are_persons(scanner: Scanner) -> None:
    text = ("#eng-platform\n\nmei: deploy to prod-eu is stuck at 60%\ntomasz: looks like the migration lock\n"
            "mei: prob kofi, he was testing the backfill\nkofi: releasing the lock now\n")
    names = found(scanner, text, "PERSON")
    assert names.count("mei") == 2 and "tomasz" in names and names.count("kofi") == 2


def test_a_timestamped_speaker_with_an_initial(scanner: Scanner) -> None:
    text = "[05:12] marcus b: EI 153 cancelled\n[05:13] nuala: moving 60 onto EI 155\n"
    assert found(scanner, text, "PERSON") == ["marcus b", "nuala"]


def test_cyrillic_chat_speakers(scanner: Scanner) -> None:
    text = "саша: прод опять лежит\nben: which host?\nсаша: 10.30.4.12\n"
    assert found(scanner, text, "PERSON").count("саша") == 2


@pytest.mark.parametrize("text", [
    "agent: thanks for calling\ncaller: yeah hi\nagent: your policy number?",
    "Note: restart first\nStatus: done\nSummary: all green",
    "Q: what is it?\nA: a thing\nQ: and then?",
])
def test_role_and_field_labels_are_no_speakers(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_found_name_written_again_in_lower_case(scanner: Scanner) -> None:
    text = "Spoke w/ Deepak Choudhary (VP Eng) today. deepak mob is in the CRM, follow up tue."
    assert "deepak" in found(scanner, text, "PERSON")


def test_a_common_word_name_is_not_echoed(scanner: Scanner) -> None:
    text = "Mr Will Thornbury signed the lease. We will send the keys tomorrow."
    assert found(scanner, text, "PERSON") == ["Will Thornbury"]


def test_a_lone_given_name_signing_off(scanner: Scanner) -> None:
    text = "cancel my subscription pls, i've emailed 3 times. if you charge me again i'm doing a chargeback. dwayne"
    assert found(scanner, text, "PERSON") == ["dwayne"]


def test_a_word_closing_a_message_is_no_sign_off(scanner: Scanner) -> None:
    assert found(scanner, "the build is green again. thanks", "PERSON") == []


# ------------------------------------------------------------------ surname first

@pytest.mark.parametrize(("text", "name"), [
    ("PNR X7KQ2L: WHITFIELD/GEORGIA MRS, seat 14C", "WHITFIELD/GEORGIA"),
    ("Pax list: KOWALCZYK/AGNIESZKA, 1 bag", "KOWALCZYK/AGNIESZKA"),
    ("booking ref 8812: SANTOS/GABRIEL, 2 bags", "SANTOS/GABRIEL"),
])
def test_a_booking_name_surname_slash_given(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


@pytest.mark.parametrize("text", [
    "We speak TCP/IP and AND/OR logic over the SWIFT/BIC rails.",
    "Sample request: DOE/JANE MS, seat 1A (from the API docs).",
])
def test_slashed_capitals_that_are_no_names(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_citation_authors(scanner: Scanner) -> None:
    text = "as shown by Carlini, N., Tramèr, F. and colleagues (2021), and later by Borgeaud, S. (2022)."
    names = found(scanner, text, "PERSON")
    assert any("Carlini" in n for n in names) and any("Borgeaud" in n for n in names)


def test_one_initial_after_a_word_is_no_citation(scanner: Scanner) -> None:
    assert found(scanner, "See footnote in Paris, F. for details.", "PERSON") == []


def test_surname_comma_given(scanner: Scanner) -> None:
    names = found(scanner, "Attendees: Okafor, Chinedu; Hashimoto, Kenji.", "PERSON")
    assert names == ["Okafor, Chinedu", "Hashimoto, Kenji"]


@pytest.mark.parametrize("text", ["We ship from Austin, Texas and London, Sydney.", "Offices: Dallas, Georgia; Paris, Texas."])
def test_place_comma_place_is_no_surname_first_name(text: str) -> None:
    assert find_inverted_names(text) == []


def test_a_city_alone_in_a_cell_is_no_person(scanner: Scanner) -> None:
    text = "Оператор: Назовите кодовое слово.\nКлиент: Самарканд.\nОператор: Вижу операцию."
    assert found(scanner, text, "PERSON") == []


# ------------------------------------------------------------------ phones

@pytest.mark.parametrize(("text", "phone"), [
    ("если не сможешь - звони в регистратуру 45-12-90", "45-12-90"),
    ("My mobile is 9127 4408. Home address below.", "9127 4408"),
    ("Получатель — Ержан, номер в заказе +7 701 438 29 16 (казахстанский)", "+7 701 438 29 16"),
])
def test_local_and_order_adjacent_phones(scanner: Scanner, text: str, phone: str) -> None:
    assert found(scanner, text, "PHONE") == [phone]


@pytest.mark.parametrize("text", [
    "Order 4412-0877 shipped, call us if it is late",
    "call 2019-2020 season tickets",
    "Заказ 45-12-90 собран, трек придёт позже",
])
def test_short_numbers_without_a_phone_word_right_before(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PHONE") == []


# ------------------------------------------------------------------ addresses and passports

@pytest.mark.parametrize(("text", "address"), [
    ("Магазин на проспекте Просвещения, 19. Перезвоните", "проспекте Просвещения, 19"),
    ("Я живу на улице Ленина, д. 19, кв. 5.", "улице Ленина, д. 19, кв. 5"),
    ("офис на Невском проспекте, 28", "Невском проспекте, 28"),
    ("по квартире на Профсоюзной 128 к3 — собственник", "Профсоюзной 128 к3"),
    ("на складе Ногинск, Индустриальная ул., 5с2. Контакт", "Ногинск, Индустриальная ул., 5с2"),  # the town too
    ("Москва, Профсоюзная 93-2-54;клиент не отвечает", "Москва, Профсоюзная 93-2-54"),
])
def test_inflected_street_types_and_building_parts(scanner: Scanner, text: str, address: str) -> None:
    assert found(scanner, text, "ADDRESS") == [address]


@pytest.mark.parametrize("text", [
    "на Невском проспекте 3 часа стояли в пробке",
    "по Новорижскому шоссе, 25 тыс. км в год",
    "на улице Ленина было шумно",
])
def test_a_street_without_a_house_is_no_address(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


@pytest.mark.parametrize(("text", "code"), [
    ("Agent: And the postcode on the account?\nCaller: It's BS6 7QF.", "BS6 7QF"),
    ("D-20118,Margaret,Ellison,m.ellison@talktalk.net,OX2 6QY,2023-12-04", "OX2 6QY"),
    ("Customer in Montréal, code postal H3G 1L7, wants a refund", "H3G 1L7"),
])
def test_lone_postcodes(scanner: Scanner, text: str, code: str) -> None:
    assert any(code in a for a in found(scanner, text, "ADDRESS"))


@pytest.mark.parametrize("text", [
    "Build a regex that matches UK postcodes like SW1A 1AA, EC1V 9HX and B33 8TH.",
    "Our office is near SW1A 1AA, the famous one.",
    "SKU M145TQ is back in stock, 12 units.",
])
def test_textbook_and_format_talk_postcodes(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


def test_a_passport_number_is_no_postcode(scanner: Scanner) -> None:
    text = "Ахметзянов Ильнур Фанисович, паспорт 92 19 304771, 443086, г. Самара, ул. Ново-Садовая, д. 160, кв. 92"
    assert found(scanner, text, "RU_PASSPORT") == ["92 19 304771"]
    assert found(scanner, text, "ADDRESS")[0].startswith("443086")


def test_a_passport_before_its_issuer(scanner: Scanner) -> None:
    text = "-- Олег Дмитриевич Рябов 19 09 590035 выдан ОУФМС по Воронежской обл."
    assert found(scanner, text, "RU_PASSPORT") == ["19 09 590035"]


def test_a_number_before_issued_words_needs_the_passport_layout(scanner: Scanner) -> None:
    assert found(scanner, "Счёт 1909590035123 выдан 12.03.2015", "RU_PASSPORT") == []


# ------------------------------------------------------------------ after blind9 was scored

@pytest.mark.parametrize(("text", "phone"), [
    ("Can you confirm the number on the account?\nCustomer: 07700 184 392\nAgent: thanks", "07700 184 392"),
    ("Please refund to the original card. You can ring me on 087 914 2265 after 5pm.", "087 914 2265"),
    ("Oscar Freire 1128, São Paulo - SP\nPhone: (11) 99184-3072", "(11) 99184-3072"),
    ("08210 Barberà del Vallès, Barcelona. Cualquier cosa llámame al 622 418 903.", "622 418 903"),
    ("manziliga yetkaziladi (Toshkent). Haydovchi Shuhrat, tel 93 512 08 74.", "93 512 08 74"),
])
def test_national_phones_with_their_countrys_hints(scanner: Scanner, text: str, phone: str) -> None:
    assert found(scanner, text, "PHONE") == [phone]


def test_an_address_does_not_swallow_a_phones_tail(scanner: Scanner) -> None:
    text = "Applicant: Khalid Al-Mansouri, +971 56 304 8819, Apt 1503, Al Reem Tower B, Al Reem Island, Abu Dhabi"
    assert found(scanner, text, "PHONE") == ["+971 56 304 8819"]
    assert found(scanner, text, "ADDRESS")[0].startswith("Apt 1503")


def test_a_month_name_date_in_a_dob_column(scanner: Scanner) -> None:
    text = ("| Seat | Name | Passport | Nationality | DOB |\n|------|------|----------|-------------|-----|\n"
            "| 1A | OTIENO, Brian Ochieng | AK0917723 | KEN | 14 MAR 1988 |\n")
    assert found(scanner, text, "DATE_OF_BIRTH") == ["14 MAR 1988"]


def test_a_date_in_another_column_is_no_birth_date(scanner: Scanner) -> None:
    text = "| Flight | Seats | Flight date |\n|---|---|---|\n| EK 30 | 12 | 14 MAR 2024 |\n"
    assert found(scanner, text, "DATE_OF_BIRTH") == []


@pytest.mark.parametrize(("text", "phone"), [
    ("запиши номер мастера по стиралкам девятьсот шестнадцать двести четыре семьдесят семь тридцать один зовут Геннадий",
     "девятьсот шестнадцать двести четыре семьдесят семь тридцать один"),
    ("перезвоните мне восемь девятьсот шестнадцать пятьсот сорок два ноль семь тридцать один",
     "восемь девятьсот шестнадцать пятьсот сорок два ноль семь тридцать один"),
])
def test_dictated_phones_of_a_person(scanner: Scanner, text: str, phone: str) -> None:
    assert found(scanner, text, "PHONE") == [phone]


def test_a_dictated_number_of_a_thing_is_no_phone(scanner: Scanner) -> None:
    text = "номер договора девятьсот шестнадцать двести четыре семьдесят семь тридцать один"
    assert found(scanner, text, "PHONE") == []


@pytest.mark.parametrize(("text", "address"), [
    ("вы заказывали на Ленина сорок пять квартира двенадцать? я у подъезда", "Ленина сорок пять квартира двенадцать"),
    ("Уфа, улица Гоголя, дом шестьдесят, квартира девять", "Уфа, улица Гоголя, дом шестьдесят, квартира девять"),
    ("город подольск улица кирова дом сорок девять квартира двенадцать", "улица кирова дом сорок девять квартира двенадцать"),
])
def test_dictated_addresses(scanner: Scanner, text: str, address: str) -> None:
    assert found(scanner, text, "ADDRESS") == [address]


@pytest.mark.parametrize("text", ["квартира сорок метров, дом новый", "у нас дом двадцать лет стоит", "Продаю квартиру, дом пять этажей"])
def test_counts_after_house_words_are_no_address(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


def test_a_transcripts_other_speakers_are_people_too(scanner: Scanner) -> None:
    text = "rohan: prod deploy is blocked\nnadia: ben did but he is on pto\nrohan: can olu approve instead?\nolu: yeah i can.\n"
    names = found(scanner, text, "PERSON")
    assert names.count("olu") == 2 and names.count("rohan") == 2 and "nadia" in names


def test_speakers_with_accents_and_their_possessives(scanner: Scanner) -> None:
    text = ("- yuki: finished the invoice export, waiting review from dan\n- dan: reviewing yuki's pr\n"
            "Kate: so the emails went to the wrong customers?\nSebastián: yes, the batch job.\n")
    names = found(scanner, text, "PERSON")
    assert names.count("yuki") == 2 and names.count("dan") == 2 and "Kate" in names and "Sebastián" in names


def test_a_field_list_is_no_transcript_of_people(scanner: Scanner) -> None:
    text = "Summary: all green\nStatus: closed\nOwner: platform team\n"
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize("text", [
    "Write a haiku about Grace Hopper Day celebrations at our office.",
    "Is it a trademark of Unilever or of Magnum Ice Cream Company now?",
])
def test_names_inside_the_name_of_a_day_or_a_firm(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ("Please ask Thomas Hall to sign the form.", "Thomas Hall"),
    ("Our tenant Doris Day moved out.", "Doris Day"),
])
def test_surnames_that_are_heads_of_place_names_stay_names(scanner: Scanner, text: str, name: str) -> None:
    assert found(scanner, text, "PERSON") == [name]


@pytest.mark.parametrize("text", [
    "Серия «Бабушкины рецепты», коллекция «Вера и Надежда».",
    "Хочу заехать в питомник «Роза ветров» за саженцами.",
    "Сделай открытку от компании «Роза Хутор» партнёрам.",
    "Подстанция «Ильич» на Ленинградском проспекте вышла на мощность.",
    'Переведи: Гостевой дом "У Самвела" в Дилижане, 6 номеров.',
])
def test_a_name_in_the_quoted_title_of_a_thing(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ("пациентка «Иванова Мария» жалуется на боли", "Иванова Мария"),
    ("Поздравьте коллегу «Анну Петровну» с юбилеем", "Анну Петровну"),
])
def test_a_quoted_name_after_a_person_noun_stays_a_name(scanner: Scanner, text: str, name: str) -> None:
    assert found(scanner, text, "PERSON") == [name]


def test_a_quoted_name_the_text_uses_for_a_person_stays_a_name(scanner: Scanner) -> None:
    text = "У меня студентка Нгуен Тхи Хыонг — писать в ведомости «у Нгуен Тхи Хыонг» без изменений?"
    assert found(scanner, text, "PERSON").count("Нгуен Тхи Хыонг") == 2


@pytest.mark.parametrize("text", ["Сделай открытку партнёрам с 8 Марта, тема весна.", "Отчёт сдаём к 1 Мая."])
def test_a_day_and_a_month_that_is_also_a_name(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [("Спроси у Марты Ивановны", "Марты Ивановны"), ("клиентка Марта, 25 лет", "Марта")])
def test_the_name_marta_stays_a_name(scanner: Scanner, text: str, name: str) -> None:
    assert found(scanner, text, "PERSON") == [name]
