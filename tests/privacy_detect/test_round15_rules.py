"""Round 15 of issue 11 (docs/privacy-detection.md, "Round 15"): the pieces that open and close
an address in every layout, grown onto whatever rule found the street — each with the
neighbours that must stay outside (a phone after the postcode, a birth date after the country,
the name of the person who signs after it)."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect.names_initials import find_initialled_surnames

# ``scanner``: the session's warmed-up Scanner (conftest.py)


def found(scanner: Scanner, text: str, kind: str) -> list[str]:
    return [e.text for e in scanner.scan(text) if e.type == kind]


@pytest.mark.parametrize(("text", "address"), [
    # neighbourhood, town, state code and postcode after a Brazilian house number
    ("Venue: Hotel Unique, Av. Brigadeiro Luís Antônio, 4700 – Jardim Paulista, São Paulo – SP, 01402-002.",
     "Av. Brigadeiro Luís Antônio, 4700 – Jardim Paulista, São Paulo – SP, 01402-002"),
    # floor and side, postcode and town in Lisbon
    ("residente em Rua da Prata 148, 3.º Esq., 1100-420 Lisboa. Arrendatária: Chloé Lefebvre",
     "Rua da Prata 148, 3.º Esq., 1100-420 Lisboa"),
    # an Italian province code and the country in its own language
    ("Ferretti Meccanica S.p.A.\nVia Emilia Ovest 1120, 41123 Modena (MO), Italia\nT +39 059 827 4411",
     "Via Emilia Ovest 1120, 41123 Modena (MO), Italia"),
    # a flat, the district, the city, a split postcode and a country code
    ("Ship to Rua das Laranjeiras 315, apto 702, Laranjeiras, Rio de Janeiro, 22240-003, BR",
     "Rua das Laranjeiras 315, apto 702, Laranjeiras, Rio de Janeiro, 22240-003, BR"),
    # Singapore: a unit after '#', the postcode in S(…)
    ("Siti binte Ismail — Blk 417 Jurong West St 42, #11-238, S(640417)", "Blk 417 Jurong West St 42, #11-238, S(640417)"),
    # units before the address in the Gulf layout
    ("Falcon Ventures FZ-LLC | Office 1204, Building 3, Dubai Internet City, PO Box 502188, Dubai, UAE",
     "Office 1204, Building 3, Dubai Internet City, PO Box 502188, Dubai, UAE"),
    # a Russian garden plot with its district and region after it
    ("кинь адрес: СНТ «Берёзка», участок 114, Раменский г.о., Московская обл.",
     "СНТ «Берёзка», участок 114, Раменский г.о., Московская обл."),
])
def test_the_pieces_around_an_address_are_part_of_it(scanner: Scanner, text: str, address: str) -> None:
    assert any(address in a for a in found(scanner, text, "ADDRESS"))


@pytest.mark.parametrize(("text", "kind", "value"), [
    # a phone right after the postcode stays a phone
    ("Amina Bello — House 7, Road 12, Gwarinpa Estate, Abuja 900108 — 0806 221 9043", "PHONE", "0806 221 9043"),
    ("name,street,city,zip,country,phone\nKatrin Schneider,Lindenstraße 8,Köln,50674,DE,0176 34119852", "PHONE",
     "0176 34119852"),
    # a birth date after the country stays a birth date
    ("Guillaume Lefèvre, 62 Rue Oberkampf, 75011 Paris, France, DOB 1983-07-22, mobile +33 6 47 12 90 38",
     "DATE_OF_BIRTH", "1983-07-22"),
])
def test_a_value_after_an_address_keeps_its_own_type(scanner: Scanner, text: str, kind: str, value: str) -> None:
    assert value in found(scanner, text, kind)


def test_the_signature_after_an_address_is_not_swallowed(scanner: Scanner) -> None:
    text = "Aleja Grunwaldzka 211 lok. 4, 80-266 Gdańsk — Zofia Łuczak"
    assert not any("Zofia" in a for a in found(scanner, text, "ADDRESS"))
    assert "Zofia Łuczak" in found(scanner, text, "PERSON")


@pytest.mark.parametrize(("text", "kind", "value"), [
    # an SMS gateway's log names a phone; the international form with its "+" dropped
    ("2024-06-11 09:14:05 INFO  NotifyService - sms sent to 79031187245", "PHONE", "79031187245"),
    ("смс на 9031187245 не доходит", "PHONE", "9031187245"),
    # a US taxpayer id in the SSN layout
    ("Preferred name: Mari | Tax ID (US): 205-15-6056 | Address: on file", "US_SSN", "205-15-6056"),
    # a passport number written in two groups of three, after its series
    ("Паспорт: серия 80 15 номер 462 019 | Место назначения", "RU_PASSPORT", "462 019"),
    ("паспорт 80 15 462 019, выдан", "RU_PASSPORT", "80 15 462 019"),
    # a password with an "@" in a connection string: the host starts after the last one
    ('MongoClient("mongodb://reporting:Tq4!zR8wVm2@Lk@10.60.2.11:27017/?replicaSet=rs0")', "SECRET", "Tq4!zR8wVm2@Lk"),
    # a birth date asked for, answered in the next turn behind a timestamp and a speaker label
    ("[00:00:12] Agent: Sure, can I get your date of birth for verification?\n[00:00:15] Caller: June 9th, 1978.",
     "DATE_OF_BIRTH", "June 9th, 1978"),
])
def test_values_in_the_shapes_round_15_reads(scanner: Scanner, text: str, kind: str, value: str) -> None:
    assert value in found(scanner, text, kind)


@pytest.mark.parametrize(("text", "kind"), [
    ("SMS code 482913 sent, valid 5 minutes", "PHONE"),
    ("заказ 80 15 462 019 собран", "RU_PASSPORT"),
    ("order 205-15-6056 shipped", "US_SSN"),
])
def test_their_look_alikes_stay_text(scanner: Scanner, text: str, kind: str) -> None:
    assert found(scanner, text, kind) == []


def test_an_at_sign_in_the_path_does_not_stretch_the_password(scanner: Scanner) -> None:
    assert found(scanner, "see https://user:pw12@host.com/a?b=c@d.com", "SECRET") == ["pw12"]


@pytest.mark.parametrize(("text", "name"), [
    ("Hi support, my colleague rich says the export broke after the update.", "rich"),
    ("lol raj just pushed to main without review again", "raj"),
    ("ok so mitch from finance says the Q3 accruals are off", "mitch"),
    ("Kemi from our Lagos team can walk you through it", "Kemi"),
    ("can u write a nice msg to deb asking her to look at it by thurs", "deb"),
    ("actually can you help me write a message to sarah asking for the APAC deck", "sarah"),
    ("hey aoife can you send me conor's new number? the one i have bounces", "conor"),
    ("bill said the laptops for the two new hires arrive monday", "bill"),
])
def test_a_lower_case_name_by_what_the_sentence_has_it_do(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


@pytest.mark.parametrize("text", [
    "Our status page says degraded performance for EU-West",
    "the bill says 40 dollars, is that right?",
    "my will says nothing about the house",
    "send a reminder to everyone about the offsite",
    "hope from the start that it works",
])
def test_things_in_those_slots_stay_words(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    # a salutation vouches for a name the dictionary reads as something else
    ("Уважаемый Хамад, благодарим за интерес к нашей платформе", "Хамад"),
    # a relation before a name in an oblique case
    ("BY46ALFA30122503940452887921 это счёт моего брата Змитера в Альфе", "Змитера"),
    # a vocative before a greeting, and the same name mentioned elsewhere
    ("Перепиши письмо, это для Рави из индийского офиса:\n\nРави, добрый день!", "Рави"),
    ("Да, Лиана, привет. Слушай, записывай карту", "Лиана"),
    # a patronymic nickname in any case
    ("Игорёк: щас михалычу позвоню", "михалычу"),
    # a surname its own e-mail address spells, through transliteration and a case ending
    ("- отправить КП Кацману на b.katsman@stroymaster-spb.ru", "Кацману"),
    ("Regards, Tomasz — tomasz.wojcik@firma.pl; cc Wojcik on the reply", "Wojcik"),
    # a sign-off name before a closing quote
    ('Name on card GRAHAM PRENTICE. Cheers, Graham"', "Graham"),
])
def test_a_name_by_how_it_is_addressed_or_spelt(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


@pytest.mark.parametrize("text", [
    "Уважаемый Клиент! Ваш заказ передан в доставку",
    "Коллеги, добрый день! Напоминаю про отчёт",
    "npm WARN deprecated glob@7.2.3: Glob versions prior to v9 are no longer supported",
    "From: Talent Acquisition <talent@meridianhealth.org>",
    "Write to support@acme.com, Support will answer within a day",
])
def test_addressees_mailboxes_and_packages_are_no_names(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_full_name_label_makes_the_other_labels_speakers(scanner: Scanner) -> None:
    text = ("Hiring panel feedback:\n\nLiam: strong on system design, a bit weak on testing.\n"
            "Chen Jing: great communicator, solid Go experience.\nAma: I'd hire. Asked smart questions.")
    assert {"Liam", "Chen Jing", "Ama"} <= set(found(scanner, text, "PERSON"))


def test_a_ticket_field_is_no_speaker(scanner: Scanner) -> None:
    text = "Summary: orphaned API tokens\nReporter: Jakub Nowicki\nAssignee: Wen-Hsuan Lin\nComments: none"
    assert "Assignee" not in found(scanner, text, "PERSON")


@pytest.mark.parametrize(("text", "name"), [
    ("Yours faithfully,\nH. Yakubu  for Branch Manager", "H. Yakubu"),
    ("Bogdan (B. Petrescu, support L2) was late 6 times in April.", "B. Petrescu"),
    ("Next step: investigation interview with G. Pallister 22 March", "G. Pallister"),
    ("| King | T. J. Oduya | 12/10 | 12/12 | late arrival", "T. J. Oduya"),
])
def test_a_surname_after_initials(scanner: Scanner, text: str, name: str) -> None:
    assert name in found(scanner, text, "PERSON")


@pytest.mark.parametrize("text", [
    "A. Introduction. B. Scope of the audit",
    "We land at John F. Kennedy Airport on Friday at 7:15 am",
    "a short walk from the roundabout on Jalan M.H. Thamrin.",
    "soy Lucía de Iberia Medical S.L. Necesitamos cotización para 5.000 mascarillas",
])
def test_initials_before_a_word_that_is_no_surname_here(text: str) -> None:
    # the rule itself (other rules read "Jalan M.H. Thamrin" already; that is theirs to answer for)
    assert find_initialled_surnames(text) == []


@pytest.mark.parametrize(("text", "address"), [
    ("ехала сегодня в 18:40 от Молодёжной, 12 до вокзала", "Молодёжной, 12"),
    ("2. пр. Победы, 141, офис 3\n3. Чистопольская, 20, кв. 211 — Федоров", "Чистопольская, 20, кв. 211"),
    ("ДТП около 18:40 на перекрёстке ул. Ленина и пр. Победы, г. Липецк. Второй участник", "ул. Ленина и пр. Победы, г. Липецк"),
    ("send the script to the pharmacy on Main Road, Rondebosch, Cape Town, my number is 082 441 9306",
     "Main Road, Rondebosch, Cape Town"),
    ("IVR: For security, please say your postcode.\nCaller: C F 1 0, 4 A X\nIVR: I'm sorry", "C F 1 0, 4 A X"),
    ("— Jens Mikkelsen, Nørrebrogade 118, 3. tv, 2200 København N", "Nørrebrogade 118, 3. tv, 2200 København N"),
    ("resident of H.No. 14/221, Gomti Nagar, Lucknow, Uttar Pradesh – 226010, do hereby appoint",
     "H.No. 14/221, Gomti Nagar, Lucknow, Uttar Pradesh – 226010"),
    ("Скинь адрес загрузки: Новосибирск, Толмачёвское шоссе, 51/3, склад 7, ворота 12-14",
     "Новосибирск, Толмачёвское шоссе, 51/3, склад 7, ворота 12-14"),
])
def test_addresses_without_a_street_word_or_a_number(scanner: Scanner, text: str, address: str) -> None:
    assert any(address in a for a in found(scanner, text, "ADDRESS"))


@pytest.mark.parametrize("text", [
    "встретимся на Красной, 5 минут пешком от метро",
    "с Первой, 2 раза звонил, никто не ответил",
    "канал 1 Гбит/с в офисе на Лесной, 5 будет подключён до 20 июня",
    "I walked down Main Road, then took the bus",
])
def test_numbers_and_premises_after_a_street_name_stay_text(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "ADDRESS") == []


@pytest.mark.parametrize(("text", "kind", "value"), [
    # a 20-digit account followed by a date: the value cannot grow past 20 digits
    ("С моего счёта 40702810516567562203 28.05.2024 без моего согласия списано", "RU_BANK_ACCOUNT",
     "40702810516567562203"),
    # an encryption key by its variable's name; a secret in a Kubernetes env list
    ("ENCRYPTION_KEY=RohLfybGdYzAA9AnJYwLeoqPnxUVNmOO", "SECRET", "RohLfybGdYzAA9AnJYwLeoqPnxUVNmOO"),
    ('env:\n  - name: DB_PASSWORD\n    value: "cL@1ms-Pr0d-2024!"\n  - name: LOG_LEVEL\n    value: info',
     "SECRET", "cL@1ms-Pr0d-2024!"),
    # an age, then the date it counts from in brackets
    ("Герман Вольф, 12 лет (21.10.2011). Я — мама", "DATE_OF_BIRTH", "21.10.2011"),
    ("Liam, aged 34 (12 March 1990), applied for the role", "DATE_OF_BIRTH", "12 March 1990"),
    # a name spelt letter by letter after it is said, or after the e-mail that holds it
    ("CALLER: It's Nwachukwu. N-W-A-C-H-U-K-W-U. | BOT: Thank you.", "PERSON", "N-W-A-C-H-U-K-W-U"),
    ("CALLER: it's liam dot obrien at bigpond dot com, that's O-B-R-I-E-N. | BOT: Thank you", "PERSON", "O-B-R-I-E-N"),
    # postcodes said piece by piece after the question; a house number said in words
    ("BOT: And your postcode?\nCALLER: M-fourteen, five-R-T.", "ADDRESS", "M-fourteen, five-R-T"),
    ("BOT: And your postal code.\nCALLER: H two X, one Y four.\nBOT: Thanks", "ADDRESS", "H two X, one Y four"),
    ("BOT: Please say your zip code.\nCALLER: six oh six one four\nBOT: Sorry", "ADDRESS", "six oh six one four"),
    ("BOT: First line of address?\nCALLER: Forty-two Bute Street, Cardiff.", "ADDRESS", "Forty-two Bute Street"),
])
def test_values_blind16_showed(scanner: Scanner, text: str, kind: str, value: str) -> None:
    assert any(value in v for v in found(scanner, text, kind))


@pytest.mark.parametrize(("text", "kind"), [
    ("  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db", "SECRET"),
    ("стаж 5 лет (с 01.02.2019), переведён в отдел продаж", "DATE_OF_BIRTH"),
    ("the code is A-B-C-D, enter it on the terminal", "PERSON"),
    ("the one Main Street bank in town", "ADDRESS"),
    ("We met on Oxford Street, London last week", "ADDRESS"),
])
def test_their_look_alikes_stay_text_too(scanner: Scanner, text: str, kind: str) -> None:
    assert found(scanner, text, kind) == []


@pytest.mark.parametrize("text", [
    "The patient was transferred to St Vincent's Hospital Darlinghurst for the PCI",
    "Upbeat post about our new Crohn's & Colitis clinic at St George's.",
    "The Martin Luther King Jr. Community Health Center on Martin Luther King Jr Blvd will extend hours",
    'Explain "Bill of Lading" vs "Airway Bill" in trade finance',
    "Merchant says cancellation requires 30 days notice",
    'expect(formatAUD(1234.5)).toBe("$1,234.50")',
    "Құрметті сатып алушылар! Назарбаев даңғылындағы «Magnum» дүкені жабық",
])
def test_saints_institutions_phrases_roles_and_code_are_no_people(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(("text", "name"), [
    ("We act for Mr Flood of 22 Griffith Avenue, Drumcondra", "Flood"),
    ("Hola Diego, te paso lo del cliente.", "Diego"),
    # the last letter of "SOW." or "HENNGE." is no initial: the name after it stays a name
    ('"Bill — still waiting on the signed SOW. Will said legal cleared it Tuesday.', "Will"),
    ("Blocker = SSO via HENNGE. Aoki from their IT is POC.", "Aoki"),
    # a patronymic closes a name whatever the lists say about the words before it
    ("олька: ок, тогда я вере михайловне так и передам", "вере михайловне"),
])
def test_people_beside_those_things_stay_people(scanner: Scanner, text: str, name: str) -> None:
    assert any(name in p for p in found(scanner, text, "PERSON"))


@pytest.mark.parametrize("text", [
    "Настоящий документ является публичной офертой сервиса доставки",
    "Минздрав расширит программу высокотехнологичной помощи в регионах",
    "Метро «Бауманская», «Площадь Ильича», «Шаболовская» — перечисли",
])
def test_adjectives_and_places_ending_like_patronymics_are_no_names(text: str) -> None:
    from perimeter.privacy.detect.names_ru_patronymic import find_patronymic_names

    assert find_patronymic_names(text) == []


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("Pt Jedda Yunupingu, DOB 23/09/2016, wt 24kg", "PERSON", "Jedda Yunupingu"),
    ('pls confirm by phone 6225 8810 before we pay anything. Farhana"', "PERSON", "Farhana"),
    ('"To whom it may concern. Hope Taufa worked for our family from 2019 to 2024.', "PERSON", "Hope Taufa"),
    ("Patient Wang Xiaoling (王晓玲), 41F, admitted 09/10/2024", "PERSON", "王晓玲"),
    ("The leaked secret was wJ3rXq9VtB7nLm2Kp5ZyD8hF4cG1sA6eR0uT (AWS secret access key)", "SECRET",
     "wJ3rXq9VtB7nLm2Kp5ZyD8hF4cG1sA6eR0uT"),
    ("ref TRF-ID-2291044. nomor HP saya 0812-3417-6620.", "PHONE", "0812-3417-6620"),
])
def test_values_blind17_showed(scanner: Scanner, text: str, kind: str, value: str) -> None:
    assert value in found(scanner, text, kind)


@pytest.mark.parametrize(("text", "kind"), [
    ("Pt 2 of the report is attached", "PERSON"),
    ("the secret was that we all knew", "SECRET"),
    ("Microsoft Teams worked fine after the update", "PERSON"),
])
def test_what_blind17s_rules_leave_alone(scanner: Scanner, text: str, kind: str) -> None:
    assert found(scanner, text, kind) == []


@pytest.mark.parametrize(("text", "address"), [
    ("после перехода на оптику в ЖК «Александровский», корп. 4, кв. 187 нет интернета", "ЖК «Александровский», корп. 4, кв. 187"),
    ("Здравствуйте, я Гулиева Севда из дома 14 по ул. Олимпийской. Ваша машина", "дома 14 по ул. Олимпийской"),
    ("My address for the letter is 21 Jalan Bukit Merah, #14-203, Singapore 150021. Contact me",
     "21 Jalan Bukit Merah, #14-203, Singapore 150021"),
])
def test_complexes_inverted_houses_and_malay_streets(scanner: Scanner, text: str, address: str) -> None:
    assert any(address in a for a in found(scanner, text, "ADDRESS"))


@pytest.mark.parametrize(("text", "kind"), [
    ("Объект: ЖК «Тёплый стан», секция 2 — бетон в четверг", "ADDRESS"),
    ("Совещание по объекту «Школа, мкр. Юбилейный» от 02.10.2024.", "DATE_OF_BIRTH"),
    ("SENTRY_DSN=\nSESSION_SECRET=replace-me", "SECRET"),
    ("Column C — brand (Mars, Snickers, Bounty), column D — units sold", "PERSON"),
])
def test_building_sites_districts_placeholders_and_brands_stay_text(scanner: Scanner, text: str, kind: str) -> None:
    assert found(scanner, text, kind) == []


@pytest.mark.parametrize(("text", "name"), [
    ("- Jae-won still blocked on the Adyen webhook signing", "Jae-won"),
    ("Present: J. Morrison (chair), A. Bakshi, T. Okafor, Hyun-woo Park, Sinéad Gallagher", "Hyun-woo Park"),
    ("Sender si Rodel Manalastas, from Dubai, ref no. RMT-77120-PH.", "Rodel Manalastas"),
    ("incident channel:\nravi 02:12 OOMKilled, limit 512Mi\nsoo-jin 02:20 new SDK loads the doc\nravi 02:31 bumped to 2Gi",
     "ravi"),
])
def test_names_by_their_own_grammar(scanner: Scanner, text: str, name: str) -> None:
    assert any(name in p for p in found(scanner, text, "PERSON"))


@pytest.mark.parametrize("text", [
    "it was so-so, and then the ha-ha moment came",
    "a one-off pay-go deal, re-do the so-called check-in",
    "deploy 02:12 started\nbuild 02:20 finished\ntests 02:31 green",
])
def test_hyphenated_words_and_timed_log_lines_are_no_names(scanner: Scanner, text: str) -> None:
    assert found(scanner, text, "PERSON") == []


def test_a_name_with_a_capital_inside_after_a_cue(scanner: Scanner) -> None:
    assert "DeShawn" in found(scanner, "CALLER: DeShawn Marcus Brooks | BOT: Thanks DeShawn. And your date of birth?", "PERSON")
    assert found(scanner, "Legal services are provided through our EAP partner MetLife Legal Plans.", "PERSON") == []
