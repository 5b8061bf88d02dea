"""Round 17 of issue 11 (docs/privacy-detection.md, "Round 17"): records and tables (a table's
first cells, a birth date after a record's fields, SURNAME/GIVEN travel names, a recipient's
line), sign-offs and pairs (thanks in many languages, "aisha or omar", "Sizwe + me", TODO(name)),
Russian chat echoes, spoken and scanned birth dates, the floors, units and street words that open
or close an address in many layouts, phones by their neighbours, and the filter bugs that hid
names ("display" holding "play", "вернул." holding "ул.") — each with the neighbours that must
stay what they are."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner

from .conftest import covered_as as covered
from .conftest import found_of as found

# ``scanner``: the session's warmed-up Scanner (conftest.py)


def test_a_count_at_a_line_end_is_not_the_start_of_the_next_lines_number(scanner: Scanner) -> None:
    text = "Доставка:\n672038 Чита ул Бабушкина 41б стр 2 офис 17\n83022 35-61-08 (рабочий)"
    assert found(scanner, text, "RU_OGRN") == []
    assert covered(scanner, text, "83022 35-61-08", "PHONE")
    assert covered(scanner, text, "ул Бабушкина 41б стр 2 офис 17", "ADDRESS")


@pytest.mark.parametrize(("text", "name"), [
    ("Курьеру:\nДоржиева Сэсэгма\n670031 Улан-Удэ, ул. Терешковой, 12", "Доржиева Сэсэгма"),
    ("Получатель посылки\nНамжилова Баирма\nтел. уточнить", "Намжилова Баирма"),
])
def test_a_surname_and_an_unknown_name_alone_on_a_line(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name, "PERSON")


@pytest.mark.parametrize("text", [
    "Смоленская Область\nДоставка до двери",
    "Срочная Доставка\nпо всей России",
    "Итоговая Сумма\n1 200 руб.",
])
def test_lines_of_ordinary_words_stay(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_mobile_in_dashes_is_one_phone(scanner: Scanner) -> None:
    text = "Контактный телефон 905-417-62-38"
    assert found(scanner, text, "PHONE") == ["905-417-62-38"]


def test_a_german_area_code_with_a_slash(scanner: Scanner) -> None:
    text = "Hausverwaltung in München, Tel. 089 / 4471 93-20, Mo–Fr"
    assert found(scanner, text, "PHONE") == ["089 / 4471 93-20"]
    assert found(scanner, "Rechnung 01/2024 vom 03/05/2024", "PHONE") == []


def test_a_name_is_never_cut_inside_a_word(scanner: Scanner) -> None:
    text = "Bitte übersetzen:\n\nSehr geehrte Frau Trương,\nhiermit bestätigen wir die Kündigung Ihres Vertrags."
    assert covered(scanner, text, "Trương", "PERSON")


@pytest.mark.parametrize(("text", "address"), [
    ("die Wohnung Lindwurmstr. 88, 2. OG rechts, 80337 München zum 31.05.", "Lindwurmstr. 88, 2. OG rechts, 80337 München"),
    ("shipper Wong Ka Ho, Room 2203, 22/F, Tower 1, Times Square, 1 Matheson Street, Causeway Bay, Hong Kong",
     "Room 2203, 22/F, Tower 1, Times Square, 1 Matheson Street, Causeway Bay"),
    ("Nueva dirección: C/ de Velázquez 54, 2º dcha., 28001 Madrid. Gracias", "C/ de Velázquez 54, 2º dcha., 28001 Madrid"),
    ("residente na Rua das Flores, 221, ap. 305, Boa Vista, Recife - PE, 50050-120, solicitou",
     "Rua das Flores, 221, ap. 305, Boa Vista, Recife - PE, 50050-120"),
])
def test_floors_and_street_words_that_open_or_close_an_address(scanner: Scanner, text: str, address: str) -> None:
    assert covered(scanner, text, address, "ADDRESS")


@pytest.mark.parametrize(("text", "name"), [
    ("I will escalate this to the ombudsman.\n\nYours faithfully,\nBronwen Llewellyn-Pryce", "Bronwen Llewellyn-Pryce"),
    ('Mi móvil ya lo tienen. Gracias, Maite"', "Maite"),
    ("Die nuwe adres volg. Groete, Marietjie", "Marietjie"),
    ("Met vriendelijke groeten,\nFemke Jansma", "Femke Jansma"),
])
def test_thanks_and_regards_sign_the_letter(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name, "PERSON")


@pytest.mark.parametrize("text", ["Gracias, Barcelona es preciosa", "Yours faithfully,\nThe Accounts Team"])
def test_thanks_before_a_place_or_a_team_stay(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_street_read_as_a_name_is_the_address_it_opens(scanner: Scanner) -> None:
    text = "residente na Rua dos Girassóis, 87, ap. 12, Casa Amarela, Recife - PE, 52070-010, solicitou"
    assert covered(scanner, text, "Rua dos Girassóis, 87, ap. 12, Casa Amarela, Recife - PE, 52070-010", "ADDRESS")
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize("text", [
    "Fomos às compras na Rua Oscar Freire, adorei as lojas.",
    "Встреча у метро, выход на Бульвар Дмитрия Донского.",
])
def test_a_streets_name_without_a_house_is_no_person(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize("text", [
    "Ordered the cables on AliExpress, they arrive Friday.",
    "Register the bot with NickServ before joining the channel.",
])
def test_a_name_glued_into_a_camelcase_word_is_no_name(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_name_prefix_glued_to_a_capital_stays_a_name(scanner: Scanner) -> None:
    assert covered(scanner, "Hi DeShawn, the invoice is attached.", "DeShawn", "PERSON")


@pytest.mark.parametrize(("text", "name"), [
    ("Meeting with Sofia Corso and Tom", "Sofia Corso"),
    ("Ticket assigned to Carlos Carrera yesterday.", "Carlos Carrera"),
])
def test_a_street_word_as_a_surname_stays_a_name(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name, "PERSON")


@pytest.mark.parametrize(("text", "value"), [
    ("card for my teammate, he turns 25 next week (born 21 april 01 haha)", "21 april 01"),
    ("My husband was born on the 9th of October '79 in Leeds.", "the 9th of October '79"),
    ("born Oct 9th, '79 according to the form", "Oct 9th, '79"),
    ("Patient intake (OCR):\nD.O.B.: 1O/O2/1958   (mm/dd/yyyy)", "1O/O2/1958"),
    ("Scanned form, date of birth: 2O/11/198O", "2O/11/198O"),
])
def test_birth_dates_with_a_short_year_or_an_ocr_zero(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value, "DATE_OF_BIRTH")


def test_a_timestamp_after_the_birth_question_is_the_logs_not_the_answer(scanner: Scanner) -> None:
    text = ("agent_mira: and your date of birth please?\n[2026-03-04 11:02:17] customer: 27/08/1983\n"
            "[2026-03-04 11:02:40] agent_mira: thanks")
    assert found(scanner, text, "DATE_OF_BIRTH") == ["27/08/1983"]


@pytest.mark.parametrize("text", [
    "The product was born on 3 March 2024 and shipped to 96 stores.",  # a launch, not a person's birth
    "born in the 96 stores of the chain on 13 March",
])
def test_a_short_year_needs_its_month_and_day(scanner: Scanner, text: str) -> None:
    assert not any(e.text.endswith("96") for e in scanner.scan(text) if e.type == "DATE_OF_BIRTH")


def test_a_verb_ending_in_ul_before_a_sentence_is_no_street(scanner: Scanner) -> None:
    # "вернул. " ends in the letters of "ул.", the street abbreviation, but is a verb
    text = "Долг так и не вернул. Оганесян обещал отдать до конца месяца."
    assert covered(scanner, text, "Оганесян", "PERSON")


@pytest.mark.parametrize(("text", "name"), [
    ("It runs at 03:00 UTC now. Yusuf set it up and he's on leave.", "Yusuf"),
    ("Chrome only. Tariq reproduced it from the office network.", "Tariq"),
])
def test_a_name_opening_a_sentence_before_an_engineers_verb(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name, "PERSON")


def test_a_modal_before_set_up_stays_a_word(scanner: Scanner) -> None:
    assert found(scanner, "Will set up the server tomorrow morning.", "PERSON") == []


@pytest.mark.parametrize(("text", "address"), [
    ("Новый адрес склада: Московская область, Раменский район, логистический парк «Софьино», строение 2. Приёмка с 9:00",
     "Московская область, Раменский район, логистический парк «Софьино», строение 2"),
    ("105064, Москва, ул. Земляной Вал, д. 9, БЦ «Курский», эт. 5", "105064, Москва, ул. Земляной Вал, д. 9, БЦ «Курский», эт. 5"),
    ("Адрес регистрации\nРД, г. Махачкала, ул. Ярагского, д. 71, кв. 18", "РД, г. Махачкала, ул. Ярагского, д. 71, кв. 18"),
    ("Доставка: Карачаево-Черкесская Респ., г. Черкесск, ул. Первомайская, 40", "Карачаево-Черкесская Респ., г. Черкесск, ул. Первомайская, 40"),
])
def test_russian_regions_sites_and_towers(scanner: Scanner, text: str, address: str) -> None:
    assert covered(scanner, text, address, "ADDRESS")


@pytest.mark.parametrize("text", [
    "Акция в ТЦ «Мега» продлится до пятницы.",
    "Московская область, Раменский район — прогноз погоды на неделю",
])
def test_a_mall_or_a_region_alone_is_no_address(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


def test_a_ghanaian_po_box_with_its_office_letters(scanner: Scanner) -> None:
    text = "Wire details: Adinkra Foods Ltd, P.O. Box KA 9152, Airport Residential, Accra. Swift GHCBGHAC"
    assert covered(scanner, text, "P.O. Box KA 9152, Airport Residential, Accra", "ADDRESS")
    assert found(scanner, text, "PERSON") == []


def test_a_typed_double_at_is_still_the_address(scanner: Scanner) -> None:
    text = 'WARN SignupValidator rejected payload: email="thandi.mokoena@@outlook.com" reason="email: invalid"'
    assert covered(scanner, text, "thandi.mokoena@@outlook.com", "EMAIL")
    assert found(scanner, "ping @@channel when the deploy is done", "EMAIL") == []


def test_a_particle_opening_a_surname_belongs_to_it(scanner: Scanner) -> None:
    text = "Ferrari presented Q3. De Santis flagged the pending dispute with the supplier."
    assert covered(scanner, text, "De Santis", "PERSON")


def test_a_mobile_after_the_signatures_name(scanner: Scanner) -> None:
    text = "the charge was ₹2,199 and I did not approve it. please refund – Rohit Malhotra, 9871 406 228"
    assert covered(scanner, text, "9871 406 228", "PHONE")
    assert found(scanner, "Invoice from Acme Corp, 1234 567 890 is overdue", "PHONE") == []


def test_the_owner_of_a_code_comments_task(scanner: Scanner) -> None:
    assert covered(scanner, "const pool = new Pool(cfg);\n// TODO(lucia): move the password to vault", "lucia", "PERSON")
    assert found(scanner, "// TODO(perf): cache the parsed config", "PERSON") == []


def test_a_sample_name_with_a_patronymic_in_quotes_is_a_person(scanner: Scanner) -> None:
    text = 'В таблице колонка ФИО вида "Монгуш Чечек Орлановна", а нужно "Фамилия И.О."'
    assert covered(scanner, text, "Монгуш Чечек Орлановна", "PERSON")
    assert found(scanner, "Новая подстанция «Ильич» запущена в срок.", "PERSON") == []


def test_a_phone_with_a_korean_particle_glued_on(scanner: Scanner) -> None:
    text = "번역해 주세요: 연락처는 +82 10-5937-2216입니다."
    assert covered(scanner, text, "+82 10-5937-2216", "PHONE")


def test_the_first_cell_of_a_table_among_names_is_a_name(scanner: Scanner) -> None:
    text = ("График приёма:\n| Врач | Пн | Вт |\n| Саркисян А.Г. | 9–15 | — |\n| Пак Е.В. | — | 10–18 |\n"
            "| Гаврильева Н.С. | 14–20 | 14–20 |\n| Сивцев | 9–15 | 9–15 |")
    assert covered(scanner, text, "Сивцев", "PERSON")
    assert found(scanner, text, "PERSON").count("Врач") == 0  # the header row is no name


def test_a_table_of_cities_stays(scanner: Scanner) -> None:
    assert found(scanner, "| Город | План |\n|---|---|\n| Москва | 12 |\n| Казань | 7 |\n| Якутск | 3 |", "PERSON") == []


def test_a_mobile_after_a_bare_number_word_in_roman_urdu(scanner: Scanner) -> None:
    text = "Invoice theek ho gayi hai. Koi sawal ho to Asma se rabta karein, number 0321 5580174. Shukriya."
    assert covered(scanner, text, "0321 5580174", "PHONE")
    assert found(scanner, "CLAIM FORM\nMember no.: 7741 2208 19\nPlan: Gold", "PHONE") == []


@pytest.mark.parametrize(("text", "name"), [
    ("attendees: their CFO and COO, our side Lwazi + me", "Lwazi"),
    ("Tomorrow Kemi and I will call the bank.", "Kemi"),
])
def test_somebody_paired_with_the_writer(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name, "PERSON")


def test_a_team_paired_with_the_writer_stays(scanner: Scanner) -> None:
    assert found(scanner, "Support and I checked the logs twice.", "PERSON") == []


@pytest.mark.parametrize(("text", "address"), [
    ("Адрес для корреспонденции: а/я 318, г. Омск, 644099, на имя", "а/я 318, г. Омск, 644099"),
    ("Куда: Респ. Марий Эл (Йошкар-Ола), ул. Советская, д. 12, кв. 3", "ул. Советская, д. 12, кв. 3"),
    ("Куда: Респ. Саха (Якутия), г. Нерюнгри, ул. Ленина, д. 7, кв. 21", "Респ. Саха (Якутия), г. Нерюнгри, ул. Ленина, д. 7, кв. 21"),
    ("по адресу: 119019, г. Москва, вн. тер. г. муниципальный округ Арбат, Гоголевский б-р, д. 11, пом. 4",
     "119019, г. Москва, вн. тер. г. муниципальный округ Арбат, Гоголевский б-р, д. 11, пом. 4"),
    ("moro na Rua Almirante Reis 88, 3.º Dto., 1150-019 Lisboa. Telefone", "Rua Almirante Reis 88, 3.º Dto., 1150-019 Lisboa"),
])
def test_legal_and_postal_layouts_of_addresses(scanner: Scanner, text: str, address: str) -> None:
    assert covered(scanner, text, address, "ADDRESS")


def test_cjk_names_do_not_grow_into_the_next_word(scanner: Scanner) -> None:
    assert found(scanner, "田中様\nいつもお世話になっております。", "PERSON") == ["田中"]


def test_a_found_name_said_again_in_lower_case_in_another_case(scanner: Scanner) -> None:
    text = "ильдар, ты рустаму отдал ключи? он говорит не получал. рустам сейчас на работе"
    assert covered(scanner, text, "рустам", "PERSON")


def test_an_echo_is_no_ordinary_word(scanner: Scanner) -> None:
    text = "Роман Петров пишет роман, роман почти готов"
    assert found(scanner, text, "PERSON") == ["Роман Петров"]


def test_a_lower_case_name_before_a_greeting(scanner: Scanner) -> None:
    assert covered(scanner, "тимур привет, скинь отчёт до вечера", "тимур", "PERSON")
    assert found(scanner, "погода привет передаёт, опять дождь", "PERSON") == []


def test_a_lower_case_name_joined_to_a_found_one(scanner: Scanner) -> None:
    text = "zainab and farah are off next week, pls route their tickets to aisha or tariq"
    assert covered(scanner, text, "tariq", "PERSON")
    assert "support" not in found(scanner, "ask aisha or support about the refund", "PERSON")


@pytest.mark.parametrize(("text", "name"), [
    ("PNR X7KQ2L\n1. MENSAH/KWAME MR  2. DOS SANTOS/ANA PAULA MRS", "MENSAH/KWAME"),
    ("PNR X7KQ2L\n1. MENSAH/KWAME MR  2. DOS SANTOS/ANA PAULA MRS", "DOS SANTOS/ANA PAULA"),
])
def test_surname_slash_given_names_of_travel_documents(scanner: Scanner, text: str, name: str) -> None:
    assert covered(scanner, text, name, "PERSON")


@pytest.mark.parametrize("text", [
    "Switch the pipeline from TCP/IP checks to CI/CD gates; AC/DC adapters, USD/RUB rates, N/A.",
    "Example boarding pass: DOE/JANE MS, seat 12A",
])
def test_slashes_between_words_and_placeholders_stay(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ('WARN profile.update missing field for display_name="Chinedu Okafor"', "Chinedu Okafor"),
    ('Imported: "Van Der Berg, Pieter" → displayed as "Berg Pieter Van Der"', "Van Der Berg, Pieter"),
])
def test_a_name_in_quotes_after_a_word_that_only_contains_a_works_noun(scanner: Scanner, text: str, name: str) -> None:
    # "display" holds "play", "Наоми" holds "АО": a work's or a firm's noun counts only as a word of its own
    assert covered(scanner, text, name, "PERSON")


@pytest.mark.parametrize("text", [
    "Опиши сорта роз в питомнике: «Глория Дей», «Пьер де Ронсар», «Ред Наоми».",
    'Her favourite film is "Forrest Gump".',
])
def test_quoted_titles_of_works_and_cultivars_stay(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_word_ending_in_an_article_is_no_article(scanner: Scanner) -> None:
    # "layla" ends in "a", "plan" in "an": the article check before "reid says" reads whole words only
    assert covered(scanner, "- leo (kid, 7) mum layla reid says the card is in the post", "layla reid", "PERSON")


def test_a_firm_with_a_persons_name_stays_a_firm_whatever_rule_reads_it(scanner: Scanner) -> None:
    assert found(scanner, "In the call Morgan Stanley said the deal is on hold.", "PERSON") == []


def test_an_address_ends_where_a_phone_begins(scanner: Scanner) -> None:
    text = "Получатель: Гарипов Ринат, г. Бугульма, ул. Ленина, 31, оф. 2, 8 917 408 33 61\nГруз: 2 коробки"
    assert found(scanner, text, "PHONE") == ["8 917 408 33 61"]
    assert covered(scanner, text, "г. Бугульма, ул. Ленина, 31, оф. 2", "ADDRESS")


@pytest.mark.parametrize(("text", "address"), [
    ("facturar a Inversiones Andes SpA, dirección Av. Vitacura 2939, oficina 801, Las Condes, Santiago. Saludos",
     "Av. Vitacura 2939, oficina 801, Las Condes, Santiago"),
    ("Orbit Labs FZ-LLC\nOffice 305, Building 12, Dubai Internet City, PO Box 500811, Dubai, UAE\nM: +971 50 118 2290",
     "Office 305, Building 12, Dubai Internet City, PO Box 500811, Dubai, UAE"),
    ("the skip at 22 Kelvin Drive, Glasgow G20 has to go by Friday", "22 Kelvin Drive, Glasgow G20"),
])
def test_units_and_outward_codes_around_international_addresses(scanner: Scanner, text: str, address: str) -> None:
    assert covered(scanner, text, address, "ADDRESS")


@pytest.mark.parametrize(("text", "value"), [
    ("Оператор: ФИО и дату рождения?\nКлиент: Кравченко Олег Петрович, пятое марта восемьдесят второго года.",
     "пятое марта восемьдесят второго года"),
    ("BOT: Please say your date of birth.\nCALLER: the ninth of July nineteen seventy-four.", "the ninth of July nineteen seventy-four"),
    ("Дата рождения — четвёртое апреля 1991 года\nМоб. +7 701 455 82 19", "четвёртое апреля 1991 года"),
])
def test_spoken_birth_dates_with_their_own_words(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value, "DATE_OF_BIRTH")


def test_a_day_said_as_a_word_is_a_birth_date_only_after_its_cue(scanner: Scanner) -> None:
    assert found(scanner, "Встреча назначена на второе февраля 2027 года.", "DATE_OF_BIRTH") == []


@pytest.mark.parametrize(("text", "value"), [
    ("Смирнова Галина Петровна, СНИЛС 112-233-445 95, 21.03.1958. Не учтён стаж в совхозе", "21.03.1958"),
    ("Заявитель: Назаров Фарход Алиевич, гражданин Узбекистана, 1991-08-14, миграционная карта", "1991-08-14"),
    ("Заёмщик и созаёмщик. Даты рождения: 11.11.1971 и 02.06.1974 соответственно.", "02.06.1974"),
])
def test_birth_dates_after_a_records_fields_or_joined_to_another(scanner: Scanner, text: str, value: str) -> None:
    assert covered(scanner, text, value, "DATE_OF_BIRTH")


def test_an_orders_date_after_a_name_is_no_birth_date(scanner: Scanner) -> None:
    assert found(scanner, "Иванов Иван, заказ 5531, 14.02.2024, доставка курьером", "DATE_OF_BIRTH") == []


def test_the_town_after_the_house_in_its_own_case(scanner: Scanner) -> None:
    text = "добрый день, я Алиева Патимат, собственник кв. 12 по ул. Ленина 40 в Дербенте. течёт крыша"
    assert covered(scanner, text, "кв. 12 по ул. Ленина 40 в Дербенте", "ADDRESS")
    assert found(scanner, "Собрание: ул. Ленина 5 в понедельник", "ADDRESS") == ["ул. Ленина 5"]


def test_a_russian_mobile_with_its_plus_dropped(scanner: Scanner) -> None:
    assert found(scanner, "привести к +7XXXXXXXXXX:\n7-916-402-18-33\n", "PHONE") == ["7-916-402-18-33"]


def test_a_birth_date_after_a_records_sex_cell(scanner: Scanner) -> None:
    text = "EHR export:\nOkafor, Chidinma | F | 1971/03/18 | MRN 5521907"
    assert covered(scanner, text, "1971/03/18", "DATE_OF_BIRTH")


@pytest.mark.parametrize(("text", "phone"), [
    ("[10.03.25 19:05] Ильшат: а я за пиццу, кидайте мне на сбер по номеру 9274418026", "9274418026"),
    ("Прошу прислать электрика. Галиева Роза Ильдаровна, 43-17-82 (дом.), 8-950-601-22-38", "43-17-82"),
    ("Bruna Lima,Casa Verde,bruna@casaverde.com.br,(11) 3845-2209,BR\nMarek Nowak,Polbud,marek@polbud.pl,+48 601 237 845,PL",
     "(11) 3845-2209"),
])
def test_phones_by_a_transfer_word_a_kind_after_or_a_csv_cell(scanner: Scanner, text: str, phone: str) -> None:
    assert covered(scanner, text, phone, "PHONE")


@pytest.mark.parametrize("text", ["Укажите номер 1234567890 в форме", "номер договора 9270014582 от 01.02.2024"])
def test_a_number_word_before_no_mobile_stays(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PHONE") == []


@pytest.mark.parametrize(("text", "address"), [
    ("Landlord: Cian Byrne, The Mews, Orwell Road, Rathgar, Dublin 6, cian.byrne@gmail.com", "Dublin 6"),
    ('{"address1":"Apt 2, 41 Leeson Street","city":"Dublin 2","zip":"D02 X285"}', "Dublin 2"),
])
def test_dublins_postal_district_closing_a_homes_address(scanner: Scanner, text: str, address: str) -> None:
    assert covered(scanner, text, address, "ADDRESS")


def test_a_neighbourhood_and_its_district_in_a_listing_stay(scanner: Scanner) -> None:
    assert found(scanner, "3-bed semi in Drumcondra, Dublin 9, BER C1, asking €495,000", "ADDRESS") == []
