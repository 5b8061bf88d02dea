"""OpenTelemetry traces: one span per request, a child per stage and per upstream attempt.

::

    chat <alias>                      SERVER  (parent: the client's traceparent, if any)
    ├── perimeter.auth                        key id, team
    ├── perimeter.scan                        entity counts by type, privacy action
    ├── perimeter.route                       route reason, chosen chain
    ├── chat <upstream model>         CLIENT  one per attempt: provider, location, server, error
    ├── perimeter.restore                     surrogates back to originals
    └── perimeter.account                     ledger, audit, limits

Attributes follow the OpenTelemetry GenAI semantic conventions (``gen_ai.operation.name``,
``gen_ai.request.model``, ``gen_ai.response.model``, ``gen_ai.usage.input_tokens``,
``gen_ai.response.finish_reasons`` …) plus ours under ``perimeter.*``.  What never goes into a
span: a prompt, a completion, a detected value, a key secret — only names, counts and ids
(``tests/observability`` checks the exported bytes).

Upstream calls carry the attempt span's W3C ``traceparent``
(:func:`perimeter.observability.propagation.trace_headers`, called by the provider HTTP
client), so an upstream that traces joins the same trace.

**Off costs nothing**: nothing of OpenTelemetry is imported until :func:`configure`; the
pipeline's hooks test ``ctx.trace is None`` and return a shared no-op.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from perimeter.observability import propagation

if TYPE_CHECKING:
    from perimeter.config import Config
    from perimeter.context import RequestContext
    from perimeter.observability.config import TracingConfig

log = logging.getLogger("perimeter.observability")

#: ``gen_ai.provider.name`` (and the older ``gen_ai.system``) per provider ``type``.
VENDOR = {"openai": "openai", "anthropic": "anthropic", "gemini": "gcp.gemini",
          "openai_compat": "openai_compatible", "llamacpp": "llama_cpp"}
_OPERATION = {"chat": "chat", "messages": "chat", "completions": "text_completion", "embeddings": "embeddings"}


class _Noop:
    """What every hook returns while tracing is off (or for an untraced request)."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


NOOP = _Noop()


@dataclass(slots=True)
class RequestTrace:
    """The root span of one request and what the stages learned for it."""

    span: Any
    token: object
    tracing: Tracing
    response_model: str | None = None
    finish_reasons: list[str] = field(default_factory=list)


class Tracing:
    """A tracer provider exporting over OTLP/HTTP, with the config's provider attributes."""

    def __init__(self, cfg: TracingConfig, config: Config, *, exporter: Any = None) -> None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        from perimeter import __version__

        resource = Resource.create({"service.name": cfg.service_name, "service.version": __version__,
                                    "service.instance.id": f"{os.uname().nodename}:{os.getpid()}"})
        self.provider = TracerProvider(resource=resource, sampler=ParentBased(TraceIdRatioBased(cfg.sample_ratio)))
        if exporter is None:
            exporter = OTLPSpanExporter(endpoint=cfg.endpoint, headers=dict(cfg.headers) or None,
                                        timeout=int(max(1, cfg.timeout)))
        self.provider.add_span_processor(BatchSpanProcessor(
            exporter, max_queue_size=cfg.max_queue_size, schedule_delay_millis=int(cfg.export_interval * 1000),
            export_timeout_millis=int(cfg.timeout * 1000)))
        self.tracer = self.provider.get_tracer("perimeter", __version__)
        self.propagator = TraceContextTextMapPropagator()
        self.upstream_attrs: dict[str, dict[str, Any]] = {}
        for p in config.providers:
            vendor = VENDOR.get(p.type, p.type)
            attrs: dict[str, Any] = {"gen_ai.system": vendor, "gen_ai.provider.name": vendor,
                                     "perimeter.provider": p.name, "perimeter.location": p.location}
            base = getattr(p, "base_url", None)
            if isinstance(base, str) and base:
                u = urlsplit(base)
                if u.hostname:
                    attrs["server.address"] = u.hostname
                    attrs["server.port"] = u.port or (443 if u.scheme == "https" else 80)
            self.upstream_attrs[p.name] = attrs

    def shutdown(self) -> None:
        """Export what is queued, then stop (called when the gateway shuts down)."""
        self.provider.shutdown()


_active: Tracing | None = None


