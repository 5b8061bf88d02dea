"""Attach keys, limits, ledger, audit and the admin API to a running :class:`perimeter.app.Gateway`.

``perimeter.services.attach_services`` calls :func:`attach_accounting` once at startup::

    from perimeter.accounting.wiring import attach_accounting
    await attach_accounting(gw)

It builds :class:`~perimeter.accounting.services.AccountingServices`, plugs the gatekeeper,
recorder and audit sink into the pipeline, serves ``/admin/`` and adds the ledger counters
to ``/metrics``; shutdown flushes every queued row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from perimeter.accounting.services import AccountingServices, build_accounting

if TYPE_CHECKING:
    from perimeter.app import Gateway

_ACTIVE: list[AccountingServices] = []


def _collect() -> Iterable[str]:
    if not _ACTIVE:
        return
    yield "# HELP perimeter_ledger ledger, audit and limiter counters (see docs/keys-ledger-audit.md)"
    for services in _ACTIVE:
        for name, value in services.metrics().items():
            yield f"{name} {value}"


async def attach_accounting(gw: Gateway) -> AccountingServices:
    """Idempotent: a second call returns the services already attached."""
    existing = getattr(gw, "accounting", None)
    if isinstance(existing, AccountingServices):
        return existing
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
