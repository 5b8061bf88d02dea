"""Surrogates of structured values: valid check digits, same layout, keyed determinism."""

from __future__ import annotations

import ipaddress
import re

import pytest

from perimeter.privacy.detect.checksums import (
    card_valid,
    iban_valid,
    inn_valid,
    ogrn_valid,
    snils_valid,
    ssn_valid,
)
from perimeter.privacy.entities import Entity
from perimeter.privacy.pseudonymize.pseudonymizer import Pseudonymizer
from perimeter.privacy.pseudonymize.surrogates import digits_of, realistic
from perimeter.privacy.pseudonymize.surrogates_draw import Draw, derive_key

KEY = derive_key(b"k" * 32, "tenant", "t")


def draws(label: str, n: int = 200) -> list[Draw]:
    return [Draw(KEY, f"{label}/{i}") for i in range(n)]


def layout(text: str) -> str:
    return re.sub(r"\d", "9", text)


@pytest.mark.parametrize("original", ["7707083893", "500100732259", "ИНН 7707083893"[4:]])
def test_inn_surrogates_have_valid_check_digits(original: str) -> None:
    outs = {realistic("RU_INN", original, d) for d in draws("inn")}
    assert len(outs) > 150  # really random, not a constant
    for s in outs:
        assert inn_valid(digits_of(s)), s
        assert len(digits_of(s)) == len(digits_of(original))


@pytest.mark.parametrize("original", ["112-233-445 95", "11223344595"])
def test_snils_surrogates_valid_and_same_layout(original: str) -> None:
    for d in draws("snils"):
        s = realistic("RU_SNILS", original, d)
        assert s is not None and snils_valid(digits_of(s)), s
        assert layout(s) == layout(original)


@pytest.mark.parametrize("original", ["4276 3800 1234 5675", "5469-3800-1234-5677", "2200123456789010", "371449635398431"])
def test_card_surrogates_pass_luhn_and_issuer_rules(original: str) -> None:
    for d in draws("card"):
        s = realistic("CREDIT_CARD", original, d)
        assert s is not None and card_valid(digits_of(s)), s
        assert layout(s) == layout(original)
        assert digits_of(s) != digits_of(original)


@pytest.mark.parametrize("original", ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "RU0304452522540817810538091310419"])
def test_iban_surrogates_pass_mod97(original: str) -> None:
    for d in draws("iban"):
        s = realistic("IBAN", original, d)
        assert s is not None
        compact = s.replace(" ", "")
        assert compact[:2] == original[:2]
        assert [i for i, ch in enumerate(s) if ch == " "] == [i for i, ch in enumerate(original) if ch == " "]
        if original[:2] != "RU":  # RU is not in the ISO registry the validator knows
            assert iban_valid(compact), s
        number = int("".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4]))
        assert number % 97 == 1


@pytest.mark.parametrize("original", ["1027700132195", "304500116000157"])
def test_ogrn_surrogates_valid(original: str) -> None:
    for d in draws("ogrn"):
        s = realistic("RU_OGRN", original, d)
        assert s is not None and ogrn_valid(s), s


def test_ssn_surrogates_valid_and_same_layout() -> None:
    for d in draws("ssn"):
        s = realistic("US_SSN", "078-05-1120", d)
        assert s is not None and ssn_valid(digits_of(s)), s
        assert layout(s) == "999-99-9999"


@pytest.mark.parametrize("original", ["+7 (912) 345-67-89", "8 912 345 67 89", "+79123456789", "+1 415-555-2671",
                                      "+44 20 7946 0958"])
def test_phone_layout_and_prefix_preserved(original: str) -> None:
    outs = set()
    for d in draws("phone"):
        s = realistic("PHONE", original, d)
        assert s is not None
        assert layout(s) == layout(original)
        assert digits_of(s)[:2] == digits_of(original)[:2]
        outs.add(s)
    assert len(outs) > 150


