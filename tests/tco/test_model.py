"""The cost model's arithmetic, and the worked example in docs/bench-tco.md."""

from __future__ import annotations

from dataclasses import replace

import pytest

from perimeter.tco.model import (
    DAYS_PER_MONTH,
    ApiPrice,
    SelfHost,
    Traffic,
    api,
    break_even,
    hybrid,
    replica_capacity_units,
    self_hosted,
)
from perimeter.tco.scenario import ScenarioError, build, builtin_scenarios, load_yaml


def test_published_estimate_is_reproduced() -> None:
    sc = build(load_yaml("published-10k"))
    sh, ap = self_hosted(sc.host, sc.traffic), api(sc.price, sc.traffic)
    assert 40_000 <= sh.monthly <= 60_000  # "$40-60k/month (hardware + staff)"
    assert 800 <= ap.monthly <= 1_300  # "~$1k/month on an API"
    # ... and under those assumptions self-hosting pays off only at ~450k requests/day.
    be = break_even(sc.host, sc.price, sc.traffic)
    assert be is not None and 400_000 < be < 500_000


def test_eight_thousand_dialogs_claim_holds_per_day_for_long_dialogs() -> None:
    sc = build(load_yaml("dialogs-8k"))
    be = break_even(sc.host, sc.price, sc.traffic)
    assert be is not None and 7_000 < be < 9_000
    # Caching the resent history at the API's cached price moves break-even up markedly.
    cached = replace(sc.traffic, cache_history=True)
    be_cached = break_even(sc.host, sc.price, cached)
    assert be_cached is not None and be_cached > be * 1.3


def test_break_even_is_where_the_curves_cross() -> None:
    host = SelfHost(hourly_per_gpu=2.0, gpus_per_replica=1, staff_fte=0.5, staff_cost_per_year=120_000,
                    throughput_tokens_per_s=500, utilisation=0.5)
    traffic = Traffic(per_day=1000, input_tokens=1000, output_tokens=300)
    price = ApiPrice("x", input=3.0, output=15.0)
    be = break_even(host, price, traffic)
    assert be is not None
    at = self_hosted(host, traffic, be).monthly
    assert at == pytest.approx(api(price, traffic, be).monthly, rel=1e-6)
    assert self_hosted(host, traffic, be * 0.99).monthly > api(price, traffic, be * 0.99).monthly
    for f in (1.01, 1.5, 3.0):
        assert self_hosted(host, traffic, be * f).monthly <= api(price, traffic, be * f).monthly


def test_replicas_step_with_volume() -> None:
    host = SelfHost(hourly_per_gpu=1.0, staff_fte=0, throughput_tokens_per_s=100, utilisation=1.0)
    traffic = Traffic(input_tokens=10, output_tokens=100)
    per_day_cap = replica_capacity_units(host, traffic) / DAYS_PER_MONTH
    assert per_day_cap == pytest.approx(100 * 86400 / 100)
    assert self_hosted(host, traffic, per_day_cap).detail["replicas"] == 1
    assert self_hosted(host, traffic, per_day_cap * 1.01).detail["replicas"] == 2
    assert self_hosted(host, traffic, per_day_cap * 1.01).monthly == pytest.approx(2 * 730)


def test_never_breaks_even_when_tokens_cost_more_at_home() -> None:
    # A tiny model API at $0.05/$0.40 vs an under-used rented H100: the API always wins.
    host = SelfHost(hourly_per_gpu=3.0, staff_fte=0, throughput_tokens_per_s=50, utilisation=0.3)
    price = ApiPrice("nano", input=0.05, output=0.40)
    assert break_even(host, price, Traffic()) is None


def test_purchase_amortises_and_adds_power() -> None:
    host = SelfHost(purchase_per_gpu=36_000, amortisation_months=36, server_overhead=0.0, watts_per_gpu=1000,
                    pue=1.0, kwh_price=0.1)
    assert host.gpu_month() == pytest.approx(1000 + 73)


def test_hybrid_is_the_sum_of_its_parts() -> None:
    sc = build(load_yaml("published-10k"))
    h = hybrid(sc.host, sc.price, sc.traffic, 0.7)
    assert h.monthly == pytest.approx(self_hosted(sc.host, sc.traffic, 7000).monthly
                                      + api(sc.price, sc.traffic, 3000).monthly)


def test_conversation_history_grows_quadratically() -> None:
    t = Traffic(input_tokens=100, output_tokens=50, turns=3)
    fresh, history = t.input_per_unit()
    assert fresh == 300 and history == (0 + 150 + 300)


def test_prices_come_from_the_accounting_table_and_can_be_overridden() -> None:
    sc = build({"api": {"model": "gpt-4o-mini"}})
    assert (sc.price.input, sc.price.output) == (0.15, 0.60) and sc.price_as_of
    sc2 = build({"api": {"model": "gpt-4o-mini"}}, prices={"gpt-4o-mini": {"input": 1.0, "output": 2.0}})
    assert (sc2.price.input, sc2.price.output) == (1.0, 2.0)


@pytest.mark.parametrize(("data", "message"), [
    ({"self_host": {"gpu": "TPU9"}}, "unknown GPU"),
    ({"self_host": {"bogus": 1}}, "unknown key"),
    ({"api": {"model": "no-such-model"}}, "no list price"),
    ({"self_host": {"utilisation": 1.5}}, "utilisation"),
    ({"local_share": 2}, "local_share"),
])
def test_bad_scenarios_name_the_key(data: dict, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        build(data)


def test_builtin_scenarios_listed() -> None:
    assert {"published-10k", "dialogs-8k"} <= set(builtin_scenarios())
