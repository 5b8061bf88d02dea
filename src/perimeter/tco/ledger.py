"""``perimeter tco --from-ledger``: what the last N days of real traffic cost, and the alternatives.

Reads the gateway's ledger (:mod:`perimeter.store`, SQLite or PostgreSQL) and prices the same
traffic three ways:

* **actual** — what the cloud requests were billed (the ledger's ``cost``) plus the self-hosted
  service sized for the on-prem share, prorated to the period;
* **all-cloud** — every request's tokens at the scenario's API list price (cached prompt
  tokens at the cached price);
* **all-local** — the self-hosted service sized for all of it, prorated.

Only successful requests (status < 400) count.  The on-prem share measured here is the split
Perimeter's router actually produced, and it replaces ``local_share`` in the plot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from perimeter.store.db import Database, Tx
from perimeter.tco.currency import CurrencyError, convert
from perimeter.tco.model import DAYS_PER_MONTH, self_hosted
from perimeter.tco.scenario import Scenario


@dataclass(slots=True, frozen=True)
class LedgerTotals:
    days: float
    requests: int
    local_requests: int
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    cloud_cost: float
    recorded_cost: float
    currency: str | None

    @property
    def local_share(self) -> float:
        return self.local_requests / self.requests if self.requests else 0.0


def read_totals(db: Database, days: float, now: float | None = None) -> LedgerTotals:
    now = time.time() if now is None else now
    since = now - days * 86400

    def q(tx: Tx) -> list[tuple[Any, ...]]:
        return tx.execute(
            "SELECT location, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached_tokens), "
            "SUM(cost), MAX(currency) FROM ledger WHERE ts >= ? AND ts < ? AND status < 400 GROUP BY location",
            (since, now + 1))

    rows = db.run_sync(q, write=False)
    req = local = pt = ct = cached = 0
    cloud_cost = recorded = 0.0
    currency = None
    for loc, n, p, c, ca, cost, cur in rows:
        req += int(n)
        pt, ct, cached = pt + int(p or 0), ct + int(c or 0), cached + int(ca or 0)
        recorded += float(cost or 0)
        if loc == "on_prem":
            local += int(n)
        else:
            cloud_cost += float(cost or 0)
        currency = currency or cur
    return LedgerTotals(days, req, local, pt, ct, cached, cloud_cost, recorded, currency)


def price_ledger(sc: Scenario, t: LedgerTotals) -> dict[str, Any]:
    """Actual vs all-cloud vs all-local for the ledger's period, in the scenario's currency.

    The ledger's costs are in the gateway's ``accounting.currency``; they are converted to the
    scenario's so the three options are compared in one unit.
    """
    if t.requests == 0:
        raise ValueError(f"the ledger has no successful requests in the last {t.days:g} days")
    ledger_currency = t.currency or sc.currency
    try:
        cloud_cost = convert(t.cloud_cost, ledger_currency, sc.currency, sc.rates)
        recorded = convert(t.recorded_cost, ledger_currency, sc.currency, sc.rates)
    except CurrencyError as exc:
        raise ValueError(f"the ledger is in {ledger_currency}: {exc}") from None
    avg_in = t.prompt_tokens / t.requests
    avg_out = t.completion_tokens / t.requests
    traffic = replace(sc.traffic, per_day=t.requests / t.days, input_tokens=max(1, round(avg_in)),
                      output_tokens=max(1, round(avg_out)), turns=1, cache_history=False)
    prorate = t.days / DAYS_PER_MONTH
    p = sc.price
    cached_price = p.cached if p.cached is not None else p.input
    all_cloud = ((t.prompt_tokens - t.cached_tokens) * p.input + t.cached_tokens * cached_price
                 + t.completion_tokens * p.output) / 1e6
    all_local = self_hosted(sc.host, traffic, t.requests / t.days).monthly * prorate
    local_infra = (self_hosted(sc.host, traffic, t.local_requests / t.days).monthly * prorate
                   if t.local_requests else 0.0)
    return {
        "days": t.days, "requests": t.requests, "local_share": t.local_share,
        "avg_input_tokens": avg_in, "avg_output_tokens": avg_out,
        "currency": sc.currency,
        "actual": cloud_cost + local_infra, "actual_cloud_part": cloud_cost, "actual_local_part": local_infra,
        "all_cloud": all_cloud, "all_local": all_local, "api_model": p.model,
        "ledger_recorded_cost": recorded, "ledger_currency": ledger_currency,
        "per_day_requests": t.requests / t.days,
        "monthly_at_this_rate": {"actual": (cloud_cost + local_infra) / prorate,
                                 "all_cloud": all_cloud / prorate,
                                 "all_local": all_local / prorate},
        "traffic": traffic,
    }
