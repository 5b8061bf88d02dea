"""Run summaries, defined the way vLLM's ``benchmark_serving`` and GuideLLM define them.

* **TTFT** — request sent → first output chunk.
* **ITL** — gap between consecutive output chunks of one request; the first token is excluded
  (it is TTFT).  Pooled over all measured requests.
* **TPOT** — per request, ``(latency - ttft) / (output_tokens - 1)``; requests with one token
  have none.
* **E2E latency** — request sent → stream closed.
* Throughput (requests/s, output tokens/s) — measured requests divided by the measurement
  window (warm-up and cool-down excluded).
* **Goodput** — measured requests/s that succeeded *and* met every SLO (``--slo``), as in
  vLLM's ``--goodput``.

Percentiles use linear interpolation between closest ranks (numpy's default), so figures line
up with vLLM's.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from perimeter.bench.client import Sample
from perimeter.bench.runner import RunResult

SLO_KEYS = {"ttft": "ttft", "tpot": "tpot", "itl": "itl", "e2el": "latency", "e2e": "latency",
            "latency": "latency"}
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "": 1e-3}


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..100) of an unsorted list."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def stats(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)
    return {
        "count": len(values), "mean": mean, "median": percentile(values, 50),
        "p90": percentile(values, 90), "p99": percentile(values, 99),
        "min": min(values), "max": max(values), "std": math.sqrt(var),
    }


@dataclass(slots=True, frozen=True)
class SLO:
    """Per-request targets in seconds; ``None`` means "no target"."""

    ttft: float | None = None
    tpot: float | None = None
    itl: float | None = None  # applied to the request's mean ITL
    latency: float | None = None

    def met(self, s: Sample) -> bool:
        if not s.ok:
            return False
        if self.ttft is not None and (s.ttft is None or s.ttft > self.ttft):
            return False
        tpot = s.tpot
        if self.tpot is not None and tpot is not None and tpot > self.tpot:
            return False
        if self.itl is not None and s.itl and sum(s.itl) / len(s.itl) > self.itl:
            return False
        return not (self.latency is not None and s.latency > self.latency)

    def to_json(self) -> dict[str, float]:
        return {k: v for k, v in (("ttft", self.ttft), ("tpot", self.tpot), ("itl", self.itl),
                                  ("e2el", self.latency)) if v is not None}

    @property
    def empty(self) -> bool:
        return not self.to_json()


def parse_slo(text: str | None) -> SLO:
    """Parse ``ttft=200ms,tpot=50ms,e2el=2s`` (bare numbers are milliseconds, like vLLM)."""
    if not text:
        return SLO()
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
        key, sep, raw = part.partition("=")
        if not sep:
            key, sep, raw = part.partition(":")
        key = key.strip().lower()
        if key not in SLO_KEYS:
            raise ValueError(f"unknown SLO '{key}' (use {', '.join(sorted(set(SLO_KEYS)))})")
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(us|ms|s|)\s*", raw)
        if not m:
            raise ValueError(f"SLO '{part}': expected a duration such as 200ms or 1.5s")
        values[SLO_KEYS[key]] = float(m.group(1)) * _UNITS[m.group(2)]
    return SLO(**values)


def summarize(result: RunResult, slo: SLO | None = None) -> dict[str, Any]:
    """The numbers a person compares: one flat-ish dict, times in seconds."""
    slo = slo or SLO()
    lo, hi = result.window
    window = max(hi - lo, 1e-9)
    measured = [s for s in result.samples if s.phase == "measure"]
    ok = [s for s in measured if s.ok]
    errors = [s for s in measured if not s.ok]
    itl = [x for s in ok for x in s.itl]
    tpot = [t for s in ok if (t := s.tpot) is not None]
    starts = sorted(s.start for s in measured)
    send_rate = (len(starts) - 1) / (starts[-1] - starts[0]) if len(starts) > 1 and starts[-1] > starts[0] else None
    lag = [s.start - s.scheduled for s in measured] if result.profile.kind in ("constant", "poisson") else []
    out_tokens = sum(s.output_tokens for s in ok)
    in_tokens = sum(s.input_tokens for s in ok)
    good = [s for s in ok if slo.met(s)] if not slo.empty else ok
    summary: dict[str, Any] = {
        "profile": result.profile.kind,
        "level": result.profile.value,
        "label": result.profile.label(),
        "stop_reason": result.stop_reason,
        "window_s": window,
        "requests": {
            "issued": len(result.samples), "measured": len(measured), "ok": len(ok),
            "errors": len(errors), "warmup": sum(s.phase == "warmup" for s in result.samples),
            "cooldown": sum(s.phase == "cooldown" for s in result.samples),
            "incomplete": sum(s.phase == "incomplete" for s in result.samples),
        },
        "error_rate": len(errors) / len(measured) if measured else 0.0,
        "errors_by_kind": dict(Counter(s.error or "" for s in errors)),
        "first_error": next((s.error_message for s in result.samples if s.error and s.error != "cancelled"), None),
        "requests_per_s": len(ok) / window,
        "send_rate": send_rate,
        "target_rate": result.profile.value if result.profile.kind in ("constant", "poisson") else None,
        "send_lag": stats(lag) if lag else None,
        "output_tokens_per_s": out_tokens / window,
        "input_tokens_per_s": in_tokens / window,
        "output_tokens": out_tokens,
        "input_tokens": in_tokens,
        "usage_reported": all(s.usage_reported for s in ok) if ok else False,
        # Little's law: mean requests in flight during the window.
        "mean_concurrency": sum(s.latency for s in measured) / window,
        "ttft": stats([s.ttft for s in ok if s.ttft is not None]),
        "itl": stats(itl),
        "tpot": stats(tpot),
        "latency": stats([s.latency for s in ok]),
        "slo": slo.to_json(),
        "goodput_requests_per_s": len(good) / window,
        "goodput_fraction": len(good) / len(measured) if measured else 0.0,
    }
    return summary
