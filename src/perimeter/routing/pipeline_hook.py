"""Executes a cascade inside the pipeline: ``Pipeline._cascade_hook`` (set on the instance).

Each leg runs through the pipeline's own fallback loop (``_run``), so retries, breakers,
privacy preparation (cloud bodies are pseudonymized) and answer restoration apply to it as to
any other call.  The router only plans cascades for requests that may go to the cloud.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from perimeter.routing import metrics
from perimeter.routing.cascade import CascadePlan, run_cascade
from perimeter.stages import RouteDecision, RouteTarget

if TYPE_CHECKING:
    from perimeter.context import RequestContext
    from perimeter.pipeline import Pipeline


async def cascade_hook(pipeline: Pipeline, ctx: RequestContext, decision: RouteDecision) -> dict[str, Any]:
    plan = decision.cascade
    assert isinstance(plan, CascadePlan)

    async def leg(targets: list[RouteTarget], wanted: dict[str, Any]) -> dict[str, Any]:
        extra = {"logprobs": True} if wanted.get("logprobs") and not ctx.body.get("logprobs") else {}
        sub = RouteDecision(targets, decision.reason, decision.trail)
        result, restorer = await pipeline._run(
            ctx, sub, lambda up, body: up.provider.chat({**body, **extra}, request_id=ctx.request_id))
        if restorer is not None:
            result = restorer.restore_response(result)
        return result

    async def local(body: dict[str, Any]) -> dict[str, Any]:
        return await leg(plan.local, body)

    async def cloud(body: dict[str, Any]) -> dict[str, Any]:
        return await leg(plan.cloud, body)

    res = await run_cascade(plan, ctx.body, local, cloud)
    ctx.route_reason = res.reason
    ctx.response_headers["x-perimeter-reason"] = res.reason
    conf = f" (mean logprob {res.confidence:.2f})" if res.confidence is not None else ""
    ctx.route_trail.append(f"{res.reason}{conf}")
    metrics.record_cascade(ctx.alias, res.reason.split(":", 1)[1])
    usage = res.response.get("usage")
    if isinstance(usage, dict):
        ctx.usage = usage
    return res.response
