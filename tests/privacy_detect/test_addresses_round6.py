"""Round 6: postal addresses as runs of parts, by class (international layouts, Russian in
Latin letters, upper-case and multi-line labels, rural routes, house names, record fields,
Russian addresses with no street or no «г.»), and the places that stay no address."""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect import addresses_grammar as g
from perimeter.privacy.detect.addresses import find_addresses
from perimeter.privacy.detect.prescan import TextIndex
from tests.privacy_detect.conftest import covered


def addresses(text: str) -> list[str]:
    return [e.text for e in find_addresses(TextIndex(text))]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Gulf: a numbered unit in a named tower, a district and a city, no street at all
        ("Send the signed copy to Suite 1907, Marina Plaza Tower, Dubai Marina, Dubai. Thanks",
         "Suite 1907, Marina Plaza Tower, Dubai Marina, Dubai"),
        # Turkey: Cad./Sok. after the name, "No: 45/2", district, city, country
        ("Gönderi adresi: Cumhuriyet Cad. No: 45/2, Çankaya, Ankara, Türkiye. Teşekkürler",
         "Cumhuriyet Cad. No: 45/2, Çankaya, Ankara, Türkiye"),
        ("Kargo: Bağdat Sok. No: 8, Kadıköy, İstanbul", "Bağdat Sok. No: 8, Kadıköy, İstanbul"),
        ("Adres: Ataturk Bulvari No: 12 Daire 4, Cankaya, Ankara", "Ataturk Bulvari No: 12 Daire 4, Cankaya, Ankara"),
        # Israel: Rehov before the name, a seven-digit postcode after the city
        ("Ship it to Rehov Herzl 15, Haifa 3303115 please", "Rehov Herzl 15, Haifa 3303115"),
        # Korea: -daero/-gil road names, -gu district, Seoul and a five-digit postcode
        ("Deliver to Unit 802, 12 Gangnam-daero 94-gil, Seocho-gu, Seoul 06611, South Korea",
         "Unit 802, 12 Gangnam-daero 94-gil, Seocho-gu, Seoul 06611, South Korea"),
        # India: flat, named apartments, numbered cross road, locality, city and PIN
        ("My address is Flat 7B, Lakshmi Residency, 3rd Cross, Jayanagar, Bengaluru 560041",
         "Flat 7B, Lakshmi Residency, 3rd Cross, Jayanagar, Bengaluru 560041"),
        # Philippines: block and lot, a subdivision's name, "City" and a four-digit postcode
        ("Address: Blk 4 Lot 19, Narra St, Greenwoods Homes, Taguig City 1630, Philippines",
         "Blk 4 Lot 19, Narra St, Greenwoods Homes, Taguig City 1630, Philippines"),
        # Ireland: a house name, a village, a county and an Eircode — no number but the Eircode
        ("Address: Cnoc na Mara, Ballyvaughan, Co. Clare V94 T2X8\nPhone: none",
         "Cnoc na Mara, Ballyvaughan, Co. Clare V94 T2X8"),
        # Russian addresses in Latin letters
        ("Legal address: ul. Lenina, d. 5, kv. 12, Tomsk 634050", "ul. Lenina, d. 5, kv. 12, Tomsk 634050"),
        ("Registered at pr. Mira, d. 101, office 12, Moscow 129085.", "pr. Mira, d. 101, office 12, Moscow 129085"),
        # US rural route and box; a UK house name and village before the post town
        ("Mail goes to Rural Route 4, Box 62, Plainview, NE 68769 now",
         "Rural Route 4, Box 62, Plainview, NE 68769"),
        ("Deliver to Ivy Cottage, Mill Lane, Great Bentley, Colchester CO7 8PN before noon",
         "Ivy Cottage, Mill Lane, Great Bentley, Colchester CO7 8PN"),
    ],
)
def test_international_layouts_are_one_address(scanner: Scanner, text: str, value: str) -> None:
    assert value in addresses(text)
    assert covered(scanner, text, value)


def test_upper_case_label_over_lines_keeps_name_and_care_of_out() -> None:
    text = "SHIP TO:\nDELPHINE ARCENEAUX\nC/O HARBOR STORAGE\nAPT 3C\n415 MAGNOLIA AVE\nBATON ROUGE LA 70802\nPH 225 555 0101"
    assert "APT 3C\n415 MAGNOLIA AVE\nBATON ROUGE LA 70802" in addresses(text)
    assert not any("DELPHINE" in a or "HARBOR" in a or "PH " in a for a in addresses(text))


def test_multi_line_uk_label_takes_hyphenated_town_postcode_and_country() -> None:
    text = "TO:\nMr. Owen Pryce\nFlat 9, 3 Station Road\nStratford-upon-Avon\nCV37 6AB\nUnited Kingdom\nTel: 01789 000000"
    assert "Flat 9, 3 Station Road\nStratford-upon-Avon\nCV37 6AB\nUnited Kingdom" in addresses(text)


