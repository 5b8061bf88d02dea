"""The budget gauges read the ledger only when there is a budget to compare it with."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from perimeter.observability.budgets import budget_use


class _Db:
    def __init__(self, rows: list[tuple[str, str, float]]) -> None:
        self.rows = rows
        self.reads = 0

    async def run(self, fn: Any, *, write: bool = True) -> list[tuple[str, str, float]]:
        self.reads += 1
        return self.rows


def _services(budgets: dict[str, float | None], rows: list[tuple[str, str, float]]) -> Any:
    recs = [SimpleNamespace(name=f"{scope} bot", scope=scope, budget=b) for scope, b in budgets.items()]

    async def all_keys(*, include_inactive: bool = True) -> list[Any]:
        return recs

    def scopes(rec: Any) -> list[Any]:
        return [SimpleNamespace(name=rec.scope, limits=SimpleNamespace(budget=rec.budget, budget_period="monthly"))]

    return SimpleNamespace(db=_Db(rows), keys=SimpleNamespace(all=all_keys), gatekeeper=SimpleNamespace(scopes=scopes))


async def test_no_budget_anywhere_reads_no_ledger() -> None:
    services = _services({"key:a": None, "key:b": None}, [("key:a", "m202611", 5.0)])
    assert await budget_use(services) == []
    assert services.db.reads == 0


async def test_budgets_are_compared_with_the_ledger_fullest_first() -> None:
    now = 1_796_000_000.0  # 30 November 2026 (UTC): period m202611
    services = _services({"key:a": 10.0, "key:b": None, "team:t": 4.0},
                         [("key:a", "m202611", 5.0), ("key:b", "m202611", 9.0), ("team:t", "m202611", 3.0)])
    uses = await budget_use(services, now)
    assert services.db.reads == 1
    assert [(u.scope, u.id, u.name, u.spent, u.budget) for u in uses] == [
        ("team", "t", "t", 3.0, 4.0), ("key", "a", "key:a bot", 5.0, 10.0)]
