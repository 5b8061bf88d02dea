"""The cost page: ``perimeter tco --from-ledger`` for the console, with its plot.

The ledger's last ``days`` days are priced three ways by :mod:`perimeter.tco.ledger` (actual,
all-cloud, all-local) and the scenario's self-hosting model is re-run at the traffic the ledger
measured, with the on-prem share the router actually produced.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from perimeter.tco.ledger import price_ledger, read_totals
from perimeter.tco.model import api, break_even, hybrid, self_hosted
from perimeter.tco.plot import chart
from perimeter.tco.scenario import ScenarioError, build, builtin_scenarios, load_yaml

if TYPE_CHECKING:
    from perimeter.accounting.services import AccountingServices


@dataclass(slots=True)
class CostView:
    days: float
    scenario: str
    api_model: str
    scenarios: list[str]
    currency: str = "USD"
    ledger: dict[str, Any] | None = None
    options: list[dict[str, Any]] | None = None
    break_even_per_day: float | None = None
    chart_svg: str = ""
    error: str | None = None


async def cost_view(services: AccountingServices, days: float, scenario: str, api_model: str | None) -> CostView:
    names = builtin_scenarios()
    scenario = scenario if scenario in names else names[-1]
    view = CostView(days, scenario, api_model or "", names)
    try:
        data = load_yaml(scenario)
        if api_model:
            data["api"] = {"model": api_model}
        # In the ledger's currency, with the gateway's own exchange rates.
        data["currency"] = services.prices.currency
        data["exchange_rates"] = {k: v for k, v in services.prices.rates.items() if k != "USD"}
        sc = build(data)
        view.currency = sc.currency
        view.api_model = sc.price.model
        await services.flush()
        totals = await asyncio.to_thread(read_totals, services.db, days)
        out = price_ledger(sc, totals)
    except (ScenarioError, ValueError) as exc:
        view.error = str(exc)
        return view
    sc = replace(sc, traffic=out["traffic"], local_share=out["local_share"])
    view.ledger = {k: v for k, v in out.items() if k != "traffic"}
    view.options = [
        {"option": c.option, "monthly": c.monthly, "per_million": c.per_million_tokens}
        for c in (self_hosted(sc.host, sc.traffic), api(sc.price, sc.traffic),
                  hybrid(sc.host, sc.price, sc.traffic, sc.local_share))
    ]
    view.break_even_per_day = break_even(sc.host, sc.price, sc.traffic)
    view.chart_svg = chart(sc)
    return view
