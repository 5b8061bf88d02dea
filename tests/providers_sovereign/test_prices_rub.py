"""Rouble list prices of the Russian clouds, and costs in the configured currency."""

from __future__ import annotations

import pytest

from perimeter.accounting.config import AccountingConfig
from perimeter.accounting.prices import PriceTable


def test_rouble_prices_are_found_for_vendor_model_names() -> None:
    t = PriceTable(AccountingConfig(currency="RUB"))
    for name, expected in (("GigaChat-2-Max", 1950.0), ("GigaChat-2", 200.0), ("yandexgpt/latest", 1200.0),
                           ("gpt://b1gfolder/yandexgpt-lite/latest", 200.0), ("emb://b1gfolder/text-search-doc/latest", 10.0)):
        price = t.lookup(name)
        assert price is not None and price.currency == "RUB" and price.input == expected, name


def test_costs_follow_the_configured_currency() -> None:
    rub = PriceTable(AccountingConfig(currency="RUB"))
    usd = PriceTable(AccountingConfig(currency="USD", exchange_rates={"RUB": 100.0}))
    # 1M prompt tokens on GigaChat 2 Max, 200k of them served from GigaChat's cache (not billed).
    assert rub.cost("giga", "GigaChat-2-Max", "cloud", 1_000_000, 0, 200_000) == pytest.approx(1560.0)
    assert usd.cost("giga", "GigaChat-2-Max", "cloud", 1_000_000, 0, 200_000) == pytest.approx(15.6)
    # A dollar-priced model lands in roubles at the table's dated rate unless config gives one.
    assert rub.cost("oa", "gpt-4o-mini", "cloud", 1_000_000, 0, 0) == pytest.approx(0.15 * rub.rates["RUB"])
