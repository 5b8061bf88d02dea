"""What the overview shows, read from the ledger and the workers' metrics — counts only.

The ledger is shared by every worker and replica, so request counts, the on-prem/cloud split,
entities, spend and latency percentiles are those of the whole deployment.  Fallbacks, upstream
errors and breaker states come from ``/metrics`` (all workers of this replica, since start).
No query reads the ``content`` column: the console never shows what anyone wrote.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from perimeter.accounting.usage import usage_summary
from perimeter.observability import metrics
from perimeter.observability.budgets import BudgetUse, budget_use
from perimeter.observability.multiprocess import parse
from perimeter.store.db import Tx

if TYPE_CHECKING:
    from perimeter.accounting.services import AccountingServices
    from perimeter.config import Config
    from perimeter.pipeline import Pipeline

#: Window name -> (seconds, bucket seconds) for the overview's time axis.
WINDOWS = {"1h": (3600, 60), "24h": (86400, 1800), "7d": (7 * 86400, 6 * 3600), "30d": (30 * 86400, 86400)}
#: Percentiles are computed over at most this many recent requests.
LATENCY_SAMPLE = 50_000


@dataclass(slots=True)
class ProviderRow:
    provider: str
    location: str
    jurisdiction: str | None
    requests: int = 0
    errors: int = 0
    cost: float = 0.0
    latency: dict[str, float | None] = field(default_factory=dict)
    ttft: dict[str, float | None] = field(default_factory=dict)
    breaker: str = "closed"
    upstream_errors: int = 0


@dataclass(slots=True)
class Overview:
    window: str
    since: float
    until: float
    currency: str
    total: dict[str, Any]
    locations: dict[str, int]
    jurisdictions: dict[str, int]
    timeline: list[tuple[float, int, int]]
    entities: dict[str, dict[str, int]]
    providers: list[ProviderRow]
    fallbacks: dict[str, float]
    budgets: list[BudgetUse]

    @property
    def on_prem_share(self) -> float:
        n = sum(self.locations.values())
        return self.locations.get("on_prem", 0) / n if n else 0.0

    @property
    def entity_total(self) -> int:
        return sum(sum(actions.values()) for actions in self.entities.values())


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None}
    s = sorted(values)
    return {f"p{q}": s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))] for q in (50, 95, 99)}


def _timeline(tx: Tx, since: float, until: float, bucket: int) -> list[tuple[float, int, int]]:
    b = "FLOOR(ts / ?)::BIGINT" if tx.postgres else "CAST(ts / ? AS INTEGER)"
    rows = tx.execute(
        f"SELECT {b} AS b, COUNT(*), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) FROM ledger "
        "WHERE ts >= ? AND ts < ? GROUP BY 1 ORDER BY 1", (bucket, since, until))
    seen = {int(r[0]): (int(r[1]), int(r[2] or 0)) for r in rows}
    first, last = int(since // bucket), int((until - 1) // bucket)
    return [(i * bucket, *seen.get(i, (0, 0))) for i in range(first, last + 1)]


def _entities(tx: Tx, since: float, until: float) -> dict[str, dict[str, int]]:
    rows = tx.execute(
        "SELECT entity_counts, privacy_action, COUNT(*) FROM ledger WHERE ts >= ? AND ts < ? "
        "AND entity_counts <> '{}' GROUP BY entity_counts, privacy_action", (since, until))
    out: dict[str, dict[str, int]] = {}
    for counts, action, n in rows:
        try:
            parsed = orjson.loads(counts)
        except orjson.JSONDecodeError:
            continue
        for etype, k in parsed.items() if isinstance(parsed, dict) else ():
            if isinstance(k, int):
                per = out.setdefault(str(etype), {})
                per[action or "unknown"] = per.get(action or "unknown", 0) + k * int(n)
    return dict(sorted(out.items(), key=lambda kv: -sum(kv[1].values())))


def _latencies(tx: Tx, since: float, until: float) -> dict[str, tuple[list[float], list[float]]]:
    rows = tx.execute(
        "SELECT provider, latency_ms, ttft_ms FROM ledger WHERE ts >= ? AND ts < ? AND status < 400 "
        "AND provider IS NOT NULL ORDER BY ts DESC LIMIT ?", (since, until, LATENCY_SAMPLE))
    out: dict[str, tuple[list[float], list[float]]] = {}
    for provider, lat, ttft in rows:
        lats, ttfts = out.setdefault(provider, ([], []))
        if lat is not None:
            lats.append(float(lat))
        if ttft is not None:
            ttfts.append(float(ttft))
    return out


def _series(text: str, name: str, label: str) -> dict[str, float]:
    """``{label value: sum}`` of one metric in an exposition text."""
    out: dict[str, float] = {}
    for fam in parse(text).values():
        for series, v in fam.samples.items():
            if series.split("{", 1)[0] != name:
                continue
            marker = f'{label}="'
            i = series.find(marker)
            key = series[i + len(marker):series.index('"', i + len(marker))] if i >= 0 else ""
            out[key] = out.get(key, 0.0) + v
    return out


BREAKER = {0.0: "closed", 1.0: "half-open", 2.0: "open"}


async def overview(config: Config, pipeline: Pipeline, services: AccountingServices, window: str,
                   now: float | None = None) -> Overview:
    seconds, bucket = WINDOWS.get(window, WINDOWS["24h"])
    until = (time.time() if now is None else now) + 1
    since = until - seconds
    await services.flush()  # rows still queued in this worker count too
    summary = await usage_summary(services.db, since=since, until=until, group_by="provider")
    by_location = await usage_summary(services.db, since=since, until=until, group_by="location")

    def read(tx: Tx) -> tuple[Any, Any, Any]:
        return _timeline(tx, since, until, bucket), _entities(tx, since, until), _latencies(tx, since, until)

    timeline, entities, latencies = await services.db.run(read, write=False)
    text = metrics.render(pipeline.refresh_gauges).decode()
    breakers, errors = _series(text, "perimeter_breaker_state", "provider"), \
        _series(text, "perimeter_upstream_errors_total", "provider")
    rows: dict[str, ProviderRow] = {}
    for p in config.providers:
        rows[p.name] = ProviderRow(p.name, p.location, getattr(p, "jurisdiction", None),
                                   breaker=BREAKER.get(breakers.get(p.name, 0.0), "open"),
                                   upstream_errors=int(errors.get(p.name, 0)))
    for g in summary["groups"]:
        name = g["provider"]
        if name is None:
            continue  # refused before any provider was chosen
        row = rows.setdefault(name, ProviderRow(name, "removed", None))
        row.requests, row.errors, row.cost = g["requests"], g["errors"], g["cost"]
    for name, (lats, ttfts) in latencies.items():
        if name in rows:
            rows[name].latency, rows[name].ttft = percentiles(lats), percentiles(ttfts)
    locations = {str(g["location"]): g["requests"] for g in by_location["groups"] if g["location"]}
    jurisdictions: dict[str, int] = {}
    for r in rows.values():
        if r.jurisdiction and r.requests:
            jurisdictions[r.jurisdiction] = jurisdictions.get(r.jurisdiction, 0) + r.requests
    return Overview(
        window=window if window in WINDOWS else "24h", since=since, until=until,
        currency=summary["currency"] or config.accounting.currency, total=summary["total"], locations=locations,
        jurisdictions=jurisdictions, timeline=timeline, entities=entities,
        providers=sorted(rows.values(), key=lambda r: -r.requests),
        fallbacks=_series(text, "perimeter_fallbacks_total", "alias"), budgets=await budget_use(services),
    )
