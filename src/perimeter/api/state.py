"""What an HTTP handler may use of the running gateway: a small Protocol, not the app class.

Handlers in :mod:`perimeter.api` take a :class:`GatewayState`, so they depend on the pipeline
and the config, never on the module that assembles them (:mod:`perimeter.app` implements it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from perimeter.api.http import Receive, Scope, Send
from perimeter.config import Config
from perimeter.pipeline import Pipeline
from perimeter.stages import ResponseStore


class GatewayState(Protocol):
    @property
    def config(self) -> Config: ...

    @property
    def pipeline(self) -> Pipeline:
        """The request path; only there once :attr:`started` (handlers run after start-up)."""
        ...

    @property
    def responses(self) -> ResponseStore:
        """Stored ``/v1/responses`` results (the gateway's database, or memory in keyless dev)."""
        ...

    @property
    def started(self) -> bool: ...

    @property
    def draining(self) -> bool: ...


Handler = Callable[[GatewayState, Scope, Receive, Send], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
