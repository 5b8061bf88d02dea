"""Round 6 (issue 11): numbers and secrets written without the usual anchors.

National phones beside a phone cue, a card glued to the next log field, passports under a
psql table header, spaced SSNs after "social", mistyped IBANs after an account word, birth
dates behind colloquial cues, and credentials behind odd keys, flags, pairs and wifi cues.
Checksummed values are computed here, not pasted.
"""

from __future__ import annotations

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect import birth_dates_more, literals, secrets_context
from perimeter.privacy.detect.checksums import card_valid, iban_valid, ssn_valid
from perimeter.privacy.detect.prescan import TextIndex

from .conftest import found


def _luhn_complete(prefix: str) -> str:
    """``prefix`` plus the one check digit that makes it Luhn-valid."""
    for d in "0123456789":
        if card_valid(prefix + d):
            return prefix + d
    raise AssertionError("no check digit")


def _iban(country: str, bban: str) -> str:
    """A valid IBAN for ``bban`` (ISO 13616 mod-97 check digits)."""
    moved = bban + country + "00"
    number = int("".join(str(int(ch, 36)) for ch in moved))
    return f"{country}{98 - number % 97:02d}{bban}"


def _grouped(value: str) -> str:
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


# --- phones in a national layout, beside a phone cue -------------------------------------------

@pytest.mark.parametrize(("text", "phone"), [
    ("Курьер, она дома после 15:00, тел. 916 482 73 15.", "916 482 73 15"),
    ("если что звони 9164827315, я на связи", "9164827315"),
    ("call me back pls, 6175550188, im driving", "6175550188"),
    ("Berlin office, Tel. 030 12345678 (Empfang)", "030 12345678"),
])
def test_national_phone_after_a_cue(patterns: Scanner, text: str, phone: str) -> None:
    assert ("PHONE", phone) in found(patterns, text)


def test_a_phone_in_a_list_of_phones_needs_no_word_of_its_own(patterns: Scanner) -> None:
    text = 'MUNICH_LINE: "+49 (0)89 555 0191"\nBERLIN_FALLBACK: "030 12345678"\n'
    assert ("PHONE", "030 12345678") in found(patterns, text)


@pytest.mark.parametrize("text", [
    "Заказ 9164827315 оформлен, ждите",  # an order number, no phone word
    "Водительское удостоверение 77 16 123456 выдано в 2016",  # "тел" inside a word is no cue
    "build 6175550188 passed",
])
def test_bare_ten_digit_runs_stay_unflagged_as_phones(patterns: Scanner, text: str) -> None:
    assert not [v for kind, v in found(patterns, text) if kind == "PHONE"]


def test_a_passport_word_beats_a_phone_reading(patterns: Scanner) -> None:
    assert found(patterns, "паспорт 0312 664501 выдан ОВД") == [("RU_PASSPORT", "0312 664501")]


# --- cards, passports, SSNs, IBANs --------------------------------------------------------------

def test_a_card_glued_to_the_next_log_field_is_found(patterns: Scanner) -> None:
    card = _luhn_complete("427655548535400")
    text = f"09:14:03Z WARN pan={card} 3ds=failed merchant=m_4410"
    assert ("CREDIT_CARD", card) in found(patterns, text)
    broken = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert not card_valid(broken)
    assert not [v for kind, v in found(patterns, f"pan={broken} 3ds=failed") if kind == "CREDIT_CARD"]


def test_passports_under_a_psql_header_with_its_rule_line(patterns: Scanner) -> None:
    text = (
        "user_id | email | passport\n"
        "--------+-------+---------\n"
        "  88412 | a.b@mail.ru | 3614 118275\n"
        "  88419 | c.d@gmail.com | 0312 664501\n"
    )
    got = found(patterns, text)
    assert ("RU_PASSPORT", "3614 118275") in got and ("RU_PASSPORT", "0312 664501") in got
    assert not [v for kind, v in got if kind == "PHONE"]


