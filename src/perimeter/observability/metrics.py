"""Prometheus metrics, kept in plain dicts.

A dict increment per event is cheaper than a client-library call with label validation, and
the text exposition format is simple enough to render ourselves.  Other packages add their
own series with :func:`register_collector`.

Two promises, both documented in ``docs/observability.md``:

* **Bounded label sets.**  A label value is a configured alias or provider, a key id, or one
  of a fixed set of words; a model name a client made up is counted as ``alias="other"``
  (:func:`bind` learns the configured names at start-up).
* **Names follow the OpenTelemetry GenAI conventions where they exist**
  (``gen_ai.server.request.duration`` → ``gen_ai_server_request_duration_seconds``, label
  ``gen_ai_request_model`` …); the rest are ``perimeter_*``.

With several worker processes each keeps its own dicts and :mod:`.multiprocess` adds them up
on a scrape.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from perimeter.config import Config
    from perimeter.context import RequestContext


class MetricsShare(Protocol):
    """What :mod:`.multiprocess` provides: the exposition text summed over every worker."""

    def scrape(self, refresh: Callable[[], None] | None = None) -> str: ...

LabelKey = tuple[str, ...]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
#: The GenAI semantic conventions' advice for ``gen_ai.client.token.usage`` (powers of 4).
TOKEN_BUCKETS = (1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0,
                 4194304.0, 16777216.0, 67108864.0)


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def fmt_value(v: float) -> str:
    """A sample value without losing counts (``{:g}`` would print 1234567 as 1.23457e+06)."""
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


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
            yield f"{self.name}{_labels(self.labelnames, k)} {fmt_value(v)}"


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
                yield f"{self.name}_bucket{_labels(names, (*k, f'{b:g}'))} {fmt_value(acc)}"
            acc += row[len(self.buckets)]
            yield f"{self.name}_bucket{_labels(names, (*k, '+Inf'))} {fmt_value(acc)}"
            yield f"{self.name}_sum{_labels(self.labelnames, k)} {fmt_value(row[-1])}"
            yield f"{self.name}_count{_labels(self.labelnames, k)} {fmt_value(acc)}"


_GENAI = ("gen_ai_operation_name", "gen_ai_request_model", "perimeter_provider")

REQUESTS = Counter("perimeter_requests_total", "Requests by alias, provider, endpoint and status.",
                   ("alias", "provider", "endpoint", "status"))
REQUEST_DURATION = Histogram(
    "gen_ai_server_request_duration_seconds",
    "End-to-end request duration (OpenTelemetry gen_ai.server.request.duration; error_type is the HTTP "
    "status of a failed request).", (*_GENAI, "error_type"))
TTFT = Histogram("gen_ai_server_time_to_first_token_seconds",
                 "Time to the first streamed token (OpenTelemetry gen_ai.server.time_to_first_token).", _GENAI)
TOKEN_USAGE = Histogram("gen_ai_client_token_usage",
                        "Tokens per request by type input/output (OpenTelemetry gen_ai.client.token.usage).",
                        (*_GENAI, "gen_ai_token_type"), buckets=TOKEN_BUCKETS)
UPSTREAM_ERRORS = Counter("perimeter_upstream_errors_total", "Failed upstream attempts by provider and kind.",
                          ("provider", "kind"))
FALLBACKS = Counter("perimeter_fallbacks_total", "Requests served by a provider other than the first choice.",
                    ("alias",))
ENTITIES = Counter("perimeter_privacy_entities_total",
                   "Sensitive entities found in requests, by entity type and the action taken.",
                   ("entity_type", "action"))
PRIVACY_CANARY_HITS = Counter("perimeter_privacy_canary_hits_total",
                              "Requests refused because a canary value was about to reach a cloud provider.",
                              ("alias",))
BREAKER_STATE = Gauge("perimeter_breaker_state", "Circuit breaker state (0 closed, 1 half-open, 2 open).",
                      ("provider",))
IN_FLIGHT = Gauge("perimeter_in_flight_requests", "Requests in flight per provider.", ("provider",))
ALIAS_USABLE = Gauge("perimeter_alias_usable_providers",
                     "Providers of an alias that can take a request now (0: the alias cannot be served).",
                     ("alias",))
PROVIDER_INFO = Gauge("perimeter_provider_info",
                      "Configured providers (always 1): join on provider for the on-prem/cloud split.",
                      ("provider", "location", "type"))
BUDGET_USED = Gauge("perimeter_budget_used_ratio",
                    "Spend this period / budget, per key or team with a budget (from the ledger).",
                    ("scope", "id", "period"))
AUDIT_CHAIN_OK = Gauge("perimeter_audit_chain_ok",
                       "1 when the last verification of the audit hash chain passed, 0 when it failed.")
AUDIT_CHAIN_ENTRIES = Gauge("perimeter_audit_chain_entries", "Entries in the audit log at the last verification.")
AUDIT_VERIFIED_AT = Gauge("perimeter_audit_chain_verified_timestamp_seconds",
                          "Unix time of the last audit chain verification.")

_CORE: list[Any] = [REQUESTS, REQUEST_DURATION, TTFT, TOKEN_USAGE, UPSTREAM_ERRORS, FALLBACKS, ENTITIES, PRIVACY_CANARY_HITS,
                    BREAKER_STATE, IN_FLIGHT, PROVIDER_INFO, BUDGET_USED, AUDIT_CHAIN_OK, AUDIT_CHAIN_ENTRIES,
                    AUDIT_VERIFIED_AT, ALIAS_USABLE]
_collectors: list[Callable[[], Iterable[str]]] = []
_share: MetricsShare | None = None

# ------------------------------------------------------------------------------ bounded labels

OTHER = "other"
_aliases: frozenset[str] = frozenset()
_OPERATION = {"chat": "chat", "messages": "chat", "completions": "text_completion", "embeddings": "embeddings"}


def bind(config: Config) -> None:
    """Learn the configured aliases (anything else is ``other``) and publish the provider info."""
    global _aliases
    _aliases = frozenset(config.models)
    for stale in (PROVIDER_INFO, BUDGET_USED, AUDIT_CHAIN_OK, AUDIT_CHAIN_ENTRIES, AUDIT_VERIFIED_AT):
        stale.values.clear()  # gauges of an earlier gateway in this process (tests) say nothing now
    for p in config.providers:
        PROVIDER_INFO.set((p.name, p.location, p.type), 1.0)


def alias_label(alias: str) -> str:
    return alias if alias in _aliases else OTHER


def operation_name(endpoint: str) -> str:
    """The GenAI ``gen_ai.operation.name`` of an endpoint."""
    return _OPERATION.get(endpoint, endpoint)


def record_request(ctx: RequestContext, elapsed: float) -> None:
    """Count one finished request (called once per request by the pipeline)."""
    alias = ctx.alias if ctx.alias in _aliases else OTHER
    provider = ctx.provider or "-"
    op = _OPERATION.get(ctx.endpoint, ctx.endpoint)
    status = ctx.status
    REQUESTS.inc((alias, provider, ctx.endpoint, str(status)))
    REQUEST_DURATION.observe((op, alias, provider, str(status) if status >= 400 else ""), elapsed)
    if ctx.ttft is not None:
        TTFT.observe((op, alias, provider), ctx.ttft)
    usage = ctx.usage
    if usage:
        pt, ct = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if isinstance(pt, int):
            TOKEN_USAGE.observe((op, alias, provider, "input"), pt)
        if isinstance(ct, int):
            TOKEN_USAGE.observe((op, alias, provider, "output"), ct)
    if ctx.entity_counts:
        action = ctx.privacy_action or "unknown"
        for etype, n in ctx.entity_counts.items():
            ENTITIES.inc((etype, action), n)


# ------------------------------------------------------------------------------ rendering


def register_collector(fn: Callable[[], Iterable[str]]) -> None:
    """Add a function that yields exposition lines (with its own HELP/TYPE) to /metrics."""
    if fn not in _collectors:
        _collectors.append(fn)


def unregister_collector(fn: Callable[[], Iterable[str]]) -> None:
    if fn in _collectors:
        _collectors.remove(fn)


def share_with_workers(share: MetricsShare | None) -> None:
    """Several workers: :func:`render` adds up every worker's snapshot (``None`` = this process only)."""
    global _share
    _share = share


def render_local(refresh: Callable[[], None] | None = None) -> str:
    """This process's series in the text exposition format."""
    if refresh is not None:
        refresh()
    lines: list[str] = []
    for metric in _CORE:
        lines.extend(metric.render())
    for fn in _collectors:
        lines.extend(fn())
    return "\n".join(lines) + "\n"


def render(refresh: Callable[[], None] | None = None) -> bytes:
    """What ``/metrics`` serves: this process's series, or the sum over all workers."""
    if _share is not None:
        return _share.scrape(refresh).encode()
    return render_local(refresh).encode()