def test_ip_surrogates_keep_private_ranges_private() -> None:
    for original in ("10.1.2.3", "192.168.0.10", "172.20.1.1", "8.8.8.8"):
        for d in draws("ip", 50):
            s = realistic("IP_ADDRESS", original, d)
            assert s is not None
            addr = ipaddress.ip_address(s)
            assert addr.is_private == ipaddress.ip_address(original).is_private, (original, s)
    v6 = realistic("IP_ADDRESS", "2001:db8::ff00:42:8329", Draw(KEY, "v6"))
    assert v6 is not None and v6 != "2001:db8::ff00:42:8329"
    assert ipaddress.ip_address(v6).version == 6 and layout(re.sub("[a-f]", "9", v6)) == "9999:999::9999:99:9999"


def test_secret_keeps_vendor_prefix_and_character_classes() -> None:
    original = "sk-proj-AbC123xyzQQ_-9"
    s = realistic("SECRET", original, Draw(KEY, "secret"))
    assert s is not None and s.startswith("sk-proj-") and s != original
    assert [c.isdigit() for c in s] == [c.isdigit() for c in original]
    assert [c.isupper() for c in s] == [c.isupper() for c in original]
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"
    sp = realistic("SECRET", pem, Draw(KEY, "pem"))
    assert sp is not None and sp.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert sp.endswith("\n-----END RSA PRIVATE KEY-----") and sp != pem


def test_email_keeps_public_webmail_and_hides_company_domain() -> None:
    a = realistic("EMAIL", "ivan.petrov@gmail.com", Draw(KEY, "e1"))
    b = realistic("EMAIL", "ivan.petrov@sberbank-secret.ru", Draw(KEY, "e2"))
    assert a is not None and a.endswith("@gmail.com") and "petrov" not in a
    assert b is not None and b.endswith(".ru") and "sberbank" not in b and re.match(r"^[\w.]+@\w+\.ru$", b)


def test_date_of_birth_keeps_format() -> None:
    for original in ("12.03.1985", "1985-03-12", "12/3/1985"):
        s = realistic("DATE_OF_BIRTH", original, Draw(KEY, original))
        assert s is not None and layout(s).replace("9", "") == layout(original).replace("9", "")
        assert s != original


def _ents(text: str, spans: list[tuple[str, str]]) -> list[Entity]:
    out = []
    for typ, value in spans:
        i = text.index(value)
        out.append(Entity(typ, i, i + len(value), value))
    return out


TEXT = "ИНН 7707083893, тел. +7 (912) 345-67-89, почта ivan@corp.ru"
SPANS = [("RU_INN", "7707083893"), ("PHONE", "+7 (912) 345-67-89"), ("EMAIL", "ivan@corp.ru")]


def test_same_secret_same_surrogates_across_instances_other_tenant_differs() -> None:
    a = Pseudonymizer(b"s" * 32).run("team:a", [TEXT], [_ents(TEXT, SPANS)]).texts[0]
    b = Pseudonymizer(b"s" * 32).run("team:a", [TEXT], [_ents(TEXT, SPANS)]).texts[0]
    other_tenant = Pseudonymizer(b"s" * 32).run("team:b", [TEXT], [_ents(TEXT, SPANS)]).texts[0]
    other_secret = Pseudonymizer(b"t" * 32).run("team:a", [TEXT], [_ents(TEXT, SPANS)]).texts[0]
    assert a == b
    for value in ("7707083893", "345-67-89", "ivan@corp.ru"):
        assert value not in a
    for other in (other_tenant, other_secret):
        assert other != a
        # No surrogate value is shared: unlinkable across tenants.
        assert not set(re.findall(r"\d{5,}", a)) & set(re.findall(r"\d{5,}", other))


def test_layouts_of_one_number_share_the_surrogate_digits() -> None:
    text = "звоните +7 912 345-67-89 или 89123456789"
    ents = _ents(text, [("PHONE", "+7 912 345-67-89"), ("PHONE", "89123456789")])
    out = Pseudonymizer(b"s" * 32).run("t", [text], [ents]).texts[0]
    first, second = re.findall(r"[+\d][\d \-]{9,}\d", out)
    assert digits_of(first)[1:] == digits_of(second)[1:]
    assert first.startswith("+7 9") and second.startswith("89")


