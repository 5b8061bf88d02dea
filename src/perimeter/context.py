"""Per-request state that travels through the pipeline.

One :class:`RequestContext` is created by the HTTP layer for each call and is filled in by
each stage (auth, privacy, routing, call, accounting).  It is a slotted dataclass so that the
hot path allocates one small object per request, not a dict per stage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

Endpoint = Literal["chat", "completions", "embeddings", "messages", "responses", "count_tokens"]
Location = Literal["on_prem", "cloud"]
DROPPED_HEADER = "x-perimeter-dropped"


@dataclass(slots=True)
class Principal:
    """Who is calling: set by the auth stage (virtual key), ``None`` in keyless dev mode."""

    key_id: str
    name: str = ""
    team: str | None = None
    tags: tuple[str, ...] = ()
    allowed_aliases: tuple[str, ...] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def tenant(self) -> str:
        """Whose data this is: a team, else the key (surrogates, stored responses)."""
        return f"team:{self.team}" if self.team else f"key:{self.key_id}"


@dataclass(slots=True)
class RequestContext:
    request_id: str
    endpoint: Endpoint
    alias: str
    body: dict[str, Any]
    headers: dict[str, str]
    stream: bool = False
    started: float = field(default_factory=time.perf_counter)
    started_wall: float = field(default_factory=time.time)
    api_key: str | None = None
    principal: Principal | None = None
    # Filled by the privacy stage: counts per entity type, never values.
    entity_counts: dict[str, int] = field(default_factory=dict)
    # True when policy forbids any cloud provider for this request (privacy ``local`` action,
    # scanner failure, conversation stickiness).
    require_on_prem: bool = False
    privacy_action: str | None = None
    privacy_plan: Any = None
    # With ``require_on_prem``: cloud jurisdictions the residency policy also lets this request
    # go to, with originals (empty: on-prem only).
    residency_allows: frozenset[str] = frozenset()
    # Set by the privacy stage for each provider attempt: per entity type, whether that
    # destination got the ``original`` or a ``surrogate`` (``None``: the body was not scanned).
    disclosure: dict[str, str] | None = None
    conversation_id: str | None = None
    # Filled by routing and the call stage.
    route_reason: str = ""
    route_trail: list[str] = field(default_factory=list)
    provider: str | None = None
    provider_model: str | None = None
    location: Location | None = None
    jurisdiction: str | None = None
    # Every provider that received this request (failed attempts included): jurisdiction,
    # location, which entity types went as originals and as surrogates — for the audit log.
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)
    attempts: int = 0
    # Filled by the call stage.
    usage: dict[str, Any] | None = None
    ttft: float | None = None
    status: int = 200
    error_code: str | None = None
    cost: float | None = None
    # Set once the ledger row is queued (before the last bytes reach the client).
    recorded: bool = False
    # Extra response headers set by any stage (rate limits, entities, route).
    response_headers: dict[str, str] = field(default_factory=dict)
    # The request's root span while tracing is on (perimeter.observability.tracing), else None.
    trace: Any = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def note_dropped(self, names: list[str]) -> None:
        """Say in ``x-perimeter-dropped`` what of the request no provider was given (never silently)."""
        if names:
            have = [n for n in self.response_headers.get(DROPPED_HEADER, "").split(",") if n]
            self.response_headers[DROPPED_HEADER] = ",".join(dict.fromkeys([*have, *names]))
