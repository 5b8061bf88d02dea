"""The one place that assembles the gateway: config → providers → stages → pipeline → HTTP faces.

:func:`build` reads top to bottom in the order things must exist::

    upstreams (providers, breakers)  →  accounting (keys, limits, ledger, audit)
      →  privacy  →  router (needs provider health and the budget check)
      →  Pipeline(…every stage…)  →  admin API  →  console (/ui)
      →  observability (metrics shared by workers, tracing, background checks)

and returns an :class:`Assembly`, whose :meth:`~Assembly.aclose` takes it all down again in
reverse (the ledger flushes after in-flight requests finished, providers close last).
Optional stages are ``None`` when the config does not ask for them.  Nothing else in the
package builds a stage: the HTTP layer (:mod:`perimeter.app`) only calls :func:`build`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson

from perimeter.api.admin import AdminAPI
from perimeter.api.state import ASGIApp
from perimeter.config import Config, check_serving
from perimeter.observability import metrics, tracing
from perimeter.pipeline import Pipeline
from perimeter.providers.registry import build_provider
from perimeter.resilience.breaker import CircuitBreaker
from perimeter.resilience.upstream import Upstream
from perimeter.stages import ResponseStore

if TYPE_CHECKING:
    from perimeter.accounting.services import AccountingServices
    from perimeter.privacy.guard import PrivacyStage
    from perimeter.routing.router import HybridRouter
    from perimeter.stages import AuditSink

log = logging.getLogger("perimeter")

Closer = Callable[[], Awaitable[None]]


@dataclass(eq=False)
class Assembly:
    """Everything :func:`build` made for one gateway process."""

    config: Config
    upstreams: dict[str, Upstream]
    pipeline: Pipeline
    #: Stored ``/v1/responses`` results.
    responses: ResponseStore
    #: ASGI apps served under a path prefix (``/admin/``).
    mounts: list[tuple[str, ASGIApp]] = field(default_factory=list)
    accounting: AccountingServices | None = None
    _closers: list[Closer] = field(default_factory=list)

    async def aclose(self) -> None:
        """Shut down in reverse order of construction; one failing step does not stop the rest."""
        await _close_all(self._closers, self.upstreams)


async def build(config: Config) -> Assembly:
    """Build and start every configured part; on failure, close what was already started."""
    check_serving(config)  # the same check `perimeter config check` and `perimeter serve` run first
    upstreams = build_upstreams(config)
    closers: list[Closer] = []
    try:
        for up in upstreams.values():
            await up.provider.start()
        await share_breakers(config, upstreams, closers)
        accounting = await build_accounting_stage(config, closers)
        privacy = await build_privacy_stage(config, closers, audit=accounting.audit if accounting else None)
        router = await build_router(config, upstreams, accounting, closers)
        pipeline = Pipeline(
            config, upstreams, router=router, privacy=privacy,
            gatekeeper=accounting.gatekeeper if accounting else None,
            recorder=accounting.recorder if accounting else None,
            audit=accounting.audit if accounting else None,
            token_counter=accounting.recorder.counter if accounting else None,
        )
        responses = build_response_store(config, accounting, closers)
        parts = Assembly(config, upstreams, pipeline, responses, accounting=accounting, _closers=closers)
        if accounting is not None:
            admin = build_admin_api(config, accounting)
            parts.mounts.append(("/admin/", admin))
            console = build_console(config, pipeline, accounting, admin)
            if console is not None:
                parts.mounts.append(("/ui", console))
        await build_observability(config, pipeline, accounting, closers)
    except BaseException:
        await _close_all(closers, upstreams)
        raise
    audit_config(config, pipeline)
    return parts


# ------------------------------------------------------------------------------------------ the parts


def build_upstreams(config: Config) -> dict[str, Upstream]:
    """One :class:`Upstream` (adapter + circuit breaker + retry policy) per configured provider."""
    upstreams: dict[str, Upstream] = {}
    for pcfg in config.providers:
        breaker = CircuitBreaker(pcfg.breaker.failure_threshold, pcfg.breaker.cooldown)
        upstreams[pcfg.name] = Upstream(build_provider(pcfg), breaker, pcfg.retry)
    return upstreams


async def share_breakers(config: Config, upstreams: dict[str, Upstream], closers: list[Closer]) -> None:
    """With Redis configured, one replica's circuit verdicts hold for all (resilience/shared.py)."""
    breakers = {name: up.breaker for name, up in upstreams.items()
                if config.provider(name).breaker.shared}
    if not config.storage.redis_url or not breakers:
        return
    from perimeter.resilience.shared import SharedBreakers

    shared = SharedBreakers(config.storage.redis_url, config.storage.redis_prefix, breakers)
    await shared.start()
    closers.append(shared.aclose)


