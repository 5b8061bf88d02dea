"""Observability config (``observability:``): traces, metrics across workers, background checks.

Example::

    observability:
      tracing:
        enabled: true
        endpoint: http://otel-collector:4318/v1/traces   # OTLP/HTTP (protobuf)
        headers: {authorization: "Bearer ${OTEL_TOKEN}"}
        sample_ratio: 0.1
      metrics:
        flush_interval: 1          # seconds between a worker's snapshots (several workers)
      audit_verify_interval: 3600  # re-verify the audit hash chain hourly (0 = never)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TracingConfig(_Strict):
    """OpenTelemetry spans per request stage, exported over OTLP/HTTP."""

    enabled: bool = False
    #: The collector's traces URL; unset: ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` /
    #: ``OTEL_EXPORTER_OTLP_ENDPOINT`` as the OpenTelemetry SDK reads them (default
    #: ``http://localhost:4318/v1/traces``).
    endpoint: str | None = None
    #: Extra headers on each export (a collector's auth token).
    headers: dict[str, str] = Field(default_factory=dict)
    service_name: str = "perimeter"
    #: Share of new traces recorded; a request that arrives with a sampled ``traceparent``
    #: is always recorded (parent-based sampling).
    sample_ratio: float = Field(1.0, ge=0.0, le=1.0)
    #: Seconds one export may take.
    timeout: float = Field(10.0, gt=0)
    #: Seconds between batch exports.
    export_interval: float = Field(2.0, gt=0, le=60)
    #: Spans held in memory while the collector is slow; more are dropped (never block requests).
    max_queue_size: int = Field(8192, ge=64)


class MetricsConfig(_Strict):
    """How ``/metrics`` adds up several worker processes."""

    #: Where each worker leaves its snapshot.  ``perimeter serve --workers N`` makes a fresh
    #: temporary directory itself; set this only when another supervisor starts the workers.
    multiprocess_dir: str | None = None
    #: Seconds between a worker's snapshots: a scrape sees the other workers' counts at most
    #: this old (its own are always current).
    flush_interval: float = Field(1.0, gt=0, le=60)


class ObservabilityConfig(_Strict):
    tracing: TracingConfig = TracingConfig()
    metrics: MetricsConfig = MetricsConfig()
    #: Seconds between background verifications of the audit hash chain (sets
    #: ``perimeter_audit_chain_ok``); 0 turns the periodic check off.
    audit_verify_interval: float = Field(3600.0, ge=0)
    #: Seconds between refreshes of the per-key/team budget gauges from the ledger; 0 = off.
    budget_refresh_interval: float = Field(30.0, ge=0)