def configure(cfg: TracingConfig, config: Config, *, exporter: Any = None) -> Tracing | None:
    """Start tracing for this process when ``cfg.enabled``; :func:`shutdown` stops it."""
    global _active
    if not cfg.enabled:
        return None
    _active = Tracing(cfg, config, exporter=exporter)
    propagation.set_injector(_active.propagator.inject)
    log.info("tracing: exporting spans over OTLP/HTTP to %s", cfg.endpoint or "the OTEL_EXPORTER_OTLP_* endpoint")
    return _active


def shutdown() -> None:
    global _active
    active, _active = _active, None
    propagation.set_injector(None)
    if active is not None:
        active.shutdown()


def enabled() -> bool:
    return _active is not None


# ------------------------------------------------------------------------------ pipeline hooks


def begin(ctx: RequestContext) -> None:
    """Open the request's root span (child of the client's ``traceparent``) and make it current."""
    active = _active
    if active is None or ctx.trace is not None:
        return
    from opentelemetry import context as otel_context
    from opentelemetry import trace

    parent = active.propagator.extract(ctx.headers)
    op = _OPERATION.get(ctx.endpoint, ctx.endpoint)
    attrs: dict[str, Any] = {"gen_ai.operation.name": op, "gen_ai.request.model": ctx.alias[:200],
                             "perimeter.request_id": ctx.request_id, "perimeter.stream": ctx.stream}
    attrs.update(_request_params(ctx.body))
    span = active.tracer.start_span(f"{op} {ctx.alias[:200]}", context=parent, kind=trace.SpanKind.SERVER, attributes=attrs)
    token = otel_context.attach(trace.set_span_in_context(span, parent))
    ctx.trace = RequestTrace(span, token, active)


def _request_params(body: dict[str, Any]) -> dict[str, Any]:
    """Numeric request settings (never the messages)."""
    out: dict[str, Any] = {}
    for key, attr in (("max_tokens", "gen_ai.request.max_tokens"), ("max_completion_tokens", "gen_ai.request.max_tokens"),
                      ("temperature", "gen_ai.request.temperature"), ("top_p", "gen_ai.request.top_p"),
                      ("frequency_penalty", "gen_ai.request.frequency_penalty"),
                      ("presence_penalty", "gen_ai.request.presence_penalty"), ("seed", "gen_ai.request.seed"),
                      ("n", "gen_ai.request.choice.count")):
        v = body.get(key)
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[attr] = v
    return out


class _Span:
    """A child span made current for the ``with`` block; stage attributes are set on exit."""

    __slots__ = ("_token", "ctx", "span", "stage")

    def __init__(self, ctx: RequestContext, stage: str, span: Any) -> None:
        self.ctx, self.stage, self.span = ctx, stage, span
        self._token: Any = None

    def __enter__(self) -> Any:
        from opentelemetry import context as otel_context
        from opentelemetry import trace

        self._token = otel_context.attach(trace.set_span_in_context(self.span))
        return self.span

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        from opentelemetry import context as otel_context

        try:
            _STAGE_ATTRS.get(self.stage, _no_attrs)(self.ctx, self.span)
            if exc is not None:
                _record_error(self.span, exc)
        finally:
            otel_context.detach(self._token)
            self.span.end()


def stage(ctx: RequestContext, name: str) -> Any:
    """``with tracing.stage(ctx, "scan"): ...`` — a no-op unless the request is traced."""
    trace = ctx.trace
    if trace is None:
        return NOOP
    return _Span(ctx, name, trace.tracing.tracer.start_span(f"perimeter.{name}"))


def attempt(ctx: RequestContext, provider: str, body: dict[str, Any]) -> Any:
    """``with tracing.attempt(ctx, name, body): await call(...)`` — one CLIENT span per upstream try."""
    trace = ctx.trace
    if trace is None:
        return NOOP
    from opentelemetry.trace import SpanKind

    op = _OPERATION.get(ctx.endpoint, ctx.endpoint)
    model = body.get("model")
    attrs = dict(trace.tracing.upstream_attrs.get(provider, {"perimeter.provider": provider}))
    attrs["gen_ai.operation.name"] = op
    attrs["perimeter.attempt"] = ctx.attempts
    if isinstance(model, str):
        attrs["gen_ai.request.model"] = model
    return _Span(ctx, "attempt", trace.tracing.tracer.start_span(
        f"{op} {model if isinstance(model, str) else provider}", kind=SpanKind.CLIENT, attributes=attrs))


