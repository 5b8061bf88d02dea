"""A sweep: run increasing load until throughput stops growing, and name the saturation point.

Concurrency sweeps double the number of concurrent requests (1, 2, 4, ...); rate sweeps
(``constant``/``poisson``) start from the rate a synchronous run achieves and double it, as
GuideLLM's sweep spans synchronous → max throughput.  After each level we compare output
tokens/s with the best so far: the sweep stops when a level adds less than ``min_gain``
(default 10 %), when the error rate passes ``max_error_rate``, or when goodput collapses, and
the saturation point is the level with the highest throughput — past it, more load buys only
latency.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from perimeter.bench.metrics import SLO, summarize
from perimeter.bench.runner import Profile, ProfileKind, RunResult


@dataclass(slots=True, frozen=True)
class SweepPlan:
    kind: ProfileKind = "concurrent"
    levels: tuple[float, ...] | None = None  # explicit levels; None = doubling
    max_level: float = 256
    min_gain: float = 0.10
    max_error_rate: float = 0.05
    start: float | None = None  # first level for auto rate sweeps (default: synchronous rate)


def saturation(summaries: list[dict[str, Any]], plan: SweepPlan) -> dict[str, Any] | None:
    """Pick the saturation point from finished levels (None until one level succeeded)."""
    usable = [(i, s) for i, s in enumerate(summaries) if s["requests"]["ok"]]
    if not usable:
        return None
    i, best = max(usable, key=lambda t: t[1]["output_tokens_per_s"])
    return {
        "index": i, "profile": best["profile"], "level": best["level"], "label": best["label"],
        "output_tokens_per_s": best["output_tokens_per_s"], "requests_per_s": best["requests_per_s"],
        "ttft_p90": best["ttft"].get("p90"), "latency_p90": best["latency"].get("p90"),
    }


def stop_reason(summaries: list[dict[str, Any]], plan: SweepPlan, slo: SLO) -> str | None:
    """Why the sweep should stop after the latest level (None = keep going)."""
    last = summaries[-1]
    if last["error_rate"] > plan.max_error_rate:
        return f"error rate {last['error_rate']:.0%} > {plan.max_error_rate:.0%} at {last['label']}"
    if not slo.empty and last["requests"]["measured"] and last["goodput_fraction"] < 0.5:
        return f"fewer than half the requests met the SLO at {last['label']}"
    if len(summaries) >= 2:
        prev_best = max(s["output_tokens_per_s"] for s in summaries[:-1])
        if prev_best > 0 and last["output_tokens_per_s"] < prev_best * (1 + plan.min_gain):
            return f"throughput grew < {plan.min_gain:.0%} at {last['label']}: saturated"
    return None


async def run_sweep(
    plan: SweepPlan, slo: SLO, run_level: Callable[[Profile], Awaitable[RunResult]],
    *, on_level: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[list[RunResult], dict[str, Any] | None, str]:
    """Run levels until saturation; ``run_level`` runs one profile (the CLI binds target/limits)."""
    results: list[RunResult] = []
    summaries: list[dict[str, Any]] = []
    levels: list[float]
    if plan.levels:
        levels = list(plan.levels)
    elif plan.kind == "concurrent":
        levels = [1.0]
    else:
        start = plan.start
        if start is None:
            base = await run_level(Profile("synchronous", 1))
            results.append(base)
            summaries.append(summarize(base, slo))
            if on_level:
                on_level(summaries[-1])
            if base.stop_reason in ("interrupted", "fatal error"):
                return results, saturation(summaries, plan), base.stop_reason
            start = max(summaries[-1]["requests_per_s"], 0.1)
        levels = [start]
    reason = "all levels done"
    i = 0
    while i < len(levels):
        level = levels[i]
        result = await run_level(Profile(plan.kind, level))
        results.append(result)
        summaries.append(summarize(result, slo))
        if on_level:
            on_level(summaries[-1])
        if result.stop_reason in ("interrupted", "fatal error"):
            reason = result.stop_reason
            break
        why = stop_reason(summaries, plan, slo)
        if why:
            reason = why
            break
        if not plan.levels and level * 2 <= plan.max_level:
            levels.append(level * 2)
        i += 1
    else:
        if not plan.levels:
            reason = f"reached --max-level {plan.max_level:g}"
    return results, saturation(summaries, plan), reason
