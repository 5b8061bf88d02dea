"""Round 11 of issue 11, class by class (docs/privacy-detection.md, "Round 11"): table columns
that say "first"/"last"/"Manager" or hold towns, titles written in lower case, couples sharing a
surname, initials after a given name, British streets and house names before a postcode,
spaced postcodes, phones dialled with "00" or a bare "7", HL7 segments, a Russian name's year,
an IP after a dotted user name, Sentry tokens — each with the look-alikes that must stay text."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect.fields_places import place_cells
from perimeter.privacy.detect.hl7 import find_hl7_values

# ``scanner``: the session's warmed-up Scanner (conftest.py)


def found(scanner: Scanner, text: str, kind: str) -> list[str]:
    return [e.text for e in scanner.scan(text) if e.type == kind]


def test_first_and_last_columns_hold_names(scanner: Scanner) -> None:
    text = "row,first,last,dob,ssn\n1,Keisha,Monroe,1975-11-02,158-12-5901\n2,Jericho,Bautista,1990-01-02,215-31-9189\n"
    names = found(scanner, text, "PERSON")
    assert {"Keisha", "Monroe", "Jericho", "Bautista"} <= set(names)


def test_a_lone_last_column_is_no_name_column(scanner: Scanner) -> None:
    text = "user,email,last,dob\nops,ops@example.com,Monday,1990-01-02\n"
    assert "Monday" not in found(scanner, text, "PERSON")


def test_a_prefixed_name_column_and_its_particles(scanner: Scanner) -> None:
    text = "billing_first_name,billing_last_name,billing_phone,billing_city\nBekzod,Rakhimov,+998 71 200-44-18,Samarkand\nMaarten,van den Berg,+31 6 1234 5678,Utrecht\n"
    names = found(scanner, text, "PERSON")
    assert {"Bekzod", "Rakhimov", "Maarten", "van den Berg"} <= set(names)


def test_a_city_column_holds_no_person(scanner: Scanner) -> None:
    text = "billing_first_name,billing_last_name,billing_city\nАйжан,Сейткали,Шымкент\nЭрмек,Асанбеков,Бишкек\n"
    names = found(scanner, text, "PERSON")
    assert "Шымкент" not in names and "Бишкек" not in names and "Айжан" in names
    assert len(place_cells(text)) == 2


def test_a_manager_column_holds_names_but_not_codes(scanner: Scanner) -> None:
    text = "Manager | Region | Q3 sales\nZhanna | Almaty | 12.4M KZT\nNurlan B. | Astana | 9.8M KZT\nSupport Queue | Online | 1.1M KZT\n"
    names = found(scanner, text, "PERSON")
    assert "Nurlan B." in names and "Zhanna" in names
    assert "KZT" not in names and "Manager" not in names and "Support Queue" not in names


@pytest.mark.parametrize(("text", "name"), [
    ("hello mrs Thornton this is amina", "Thornton"),
    ("his endo at great ormond st is dr Leventis. ok", "Leventis"),
    ("the prescription from dr alvarez for my adderall", "alvarez"),
])
def test_a_surname_after_a_lower_case_title(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


@pytest.mark.parametrize("text", [
    "the dr said rest for a week",
    "ask the dr about it",
    "coach class is cheaper",
])
def test_a_lower_case_title_before_a_word_is_no_name(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "names"), [
    ("Thanks, Priya & Arjun Menon", {"Priya", "Arjun Menon"}),
    ("Liam & Chloe Gallagher – yes x2", {"Liam", "Chloe Gallagher"}),
])
def test_two_given_names_sharing_a_surname(scanner: Scanner, text: str, names: set[str]) -> None:
    assert names <= set(found(scanner, text, "PERSON"))


@pytest.mark.parametrize("text", ["Jack & Jill Nursery opens at 8", "Marks & Spencer Food Hall", "Johnson & Johnson Ltd"])
def test_a_pair_of_names_before_a_word_is_a_thing(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ("Never again. – Bernadette M., Leeds", "Bernadette M."),
    ("Ahmed K.: fyi i am out fri", "Ahmed K."),
])
def test_a_surname_initial_belongs_to_the_name(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


def test_the_latin_spelling_before_a_bracketed_cyrillic_name(scanner: Scanner) -> None:
    names = found(scanner, "Kontoinhaber: Dmitrij Wolkow (Дмитрий Волков)", "PERSON")
    assert "Dmitrij Wolkow" in names and "Дмитрий Волков" in names


@pytest.mark.parametrize(("text", "address"), [
    ("sponsor — The Old Rectory, Church Lane, Little Shelford, Cambridge CB22 5HH. Тел",
     "The Old Rectory, Church Lane, Little Shelford, Cambridge CB22 5HH"),
    ("in the ICU at King's College Hospital, Denmark Hill, London SE5 9RS. He is stable", "Denmark Hill, London SE5 9RS"),
    ("warehouse, that's Akti Miaouli 47, 185 36 Piraeus, by end of April", "Akti Miaouli 47, 185 36 Piraeus"),
    ("Vodičkova 28, 110 00 Praha", "Vodičkova 28, 110 00 Praha"),
])
def test_british_streets_house_names_and_spaced_postcodes(scanner: Scanner, text: str, address: str) -> None:
    assert address in found(scanner, text, "ADDRESS")


@pytest.mark.parametrize("text", [
    "We met on Oxford Street, London last week",
    "Order 4412, 100 50 Units shipped",
    "Damon Hill won in 1996",
])
def test_no_address_without_a_postcode_and_a_street(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


@pytest.mark.parametrize(("text", "phone"), [
    ("SEND to=0094 77 555 0190 status=failed", "0094 77 555 0190"),
    ("call me on 0049 30 12345678 tomorrow", "0049 30 12345678"),
    ("contacts:\n7-905-771-22-17\n", "7-905-771-22-17"),
])
def test_phones_dialled_without_a_plus(scanner: Scanner, text: str, phone: str) -> None:
    assert phone in found(scanner, text, "PHONE")


@pytest.mark.parametrize("text", ["order 0012 3456 7890 shipped", "id 00123456789", "version 7-100-200-30-40"])
def test_digit_runs_no_plan_accepts_stay(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PHONE") == []


def test_hl7_segments_by_field_position(scanner: Scanner) -> None:
    text = ("PID|1||MRN884213^^^SVH||NAKAMURA^HARUTO||19770312|M|||2-14-7 Shibuya^^Tokyo^^150-0002^JP\n"
            "NK1|1|NAKAMURA^YUKI|SPO|same|090-1234-5678\n")
    values = {(e.type, e.text) for e in find_hl7_values(text)}
    assert ("PERSON", "NAKAMURA^HARUTO") in values and ("DATE_OF_BIRTH", "19770312") in values
    assert ("ADDRESS", "2-14-7 Shibuya^^Tokyo^^150-0002^JP") in values and ("PERSON", "NAKAMURA^YUKI") in values
    assert not any(t == "ADDRESS" and v == "same" for t, v in values)
    assert "19770312" in found(scanner, text, "DATE_OF_BIRTH")


def test_a_pipe_line_that_is_no_hl7_segment() -> None:
    assert find_hl7_values("| PID | 1 | 19770312 |\nOBX|1|NM|19770312") == []


@pytest.mark.parametrize(("text", "year"), [
    ("бабушка Галина Фёдоровна 1949 года, работала учительницей", "1949"),
    ("чт — день рождения Давида, он 2009 года, купить подарок", "2009"),
])
def test_a_russian_name_and_its_year(scanner: Scanner, text: str, year: str) -> None:
    assert year in found(scanner, text, "DATE_OF_BIRTH")


@pytest.mark.parametrize("text", [
    "Иванов Пётр 1985 года выпуска",
    "договор с Ивановым Петром 2023 года",
])
def test_a_year_after_a_name_that_is_no_birth(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "DATE_OF_BIRTH") == []


def test_born_the_ordinal_of_a_month(scanner: Scanner) -> None:
    assert "the 2nd of May 2006" in found(scanner, "Caller: Élodie Dubois, born the 2nd of May 2006.", "DATE_OF_BIRTH")


def test_an_ip_after_a_dotted_user_name(scanner: Scanner) -> None:
    text = "login attempt user=ekaterina.v.sorokina client_ip=85.140.22.197"
    assert "85.140.22.197" in found(scanner, text, "IP_ADDRESS")


@pytest.mark.parametrize("text", ["nginx v 1.25.3.4 released", "v10.2.3.4 is out"])
def test_a_version_after_v_stays(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "IP_ADDRESS") == []


def test_a_sentry_token(scanner: Scanner) -> None:
    token = "sntrys_eyJpYXQiOjE3MzE5OTQwMDB9_Kq7Lr2vX9mWpD3fH8tZ1nB4cY6sA0eG5jU"
    assert token in found(scanner, f"new one is {token} ok", "SECRET")


@pytest.mark.parametrize(("text", "value"), [
    ("Страхователь: Шевчук Оксана Николаевна, 1979 г.р. Полис ОСАГО", "1979 г.р."),
    ("Дана Насибуллиной Алсу Маратовне, 1996 года рождения, в том", "1996 года рождения"),
    ("Пациентка Ким Ён Хи, рожд. 1949, обратилась", "рожд. 1949"),
    ("Заявитель: Петросян Карине Арменовна, р. 23.07.1985, адрес:", "р. 23.07.1985"),
])
def test_a_birth_date_with_its_marker(scanner: Scanner, text: str, value: str) -> None:
    assert value in found(scanner, text, "DATE_OF_BIRTH")


def test_a_year_before_a_verb_keeps_no_marker(scanner: Scanner) -> None:
    assert found(scanner, "бабушка Галина Фёдоровна 1949 г. работала учительницей", "DATE_OF_BIRTH") == ["1949"]


@pytest.mark.parametrize(("text", "value"), [
    ("CREATE USER 'reporting'@'10.8.0.15' IDENTIFIED BY 'QwA5j66K$16';", "QwA5j66K$16"),
    ("ALTER USER app IDENTIFIED WITH mysql_native_password BY 'r7#Kd9!pLq';", "r7#Kd9!pLq"),
    ("Ready? 412379-058201-663124-290081-518672-704319-115203-388024.", "412379-058201-663124-290081-518672-704319-115203-388024"),
])
def test_sql_passwords_and_recovery_keys(scanner: Scanner, text: str, value: str) -> None:
    assert value in found(scanner, text, "SECRET")


def test_a_japanese_honorific_marks_a_person(scanner: Scanner) -> None:
    assert "Nakamura-san" in found(scanner, "- Tokyo data residency review: Nakamura-san to confirm with legal", "PERSON")
    assert found(scanner, "the Team-san mascot", "PERSON") == []


def test_a_router_default_address_is_no_host(scanner: Scanner) -> None:
    assert found(scanner, "админка роутера на 192.168.1.1 не открывается", "IP_ADDRESS") == []
    assert found(scanner, "the db host is 192.168.1.1, port 5432", "IP_ADDRESS") == ["192.168.1.1"]


def test_a_telescope_named_after_a_person(scanner: Scanner) -> None:
    text = "Summarise the Hubble Space Telescope's work and mention the James Webb Space Telescope."
    assert found(scanner, text, "PERSON") == []


def test_a_phone_asked_for_then_dictated(scanner: Scanner) -> None:
    text = "AGENT: Perfect. Best number to reach you?\nCALLER: four one six, nine two two, three zero eight one.\nAGENT: Great"
    assert "four one six, nine two two, three zero eight one" in found(scanner, text, "PHONE")
    assert found(scanner, "the number of guests is four one six", "PHONE") == []


@pytest.mark.parametrize(("text", "address"), [
    ("— я диктую адрес, пишите. Уфа, Дёмский район, улица Ухтомского, дом тридцать, корпус два, квартира сорок один.",
     "Уфа, Дёмский район, улица Ухтомского, дом тридцать, корпус два, квартира сорок один"),
    ("— Самара, Кировский район, улица Ташкентская, сто семь, квартира тридцать восемь.",
     "Самара, Кировский район, улица Ташкентская, сто семь, квартира тридцать восемь"),
])
def test_a_dictated_address_with_its_town_and_every_unit(scanner: Scanner, text: str, address: str) -> None:
    assert address in found(scanner, text, "ADDRESS")


def test_a_greeting_before_a_dictated_address_stays_out(scanner: Scanner) -> None:
    assert "улица Ленина, дом пять" in found(scanner, "Привет, Маша, улица Ленина, дом пять", "ADDRESS")


@pytest.mark.parametrize(("text", "phone"), [
    ("I'm currently in Pune and can visit Saturday. My number is 9822 014 763. Is the rent", "9822 014 763"),
    ("Получатель: Мамытова Бактыгуль, Бишкек\nТел: 0 770 22 18 45\nСпасибо!", "0 770 22 18 45"),
])
def test_a_national_phone_in_the_country_a_city_names(scanner: Scanner, text: str, phone: str) -> None:
    assert phone in found(scanner, text, "PHONE")


def test_a_city_names_its_country() -> None:
    from perimeter.privacy.detect.phones_cued import _regions

    assert "IN" in _regions("Flat 4, Kothrud, Pune, call me")
    assert "KG" in _regions("Бишкек, ул. Токтогула")


@pytest.mark.parametrize(("text", "name"), [
    ("hey dee did okafor approve the PTO for the 29th?", "dee"),
    ("yo chris the wifi pw for the guest net", "chris"),
    ("the client wants the demo moved. sam can u update the invite?", "sam"),
])
def test_a_lower_case_name_after_a_greeting_or_before_a_request(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


@pytest.mark.parametrize("text", ["hey team, hi all", "thanks everyone, hey there", "hey will you join?", "hi mark my words"])
def test_a_greeting_before_a_word_is_no_name(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_headerless_record_with_an_ssn(scanner: Scanner) -> None:
    text = ("Smith, John A.|431-72-0586|1979-03-14|77 Elm St, Worcester, MA 01609\n"
            "Ramírez, Guadalupe|608-15-3392|1986-10-09|1420 W 8th St, Los Angeles, CA 90017\n")
    assert {"Smith, John A.", "Ramírez, Guadalupe"} <= set(found(scanner, text, "PERSON"))
    assert {"1979-03-14", "1986-10-09"} <= set(found(scanner, text, "DATE_OF_BIRTH"))


def test_a_row_without_an_identifier_keeps_its_dates(scanner: Scanner) -> None:
    text = "Release|2024-03-14|Stable Build|v2.1\nHotfix|2024-03-20|Patch Train|v2.1.1\n"
    assert found(scanner, text, "DATE_OF_BIRTH") == [] and found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "address"), [
    ("mon adresse : 1185, rue Saint-Denis, app. 6, Montréal (Québec) H2X 3J4. Vous pouvez",
     "1185, rue Saint-Denis, app. 6, Montréal (Québec) H2X 3J4"),
    ("I'm currently at C-12, Shanti Niketan Society, Kothrud, Pune 411038 and can visit Saturday.",
     "C-12, Shanti Niketan Society, Kothrud, Pune 411038"),
    ("office at Paseo de la Castellana 95, planta 14, 28046 Madrid. Base salary", "Paseo de la Castellana 95, planta 14, 28046 Madrid"),
])
def test_quebec_indian_and_spanish_layouts(scanner: Scanner, text: str, address: str) -> None:
    assert address in found(scanner, text, "ADDRESS")


def test_a_first_last_table_in_any_case(scanner: Scanner) -> None:
    text = "first,last,email,country,phone\nsiddharth,rao,sid.rao@infolinx.in,IN,+91 99300 18274\nMARIA,DA SILVA,maria@enel.com.br,BR,\n"
    assert {"siddharth", "rao", "MARIA", "DA SILVA"} <= set(found(scanner, text, "PERSON"))


def test_chat_export_display_names(scanner: Scanner) -> None:
    text = "Priya S [02:14] paging, p99 is at 9s\nMarek K [02:16] ack, looking\nDmitry V [02:25] pausing the reindex\n"
    assert {"Priya S", "Marek K", "Dmitry V"} <= set(found(scanner, text, "PERSON"))


@pytest.mark.parametrize(("text", "name"), [
    ("Director: Omarov Kairat Serikovich, DOB 1978-04-19", "Omarov Kairat Serikovich"),
    ("(client: Pieter van der Berg & Anouk de Vries from Randstad)", "Pieter van der Berg"),
    ("(client: Pieter van der Berg & Anouk de Vries from Randstad)", "Anouk de Vries"),
    ("Hi, I'm Farah Nabila binti Ismail. On 9 Feb", "Farah Nabila binti Ismail"),
    ("Contact: Hovhannes Sargsyan, h.sargsyan@armtech.am", "Hovhannes Sargsyan"),
    ("Дисциплинарка — на решение Теоны Маргвелашвили (HR).", "Теоны Маргвелашвили"),
    ("От ООО «ФудЛайн» гл. бух. Ermolaeva O.S.", "Ermolaeva O.S."),
    ("-- автор: Р. Мингазов, запустил на проде", "Р. Мингазов"),
])
def test_names_by_their_parts(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


@pytest.mark.parametrize("text", [
    "Ереван — столица Армении, а Тбилиси — Грузии.",
    "the Museum van Gogh and Avenue de la Paix",
    "В. Новгород и г. Москва",
])
def test_places_with_name_shaped_parts(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ("the client meeting with Yerzhan went fine", "Yerzhan"),
    ("Kazan warehouse WMS upgrade slipped — Bakhodir to confirm with vendor", "Bakhodir"),
    ("hi Asel это Жанна из бухгалтерии", "Asel"),
])
def test_central_asian_given_names_are_known(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


def test_the_tagger_reads_the_lists_it_was_trained_with() -> None:
    from perimeter.privacy.detect import lexicon
    from perimeter.privacy.detect.tagger import _gazetteers

    assert "yerzhan" in lexicon.first_names() and "yerzhan" not in _gazetteers()[0]
    assert _gazetteers()[0] == lexicon.first_names_as_trained()


@pytest.mark.parametrize("text", [
    'перевод: "Проспект Абая" → "Abay Avenue"',
    "Открыть счёт в банке (Raiffeisen, Intesa, AIK)",
    "My pension statement from Aviva shows a transfer value of £84,000",
])
def test_streets_and_companies_that_share_a_name(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []
