"""The routing playground: what the live gateway would do with a pasted request, without a model.

The request goes through the same validation as ``POST /v1/chat/completions`` and then the
live pipeline's :meth:`~perimeter.pipeline.Pipeline.plan` — the running privacy stage's
inspection and the running router's decision, with the providers' current health and the
chosen key's budget — exactly the code a real request runs before its upstream call.  Nothing
is sent anywhere.  What comes back is the decision trail and entity *counts*; the pasted text
and the detected values are never echoed.

Because it is the live router, the decision is counted in ``perimeter_route_decisions_total``
like any other, and a sensitive request that names a conversation marks that conversation
on-prem for the chosen key — what the same request would have done for real.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from perimeter.api.schema import validate_chat
from perimeter.config import Config
from perimeter.context import Principal, RequestContext
from perimeter.errors import GatewayError
from perimeter.pipeline import Pipeline

EXAMPLE = orjson.dumps({
    "model": "ALIAS",
    "messages": [{"role": "user", "content": "Summarise the contract for Ivan Petrov, passport 4510 123456."}],
}, option=orjson.OPT_INDENT_2).decode()


@dataclass(slots=True)
class Outcome:
    ok: bool
    alias: str = ""
    reason: str = ""
    trail: list[str] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    entities: dict[str, int] = field(default_factory=dict)
    privacy_action: str | None = None
    require_on_prem: bool = False
    cascade: bool = False
    error: str | None = None
    status: int | None = None
    elapsed_ms: float = 0.0


def example(config: Config) -> str:
    return EXAMPLE.replace("ALIAS", next(iter(config.models), "chat"))


async def explain(config: Config, pipeline: Pipeline, raw: str, headers: dict[str, str],
                  principal: Principal | None) -> Outcome:
    """Inspect and route ``raw`` (an OpenAI chat request body) as the gateway would."""
    started = time.perf_counter()
    try:
        data = orjson.loads(raw.encode())
    except orjson.JSONDecodeError as exc:
        return Outcome(False, error=f"not valid JSON: {exc}", status=400)
    ctx: RequestContext | None = None
    try:
        body = validate_chat(data)
        ctx = RequestContext(request_id="console-playground", endpoint="chat", alias=body["model"], body=body,
                             headers=headers, stream=bool(body.get("stream")), principal=principal)
        pipeline.alias_config(ctx)
        if principal is not None and principal.allowed_aliases is not None and ctx.alias not in principal.allowed_aliases:
            raise GatewayError(403, f"key {principal.key_id} may not use model '{ctx.alias}'", code="model_not_allowed")
        decision = await pipeline.plan(ctx)
    except GatewayError as exc:
        out = Outcome(False, error=exc.message, status=exc.status)
        if ctx is not None:
            _fill(out, ctx)
        out.elapsed_ms = (time.perf_counter() - started) * 1000
        return out
    out = Outcome(True, reason=decision.reason, cascade=decision.cascade is not None)
    _fill(out, ctx)
    out.trail = list(decision.trail)
    out.targets = [{"providers": list(t.providers), "model": t.model,
                    "locations": sorted({config.provider(p).location for p in t.providers})}
                   for t in decision.targets]
    out.elapsed_ms = (time.perf_counter() - started) * 1000
    return out


def _fill(out: Outcome, ctx: RequestContext) -> None:
    out.alias = ctx.alias
    out.trail = list(ctx.route_trail)
    out.entities = dict(ctx.entity_counts)
    out.privacy_action = ctx.privacy_action
    out.require_on_prem = ctx.require_on_prem
