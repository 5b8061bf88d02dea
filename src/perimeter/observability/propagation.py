"""W3C trace context for upstream calls: the one function the provider HTTP client calls.

Kept apart from :mod:`.tracing` (and free of imports) so a provider adapter depends on nothing
but this: :func:`trace_headers` is ``{}`` until tracing is configured, then the
``traceparent`` (and ``tracestate``) of the current span — the upstream attempt's span while
a provider call runs, so an upstream that traces joins the request's trace.
"""

from __future__ import annotations

from collections.abc import Callable

Injector = Callable[[dict[str, str]], None]

_inject: Injector | None = None


def set_injector(fn: Injector | None) -> None:
    """Called by :func:`perimeter.observability.tracing.configure` / ``shutdown``."""
    global _inject
    _inject = fn


def trace_headers() -> dict[str, str]:
    """Headers to merge into an upstream request (empty while tracing is off)."""
    inject = _inject
    if inject is None:
        return {}
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier
