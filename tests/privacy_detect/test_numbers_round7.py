"""Round 7 (issue 11): dates of birth in more layouts, phones with odd separators, OCR-damaged
values and values dictated in words.

Checksummed values are computed here, not pasted; every class has its hard negatives (the same
shape without the cue, or with a failed check).
"""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect import literals, ocr_values, phones_loose, spoken_values
from perimeter.privacy.detect.checksums import card_valid, iban_valid, inn_valid, snils_valid
from perimeter.privacy.detect.spoken_numbers import digits_of, runs, year_of

from .conftest import found


def _luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        if card_valid(prefix + d):
            return prefix + d
    raise AssertionError("no check digit")


def _inn10(prefix: str) -> str:
    for d in "0123456789":
        if inn_valid(prefix + d):
            return prefix + d
    raise AssertionError("no check digit")


def _snils(nine: str) -> str:
    for check in range(100):
        if snils_valid(f"{nine}{check:02d}"):
            return f"{nine}{check:02d}"
    raise AssertionError("no check number")


def _iban(country: str, bban: str) -> str:
    moved = bban + country + "00"
    number = int("".join(str(int(ch, 36)) for ch in moved))
    return f"{country}{98 - number % 97:02d}{bban}"


CARD = _luhn_complete("427638001234567")  # has "00" for an OCR "OO"
INN = _inn10("770708389")
SNILS = _snils("112233445")
IBAN_DE = _iban("DE", "370400440532013000")


# --- 1. dates of birth in more layouts ----------------------------------------------------------

@pytest.mark.parametrize(("text", "dob"), [
    ("DOB: 16-Apr-1985, MRN 44120", "16-Apr-1985"),
    ("Date of birth 16.APR.85 (per passport)", "16.APR.85"),
    ("Patient born 1958/09/02 in Leeds", "1958/09/02"),
    ("дата рождения 1958-9-2, прописан в Казани", "1958-9-2"),
    ("д.р. 12.IV.1985, паспорт выдан позже", "12.IV.1985"),
    ("Родился 12 IV 1985 в Минске", "12 IV 1985"),
    ("Родилась 3.XI.1979.", "3.XI.1979"),
    ("родился 12-IV-85, служил в Омске", "12-IV-85"),
    ("д.р. 16-апр-1985", "16-апр-1985"),
    ("DOB 1985-Apr-16", "1985-Apr-16"),
    ("DOB: APR-16-1985", "APR-16-1985"),
    ("Passenger DOB 16APR85, seat 12C", "16APR85"),
    ("дата рождения: 05.07.90", "05.07.90"),
    ("Сидоров П. Л., 12.IV.1985 г.р.", "12.IV.1985 г.р."),
])
def test_birth_date_layouts(patterns: Scanner, text: str, dob: str) -> None:
    assert ("DATE_OF_BIRTH", dob) in found(patterns, text)


def test_a_record_after_a_name_takes_the_new_layouts(scanner: Scanner) -> None:
    assert ("DATE_OF_BIRTH", "16-Apr-1985") in found(scanner, "Patient: Margaret Ellison, 16-Apr-1985, ward 4")


@pytest.mark.parametrize("text", [
    "Meeting moved to 16-Apr-2025, room 4",  # no birth cue
    "release 1958-9-2 of the archive",  # no birth cue
    "Глава 12 IV 1985 года издания",  # a Roman numeral with no birth cue
    "родился в 5 x 1985 раз больше",  # lower-case "x" is no month
])
def test_new_layouts_need_a_birth_cue(patterns: Scanner, text: str) -> None:
    assert not [t for t in found(patterns, text) if t[0] == "DATE_OF_BIRTH"]


# --- 2. phones with unusual separators ----------------------------------------------------------

