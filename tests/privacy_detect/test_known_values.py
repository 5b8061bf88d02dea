"""Known-value dictionaries: an operator's exact values are found in one pass, as whole words."""

from __future__ import annotations

import time

import pytest

from perimeter.privacy import Scanner
from perimeter.privacy.detect.known_values import KnownValues, LiteralSet, fold


def test_found_whole_word_case_and_whitespace_insensitive() -> None:
    kv = KnownValues([("CLIENT", ["Ромашка-Трейд", "Acme Widgets Ltd"]), ("CONTRACT", ["Д-2024/117"])])
    text = "Договор д-2024/117 с РОМАШКА-ТРЕЙД и acme\u00a0widgets  ltd; не Ромашка-Трейдинг"
    got = [(e.type, e.text) for e in kv.find(text)]
    assert ("CONTRACT", "д-2024/117") in got
    assert ("CLIENT", "РОМАШКА-ТРЕЙД") in got
    assert all(e.text != "Ромашка-Трейд" for e in kv.find("Ромашка-Трейдинг"))  # not inside a longer word
    assert kv.types == {"CLIENT", "CONTRACT"} and len(kv) == 3


def test_yo_and_e_are_one_letter_and_offsets_stay_exact() -> None:
    kv = KnownValues([("PERSON", ["Фёдоров Пётр"])])
    text = "Звонил Федоров Петр вчера"
    (e,) = kv.find(text)
    assert text[e.start:e.end] == "Федоров Петр" and e.detector == "known_value"
    assert len(fold("İstanbul")) == len("İstanbul")  # folding never shifts offsets


def test_too_short_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        LiteralSet([("ИП", "X")])


def test_scanner_reports_known_values_of_custom_types_and_they_win_overlaps() -> None:
    s = Scanner(ner=False, known=KnownValues([("EMPLOYEE", ["Ким Чен Ир"]), ("CLIENT_ID", ["CL-000731"])]))
    found = [(e.type, e.text) for e in s.scan("Клиент CL-000731, менеджер Ким Чен Ир, ИНН 7707083893")]
    assert ("CLIENT_ID", "CL-000731") in found and ("EMPLOYEE", "Ким Чен Ир") in found
    assert ("RU_INN", "7707083893") in found


def test_one_pass_cost_does_not_grow_with_the_number_of_values() -> None:
    text = ("Обычный текст без значений из списка, просто переписка о поставках. " * 200)
    small = KnownValues([("CLIENT", [f"Клиент-{i:06d}" for i in range(10)])])
    big = KnownValues([("CLIENT", [f"Клиент-{i:06d}" for i in range(50_000)])])

    def best(kv: KnownValues) -> float:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            kv.find(text)
            times.append(time.perf_counter() - t)
        return min(times)

    assert big.find(text + " клиент-049999") and len(big) == 50_000
    assert best(big) < 5 * best(small) + 0.002
