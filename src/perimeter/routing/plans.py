"""What the router prepares once per alias at start-up: tiers, difficulty scorer, semantic routes.

Building these loads models (embeddings) and reads example files, so it happens once, when
the router is constructed; a decision only looks them up.
"""

from __future__ import annotations

from dataclasses import dataclass

from perimeter.config import Config, ConfigError
from perimeter.routing.calibration import QuantileCalibrator
from perimeter.routing.config import AliasRoutingConfig
from perimeter.routing.difficulty import DifficultyScorer, bundled_examples, load_examples
from perimeter.routing.semantic import SemanticRouter
from perimeter.routing.tiers import AliasTiers, resolve_tiers


@dataclass(slots=True)
class AliasPlan:
    tiers: AliasTiers
    routing: AliasRoutingConfig | None
    scorer: DifficultyScorer | None = None
    calibrator: QuantileCalibrator | None = None
    semantic: SemanticRouter | None = None


def build_plans(config: Config) -> dict[str, AliasPlan]:
    """One :class:`AliasPlan` per alias; scorers with the same settings are shared."""
    plans: dict[str, AliasPlan] = {}
    scorers: dict[tuple[bool, str | None], DifficultyScorer] = {}
    for alias, alias_cfg in config.models.items():
        routing = alias_cfg.routing
        plan = AliasPlan(resolve_tiers(config, alias), routing)
        if routing is not None and routing.semantic is not None:
            _check_semantic_targets(config, alias, routing)
            plan.semantic = SemanticRouter(routing.semantic)
        if routing is not None and routing.difficulty is not None:
            d = routing.difficulty
            key = (d.embeddings, d.examples_file)
            if key not in scorers:
                scorers[key] = _scorer(config, alias, d.embeddings, d.examples_file)
            plan.scorer = scorers[key]
            if d.cloud_share is not None:
                plan.calibrator = QuantileCalibrator(d.cloud_share, plan.scorer.prior_scores.tolist(), d.window)
        plans[alias] = plan
    return plans


def _check_semantic_targets(config: Config, alias: str, routing: AliasRoutingConfig) -> None:
    assert routing.semantic is not None
    for i, r in enumerate(routing.semantic.routes):
        for key, target in (("target", r.target), ("default", routing.semantic.default)):
            if target is not None and target not in config.models:
                raise ConfigError(
                    f"{config.source or '<config>'}: models.{alias}.routing.semantic.routes[{i}].{key}: "
                    f"unknown alias '{target}' (known: {', '.join(sorted(config.models))})"
                )


def _scorer(config: Config, alias: str, embeddings: bool, examples_file: str | None) -> DifficultyScorer:
    examples = bundled_examples()
    if examples_file:
        try:
            examples += load_examples(examples_file)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"{config.source or '<config>'}: models.{alias}.routing.difficulty.examples_file: {exc}"
            ) from None
    return DifficultyScorer(examples, embeddings=embeddings)