def test_spaced_ssn_after_social_and_in_an_insert(patterns: Scanner) -> None:
    assert ssn_valid("524771093") and ssn_valid("608413390")
    assert ("US_SSN", "524 77 1093") in found(patterns, "My social is 524 77 1093 for the credit check.")
    sql = "INSERT INTO c (id, name, ssn) VALUES\n(1, 'Ann', '608 41 3390');"
    assert ("US_SSN", "608 41 3390") in found(patterns, sql)


def test_a_mistyped_iban_after_an_account_word_is_still_an_iban(patterns: Scanner) -> None:
    good = _iban("TR", "0006100519786457841326")
    assert len(good) == 26 and iban_valid(good)
    typo = _grouped(good + "4")  # one digit too many: no checksum can pass
    text = f"Получатель: Ozturk, счёт {typo}, банк Ziraat"
    got = found(patterns, text)
    assert ("IBAN", typo) in got and not [v for kind, v in got if kind == "PHONE"]
    assert not [v for kind, v in found(patterns, f"модель {typo} на складе") if kind == "IBAN"]
    assert ("IBAN", _grouped(good)) in found(patterns, f"IBAN {_grouped(good)}")


def test_an_ip_after_a_password_word_is_an_ip_not_a_secret(patterns: Scanner) -> None:
    text = "WARN auth: password reset requested email=h.k@example.org ip=203.0.113.54"
    got = found(patterns, text)
    assert ("IP_ADDRESS", "203.0.113.54") in got
    assert not [v for kind, v in got if kind == "SECRET"]


# --- dates of birth ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "dob"), [
    ("Танюха, с днюхой!!! помню-помню, 7 декабря 1994, ты у нас стрелец", "7 декабря 1994"),
    ("поздравление с юбилеем, ей исполняется 60 (12.12.1966), 25 лет у нас", "12.12.1966"),
    ("she turns 70 on 2 March 1955, party at six", "2 March 1955"),
    ("ДР: 12.03.1985, СНИЛС в анкете", "12.03.1985"),
    ("родился 7-го декабря 1994 в Казани", "7-го декабря 1994"),
    ("у него стаж с 1990... ой, нет, это год рождения", "1990"),
])
def test_birth_dates_behind_colloquial_cues(patterns: Scanner, text: str, dob: str) -> None:
    assert ("DATE_OF_BIRTH", dob) in found(patterns, text)


def test_a_birth_date_written_twice_is_two_birth_dates(patterns: Scanner) -> None:
    got = found(patterns, "my mother (DOB 1949年3月2日 / 2 March 1949) moved in")
    assert ("DATE_OF_BIRTH", "1949年3月2日") in got and ("DATE_OF_BIRTH", "2 March 1949") in got


@pytest.mark.parametrize("text", [
    "юбилей компании отметим 12.12.2025 в офисе",  # a recent date: an event, not a birth
    "стаж с 2014, год рождения уточню позже",
])
def test_colloquial_cues_do_not_make_every_date_a_birth_date(patterns: Scanner, text: str) -> None:
    assert not [v for kind, v in found(patterns, text) if kind == "DATE_OF_BIRTH"]


def test_the_year_right_after_the_phrase_is_the_birth_year_not_the_one_before(patterns: Scanner) -> None:
    got = [v for kind, v in found(patterns, "стаж с 2014, год рождения 1990") if kind == "DATE_OF_BIRTH"]
    assert got == ["1990"]


