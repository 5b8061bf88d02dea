"""The hybrid router: where each request may go (privacy) and where it should go (cost/quality).

Order of a decision, first match wins (``docs/routing.md`` explains each step):

1. **Sensitivity** — ``ctx.require_on_prem`` (privacy ``local`` action, scanner failure) or a
   sticky conversation: on-prem providers only; none healthy -> 503 ``no_on_prem_provider``.
   Never relaxed by anything below.
2. **Semantic route** — a named route picks another alias's targets.
3. **Budget** — cloud budget spent: local tier only, or 402 when ``on_exhausted: refuse``.
4. **Client hint** — ``x-perimeter-prefer: local|cloud``.
5. **Difficulty** — score > threshold: cloud tier first, else local tier first.
6. **Cascade** — local tier first with a :class:`~perimeter.routing.cascade.CascadePlan`.
7. **Primary** — the alias's targets in config order.

The chosen tier comes first and the other tier follows as fallback, except when the cloud is
off-limits (sensitivity, spent budget).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from perimeter.config import Config, ConfigError
from perimeter.context import RequestContext
from perimeter.errors import GatewayError, not_found
from perimeter.routing import metrics
from perimeter.routing.calibration import QuantileCalibrator
from perimeter.routing.cascade import CascadePlan
from perimeter.routing.config import AliasRoutingConfig
from perimeter.routing.difficulty import DifficultyScorer, bundled_examples, load_examples
from perimeter.routing.features import prompt_text
from perimeter.routing.semantic import SemanticRouter
from perimeter.routing.stickiness import Stickiness, make_store
from perimeter.routing.tiers import AliasTiers, dedupe, healthy_first, only_on_prem, resolve_tiers
from perimeter.stages import RouteDecision, RouteTarget

PREFER_HEADER = "x-perimeter-prefer"

BudgetCheck = Callable[[RequestContext], "bool | Awaitable[bool | None] | None"]


@dataclass(slots=True)
class _AliasPlan:
    tiers: AliasTiers
    routing: AliasRoutingConfig | None
    scorer: DifficultyScorer | None = None
    calibrator: QuantileCalibrator | None = None
    semantic: SemanticRouter | None = None


def _always_healthy(_: str) -> bool:
    return True


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
        self.stickiness = stickiness or Stickiness(make_store(config.storage.redis_url))
        self.plans: dict[str, _AliasPlan] = {}
        base_scorers: dict[tuple[bool, str | None], DifficultyScorer] = {}
        for alias, alias_cfg in config.models.items():
            routing = alias_cfg.routing
            plan = _AliasPlan(resolve_tiers(config, alias), routing)
            if routing is not None and routing.semantic is not None:
                for i, r in enumerate(routing.semantic.routes):
                    for key, target in (("target", r.target), ("default", routing.semantic.default)):
                        if target is not None and target not in config.models:
                            raise ConfigError(
                                f"{config.source or '<config>'}: models.{alias}.routing.semantic.routes[{i}].{key}: "
                                f"unknown alias '{target}' (known: {', '.join(sorted(config.models))})"
                            )
                plan.semantic = SemanticRouter(routing.semantic)
            if routing is not None and routing.difficulty is not None:
                d = routing.difficulty
                scorer_key = (d.embeddings, d.examples_file)
                if scorer_key not in base_scorers:
                    examples = bundled_examples()
                    if d.examples_file:
                        try:
                            examples += load_examples(d.examples_file)
                        except (OSError, ValueError) as exc:
                            raise ConfigError(
                                f"{config.source or '<config>'}: models.{alias}.routing.difficulty.examples_file: {exc}"
                            ) from None
                    base_scorers[scorer_key] = DifficultyScorer(examples, embeddings=d.embeddings)
                plan.scorer = base_scorers[scorer_key]
                if d.cloud_share is not None:
                    plan.calibrator = QuantileCalibrator(d.cloud_share, plan.scorer.prior_scores.tolist(), d.window)
            self.plans[alias] = plan

    async def aclose(self) -> None:
        await self.stickiness.store.aclose()

    # -- the decision ---------------------------------------------------------------------

    async def decide(self, ctx: RequestContext) -> RouteDecision:
        plan = self.plans.get(ctx.alias)
        if plan is None:
            raise not_found(f"model '{ctx.alias}' is not configured")
        trail: list[str] = []
        sticky = plan.routing.sticky if plan.routing is not None else True
        if sticky and await self.stickiness.apply(ctx):
            ctx.require_on_prem = True
            trail.append("sticky: an earlier turn of this conversation was sensitive -> on-prem only")
            first = plan.tiers.local if plan.routing is not None else []
            return self._finish(ctx, plan, self._on_prem_chain(ctx, first + plan.tiers.all),
                                "sticky:conversation", "local", trail)
        if ctx.require_on_prem:
            reason = "sensitive:" + ("+".join(sorted(ctx.entity_counts)) or (ctx.privacy_action or "unknown"))
            trail.append(f"{reason}: privacy requires on-prem providers only")
            if plan.routing is not None and plan.semantic is not None:
                text, _ = prompt_text(ctx.body)
                m = await self._semantic(plan.semantic, text)
                if m.target and m.target != ctx.alias:
                    chain = only_on_prem(self._alias_chain(m.target), self.on_prem)
                    if any(self._healthy(t) for t in chain):
                        trail.append(f"semantic:{m.route or 'default'} (similarity {m.similarity:.2f}) -> {m.target}")
                        return self._finish(ctx, plan, healthy_first(chain, self.is_healthy), reason, m.target, trail)
                    trail.append(f"semantic route to '{m.target}' has no healthy on-prem provider; ignored")
            # With a routing section the local tier leads; without one, config order.
            first = plan.tiers.local if plan.routing is not None else []
            return self._finish(ctx, plan, self._on_prem_chain(ctx, first + plan.tiers.all), reason, "local", trail)
        routing = plan.routing
        if routing is None:
            return self._finish(ctx, plan, healthy_first(plan.tiers.all, self.is_healthy), "primary", "primary", trail)
        text, turns = prompt_text(ctx.body)

        if plan.semantic is not None:
            m = await self._semantic(plan.semantic, text)
            trail.append(f"semantic: best '{m.best_route}' similarity {m.similarity:.3f}")
            if m.target and m.target != ctx.alias:
                label = f"semantic:{m.route}" if m.route else "semantic:default"
                return self._finish(ctx, plan, healthy_first(self._alias_chain(m.target), self.is_healthy),
                                    label, m.target, trail)

        local, cloud = plan.tiers.local, plan.tiers.cloud
        budget_ok = await self._budget_left(ctx)
        if budget_ok is False:
            if routing.budget.on_exhausted == "refuse":
                trail.append("budget: cloud budget spent, on_exhausted=refuse")
                metrics.record_decision(ctx.alias, "refused", "budget")
                raise GatewayError(
                    402, "the cloud budget of this key/team is spent and this model is configured to refuse "
                    "rather than fall back to on-prem (routing.budget.on_exhausted: refuse)",
                    type="insufficient_quota", code="budget_exceeded",
                )
            trail.append("budget: cloud budget spent -> on-prem only")
            return self._finish(ctx, plan, self._on_prem_chain(ctx, local + plan.tiers.all), "budget:local", "local",
                                trail)

        prefer = ctx.headers.get(PREFER_HEADER, "").strip().lower() if routing.client_hints else ""
        if prefer in ("local", "cloud"):
            first, second = (local, cloud) if prefer == "local" else (cloud, local)
            if first:
                trail.append(f"hint: client prefers {prefer}")
                return self._finish(ctx, plan, self._chain(first, second), f"hint:{prefer}", prefer, trail)
            trail.append(f"hint: client prefers {prefer} but the alias has no {prefer} tier; ignored")

        to_cloud: bool | None = None
        reason = ""
        if plan.scorer is not None and routing.difficulty is not None:
            score = await self._score(plan, text, turns)
            if plan.calibrator is not None:
                to_cloud, thr = plan.calibrator.observe(score)
                how = f"calibrated for cloud_share {routing.difficulty.cloud_share}"
            else:
                thr = float(routing.difficulty.threshold or 0.5)
                to_cloud = score > thr
                how = "fixed threshold"
            digits = 2 if f"{score:.2f}" != f"{thr:.2f}" else 3  # never print "0.99>0.99"
            reason = f"difficulty:{score:.{digits}f}{'>' if to_cloud else '<='}{thr:.{digits}f}"
            trail.append(f"difficulty: score {score:.3f}, threshold {thr:.3f} ({how}) -> {'cloud' if to_cloud else 'local'}")
            if to_cloud and cloud:
                return self._finish(ctx, plan, self._chain(cloud, local), reason, "cloud", trail)

        if routing.cascade is not None and local and cloud:
            c = routing.cascade
            if ctx.stream and c.stream != "buffer":
                trail.append("cascade: skipped for a streaming request (cascade.stream is 'off')")
            else:
                cascade = CascadePlan(
                    local=healthy_first(local, self.is_healthy), cloud=healthy_first(cloud, self.is_healthy),
                    min_confidence=c.min_confidence, escalate_on=tuple(c.escalate_on),
                    request_logprobs=c.request_logprobs,
                )
                trail.append(f"cascade: local first, escalate on {', '.join(c.escalate_on)} "
                             f"(min mean logprob {c.min_confidence})")
                return self._finish(ctx, plan, self._chain(local, cloud), reason or "cascade", "local", trail,
                                    cascade=cascade)
        if to_cloud is False and local:
            return self._finish(ctx, plan, self._chain(local, cloud), reason, "local", trail)
        return self._finish(ctx, plan, healthy_first(plan.tiers.all, self.is_healthy), reason or "primary",
                            "primary", trail)

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

    async def _semantic(self, router: SemanticRouter, text: str) -> Any:
        return await asyncio.to_thread(router.match, text)

    async def _score(self, plan: _AliasPlan, text: str, turns: int) -> float:
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

    def _finish(self, ctx: RequestContext, plan: _AliasPlan, targets: list[RouteTarget], reason: str, label: str,
                trail: list[str], cascade: CascadePlan | None = None) -> RouteDecision:
        chain = " -> ".join("|".join(t.providers) + (f"({t.model})" if t.model else "") for t in targets)
        trail.append(f"route: {label} [{chain}] reason {reason}")
        ctx.route_reason = reason
        ctx.route_trail = trail
        ctx.response_headers["x-perimeter-reason"] = reason
        metrics.record_decision(ctx.alias, label, reason)
        return RouteDecision(targets=targets, reason=reason, trail=trail, cascade=cascade)