def test_two_values_never_share_a_surrogate_and_text_values_are_avoided() -> None:
    # Many different INNs in one request: all surrogates distinct and none equal to any original.
    inns = ["7707083893", "7736207543", "7702070139", "7728168971", "7707049388", "7710140679"]
    text = " ".join(inns)
    ents = _ents(text, [("RU_INN", v) for v in inns])
    out = Pseudonymizer(b"s" * 32).run("t", [text], [ents]).texts[0].split()
    assert len(set(out)) == len(inns)
    assert not set(out) & set(inns)


@pytest.mark.parametrize("key_len", [0, 1, 32, 63, 64, 65, 200])
def test_keyed_mac_is_hmac_sha256(key_len: int) -> None:
    import hmac

    from perimeter.privacy.pseudonymize.surrogates_draw import KeyedMac

    key = bytes(range(7, 7 + key_len)) if key_len < 249 else b"k" * key_len
    mac = KeyedMac(key)
    for msg in (b"", b"x", "PERSON/анна\x1e0".encode(), b"m" * 1000):
        assert mac.digest(msg) == hmac.digest(key, msg, "sha256")
        assert mac.digest(msg) == mac.digest(msg)  # the pads are copied, never consumed


def test_draw_stream_is_defined_byte_for_byte() -> None:
    """Replicas and older versions must draw the same surrogates: the stream is HMAC-SHA256 of a
    counter under HMAC(key, label ␞ attempt), whatever the implementation computing it."""
    import hmac

    for label, attempt in (("PHONE/4155550100", 0), ("EMAIL/a@b.c", 3), ("PERSON/анна", 1)):
        stream_key = hmac.digest(KEY, f"{label}\x1e{attempt}".encode(), "sha256")
        expected = b"".join(hmac.digest(stream_key, i.to_bytes(8, "big"), "sha256") for i in range(4))
        d = Draw(KEY, label, attempt)
        assert d.digest == stream_key
        got = b"".join(int.to_bytes(d.below(2**64), 8, "big") for _ in range(16))
        assert got == expected


def test_draw_shortcuts_are_the_stream_they_stand_for() -> None:
    """``Draw.digits``, ``index_below`` and ``stream_digest`` are faster spellings of the
    per-call stream: same bytes consumed, same values, so every surrogate stays what it was."""
    from perimeter.privacy.pseudonymize.surrogates_draw import Draw, index_below, stream_digest

    for seed in range(40):
        key = bytes([seed]) * 32
        label = f"PHONE/{seed * 7919}"
        for n in (0, 1, 3, 4, 5, 9, 16):
            by_call, batched = Draw(key, label, seed % 3), Draw(key, label, seed % 3)
            by_call.below(7)
            batched.below(7)  # start mid-block, as the surrogate generators do
            assert batched.digits(n) == "".join(str(by_call.below(10)) for _ in range(n))
            assert batched.below(1000) == by_call.below(1000)  # the stream goes on in step
        assert stream_digest(key, label) == Draw(key, label).digest
        for size in (1, 2, 97, 5000):
            assert index_below(key, label, seed % 4, size) == Draw(key, label, seed % 4).below(size)


def test_cached_name_rendering_adds_pairs_as_the_uncached_one_did() -> None:
    """A name word's rendering is cached; replaying its pairs must keep setdefault's rules:
    what the request's table holds already wins, new surrogates go in, in the same order."""
    from perimeter.privacy.pseudonymize.pseudonym_names import NamePart, analyse_person
    from perimeter.privacy.pseudonymize.pseudonymizer import _render_name

    key = b"k" * 32
    for name in ("Анне Петровой", "Anna Keller", "ИВАН ПЕТРОВ", "A. Keller"):
        parts = [p for p in analyse_person(name, key) or () if isinstance(p, NamePart)]
        assert parts, name
        for part in parts:
            first: dict[str, str] = {}
            again: dict[str, str] = {}
            rendered = _render_name(part, 3, first)  # computed
            assert _render_name(part, 3, again) == rendered  # from the cache
            assert list(first.items()) == list(again.items())
            held = {k: "already" for k in list(first)[:1]}
            _render_name(part, 3, held)
            assert list(held) == list(first)
            assert all(held[k] == ("already" if i == 0 else first[k]) for i, k in enumerate(held))
