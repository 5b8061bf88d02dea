"""The seams of the request pipeline: what each stage must provide.

:mod:`perimeter.pipeline` calls these in order (auth → privacy → route → call → restore →
account → audit).  Each package implements its stage; :mod:`perimeter.assembly` builds them
and hands them to the pipeline.  A
stage that is not configured is ``None`` and simply skipped — except privacy, whose failure
is always fail-closed (see DESIGN.md principle 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from perimeter.context import Location, Principal, RequestContext


class Gatekeeper(Protocol):
    """Auth, allowed aliases, rate limits, concurrency and budgets (before the upstream call)."""

    async def authenticate(self, ctx: RequestContext) -> None:
        """Check ``ctx.api_key`` and set ``ctx.principal`` (``None`` in keyless dev mode).

        Runs before the body is read or validated and before anything is counted, so an
        unauthenticated client learns nothing and costs nothing.  Raises a 401 GatewayError.
        """

    async def admit(self, ctx: RequestContext) -> None:
        """Authenticate ``ctx.api_key`` unless :meth:`authenticate` did, check and reserve limits.

        Raises :class:`perimeter.errors.GatewayError` (401/403/429/402).  May add
        ``x-ratelimit-*`` entries to ``ctx.response_headers``.
        """

    async def release(self, ctx: RequestContext) -> None:
        """Called exactly once after every admitted request (success or failure)."""

    async def identify(self, api_key: str | None) -> Principal | None:
        """Authenticate only (no limits, no alias check): for reads of the caller's own
        objects, such as stored responses.  ``None`` in keyless dev mode; 401 otherwise."""


class Restorer(Protocol):
    """Maps surrogates back to originals in what the model returns."""

    def restore_response(self, response: dict[str, Any]) -> dict[str, Any]:
        """Restore a whole ``chat.completion`` (content, tool-call arguments)."""

    def stream(self) -> StreamRestorer: ...


class StreamRestorer(Protocol):
    def feed(self, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        """Take one upstream chunk, return the chunks to send now (may hold back a tail)."""

    def flush(self) -> list[dict[str, Any]]:
        """Stream ended: return whatever was held back."""


class PrivacyGuard(Protocol):
    async def inspect(self, ctx: RequestContext) -> None:
        """Scan every place user data travels in ``ctx.body``.

        Sets ``ctx.entity_counts`` and ``ctx.response_headers['x-perimeter-entities']``; raises
        a 4xx GatewayError when an entity type's action is ``block``; sets
        ``ctx.require_on_prem`` for the ``local`` action or when scanning fails (fail closed).
        Keeps whatever it needs for :meth:`prepare` in ``ctx.privacy_plan``.
        """

    def prepare(self, ctx: RequestContext, location: Location,
                jurisdiction: str | None = None) -> tuple[dict[str, Any], Restorer | None]:
        """The body to send to a provider at ``location`` in ``jurisdiction`` and how to restore its answer.

        On-prem providers get the original body; cloud providers get the pseudonymized one,
        except for the originals the residency policy lets go to ``jurisdiction``.  Sets
        ``ctx.disclosure``.  Must raise (never return raw data) if a cloud body cannot be made safe.
        """


@dataclass(slots=True)
class RouteTarget:
    """One provider (or balanced group) to try, with the upstream model name."""

    providers: Sequence[str]
    model: str | None = None


@dataclass(slots=True)
class CascadePlan:
    """Answer with the local chain; escalate to the cloud chain when a configured signal fires.

    The router plans it; the pipeline executes it (each leg through its own fallback loop, so
    retries, breakers, pseudonymization and restore apply to both legs).
    """

    local: list[RouteTarget]
    cloud: list[RouteTarget]
    min_confidence: float = -0.6
    escalate_on: tuple[str, ...] = ("error", "refusal", "low_confidence")
    request_logprobs: bool = True
    trail: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RouteDecision:
    targets: list[RouteTarget]
    reason: str
    trail: list[str] = field(default_factory=list)
    # Set when the router chose a cascade: the pipeline runs it instead of ``targets``.
    cascade: CascadePlan | None = None


class Router(Protocol):
    async def decide(self, ctx: RequestContext) -> RouteDecision:
        """Choose the ordered fallback chain for this request and say why."""


class UsageRecorder(Protocol):
    def record(self, ctx: RequestContext) -> None:
        """Queue one ledger row for ``ctx`` (non-blocking; batched off the hot path)."""


class AuditSink(Protocol):
    def append(self, event: str, data: dict[str, Any]) -> None:
        """Queue one audit event (no PII values, ever)."""


@dataclass(slots=True)
class StoredResponse:
    """One ``/v1/responses`` result kept for ``previous_response_id`` and retrieval.

    The items hold what the client sent and got back — originals, never surrogates: they stay
    in the gateway's own database, and a later request that builds on them goes through the
    privacy stage again before any of it reaches a provider.
    """

    id: str
    owner: str
    created_at: float
    alias: str
    previous_id: str | None
    input_items: list[dict[str, Any]]
    output: list[dict[str, Any]]
    response: dict[str, Any]


class ResponseStore(Protocol):
    """Where stored responses live (the gateway's database; memory in keyless dev setups)."""

    async def save(self, record: StoredResponse) -> None: ...

    async def get(self, owner: str, response_id: str) -> StoredResponse | None:
        """The response if it exists and belongs to ``owner`` (another owner's is ``None``)."""

    async def chain(self, owner: str, response_id: str) -> list[StoredResponse] | None:
        """The conversation ending at ``response_id``, oldest first; ``None`` if it or any
        ancestor is missing (deleted, expired, or another owner's)."""

    async def delete(self, owner: str, response_id: str) -> bool: ...