# --- secrets -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "secret"), [
    ("PGPASSWORD=Zx!81vqLm2# psql -h db -U analytics", "Zx!81vqLm2#"),
    ("keycloak:\n  adminUser: admin\n  adminPassword: Ryv8-plume-Quartz\n", "Ryv8-plume-Quartz"),
    ("APP_KEY=base64:D72XQvUs55ZaRb8LHTE/2ihz1Am2eEsgJ6uk1k1bxJSpPTXsPPc=\n", "base64:D72XQvUs55ZaRb8LHTE/2ihz1Am2eEsgJ6uk1k1bxJSpPTXsPPc="),  # the marker too (secrets_shapes)
    ("MAIL_PASSWORD=wqpn xrdt lkma zfbe\nMAIL_PORT=587", "wqpn xrdt lkma zfbe"),
    ("key_id: ajeq4lm7tr9vb2kx8h5p\n", "ajeq4lm7tr9vb2kx8h5p"),
    ("sh 'curl -u deploy:Nx7pQ2wL9rT4 https://nexus.local/repo/'", "Nx7pQ2wL9rT4"),
    ("mysql -h 10.8.0.14 -u reporting -pQz!88warbler analytics -e 'select 1'", "Qz!88warbler"),
    ("REDIS_URL=redis://:r3d1sS3cr3tK3y@172.20.14.9:6379/0", "r3d1sS3cr3tK3y"),
    ("url: postgres://billing:Gh72!mPq_zZ9@a@10.40.1.12:5432/billing", "Gh72!mPq_zZ9@a"),
    ("SENTRY_DSN=https://8e4f2a1c9b7d4e3fa6c5b0d2e1f3a4b5@o418722.ingest.sentry.io/5520981",
     "8e4f2a1c9b7d4e3fa6c5b0d2e1f3a4b5"),
    ("router admin. the sticker says admin / Kx7-Fern-Lake-29 but it fails", "Kx7-Fern-Lake-29"),
    ("wifi for the new office is OfficeNet-2F / trellis-Oak-5521 if anyone asks", "trellis-Oak-5521"),
    ("the guest wifi changed, its now GreenMango!4417 on network HQ-Guest", "GreenMango!4417"),
    ("hi, network is CabinNet_5G and the code is maplesyrup-4471. have fun", "maplesyrup-4471"),
    ("скинь пароль от вайфая плз\nа он поменялся, теперь Kv7#plomba_2026\n", "Kv7#plomba_2026"),
    ("Банк: «Назовите кодовое слово». Я: «Кассиопея1977».", "Кассиопея1977"),
    ("логин manager@shop.example, 9Kt$wq2!Lz (не от почты)", "9Kt$wq2!Lz"),
])
def test_secrets_behind_odd_keys_flags_pairs_and_cues(patterns: Scanner, text: str, secret: str) -> None:
    assert ("SECRET", secret) in found(patterns, text)


@pytest.mark.parametrize("text", [
    "stripe:\n  publishable_key: pk_live_51NqXhKLm2Gz8Tb4RfWc7yVp3\n",  # publishable keys are public
    "Как убрать пароль из логов в log4j2.xml? Маскирование не помогает.",
    "the code is in build-2024 branch, see the wiki",
    "adminPassword: ${ADMIN_PASSWORD}\nPGPASSWORD=$PGPASS psql\n",
    "FATAL: password authentication failed for user\n    at org.postgresql.core.v3.ConnectionFactoryImpl.doAuth(X.java:693)",
    "WARN invalid password user=ops attempts=4\nWARN invalid password user=ops attempts=5",
    "max_tokens: 4096\ntoken_type: bearer\n",
])
def test_no_secret_where_there_is_none(patterns: Scanner, text: str) -> None:
    assert not [v for kind, v in found(patterns, text) if kind == "SECRET"]


def test_network_name_is_not_the_password(patterns: Scanner) -> None:
    got = [v for kind, v in found(patterns, "wifi: network is CabinNet_5G, password Blue!Heron42")
           if kind == "SECRET"]
    assert got == ["Blue!Heron42"]


def test_literal_groups_match_the_modules_stems() -> None:
    """The hyperscan pass and the str.find fallback must look for the same words."""
    assert literals.SECRET_CONTEXT == secrets_context.STEMS
    assert literals.BIRTH_MORE == birth_dates_more.STEMS


def test_the_fallback_path_gives_the_same_secrets() -> None:
    text = "PGPASSWORD=Zx!81vqLm2# psql; wifi is now GreenMango!4417"
    lower = text.lower()
    with_starts = secrets_context.find_context_secrets(text, lower, sorted(set(TextIndex.stem_starts(secrets_context.STEMS, lower))))
    assert {e.text for e in with_starts} == {e.text for e in secrets_context.find_context_secrets(text, lower)}
    assert {e.text for e in with_starts} >= {"Zx!81vqLm2#", "GreenMango!4417"}
