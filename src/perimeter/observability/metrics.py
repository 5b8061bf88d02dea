"""Prometheus metrics, kept in plain dicts.

A dict increment per event is cheaper than a client-library call with label validation, and
the text exposition format is simple enough to render ourselves.  Other packages add their
own series with :func:`register_collector`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import Any

LabelKey = tuple[str, ...]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: tuple[str, ...], values: LabelKey) -> str:
    if not names:
        return ""
    return "{" + ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)) + "}"


class Counter:
    kind = "counter"

    def __init__(self, name: str, help: str, labels: tuple[str, ...] = ()) -> None:
        self.name, self.help, self.labelnames = name, help, labels
        self.values: dict[LabelKey, float] = {}

    def inc(self, labels: LabelKey = (), amount: float = 1.0) -> None:
        self.values[labels] = self.values.get(labels, 0.0) + amount

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {self.kind}"
        for k, v in self.values.items():
            yield f"{self.name}{_labels(self.labelnames, k)} {v:g}"


class Gauge(Counter):
    kind = "gauge"

    def set(self, labels: LabelKey, value: float) -> None:
        self.values[labels] = value


class Histogram:
    def __init__(self, name: str, help: str, labels: tuple[str, ...] = (),
                 buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.name, self.help, self.labelnames, self.buckets = name, help, labels, buckets
        self.values: dict[LabelKey, list[float]] = {}  # per-bucket counts..., +Inf count, sum

    def observe(self, labels: LabelKey, value: float) -> None:
        row = self.values.get(labels)
        if row is None:
            row = self.values[labels] = [0.0] * (len(self.buckets) + 2)
        row[bisect.bisect_left(self.buckets, value)] += 1
        row[-1] += value

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} histogram"
        names = (*self.labelnames, "le")
        for k, row in self.values.items():
            acc = 0.0
            for i, b in enumerate(self.buckets):
                acc += row[i]
                yield f"{self.name}_bucket{_labels(names, (*k, f'{b:g}'))} {acc:g}"
            acc += row[len(self.buckets)]
            yield f"{self.name}_bucket{_labels(names, (*k, '+Inf'))} {acc:g}"
            yield f"{self.name}_sum{_labels(self.labelnames, k)} {row[-1]:.6f}"
            yield f"{self.name}_count{_labels(self.labelnames, k)} {acc:g}"


REQUESTS = Counter("perimeter_requests_total", "Requests by alias, provider, endpoint and status.",
                   ("alias", "provider", "endpoint", "status"))
LATENCY = Histogram("perimeter_request_duration_seconds", "End-to-end request latency.", ("alias", "provider"))
TTFT = Histogram("perimeter_time_to_first_token_seconds", "Time to the first streamed token.",
                 ("alias", "provider"))
TOKENS = Counter("perimeter_tokens_total", "Tokens by alias, provider and kind (prompt/completion).",
                 ("alias", "provider", "kind"))
UPSTREAM_ERRORS = Counter("perimeter_upstream_errors_total", "Failed upstream attempts by provider and kind.",
                          ("provider", "kind"))
FALLBACKS = Counter("perimeter_fallbacks_total", "Requests served by a provider other than the first choice.",
                    ("alias",))
BREAKER_STATE = Gauge("perimeter_breaker_state", "Circuit breaker state (0 closed, 1 half-open, 2 open).",
                      ("provider",))
IN_FLIGHT = Gauge("perimeter_in_flight_requests", "Requests in flight per provider.", ("provider",))

PRIVACY_CANARY_HITS = Counter("perimeter_privacy_canary_hits_total",
                              "Requests refused because a canary value was about to reach a cloud provider.",
                              ("alias",))

_CORE: list[Any] = [REQUESTS, LATENCY, TTFT, TOKENS, UPSTREAM_ERRORS, FALLBACKS, BREAKER_STATE, IN_FLIGHT,
                    PRIVACY_CANARY_HITS]
_collectors: list[Callable[[], Iterable[str]]] = []


def register_collector(fn: Callable[[], Iterable[str]]) -> None:
    """Add a function that yields exposition lines (with its own HELP/TYPE) to /metrics."""
    if fn not in _collectors:
        _collectors.append(fn)


def unregister_collector(fn: Callable[[], Iterable[str]]) -> None:
    if fn in _collectors:
        _collectors.remove(fn)


def render(refresh: Callable[[], None] | None = None) -> bytes:
    if refresh is not None:
        refresh()
    lines: list[str] = []
    for metric in _CORE:
        lines.extend(metric.render())
    for fn in _collectors:
        lines.extend(fn())
    return ("\n".join(lines) + "\n").encode()
