"""Routing decision counters, rendered in the Prometheus text format by ``/metrics``.

A plain dict keyed by ``(alias, target, reason)`` is enough: increments happen on the event
loop (one thread), and the label sets are bounded (aliases x tiers x reason kinds).  The
metrics module registers :func:`prometheus_lines` as a collector.
"""

from __future__ import annotations

from collections import defaultdict

ROUTE_DECISIONS: defaultdict[tuple[str, str, str], int] = defaultdict(int)
CASCADE_OUTCOMES: defaultdict[tuple[str, str], int] = defaultdict(int)


def reason_kind(reason: str) -> str:
    """The label value of a reason: ``difficulty:0.82>0.61`` -> ``difficulty``."""
    return reason.split(":", 1)[0]


def record_decision(alias: str, target: str, reason: str) -> None:
    ROUTE_DECISIONS[(alias, target, reason_kind(reason))] += 1


def record_cascade(alias: str, outcome: str) -> None:
    CASCADE_OUTCOMES[(alias, outcome)] += 1


def _esc(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def prometheus_lines() -> list[str]:
    lines = [
        "# HELP perimeter_route_decisions_total Routing decisions by alias, chosen tier/alias and reason.",
        "# TYPE perimeter_route_decisions_total counter",
    ]
    for (alias, target, reason), n in sorted(ROUTE_DECISIONS.items()):
        lines.append(
            f'perimeter_route_decisions_total{{alias="{_esc(alias)}",target="{_esc(target)}",'
            f'reason="{_esc(reason)}"}} {n}'
        )
    lines += [
        "# HELP perimeter_cascade_outcomes_total Cascade results: kept the local answer or escalated (and why).",
        "# TYPE perimeter_cascade_outcomes_total counter",
    ]
    for (alias, outcome), n in sorted(CASCADE_OUTCOMES.items()):
        lines.append(f'perimeter_cascade_outcomes_total{{alias="{_esc(alias)}",outcome="{_esc(outcome)}"}} {n}')
    return lines