def open_span(ctx: RequestContext, name: str) -> Any:
    """A stage span not made current (stream restore, accounting); close with :func:`close_span`."""
    trace = ctx.trace
    if trace is None:
        return None
    return trace.tracing.tracer.start_span(f"perimeter.{name}")


def close_span(span: Any) -> None:
    if span is not None:
        span.end()


def note(ctx: RequestContext, response: dict[str, Any]) -> None:
    """Pick the response model and finish reasons out of a completion or a stream chunk."""
    trace = ctx.trace
    if trace is None:
        return
    model = response.get("model")
    if isinstance(model, str) and trace.response_model is None:
        trace.response_model = model[:200]
    for choice in response.get("choices") or ():
        reason = choice.get("finish_reason") if isinstance(choice, dict) else None
        if isinstance(reason, str) and len(trace.finish_reasons) < 16:
            trace.finish_reasons.append(reason[:40])


def end(ctx: RequestContext) -> None:
    """Close the root span with the outcome (status, usage, route, entity counts)."""
    trace = ctx.trace
    if trace is None:
        return
    ctx.trace = None
    from opentelemetry import context as otel_context
    from opentelemetry.trace import Status, StatusCode

    span = trace.span
    try:
        span.set_attribute("http.response.status_code", ctx.status)
        if ctx.provider:
            span.set_attribute("perimeter.provider", ctx.provider)
            vendor = trace.tracing.upstream_attrs.get(ctx.provider, {}).get("gen_ai.provider.name")
            if vendor:
                span.set_attribute("gen_ai.provider.name", vendor)
        if ctx.location:
            span.set_attribute("perimeter.location", ctx.location)
        if ctx.route_reason:
            span.set_attribute("perimeter.route.reason", ctx.route_reason[:200])
        span.set_attribute("perimeter.attempts", ctx.attempts)
        if ctx.cost is not None:
            span.set_attribute("perimeter.cost", float(ctx.cost))
        if trace.response_model:
            span.set_attribute("gen_ai.response.model", trace.response_model)
        if trace.finish_reasons:
            span.set_attribute("gen_ai.response.finish_reasons", trace.finish_reasons)
        usage = ctx.usage or {}
        for key, attr in (("prompt_tokens", "gen_ai.usage.input_tokens"),
                          ("completion_tokens", "gen_ai.usage.output_tokens")):
            if isinstance(usage.get(key), int):
                span.set_attribute(attr, usage[key])
        _entity_attrs(ctx, span)
        if ctx.status >= 400:
            span.set_attribute("error.type", ctx.error_code or str(ctx.status))
            if ctx.status >= 500 or ctx.status == 499:
                span.set_status(Status(StatusCode.ERROR, f"HTTP {ctx.status}"))
    finally:
        try:
            otel_context.detach(trace.token)  # type: ignore[arg-type]
        except Exception:  # finished in another context than it began: the span still ends
            pass
        span.end()


# ------------------------------------------------------------------------------ attributes per stage


def _no_attrs(ctx: RequestContext, span: Any) -> None:
    return None


def _auth_attrs(ctx: RequestContext, span: Any) -> None:
    if ctx.principal is not None:
        span.set_attribute("perimeter.key_id", ctx.principal.key_id)
        if ctx.principal.team:
            span.set_attribute("perimeter.team", ctx.principal.team)


def _entity_attrs(ctx: RequestContext, span: Any) -> None:
    if ctx.privacy_action:
        span.set_attribute("perimeter.privacy.action", ctx.privacy_action)
    for etype, n in ctx.entity_counts.items():
        span.set_attribute(f"perimeter.entities.{etype}", n)


def _scan_attrs(ctx: RequestContext, span: Any) -> None:
    _entity_attrs(ctx, span)
    span.set_attribute("perimeter.privacy.require_on_prem", ctx.require_on_prem)


def _route_attrs(ctx: RequestContext, span: Any) -> None:
    if ctx.route_reason:
        span.set_attribute("perimeter.route.reason", ctx.route_reason[:200])


_STAGE_ATTRS = {"auth": _auth_attrs, "scan": _scan_attrs, "route": _route_attrs}


def _record_error(span: Any, exc: BaseException) -> None:
    """The error's kind and status — not its message, which may quote the upstream's answer."""
    from opentelemetry.trace import Status, StatusCode

    kind = getattr(exc, "kind", None) or getattr(exc, "code", None) or type(exc).__name__
    span.set_attribute("error.type", str(kind)[:80])
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        span.set_attribute("http.response.status_code", status)
    span.set_status(Status(StatusCode.ERROR))