async def build_accounting_stage(config: Config, closers: list[Closer]) -> AccountingServices | None:
    """Keys, limits, ledger and audit; ``None`` when ``accounting.enabled`` is false (dev only)."""
    from perimeter.accounting.services import build_accounting

    if not config.accounting.enabled:
        log.warning("accounting.enabled is false: no API keys, limits, usage ledger or audit log")
        return None
    services = await build_accounting(config)
    collector = _counter_lines(services.metrics)
    metrics.register_collector(collector)

    async def close() -> None:
        metrics.unregister_collector(collector)
        await services.aclose()

    closers.append(close)
    return services


def privacy_configured(config: Config) -> bool:
    return config.privacy.enabled or any(m.privacy is not None and m.privacy.enabled for m in config.models.values())


async def build_privacy_stage(config: Config, closers: list[Closer], audit: AuditSink | None = None) -> PrivacyStage | None:
    """The scanner and pseudonymizer, warmed up; ``None`` (with a warning) when privacy is off.

    ``audit`` receives the ``privacy_canary`` events (a canary about to reach a cloud provider).
    """
    if not privacy_configured(config):
        log.warning("privacy scanning is disabled: requests reach every provider unscanned")
        return None
    from perimeter.privacy.guard import PrivacyStage

    stage = PrivacyStage.from_config(config.privacy, {a: m.privacy for a, m in config.models.items()})
    stage.audit = audit
    # Load the NLP models before the first request: a cold scan would blow the time budget
    # and (fail-closed) refuse the request.
    await asyncio.to_thread(stage.warm_up)

    async def close() -> None:
        stage.close()

    closers.append(close)
    return stage


async def build_router(config: Config, upstreams: dict[str, Upstream], accounting: AccountingServices | None,
                       closers: list[Closer]) -> HybridRouter:
    """The hybrid router, told how to read provider health and the caller's cloud budget."""
    from perimeter.routing import metrics as routing_metrics
    from perimeter.routing.router import HybridRouter

    budget = accounting.cloud_budget_left if accounting is not None else None
    # In a thread: semantic routes and embedding-based difficulty load a model here.
    router = await asyncio.to_thread(
        HybridRouter, config, lambda name: upstreams[name].usable(), cloud_budget_left=budget)
    metrics.register_collector(routing_metrics.prometheus_lines)
    closers.append(router.aclose)
    return router


def build_response_store(config: Config, accounting: AccountingServices | None,
                         closers: list[Closer]) -> ResponseStore:
    """Stored responses in the accounting database (purged after the retention period), or in
    memory when there is no database (``accounting.enabled: false``, dev only)."""
    from perimeter.store.responses import MemoryResponseStore, SQLResponseStore

    if accounting is None:
        return MemoryResponseStore()
    store = SQLResponseStore(accounting.db)
    days = config.storage.responses_retention_days
    if days:
        task = asyncio.get_running_loop().create_task(store.purge_forever(days), name="perimeter-responses-purge")

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        closers.append(stop)
    return store