@pytest.mark.parametrize(("text", "phone"), [
    ("тел. 916*204*77*31, звонить вечером", "916*204*77*31"),
    ("phone: +7 916 204\u201377\u201331", "+7 916 204\u201377\u201331"),
    ("тел.: 8\u2012916\u2012204\u201277\u201231", "8\u2012916\u2012204\u201277\u201231"),
    ("call me 415\u00b7555\u00b70134 after six", "415\u00b7555\u00b70134"),
    ("моб. 916/204/77/31", "916/204/77/31"),
    ("phone (415) 555\u20140134", "(415) 555\u20140134"),
    ("тел +7\u2212916\u2212204\u221277\u221231", "+7\u2212916\u2212204\u221277\u221231"),
    ("Контакты: +7\u2013916\u2013204\u201377\u201331 (Ольга)", "+7\u2013916\u2013204\u201377\u201331"),
    ("тел +7(916)204*77*31", "+7(916)204*77*31"),
    ("тел. 916.204.77.31", "916.204.77.31"),
    ("тел. 916 \u2013 204 \u2013 77 \u2013 31", "916 \u2013 204 \u2013 77 \u2013 31"),
    ("Tel.: +49 (0) 30\u00b71234\u00b75678", "+49 (0) 30\u00b71234\u00b75678"),
    ("Марина 8*903*555*12*34 до вечера", "8*903*555*12*34"),  # trunk 8 + mobile code, no phone word
    ("курьер 8\u2012926\u2012118\u201240\u201287", "8\u2012926\u2012118\u201240\u201287"),
])
def test_phone_with_odd_separators(patterns: Scanner, text: str, phone: str) -> None:
    assert ("PHONE", phone) in found(patterns, text)


@pytest.mark.parametrize("text", [
    "Заказ 916*204*77*31 собран",  # no phone cue, no "+"
    "Заказ 8*916*204*77*31 собран",  # an order word nearest
    "итог: 8*912*100*10*10 = много",  # round numbers multiplied
    "тел. версии 1.2.3.4567 обновлён",  # a version
    "звонок 12.04.2024 в 10:30",  # a date and a time
    "phone bill: 1\u00b7250\u00b7000 RUB",  # an amount
    "call the server at 192.168.100.254",  # an IP
    "cell growth 2024/01/15/0930 run",  # a date path
    "call it 3 * 4 * 5 = 60",
    "+1.5% за квартал",
    "Phone model: iPhone 12/13/14/15/16 compared",  # no area-code-sized group
    "phone 800*600*1024 resolution",  # round numbers multiplied
    "телефон iPhone 15 Pro 256/512/1024",  # another number between the word and the run
])
def test_odd_separators_are_not_phones_everywhere(patterns: Scanner, text: str) -> None:
    assert not [t for t in found(patterns, text) if t[0] == "PHONE"]


# --- 3. OCR-broken values -----------------------------------------------------------------------

def _ocr(value: str) -> str:
    return value.replace("0", "O")


