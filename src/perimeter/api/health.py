"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from perimeter.api.http import Receive, Scope, Send, send_bytes, send_json
from perimeter.api.state import GatewayState
from perimeter.observability import metrics


async def live(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    await send_json(send, 200, {"status": "ok"})


async def ready(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """Ready only when every alias has at least one usable provider (loaded, breaker not open)."""
    if not gw.started:
        await send_json(send, 503, {"status": "starting"})
        return
    aliases = {alias: gw.pipeline.usable_upstreams(alias) for alias in gw.config.models}
    unavailable = sorted(a for a, ups in aliases.items() if not ups)
    status = 200 if not unavailable and not gw.draining else 503
    await send_json(send, status, {
        "status": "ready" if status == 200 else ("draining" if gw.draining else "unavailable"),
        "aliases": {a: {"usable_providers": ups} for a, ups in aliases.items()},
        **({"unavailable_aliases": unavailable} if unavailable else {}),
    })


async def prometheus(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    body = metrics.render(gw.pipeline.refresh_gauges)
    await send_bytes(send, 200, body, (), content_type=(b"content-type", b"text/plain; version=0.0.4; charset=utf-8"))
