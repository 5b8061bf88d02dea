"""Attach the optional stages (keys/ledger/audit, privacy, routing) to a gateway.

Kept apart from :mod:`perimeter.app` so that the app module stays about HTTP and lifecycle,
and each optional stage is wired in exactly one place.  Order matters only for shutdown,
which runs in reverse: the ledger flushes last, after in-flight requests have finished.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from perimeter.app import Gateway

log = logging.getLogger("perimeter")


def privacy_configured(gw: Gateway) -> bool:
    cfg = gw.config
    return cfg.privacy.enabled or any(m.privacy is not None and m.privacy.enabled for m in cfg.models.values())


async def attach_privacy(gw: Gateway) -> None:
    if not privacy_configured(gw):
        log.warning("privacy scanning is disabled: requests reach every provider unscanned")
        return
    from perimeter.privacy.guard import PrivacyStage

    cfg = gw.config
    stage = PrivacyStage.from_config(cfg.privacy, {a: m.privacy for a, m in cfg.models.items()})
    # Load the NLP models before the first request: a cold scan would blow the time budget
    # and (fail-closed) refuse the request.
    await asyncio.to_thread(stage.warm_up)
    gw.pipeline.privacy = stage

    async def close() -> None:
        stage.close()

    gw.on_shutdown(close)


async def attach_routing(gw: Gateway) -> None:
    from perimeter import metrics
    from perimeter.routing import metrics as routing_metrics
    from perimeter.routing.pipeline_hook import cascade_hook
    from perimeter.routing.router import HybridRouter

    budget = getattr(getattr(gw, "accounting", None), "cloud_budget_left", None)
    # In a thread: semantic routes and embedding-based difficulty load a model here.
    router = await asyncio.to_thread(
        HybridRouter, gw.config, lambda name: gw.upstreams[name].usable(), cloud_budget_left=budget)
    gw.pipeline.router = router
    gw.pipeline._cascade_hook = cascade_hook  # on the instance: a plain function, not a method
    gw.on_shutdown(router.aclose)
    metrics.register_collector(routing_metrics.prometheus_lines)


async def attach_services(gw: Gateway) -> None:
    """Build and attach every configured stage; called once from the lifespan startup."""
    from perimeter.accounting.wiring import attach_accounting

    await attach_accounting(gw)
    await attach_privacy(gw)
    await attach_routing(gw)
    audit_config(gw)


def config_fingerprint(gw: Gateway) -> dict[str, object]:
    """What the audit log records about the configuration in force: no secrets, no values.

    The digest covers the whole resolved config (secrets included, so a rotated key shows as
    a change) without revealing any of it.
    """
    cfg = gw.config
    digest = hashlib.sha256(orjson.dumps(cfg.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)).hexdigest()
    return {
        "source": cfg.source,
        "sha256": digest,
        "mode": cfg.server.mode,
        "providers": {p.name: p.location for p in cfg.providers},
        "models": sorted(cfg.models),
        "privacy": gw.pipeline.privacy is not None,
    }


def audit_config(gw: Gateway) -> None:
    """Record which configuration this replica serves with (a policy-relevant event)."""
    if gw.pipeline.audit is not None:
        gw.pipeline.audit.append("config_loaded", config_fingerprint(gw))
