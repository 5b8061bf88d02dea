"""How much of each key's and team's spend budget is used, from the ledger.

The ledger is the one place every worker and replica writes to, so this is right however many
processes serve (each in-memory limiter only sees its own share).  Feeds the
``perimeter_budget_used_ratio`` gauge (alert at 0.8) and the console's overview.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from perimeter.accounting.limits import period_id
from perimeter.accounting.usage import spend_so_far

if TYPE_CHECKING:
    from perimeter.accounting.services import AccountingServices


@dataclass(slots=True, frozen=True)
class BudgetUse:
    scope: str  # "key" | "team"
    id: str
    name: str
    period: str  # "daily" | "monthly"
    spent: float
    budget: float

    @property
    def ratio(self) -> float:
        return self.spent / self.budget if self.budget > 0 else (1.0 if self.spent > 0 else 0.0)


async def budget_use(services: AccountingServices, now: float | None = None) -> list[BudgetUse]:
    """Every active key and team with a budget, fullest first.

    The ledger is summed only when some active key or team has a budget: the sum reads every
    row of the current month (the watch repeats it every ``budget_refresh_interval``), a cost
    that grows with the ledger and bought nothing on a gateway without budgets.
    """
    now = time.time() if now is None else now
    budgeted: dict[str, tuple[str, str, str, float]] = {}  # scope → (kind, id, name, budget)
    periods: dict[str, str] = {}
    for rec in await services.keys.all(include_inactive=False):
        for s in services.gatekeeper.scopes(rec):
            budget = s.limits.budget
            if budget is None or s.name in budgeted:
                continue
            kind, _, ident = s.name.partition(":")
            budgeted[s.name] = (kind, ident, rec.name if kind == "key" else ident, float(budget))
            periods[s.name] = s.limits.budget_period
    if not budgeted:
        return []
    spent = {(scope, pid): v for scope, pid, v in await services.db.run(lambda tx: spend_so_far(tx, now), write=False)}
    out = [BudgetUse(kind, ident, name, periods[scope], spent.get((scope, period_id(periods[scope], now)), 0.0), budget)
           for scope, (kind, ident, name, budget) in budgeted.items()]
    return sorted(out, key=lambda b: b.ratio, reverse=True)