def build_admin_api(config: Config, services: AccountingServices) -> AdminAPI:
    """``/admin/…`` over the accounting services (keys, usage, audit verify, counters)."""
    return AdminAPI(config.server.admin_key, services.keys, services.key_cache, services.audit, services.db,
                    flush=services.flush, counters=services.metrics)


def build_console(config: Config, pipeline: Pipeline, services: AccountingServices, admin: ASGIApp) -> ASGIApp | None:
    """The ``/ui`` console, when ``console`` is on for this mode and an admin key can log in."""
    if not config.console.active(config.server.mode):
        return None
    if not config.server.admin_key:
        (log.warning if config.console.enabled else log.info)(
            "console: /ui is off because server.admin_key is not set (it is the console's login)")
        return None
    from perimeter.console.app import ConsoleApp

    return ConsoleApp(config, pipeline, services, admin)


#: ``perimeter serve --workers N`` points every worker at one directory through this variable.
METRICS_DIR_ENV = "PERIMETER_METRICS_DIR"


async def build_observability(config: Config, pipeline: Pipeline, accounting: AccountingServices | None,
                              closers: list[Closer]) -> None:
    """Bounded metric labels, metrics shared by workers, tracing, and the background checks."""
    obs = config.observability
    metrics.bind(config)
    shared_dir = os.environ.get(METRICS_DIR_ENV) or obs.metrics.multiprocess_dir
    if shared_dir:
        from perimeter.observability.multiprocess import MetricsShare

        share = MetricsShare(shared_dir, obs.metrics.flush_interval, refresh=pipeline.refresh_gauges)
        share.start()
        metrics.share_with_workers(share)

        async def unshare() -> None:
            metrics.share_with_workers(None)
            await share.aclose()

        closers.append(unshare)
    if tracing.configure(obs.tracing, config) is not None:
        async def stop_tracing() -> None:
            await asyncio.to_thread(tracing.shutdown)

        closers.append(stop_tracing)
    if accounting is not None:
        from perimeter.observability.watch import Watch

        watch = Watch(accounting, audit_interval=obs.audit_verify_interval,
                      budget_interval=obs.budget_refresh_interval, shared_dir=shared_dir)
        watch.start()
        closers.append(watch.aclose)


# ------------------------------------------------------------------------------------------ audit


def config_fingerprint(config: Config, pipeline: Pipeline) -> dict[str, object]:
    """What the audit log records about the configuration in force: no secrets, no values.

    The digest covers the whole resolved config (secrets included, so a rotated key shows as
    a change) without revealing any of it.
    """
    digest = hashlib.sha256(orjson.dumps(config.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)).hexdigest()
    return {
        "source": config.source,
        "sha256": digest,
        "mode": config.server.mode,
        "providers": {p.name: p.location for p in config.providers},
        "models": sorted(config.models),
        "privacy": pipeline.privacy is not None,
    }


def audit_config(config: Config, pipeline: Pipeline) -> None:
    """Record which configuration this replica serves with (a policy-relevant event)."""
    if pipeline.audit is not None:
        pipeline.audit.append("config_loaded", config_fingerprint(config, pipeline))


# ------------------------------------------------------------------------------------------ helpers


def _counter_lines(values: Callable[[], dict[str, float]]) -> Callable[[], Iterable[str]]:
    """A /metrics collector over a ``{series: value}`` dict (counters end in ``_total``)."""

    def collect() -> Iterable[str]:
        typed: set[str] = set()
        for name, value in values().items():
            base = name.split("{", 1)[0]
            if base not in typed:
                typed.add(base)
                yield f"# TYPE {base} {'counter' if base.endswith('_total') else 'gauge'}"
            yield f"{name} {value}"

    return collect


async def _close_all(closers: list[Closer], upstreams: dict[str, Upstream]) -> None:
    for fn in reversed(closers):
        try:
            await fn()
        except Exception:
            log.exception("shutdown step failed")
    closers.clear()
    for up in upstreams.values():
        try:
            await up.provider.aclose()
        except Exception:
            log.exception("closing provider %s failed", up.name)
