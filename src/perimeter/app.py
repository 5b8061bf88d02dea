"""The ASGI application: a route table and a lifecycle, nothing else.

:class:`Gateway` is cheap to construct.  The lifespan ``startup`` calls
:func:`perimeter.assembly.build`, which opens connection pools, loads in-process models and
storage and builds the pipeline with every stage; ``shutdown`` drains and closes them in
reverse order.  Handlers (:mod:`perimeter.api`) see the gateway only through
:class:`perimeter.api.state.GatewayState`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable

from perimeter import assembly
from perimeter.api import anthropic as anthropic_api
from perimeter.api import health, openapi
from perimeter.api import openai as openai_api
from perimeter.api.http import Receive, Scope, Send, send_error
from perimeter.api.responses import handler as responses_api
from perimeter.api.state import ASGIApp, GatewayState, Handler
from perimeter.config import Config, ConfigError
from perimeter.errors import GatewayError, StartupError
from perimeter.pipeline import Pipeline
from perimeter.resilience.upstream import Upstream
from perimeter.stages import ResponseStore

log = logging.getLogger("perimeter")


async def _chat(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    await openai_api.handle(gw, scope, receive, send, "chat")


async def _completions(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    await openai_api.handle(gw, scope, receive, send, "completions")


async def _embeddings(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    await openai_api.handle(gw, scope, receive, send, "embeddings")


ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/v1/chat/completions"): _chat,
    ("POST", "/chat/completions"): _chat,
    ("POST", "/v1/completions"): _completions,
    ("POST", "/v1/embeddings"): _embeddings,
    ("POST", "/v1/messages"): anthropic_api.handle_messages,
    ("POST", "/v1/messages/count_tokens"): anthropic_api.handle_count_tokens,
    ("POST", "/v1/responses"): responses_api.create,
    ("GET", "/v1/models"): openai_api.list_models,
    ("GET", "/health/live"): health.live,
    ("GET", "/health/ready"): health.ready,
    ("GET", "/metrics"): health.prometheus,
    ("GET", "/admin/health"): health.alias_health,
    ("GET", "/openapi.json"): openapi.serve,
}

#: Routes with an id in the path: the handler reads the rest of the path itself.
PREFIX_ROUTES: list[tuple[str, Handler]] = [("/v1/responses/", responses_api.by_id)]

Builder = Callable[[Config], Awaitable[assembly.Assembly]]


#: The collector's thresholds once the gateway serves.  A request allocates thousands of
#: container objects that all die by reference counting (it makes next to no cyclic garbage),
#: but with Python's default (700, 10, 10) a young collection ran every ~700 net allocations:
#: one per ~7 requests under load, each walking the in-flight requests' objects and promoting
#: them to older generations that were walked again (one full collection per ~750 requests).  Measured on the headline path
#: (PII → cloud, production, 1 worker, wrk -c32; ``gc.callbacks`` timing): 1.73 s of collection
#: per 22,400 requests at the default (0.077 ms per request, ~3.8 % of the process), 0.04 s with
#: these thresholds (0.002 ms).  A young collection now walks up to ~10,000 objects (a few
#: milliseconds, every few seconds under load), and cyclic garbage still goes without delay
#: beyond that: the collector is never turned off.
GC_THRESHOLDS = (10_000, 20, 20)


def settle_heap() -> None:
    """Move everything built at start-up (models, name lists, price tables) out of the garbage
    collector's generations, so collections never walk it again, and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class Gateway:
    """Implements :class:`~perimeter.api.state.GatewayState` for the handlers."""

    def __init__(self, config: Config, *, build: Builder = assembly.build) -> None:
        self.config = config
        self.parts: assembly.Assembly | None = None
        self.routes: dict[tuple[str, str], Handler] = dict(ROUTES)
        self.prefix_routes: list[tuple[str, ASGIApp]] = []
        self.started = False
        self.draining = False
        self._build = build

    @property
    def pipeline(self) -> Pipeline:
        if self.parts is None:
            raise RuntimeError("the gateway has not started yet (the lifespan startup builds the pipeline)")
        return self.parts.pipeline

    @property
    def http_limits(self) -> tuple[int, float]:
        """(max header bytes, header timeout) for the HTTP protocol (:mod:`perimeter.cli.http_limits`)."""
        return self.config.server.max_header_bytes, self.config.server.header_timeout

    @property
    def responses(self) -> ResponseStore:
        if self.parts is None:
            raise RuntimeError("the gateway has not started yet")
        return self.parts.responses

    @property
    def upstreams(self) -> dict[str, Upstream]:
        return self.pipeline.upstreams

    # ---------------------------------------------------------------- lifecycle
    async def startup(self) -> None:
        self.parts = await self._build(self.config)
        self.prefix_routes.extend(self.parts.mounts)
        settle_heap()
        self.started = True
        log.info("perimeter ready: %d providers, %d models", len(self.config.providers), len(self.config.models))

    async def shutdown(self) -> None:
        self.draining = True
        if self.parts is not None:
            await self.parts.aclose()

    # ---------------------------------------------------------------- ASGI
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            handler = self.routes.get((scope["method"], scope["path"]))
            if handler is not None:
                await handler(self, scope, receive, send)
                return
            path = scope["path"]
            for prefix, route in PREFIX_ROUTES:
                if path.startswith(prefix):
                    await route(self, scope, receive, send)
                    return
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
                    if isinstance(exc, ConfigError | StartupError):
                        log.error("startup failed: %s", exc)  # a message for the operator, not a bug
                    else:
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
