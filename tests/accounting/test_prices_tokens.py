"""Price table, currency conversion, savings vs all-cloud, and offline token counting."""

from __future__ import annotations

import os

import pytest

from perimeter.accounting.config import AccountingConfig
from perimeter.accounting.prices import PriceError, PriceTable, builtin_table
from perimeter.accounting.tokens import TokenCounter, estimate_text, usage_from


def test_builtin_table_is_dated_and_sourced() -> None:
    t = builtin_table()
    assert t["as_of"] and t["sources"]
    for name, p in t["models"].items():
        assert p["source"] in t["sources"], name
        assert p["input"] >= p["cached"], name


def test_cost_with_cached_tokens_and_prefix_match() -> None:
    table = PriceTable(AccountingConfig())
    # gpt-4o: 2.50 in, 10.00 out, 1.25 cached per 1M
    assert table.cost("cloud", "gpt-4o-2024-08-06", "cloud", 1000, 500, 400) == pytest.approx(
        (600 * 2.5 + 400 * 1.25 + 500 * 10.0) / 1e6)
    assert table.lookup("gpt-4o-mini-2024-07-18") == table.lookup("gpt-4o-mini")  # longest prefix wins
    assert table.lookup("openai/gpt-4.1") == table.lookup("gpt-4.1")
    assert table.cost("x", "unknown-model", "cloud", 1000, 1000, 0) == 0.0


def test_prefix_lookups_are_remembered_and_answer_the_same_every_time() -> None:
    table = PriceTable(AccountingConfig())
    names = ["gpt-4o-mini-2024-07-18", "openai/gpt-4.1", "gpt://folder/yandexgpt-lite/latest", "mock-model"]
    first = [table.lookup(n) for n in names]
    assert first[0] == table.models["gpt-4o-mini"] and first[3] is None
    for _ in range(3):
        assert [table.lookup(n) for n in names] == first
    assert set(table._by_prefix) == set(names)  # none of them is a table key: each was searched once
    for i in range(5000):  # a flood of distinct unknown names stays bounded
        assert table.lookup(f"unknown-{i}") is None
    assert len(table._by_prefix) <= 4097
    assert table.lookup("gpt-4o-mini-2024-07-18") == first[0]


def test_overrides_provider_price_currency_and_savings() -> None:
    cfg = AccountingConfig.model_validate({
        "currency": "EUR", "exchange_rates": {"EUR": 0.5},
        "prices": {"gpt-4o": {"input": 1.0, "output": 2.0}},
        "reference_model": "gpt-4o",
    })
    table = PriceTable(cfg, {"gpu-box": {"input": 0.1, "output": 0.1}})
    # override in USD, converted at 0.5 EUR/USD
    assert table.cost("cloud", "gpt-4o", "cloud", 1_000_000, 0, 0) == pytest.approx(0.5)
    # provider price is in the configured currency already
    assert table.cost("gpu-box", "llama", "on_prem", 1_000_000, 1_000_000, 0) == pytest.approx(0.2)
    # on-prem without a price costs nothing; its reference cost is what gpt-4o would charge
    assert table.cost("other", "llama", "on_prem", 1000, 1000, 0) == 0.0
    assert table.reference_cost(1_000_000, 1_000_000, 0) == pytest.approx(1.5)


def test_bad_price_config_is_a_clear_error() -> None:
    with pytest.raises(PriceError, match="exchange_rates"):
        PriceTable(AccountingConfig.model_validate({"prices": {"m": {"input": 1, "output": 1, "currency": "JPY"}}}))
    with pytest.raises(PriceError, match="reference_model"):
        PriceTable(AccountingConfig.model_validate({"reference_model": "no-such-model"}))


def test_usage_parsing() -> None:
    assert usage_from({"prompt_tokens": 10, "completion_tokens": 5,
                       "prompt_tokens_details": {"cached_tokens": 4}}) == (10, 5, 4)
    assert usage_from({"input_tokens": 7, "output_tokens": 3}) == (7, 3, 0)
    assert usage_from(None) is None
    assert usage_from({"completion_text": "x"}) is None


@pytest.mark.parametrize(("text", "low", "high"), [
    ("Hello, world!", 4, 4),
    ("The quick brown fox jumps over the lazy dog.", 9, 11),
    ("Привет, меня зовут Иван, я живу в Москве и работаю программистом.", 14, 30),
    ("1234567890", 3, 4),
    ("", 0, 0),
])
def test_offline_estimate_is_in_a_plausible_range(text: str, low: int, high: int) -> None:
    assert low <= estimate_text(text) <= high


def test_prompt_counting_without_tiktoken_files(tmp_path: os.PathLike[str]) -> None:
    counter = TokenCounter(str(tmp_path))  # empty dir: no download, estimate instead
    assert counter.source == "estimate"
    body = {"messages": [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": [{"type": "text", "text": "Hello, world!"}]}]}
    assert counter.count_prompt(body) == 3 + (3 + 3) + (3 + 4)
    assert counter.count_prompt({"input": ["a b", "c"]}) == 3
    assert counter.count_prompt({"prompt": "Hello, world!"}) == 4


def test_prompt_cache_writes_are_priced_by_lifetime() -> None:
    table = PriceTable(AccountingConfig())
    # claude-sonnet-4-5: input 3, cache read 0.30, 5-minute write 3.75, 1-hour write 6, output 15 (per 1M)
    cost = table.cost("claude", "claude-sonnet-4-5", "cloud", prompt=10_000, completion=1_000, cached=2_000,
                      cache_write=5_000, cache_write_1h=1_000)
    expected = (3_000 * 3 + 2_000 * 0.30 + 4_000 * 3.75 + 1_000 * 6 + 1_000 * 15) / 1e6
    assert cost == pytest.approx(expected)
    # a vendor without a write premium (OpenAI caches automatically): writes cost plain input
    plain = table.cost("oai", "gpt-4o", "cloud", prompt=1_000, completion=0, cached=0, cache_write=1_000)
    assert plain == pytest.approx(1_000 * 2.50 / 1e6)
    cfg = AccountingConfig.model_validate({"prices": {"mine": {"input": 1, "output": 2, "cache_write": 1.5}}})
    mine = PriceTable(cfg).cost(None, "mine", "cloud", prompt=100, completion=0, cached=0, cache_write=100,
                                cache_write_1h=40)
    assert mine == pytest.approx(100 * 1.5 / 1e6)  # 1-hour writes default to the 5-minute price
