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
    """Every active key and team with a budget, fullest first."""
    now = time.time() if now is None else now
    spent = {(scope, pid): v for scope, pid, v in await services.db.run(lambda tx: spend_so_far(tx, now), write=False)}
    out: dict[str, BudgetUse] = {}
    for rec in await services.keys.all(include_inactive=False):
        for s in services.gatekeeper.scopes(rec):
            budget = s.limits.budget
            if budget is None or s.name in out:
                continue
            kind, _, ident = s.name.partition(":")
            period = s.limits.budget_period
            out[s.name] = BudgetUse(kind, ident, rec.name if kind == "key" else ident, period,
                                    spent.get((s.name, period_id(period, now)), 0.0), float(budget))
    return sorted(out.values(), key=lambda b: b.ratio, reverse=True)
