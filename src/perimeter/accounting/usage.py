"""Usage summaries from the ledger: requests, tokens, cost and savings vs all-cloud."""

from __future__ import annotations

import time
from typing import Any

from perimeter.accounting.limits import period_id, period_start
from perimeter.store.db import Database, Tx

GROUPS = {"key": "key_id", "team": "team", "alias": "alias", "provider": "provider", "location": "location",
          "model": "model", "day": None}


def summarize(tx: Tx, *, since: float, until: float, group_by: str = "key") -> dict[str, Any]:
    """Totals and per-group rows for ``since <= ts < until``.

    ``savings`` is, for on-prem requests, what the reference cloud model would have charged
    minus what they cost (their provider price, often 0): the "savings vs all-cloud".
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    col = GROUPS[group_by]
    if col is None:
        col = "CAST(FLOOR(ts / 86400) AS INTEGER)" if not tx.postgres else "FLOOR(ts / 86400)::BIGINT"
    sql = f"""
        SELECT {col} AS g, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached_tokens),
               SUM(cost), SUM(CASE WHEN location = 'on_prem' THEN COALESCE(reference_cost, 0) - cost ELSE 0 END),
               SUM(CASE WHEN location = 'on_prem' THEN 1 ELSE 0 END),
               SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), AVG(latency_ms), MAX(currency)
        FROM ledger WHERE ts >= ? AND ts < ? GROUP BY {col} ORDER BY 6 DESC
    """
    rows = tx.execute(sql, (since, until))
    groups = []
    total = {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0, "cached_tokens": 0, "cost": 0.0,
             "savings_vs_cloud": 0.0, "on_prem_requests": 0, "errors": 0}
    currency = None
    for g, n, pt, ct, cached, cost, savings, onprem, errors, lat, cur in rows:
        if group_by == "day" and g is not None:
            g = time.strftime("%Y-%m-%d", time.gmtime(int(g) * 86400))
        item = {
            group_by: g, "requests": int(n), "prompt_tokens": int(pt or 0), "completion_tokens": int(ct or 0),
            "cached_tokens": int(cached or 0), "cost": round(float(cost or 0), 6),
            "savings_vs_cloud": round(float(savings or 0), 6), "on_prem_requests": int(onprem or 0),
            "errors": int(errors or 0), "avg_latency_ms": round(float(lat or 0), 2),
        }
        currency = currency or cur
        groups.append(item)
        for k in total:
            total[k] += item[k]
    total["cost"] = round(float(total["cost"]), 6)
    total["savings_vs_cloud"] = round(float(total["savings_vs_cloud"]), 6)
    return {"since": since, "until": until, "group_by": group_by, "currency": currency, "total": total,
            "groups": groups}


async def usage_summary(db: Database, *, since: float | None = None, until: float | None = None,
                        group_by: str = "key") -> dict[str, Any]:
    now = time.time()
    s = since if since is not None else period_start("monthly", now)
    u = until if until is not None else now + 1
    return await db.run(lambda tx: summarize(tx, since=s, until=u, group_by=group_by), write=False)


def spend_so_far(tx: Tx, now: float) -> list[tuple[str, str, float]]:
    """``(scope, period_id, spend)`` for keys and teams in the current day and month."""
    out: list[tuple[str, str, float]] = []
    for period in ("daily", "monthly"):
        start = period_start(period, now)
        pid = period_id(period, now)
        for key_id, team, spent in tx.execute(
            "SELECT key_id, team, SUM(cost) FROM ledger WHERE ts >= ? AND key_id IS NOT NULL GROUP BY key_id, team",
            (start,),
        ):
            out.append((f"key:{key_id}", pid, float(spent or 0)))
            if team:
                out.append((f"team:{team}", pid, float(spent or 0)))
    merged: dict[tuple[str, str], float] = {}
    for scope, pid, v in out:
        merged[(scope, pid)] = merged.get((scope, pid), 0.0) + v
    return [(s, p, v) for (s, p), v in merged.items()]