def test_one_line_address_does_not_take_a_country_line_below() -> None:
    text = "Ship to:\nFlat 2, 8 Orchard Road, York YO1 7HH\nUnited Kingdom\nMobile: 07700 900000"
    assert "Flat 2, 8 Orchard Road, York YO1 7HH" in addresses(text)


def test_record_fields_of_an_address_are_each_an_address() -> None:
    text = ('{"name": "K. Akana", "shipping": {"line1": "77-310 Kalakaua Ave", "city": "Honolulu", '
            '"state": "HI", "zip": "96815"}}')
    found = addresses(text)
    for value in ("77-310 Kalakaua Ave", "Honolulu", "HI", "96815"):
        assert value in found
    yaml = "customer:\n  city: Calgary\n  province: AB\n  postal_code: T2P 1J9\n"
    assert {"Calgary", "AB", "T2P 1J9"} <= set(addresses(yaml))


def test_a_lone_field_or_an_order_state_is_no_address() -> None:
    assert addresses('{"city": "Paris", "units": "metric", "days": 3}') == []
    assert addresses('{"state": "paid", "status": "ok", "retries": 12345}') == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Адрес дачи: СНТ «Ромашка», 5-я линия, уч. 17, за мостом", "СНТ «Ромашка», 5-я линия, уч. 17"),
        ("машина в ГСК «Восток», бокс 42, Казанское ш., ключи у сторожа", "ГСК «Восток», бокс 42, Казанское ш."),
        ("Забрать: ТЦ «Меридиан», пр-д Строителей, 3, павильон 21 — до 18:00",
         "ТЦ «Меридиан», пр-д Строителей, 3, павильон 21"),
        ("Встреча: Киевское ш., 41-й км, БЦ «Гринвуд», корп. C). Пропуск заказан",
         "Киевское ш., 41-й км, БЦ «Гринвуд», корп. C"),
        ("Юр. адрес: 432017, г. Ульяновск, ул. Гончарова, д. 9, корп. 2, помещ. 3/1",
         "432017, г. Ульяновск, ул. Гончарова, д. 9, корп. 2, помещ. 3/1"),
        ("Приходите: г. Шымкент, ул. Байтурсынова, 12, 3 этаж.", "г. Шымкент, ул. Байтурсынова, 12, 3 этаж"),
        ("Доставка: Сызрань, ул. Гоголя, 8, звонить заранее", "Сызрань, ул. Гоголя, 8"),
        ("Живу: Тамбов, Гоголя 45-12, домофон не работает", "Тамбов, Гоголя 45-12"),
    ],
)
def test_russian_addresses_without_a_street_or_without_g(scanner: Scanner, text: str, value: str) -> None:
    assert value in addresses(text)
    assert covered(scanner, text, value)


@pytest.mark.parametrize(
    "text",
    [
        "Мы гуляли по проспекту Мира и по Тверской, потом зашли в ТЦ «Атриум».",
        "Postcodes to test the form: SW1A 1AA, EC1A 1BB, W1A 0AX, M1 1AE",
        "Business Bay, Dubai is a district with many towers and offices.",
        "Tested on Version 2024, Ubuntu 2204, Windows 2019 and macOS 14.",
        "The Eiffel Tower, Paris, is open until 23:45 in summer.",
        "We rented Office 365, Tower Hamlets residents get a discount.",
    ],
)
def test_places_without_an_address_stay_clean(text: str) -> None:
    assert addresses(text) == []


def test_parts_have_their_shapes() -> None:
    assert g.kind("Cumhuriyet Cad. No: 45/2") == g.STREET
    assert g.kind("2200 RIVER RD") == g.STREET  # not a postcode with a town after it
    assert g.kind("EUGENE OR 97404") == g.STRONG_POST
    assert g.kind("Seoul 06611") == g.POST
    assert g.kind("2024") not in (g.POST, g.STRONG_POST)  # a bare number is no postcode
    assert g.kind("A. 4410 Ridgecrest Drive") != g.POST  # a town on one side of the number only
    assert g.kind("Germany. Contact Jonas Becker") is None  # a sentence end is no town
    assert g.kind("СНИЛС") is None  # an acronym is no town
    assert g.kind("корп. B") == g.UNIT
    assert g.kind("22-й км") == g.UNIT
    assert g.kind("БЦ «Гринвуд»") == g.BUILDING


def test_a_person_before_a_street_is_no_town() -> None:
    text = "Zwischen Katharina Hoffmann, wohnhaft Lindenstraße 42, 10969 Berlin"
    assert addresses(text) == ["Lindenstraße 42, 10969 Berlin"]


def test_a_phone_after_the_house_stays_a_phone(scanner: Scanner) -> None:
    text = "2. Лебедев И. — Тверская обл., д. Кривцово, д. 11, 8 (4822) 41-73-06"
    assert ("PHONE", "8 (4822) 41-73-06") in [(e.type, e.text) for e in scanner.scan(text)]
