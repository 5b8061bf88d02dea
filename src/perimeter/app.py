"""ASGI app assembly: config → providers → stages → pipeline → routes.

:class:`Gateway` is the ASGI application.  Construction is cheap and synchronous; the
lifespan ``startup`` opens connection pools, loads in-process models and storage, and
``shutdown`` drains and closes them in reverse order.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable

from perimeter.api import anthropic as anthropic_api
from perimeter.api import health
from perimeter.api import openai as openai_api
from perimeter.api.http import Receive, Scope, Send, send_error
from perimeter.config import Config
from perimeter.errors import GatewayError
from perimeter.pipeline import Pipeline
from perimeter.providers.registry import build_provider
from perimeter.resilience.breaker import CircuitBreaker
from perimeter.resilience.upstream import Upstream

log = logging.getLogger("perimeter")

Handler = Callable[["Gateway", Scope, Receive, Send], Awaitable[None]]


async def _chat(gw: Gateway, scope: Scope, receive: Receive, send: Send) -> None:
    await openai_api.handle(gw, scope, receive, send, "chat")


async def _completions(gw: Gateway, scope: Scope, receive: Receive, send: Send) -> None:
    await openai_api.handle(gw, scope, receive, send, "completions")


async def _embeddings(gw: Gateway, scope: Scope, receive: Receive, send: Send) -> None:
    await openai_api.handle(gw, scope, receive, send, "embeddings")


ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/v1/chat/completions"): _chat,
    ("POST", "/chat/completions"): _chat,
    ("POST", "/v1/completions"): _completions,
    ("POST", "/v1/embeddings"): _embeddings,
    ("POST", "/v1/messages"): anthropic_api.handle_messages,
    ("GET", "/v1/models"): openai_api.list_models,
    ("GET", "/health/live"): health.live,
    ("GET", "/health/ready"): health.ready,
    ("GET", "/metrics"): health.prometheus,
}

class Gateway:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.upstreams: dict[str, Upstream] = {}
        for pcfg in config.providers:
            provider = build_provider(pcfg)
            breaker = CircuitBreaker(pcfg.breaker.failure_threshold, pcfg.breaker.cooldown)
            self.upstreams[pcfg.name] = Upstream(provider, breaker, pcfg.retry)
        self.pipeline = Pipeline(config, self.upstreams)
        self.routes: dict[tuple[str, str], Handler] = dict(ROUTES)
        self.prefix_routes: list[tuple[str, Callable[[Scope, Receive, Send], Awaitable[None]]]] = []
        self.started = False
        self.draining = False
        self._closers: list[Callable[[], Awaitable[None]]] = []

    # ---------------------------------------------------------------- lifecycle
    async def startup(self) -> None:
        from perimeter.services import attach_services

        for up in self.upstreams.values():
            await up.provider.start()
        await attach_services(self)
        # Move everything built at start-up (models, name lists, price tables) out of the
        # garbage collector's generations, so per-request collections stay short.
        gc.collect()
        gc.freeze()
        self.started = True
        log.info("perimeter ready: %d providers, %d models", len(self.upstreams), len(self.config.models))

    def on_shutdown(self, fn: Callable[[], Awaitable[None]]) -> None:
        self._closers.append(fn)

    async def shutdown(self) -> None:
        self.draining = True
        for fn in reversed(self._closers):
            try:
                await fn()
            except Exception:
                log.exception("shutdown step failed")
        for up in self.upstreams.values():
            try:
                await up.provider.aclose()
            except Exception:
                log.exception("closing provider %s failed", up.name)

    # ---------------------------------------------------------------- ASGI
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            handler = self.routes.get((scope["method"], scope["path"]))
            if handler is not None:
                await handler(self, scope, receive, send)
                return
            path = scope["path"]
            for prefix, app in self.prefix_routes:
                if path.startswith(prefix):
                    await app(scope, receive, send)
                    return
            await self._not_found(scope, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _not_found(self, scope: Scope, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        if any(p == path for (_, p) in self.routes):
            allowed = ", ".join(m for (m, p) in self.routes if p == path)
            err = GatewayError(405, f"method {method} is not allowed on {path} (allowed: {allowed})",
                               code="method_not_allowed")
        else:
            err = GatewayError(404, f"no such endpoint: {method} {path}. OpenAI-compatible endpoints live "
                                    "under /v1 (e.g. POST /v1/chat/completions; Anthropic: POST /v1/messages)", code="unknown_url")
        await send_error(send, err)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(config: Config) -> Gateway:
    return Gateway(config)

