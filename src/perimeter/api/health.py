"""Liveness, readiness, per-alias health and Prometheus metrics.

Readiness answers one question — can *this process* serve? — so an orchestrator never takes a
whole replica out because one cloud provider is down (on-prem aliases keep being served).
Which aliases can be served right now is a metric (``perimeter_alias_usable_providers``) and
an operator endpoint (``GET /admin/health``).  In production nothing here names an alias or a
provider without the admin key.
"""

from __future__ import annotations

from perimeter.api.admin import require_admin
from perimeter.api.http import Receive, Scope, Send, header_map, send_bytes, send_error, send_json
from perimeter.api.state import GatewayState
from perimeter.errors import GatewayError
from perimeter.observability import metrics


def _production(gw: GatewayState) -> bool:
    return gw.config.server.mode == "production"


async def live(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    await send_json(send, 200, {"status": "ok"})


async def ready(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """200 once started and until draining; dev mode adds per-alias details (they never change the status)."""
    if not gw.started:
        await send_json(send, 503, {"status": "starting"})
        return
    if gw.draining:
        await send_json(send, 503, {"status": "draining"})
        return
    if _production(gw):
        await send_json(send, 200, {"status": "ready"})
        return
    health = gw.pipeline.alias_health()["aliases"]
    await send_json(send, 200, {
        "status": "ready",
        "aliases": {a: {"usable_providers": h["usable_providers"]} for a, h in health.items()},
        "unservable_aliases": sorted(a for a, h in health.items() if not h["servable"]),
    })


async def _guard(gw: GatewayState, scope: Scope, send: Send, *, dev_open: bool) -> bool:
    """Operator-only endpoints: the admin key in production (and in dev whenever one is set)."""
    admin_key = gw.config.server.admin_key
    if dev_open and not _production(gw) and not admin_key:
        return True
    try:
        require_admin(admin_key, header_map(scope))
    except GatewayError as err:
        await send_error(send, err)
        return False
    return True


async def alias_health(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """``GET /admin/health``: which aliases can be served now, and each provider's breaker."""
    if not await _guard(gw, scope, send, dev_open=True):
        return
    body = gw.pipeline.alias_health()
    body["status"] = "draining" if gw.draining else "ready"
    await send_json(send, 200, body)


async def prometheus(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """``GET /metrics``: open in dev mode; behind the admin key in production (Prometheus sends it
    with ``authorization: {credentials: …}`` in its scrape config)."""
    if _production(gw) and not await _guard(gw, scope, send, dev_open=False):
        return
    body = metrics.render(gw.pipeline.refresh_gauges)
    await send_bytes(send, 200, body, (), content_type=(b"content-type", b"text/plain; version=0.0.4; charset=utf-8"))