@pytest.mark.parametrize(("text", "kind", "value"), [
    (f"card {CARD[:4]} {_ocr(CARD[4:8])} {CARD[8:12]} {CARD[12:]}", "CREDIT_CARD",
     f"{CARD[:4]} {_ocr(CARD[4:8])} {CARD[8:12]} {CARD[12:]}"),
    (f"ИНН {_ocr(INN)}", "RU_INN", _ocr(INN)),
    (f"ИНН по {_ocr(INN)}", "RU_INN", _ocr(INN)),  # "о" of a word is not where the value starts
    (f"ИНН: {_ocr(INN[:4])} {INN[4:7]} {INN[7:]}, КПП 770701001", "RU_INN", f"{_ocr(INN[:4])} {INN[4:7]} {INN[7:]}"),
    (f"СНИЛС {SNILS[:3].replace('1', 'l')}-{SNILS[3:6]}-{SNILS[6:9]} {SNILS[9:]}", "RU_SNILS",
     f"{SNILS[:3].replace('1', 'l')}-{SNILS[3:6]}-{SNILS[6:9]} {SNILS[9:]}"),
    (f"IBAN {IBAN_DE[:4]} {IBAN_DE[4:8].replace('0', 'O')} {' '.join(IBAN_DE[i:i + 4] for i in range(8, 22, 4))}", "IBAN",
     f"{IBAN_DE[:4]} {IBAN_DE[4:8].replace('0', 'O')} {' '.join(IBAN_DE[i:i + 4] for i in range(8, 22, 4))}"),
    ("тел. 8 9l6 2O4-77-31", "PHONE", "8 9l6 2O4-77-31"),
    ("phone: 415 555 Ol34", "PHONE", "415 555 Ol34"),
    ("тел. +7 9l6 2O4 77 3l", "PHONE", "+7 9l6 2O4 77 3l"),
    ("тел. +7 916 204-\n77-31", "PHONE", "+7 916 204-\n77-31"),
    ("тел. 8 916 2 04 77 31", "PHONE", "8 916 2 04 77 31"),  # a stray space inside a group
    (f"ИНН {INN[:5]}\n{INN[5:]}", "RU_INN", f"{INN[:5]}\n{INN[5:]}"),  # wrapped over a line
])
def test_ocr_damaged_values(patterns: Scanner, text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(patterns, text)


def test_wrapped_and_split_values_still_read(patterns: Scanner) -> None:
    assert ("CREDIT_CARD", f"{CARD[:4]} {CARD[4:8]}\n{CARD[8:12]} {CARD[12:]}") in found(
        patterns, f"Номер карты: {CARD[:4]} {CARD[4:8]}\n{CARD[8:12]} {CARD[12:]}")


@pytest.mark.parametrize("text", [
    f"ИНН {_ocr(INN[:-1])}{(int(INN[-1]) + 1) % 10}",  # the check digit fails
    f"{_ocr(INN)} — артикул",  # no INN word
    "карта лояльности OOO1 2345",  # too short for any card
    "мир во всём мире 2O24 год",
    "IBAN GB82 WEST l234 5698 7654 33",  # fails mod 97 after the fix
    "Заказ 8 9l6 2O4-77-31",  # an OCR'd phone needs a phone word
])
def test_ocr_letters_need_the_check_and_the_word(patterns: Scanner, text: str) -> None:
    assert found(patterns, text) == []


def test_ocr_iban_keeps_the_bank_letters(patterns: Scanner) -> None:
    gb = _iban("GB", "WEST12345698765432")
    text = f"IBAN {gb[:4]} WEST {gb[8:12].replace('1', 'l')} {gb[12:16]} {gb[16:20]} {gb[20:]}"
    assert iban_valid(gb)
    assert [k for k, _ in found(patterns, text)] == ["IBAN"]


# --- 4. values dictated in words ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "value"), [
    ("Клиент: мой номер девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один, записали?",
     "PHONE", "девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один"),
    ("Оператор: продиктуйте телефон. Клиент: восемь, девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один.",
     "PHONE", "восемь, девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один"),
    ("Caller: yeah my number is five oh two, five five five, zero one nine nine.",
     "PHONE", "five oh two, five five five, zero one nine nine"),
    ("you can call me at four one five, double five five, oh one three four",
     "PHONE", "four one five, double five five, oh one three four"),
    ("родился восьмое декабря восемьдесят седьмого года", "DATE_OF_BIRTH", "восьмое декабря восемьдесят седьмого года"),
    ("дата рождения — двадцать третье февраля тысяча девятьсот девяносто первого года",
     "DATE_OF_BIRTH", "двадцать третье февраля тысяча девятьсот девяносто первого года"),
    ("Agent: and your date of birth? Caller: august ninth nineteen eighty one",
     "DATE_OF_BIRTH", "august ninth nineteen eighty one"),
    ("I was born on the twenty first of march, nineteen seventy-six",
     "DATE_OF_BIRTH", "the twenty first of march, nineteen seventy-six"),
    ("номер паспорта сорок пять десять, сто двадцать три четыреста пятьдесят шесть",
     "RU_PASSPORT", "сорок пять десять, сто двадцать три четыреста пятьдесят шесть"),
    ("Оператор: Ваш номер? Клиент: девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один",
     "PHONE", "девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один"),
    ("Caller: five oh two, umm, five five five, uh, zero one nine nine — that's my cell",
     "PHONE", "five oh two, umm, five five five, uh, zero one nine nine"),  # hesitations, the cue after
    ("девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один — это мой мобильный",
     "PHONE", "девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один"),
    ("Оператор: дата рождения?\nКлиент: третьего марта семьдесят второго", "DATE_OF_BIRTH",
     "третьего марта семьдесят второго"),
    ("восьмого декабря восемьдесят седьмого года рождения", "DATE_OF_BIRTH", "восьмого декабря восемьдесят седьмого года рождения"),
    ("my cell: five oh two dash five five five dash oh one nine nine",
     "PHONE", "five oh two dash five five five dash oh one nine nine"),
    ("мой телефон: плюс семь, девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один",
     "PHONE", "плюс семь, девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один"),
    ("дата рождения: восьмое двенадцатого восемьдесят седьмого", "DATE_OF_BIRTH",
     "восьмое двенадцатого восемьдесят седьмого"),
    ("date of birth: nine august nineteen eighty one", "DATE_OF_BIRTH", "nine august nineteen eighty one"),
])
def test_spoken_values(patterns: Scanner, text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(patterns, text)


def test_a_spoken_passport_series_and_number_are_two_values(patterns: Scanner) -> None:
    text = "паспорт: серия сорок пять десять, номер сто двадцать три четыреста пятьдесят шесть"
    assert found(patterns, text) == [
        ("RU_PASSPORT", "сорок пять десять"), ("RU_PASSPORT", "сто двадцать три четыреста пятьдесят шесть")]
    assert found(patterns, "телевизор серии сорок пять десять, номер модели сто двадцать три") == []


def test_a_phone_after_a_passport_sentence_is_a_phone(patterns: Scanner) -> None:
    text = "Паспорт покажу завтра. Мой номер девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один"
    assert [k for k, _ in found(patterns, text)] == ["PHONE"]


def test_a_spoken_card_is_luhn_checked(patterns: Scanner) -> None:
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    spoken = " ".join(words[int(d)] for d in CARD)
    assert ("CREDIT_CARD", spoken) in found(patterns, f"the card number is {spoken}, expiry next year")
    bad = spoken[:-len(words[int(CARD[-1])])] + words[(int(CARD[-1]) + 1) % 10]
    assert found(patterns, f"the card number is {bad}, expiry next year") == []


@pytest.mark.parametrize("text", [
    "номер заказа сто двадцать три, сумма двести рублей",  # too short for a phone
    "номер заказа девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один",  # an order's number
    "number of units: five oh two, five five five, zero one nine nine",
    "call me in twenty five minutes, I have three meetings",
    "my birthday party is on august ninth, we have twenty two guests",  # no year
    "родился в восемьдесят седьмом, пятого декабря две тысячи двадцать третьего приехал",  # not the first date
    "Мы купили двести четыре, семьдесят семь, тридцать один штук",  # no cue
    "phone battery went from ninety five to twenty, thirty minutes later",  # too short for a plan
    "родился тридцать первое февраля восемьдесят седьмого",  # no such day
    "born in room twelve, third floor, nineteen ninety",  # no month
    "Caller: five oh two, five five five, zero one nine nine\nAgent: thanks, and your phone?",  # the cue is a line later
    "дата рождения? ой, у меня записано, двадцать пять тридцать",
    "родилась первого тринадцатого девяностого",  # no 13th month
])
def test_spoken_numbers_without_cue_or_check_stay_text(patterns: Scanner, text: str) -> None:
    assert found(patterns, text) == []


@pytest.mark.parametrize(("words", "digits"), [
    ("девятьсот шестнадцать двести четыре", "916204"),
    ("five oh two", "502"),
    ("fifty five fifty five", "5555"),
    ("triple seven", "777"),
    ("one hundred and five", "105"),
    ("две тысячи третьего", "2003"),
])
def test_digits_of_spoken_runs(words: str, digits: str) -> None:
    (run,) = runs(words, 0, len(words))
    assert digits_of(run) == digits


@pytest.mark.parametrize(("words", "year"), [
    ("восемьдесят седьмого", 1987), ("nineteen oh five", 1905), ("двухтысячного", 2000),
    ("тысяча девятьсот девяносто первого", 1991), ("two thousand and three", 2003),
])
def test_years_of_spoken_runs(words: str, year: int) -> None:
    (run,) = runs(words, 0, len(words))
    assert year_of(run, 2026) == year


def test_the_literal_groups_are_the_rules_stems() -> None:
    assert literals.PHONE_LOOSE == phones_loose.STEMS
    assert literals.OCR_CUES == ocr_values.STEMS
    assert literals.SPOKEN_CUES == spoken_values.STEMS


@pytest.mark.parametrize("text", [
    "тел. 916*204*77*31",
    "ИНН 77O7O83893",
    "Клиент: мой номер девятьсот шестнадцать, двести четыре, семьдесят семь, тридцать один",
    "İstanbul ofisi, тел. 916*204*77*31, İzmir",  # "İ" lowers to two characters
])
def test_same_findings_with_and_without_hyperscan(patterns: Scanner, text: str) -> None:
    literals.use_hyperscan(False)
    try:
        plain = found(patterns, text)
    finally:
        literals.use_hyperscan(True)
    assert found(patterns, text) == plain
    assert plain
