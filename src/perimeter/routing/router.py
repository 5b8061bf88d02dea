"""The hybrid router: where each request may go (privacy) and where it should go (cost/quality).

Order of a decision, first match wins (``docs/routing.md`` explains each step); each step is
one method below, listed in :attr:`HybridRouter.rules`:

1. **Sticky** — an earlier turn of this conversation was sensitive: on-prem only.
2. **Residency** — a sensitive request whose residency policy also admits some cloud
   jurisdictions (``ctx.residency_allows``): on-prem first, in-jurisdiction clouds as fallback;
   the in-jurisdiction cloud first when the on-prem tier is down or too weak (difficulty).
3. **Sensitivity** — ``ctx.require_on_prem`` (privacy ``local`` action, scanner failure):
   on-prem providers only; none healthy -> 503 ``no_on_prem_provider``.  Never relaxed by
   anything below.
4. **Unrouted** — an alias without a ``routing`` section keeps its config order.
5. **Semantic route** — a named route picks another alias's targets.
6. **Budget** — cloud budget spent: local tier only, or 402 when ``on_exhausted: refuse``.
7. **Client hint** — ``x-perimeter-prefer: local|cloud``.
8. **Difficulty** — score > threshold: cloud tier first.
9. **Cascade** — local tier first with a :class:`~perimeter.stages.CascadePlan`.
10. **Easy** — difficulty said local: local tier first.
11. **Primary** — the alias's targets in config order.

The chosen tier comes first and the other tier follows as fallback, except when the cloud is
off-limits (sensitivity, spent budget) — or limited to the jurisdictions residency allows.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from perimeter.config import Config
from perimeter.context import RequestContext
from perimeter.errors import GatewayError, not_found
from perimeter.routing import metrics
from perimeter.routing.features import prompt_text
from perimeter.routing.plans import AliasPlan, build_plans
from perimeter.routing.semantic import SemanticRouter
from perimeter.routing.stickiness import Stickiness, make_store
from perimeter.routing.tiers import dedupe, healthy_first, only_on_prem
from perimeter.stages import CascadePlan, RouteDecision, RouteTarget

PREFER_HEADER = "x-perimeter-prefer"

BudgetCheck = Callable[[RequestContext], "bool | Awaitable[bool | None] | None"]


def _always_healthy(_: str) -> bool:
    return True


@dataclass(slots=True)
class _Request:
    """One decision in progress: what the rules have learned so far."""

    ctx: RequestContext
    plan: AliasPlan
    trail: list[str] = field(default_factory=list)
    to_cloud: bool | None = None  # the difficulty verdict, once scored
    reason: str = ""  # the difficulty reason, once scored
    _prompt: tuple[str, int] | None = None

    @property
    def prompt(self) -> tuple[str, int]:
        """The text the routing features read, and the number of user turns (computed once)."""
        if self._prompt is None:
            self._prompt = prompt_text(self.ctx.body)
        return self._prompt


Rule = Callable[[_Request], Awaitable[RouteDecision | None]]


class HybridRouter:
    """Implements :class:`perimeter.stages.Router` for every alias of a config.

    ``is_healthy(provider_name)`` reports provider health (breaker closed, ready);
    ``cloud_budget_left(ctx)`` returns False when the caller's cloud budget is spent (None =
    unknown = allowed; may be async).  Embedding models load here, once, when an alias uses
    them — construct the router at start-up, not per request.
    """

    def __init__(
        self,
        config: Config,
        is_healthy: Callable[[str], bool] = _always_healthy,
        *,
        cloud_budget_left: BudgetCheck | None = None,
        stickiness: Stickiness | None = None,
    ) -> None:
        self.config = config
        self.is_healthy = is_healthy
        self.cloud_budget_left = cloud_budget_left
        self.on_prem = {p.name for p in config.providers if p.location == "on_prem"}
        self.jurisdiction = {p.name: p.jurisdiction for p in config.providers}
        self.stickiness = stickiness or Stickiness(make_store(config.storage.redis_url))
        self.plans = build_plans(config)
        self.rules: tuple[Rule, ...] = (
            self._sticky, self._residency, self._sensitive, self._unrouted, self._semantic, self._budget, self._hint,
            self._difficulty, self._cascade, self._easy, self._primary,
        )

    async def aclose(self) -> None:
        await self.stickiness.store.aclose()

    # -- the decision ---------------------------------------------------------------------

    async def decide(self, ctx: RequestContext) -> RouteDecision:
        plan = self.plans.get(ctx.alias)
        if plan is None:
            raise not_found(f"model '{ctx.alias}' is not configured")
        req = _Request(ctx, plan)
        for rule in self.rules:
            decision = await rule(req)
            if decision is not None:
                return decision
        raise AssertionError("the primary rule always decides")  # pragma: no cover

    # -- the rules, in order: each returns a decision or None (= not mine, ask the next) ----

    async def _sticky(self, req: _Request) -> RouteDecision | None:
        ctx, plan = req.ctx, req.plan
        sticky = plan.routing.sticky if plan.routing is not None else True
        if not (sticky and await self.stickiness.apply(ctx)):
            return None
        ctx.require_on_prem = True
        req.trail.append("sticky: an earlier turn of this conversation was sensitive -> on-prem only")
        first = plan.tiers.local if plan.routing is not None else []
        return self._finish(req, self._on_prem_chain(ctx, first + plan.tiers.all), "sticky:conversation", "local")

    async def _residency(self, req: _Request) -> RouteDecision | None:
        """A sensitive request that policy also lets go to some cloud jurisdictions, with originals."""
        ctx, plan = req.ctx, req.plan
        allows = ctx.residency_allows
        if not ctx.require_on_prem or not allows:
            return None
        where = "/".join(sorted(allows))
        everything = dedupe((plan.tiers.local if plan.routing is not None else []) + plan.tiers.all + plan.tiers.cloud)
        clouds = [RouteTarget(names, t.model) for t in everything
                  if (names := [p for p in t.providers if p not in self.on_prem and self.jurisdiction.get(p) in allows])]
        if not clouds:
            req.trail.append(f"residency: policy allows {where} but model '{ctx.alias}' has no cloud provider there")
            return None
        if await self._budget_left(ctx) is False:
            req.trail.append("residency: the cloud budget is spent, so in-jurisdiction clouds are not used")
            return None
        local = only_on_prem(everything, self.on_prem)
        healthy_local = [t for t in local if self._healthy(t)]
        listed = ", ".join(f"{p} ({self.jurisdiction.get(p)})" for t in clouds for p in t.providers)
        reason = "sensitive:" + ("+".join(sorted(ctx.entity_counts)) or (ctx.privacy_action or "unknown"))
        req.trail.append(f"{reason}: cloud providers outside the on-prem tier may serve it only in {where} "
                         f"(residency policy); in-jurisdiction: {listed}")
        if not healthy_local:
            detail = ", ".join(sorted({p for t in local for p in t.providers})) or "none configured"
            req.trail.append(f"residency: on-prem tier unavailable ({detail}) -> in-jurisdiction cloud instead of 503")
            return self._finish(req, healthy_first(clouds, self.is_healthy) + local, f"residency:{where}", "cloud")
        if plan.routing is not None and plan.scorer is not None and plan.routing.difficulty is not None \
                and await self._verdict(req):
            req.trail.append(f"residency: the on-prem tier is too weak for it ({req.reason}) -> in-jurisdiction "
                             "cloud first")
            return self._finish(req, self._chain(clouds, local), f"residency:{where}+{req.reason}", "cloud")
        req.trail.append("residency: on-prem first, in-jurisdiction cloud as fallback")
        return self._finish(req, healthy_local + healthy_first(clouds, self.is_healthy), reason, "local")

    async def _sensitive(self, req: _Request) -> RouteDecision | None:
        ctx, plan = req.ctx, req.plan
        if not ctx.require_on_prem:
            return None
        reason = "sensitive:" + ("+".join(sorted(ctx.entity_counts)) or (ctx.privacy_action or "unknown"))
        req.trail.append(f"{reason}: privacy requires on-prem providers only")
        if plan.routing is not None and plan.semantic is not None:
            m = await self._semantic_match(plan.semantic, req.prompt[0])
            if m.target and m.target != ctx.alias:
                chain = only_on_prem(self._alias_chain(m.target), self.on_prem)
                if any(self._healthy(t) for t in chain):
                    req.trail.append(f"semantic:{m.route or 'default'} (similarity {m.similarity:.2f}) -> {m.target}")
                    return self._finish(req, healthy_first(chain, self.is_healthy), reason, m.target)
                req.trail.append(f"semantic route to '{m.target}' has no healthy on-prem provider; ignored")
        # With a routing section the local tier leads; without one, config order.
        first = plan.tiers.local if plan.routing is not None else []
        return self._finish(req, self._on_prem_chain(ctx, first + plan.tiers.all), reason, "local")

    async def _unrouted(self, req: _Request) -> RouteDecision | None:
        if req.plan.routing is not None:
            return None
        return self._finish(req, healthy_first(req.plan.tiers.all, self.is_healthy), "primary", "primary")

    async def _semantic(self, req: _Request) -> RouteDecision | None:
        if req.plan.semantic is None:
            return None
        m = await self._semantic_match(req.plan.semantic, req.prompt[0])
        req.trail.append(f"semantic: best '{m.best_route}' similarity {m.similarity:.3f}")
        if not m.target or m.target == req.ctx.alias:
            return None
        label = f"semantic:{m.route}" if m.route else "semantic:default"
        return self._finish(req, healthy_first(self._alias_chain(m.target), self.is_healthy), label, m.target)

    async def _budget(self, req: _Request) -> RouteDecision | None:
        routing = req.plan.routing
        assert routing is not None
        if await self._budget_left(req.ctx) is not False:
            return None
        if routing.budget.on_exhausted == "refuse":
            req.trail.append("budget: cloud budget spent, on_exhausted=refuse")
            metrics.record_decision(req.ctx.alias, "refused", "budget")
            raise GatewayError(
                402, "the cloud budget of this key/team is spent and this model is configured to refuse "
                "rather than fall back to on-prem (routing.budget.on_exhausted: refuse)",
                type="insufficient_quota", code="budget_exceeded",
            )
        req.trail.append("budget: cloud budget spent -> on-prem only")
        chain = self._on_prem_chain(req.ctx, req.plan.tiers.local + req.plan.tiers.all)
        return self._finish(req, chain, "budget:local", "local")

    async def _hint(self, req: _Request) -> RouteDecision | None:
        routing, tiers = req.plan.routing, req.plan.tiers
        assert routing is not None
        prefer = req.ctx.headers.get(PREFER_HEADER, "").strip().lower() if routing.client_hints else ""
        if prefer not in ("local", "cloud"):
            return None
        first, second = (tiers.local, tiers.cloud) if prefer == "local" else (tiers.cloud, tiers.local)
        if not first:
            req.trail.append(f"hint: client prefers {prefer} but the alias has no {prefer} tier; ignored")
            return None
        req.trail.append(f"hint: client prefers {prefer}")
        return self._finish(req, self._chain(first, second), f"hint:{prefer}", prefer)

    async def _difficulty(self, req: _Request) -> RouteDecision | None:
        plan, routing = req.plan, req.plan.routing
        assert routing is not None
        if plan.scorer is None or routing.difficulty is None:
            return None
        to_cloud = await self._verdict(req)
        if to_cloud and plan.tiers.cloud:
            return self._finish(req, self._chain(plan.tiers.cloud, plan.tiers.local), req.reason, "cloud")
        return None

    async def _verdict(self, req: _Request) -> bool:
        """Score the request's difficulty once (the calibrator sees each request once) and say cloud or not."""
        if req.to_cloud is not None:
            return req.to_cloud
        plan, routing = req.plan, req.plan.routing
        assert plan.scorer is not None and routing is not None and routing.difficulty is not None
        text, turns = req.prompt
        score = await self._score(plan, text, turns)
        if plan.calibrator is not None:
            to_cloud, thr = plan.calibrator.observe(score)
            how = f"calibrated for cloud_share {routing.difficulty.cloud_share}"
        else:
            thr = float(routing.difficulty.threshold or 0.5)
            to_cloud = score > thr
            how = "fixed threshold"
        digits = 2 if f"{score:.2f}" != f"{thr:.2f}" else 3  # never print "0.99>0.99"
        req.to_cloud = to_cloud
        req.reason = f"difficulty:{score:.{digits}f}{'>' if to_cloud else '<='}{thr:.{digits}f}"
        req.trail.append(f"difficulty: score {score:.3f}, threshold {thr:.3f} ({how}) -> {'cloud' if to_cloud else 'local'}")
        return to_cloud

    async def _cascade(self, req: _Request) -> RouteDecision | None:
        routing, local, cloud = req.plan.routing, req.plan.tiers.local, req.plan.tiers.cloud
        assert routing is not None
        c = routing.cascade
        if c is None or not local or not cloud:
            return None
        if req.ctx.stream and c.stream != "buffer":
            req.trail.append("cascade: skipped for a streaming request (cascade.stream is 'off')")
            return None
        cascade = CascadePlan(
            local=healthy_first(local, self.is_healthy), cloud=healthy_first(cloud, self.is_healthy),
            min_confidence=c.min_confidence, escalate_on=tuple(c.escalate_on), request_logprobs=c.request_logprobs,
        )
        req.trail.append(f"cascade: local first, escalate on {', '.join(c.escalate_on)} "
                         f"(min mean logprob {c.min_confidence})")
        return self._finish(req, self._chain(local, cloud), req.reason or "cascade", "local", cascade=cascade)

    async def _easy(self, req: _Request) -> RouteDecision | None:
        tiers = req.plan.tiers
        if req.to_cloud is not False or not tiers.local:
            return None
        return self._finish(req, self._chain(tiers.local, tiers.cloud), req.reason, "local")

    async def _primary(self, req: _Request) -> RouteDecision | None:
        return self._finish(req, healthy_first(req.plan.tiers.all, self.is_healthy), req.reason or "primary", "primary")

    # -- helpers --------------------------------------------------------------------------

    def _healthy(self, t: RouteTarget) -> bool:
        return any(self.is_healthy(p) for p in t.providers)

    def _chain(self, first: list[RouteTarget], second: list[RouteTarget]) -> list[RouteTarget]:
        return healthy_first(dedupe(first + second), self.is_healthy)

    def _alias_chain(self, alias: str) -> list[RouteTarget]:
        return self.plans[alias].tiers.all

    def _on_prem_chain(self, ctx: RequestContext, targets: list[RouteTarget]) -> list[RouteTarget]:
        chain = only_on_prem(dedupe(targets), self.on_prem)
        healthy = [t for t in chain if self._healthy(t)]
        if not healthy:
            metrics.record_decision(ctx.alias, "refused", "no_on_prem_provider")
            names = sorted({p for t in chain for p in t.providers})
            detail = f"on-prem providers {', '.join(names)} are unavailable" if names else \
                f"model '{ctx.alias}' has no on-prem provider"
            raise GatewayError(
                503, f"this request must stay on-prem (sensitive data or policy) but {detail}; it was not sent to "
                "any cloud provider. Retry later or contact the gateway operator.",
                type="server_error", code="no_on_prem_provider",
            )
        return healthy

    async def _semantic_match(self, router: SemanticRouter, text: str) -> Any:
        return await asyncio.to_thread(router.match, text)

    async def _score(self, plan: AliasPlan, text: str, turns: int) -> float:
        assert plan.scorer is not None
        if plan.scorer.embeddings:
            return await asyncio.to_thread(plan.scorer.score, text, turns)
        return plan.scorer.score(text, turns)

    async def _budget_left(self, ctx: RequestContext) -> bool | None:
        if self.cloud_budget_left is None:
            return None
        result = self.cloud_budget_left(ctx)
        if inspect.isawaitable(result):
            result = await result
        return result  # type: ignore[return-value]

    def _finish(self, req: _Request, targets: list[RouteTarget], reason: str, label: str,
                cascade: CascadePlan | None = None) -> RouteDecision:
        ctx, trail = req.ctx, req.trail
        chain = " -> ".join("|".join(t.providers) + (f"({t.model})" if t.model else "") for t in targets)
        trail.append(f"route: {label} [{chain}] reason {reason}")
        ctx.route_reason = reason
        ctx.route_trail = trail
        ctx.response_headers["x-perimeter-reason"] = reason
        metrics.record_decision(ctx.alias, label, reason)
        return RouteDecision(targets=targets, reason=reason, trail=trail, cascade=cascade)
