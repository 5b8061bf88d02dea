"""Attach keys, limits, ledger, audit and the admin API to a running :class:`perimeter.app.Gateway`.

``perimeter.services.attach_services`` calls :func:`attach_accounting` once at startup::

    from perimeter.accounting.wiring import attach_accounting
    await attach_accounting(gw)

It builds :class:`~perimeter.accounting.services.AccountingServices`, plugs the gatekeeper,
recorder and audit sink into the pipeline, serves ``/admin/`` and adds the ledger counters
to ``/metrics``; shutdown flushes every queued row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from perimeter.accounting.services import AccountingServices, build_accounting

if TYPE_CHECKING:
    from perimeter.app import Gateway

_ACTIVE: list[AccountingServices] = []
log = logging.getLogger("perimeter.accounting")


def _collect() -> Iterable[str]:
    """Prometheus lines for the ledger, audit and limiter counters (docs/keys-ledger-audit.md)."""
    typed: set[str] = set()
    for services in _ACTIVE:
        for name, value in services.metrics().items():
            base = name.split("{", 1)[0]
            if base not in typed:
                typed.add(base)
                yield f"# TYPE {base} {'counter' if base.endswith('_total') else 'gauge'}"
            yield f"{name} {value}"


async def attach_accounting(gw: Gateway) -> AccountingServices | None:
    """Idempotent: a second call returns the services already attached.  ``None`` when disabled."""
    existing = getattr(gw, "accounting", None)
    if isinstance(existing, AccountingServices):
        return existing
    if not gw.config.accounting.enabled:
        if gw.config.server.mode == "production":
            from perimeter.accounting.services import StartupError

            raise StartupError("accounting.enabled is false, which production mode does not allow "
                               "(no keys, no ledger, no audit log)")
        log.warning("accounting.enabled is false: no API keys, limits, usage ledger or audit log")
        return None
    services = await build_accounting(gw.config)
    gw.accounting = services  # type: ignore[attr-defined]
    gw.pipeline.gatekeeper = services.gatekeeper
    gw.pipeline.recorder = services.recorder
    gw.pipeline.audit = services.audit
    gw.prefix_routes.append(("/admin/", services.admin_api))
    from perimeter import metrics

    metrics.register_collector(_collect)
    _ACTIVE.append(services)

    async def close() -> None:
        if services in _ACTIVE:
            _ACTIVE.remove(services)
        await services.aclose()

    gw.on_shutdown(close)
    return services
