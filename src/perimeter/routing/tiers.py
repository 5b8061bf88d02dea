"""An alias's targets split into the light local tier and the strong cloud tier.

By default a target belongs to the local tier when every provider in it is ``on_prem``; the
``routing.tiers`` lists override that with provider names or other aliases.  Resolved once at
start-up, so a decision only filters and reorders short lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from perimeter.config import Config, ConfigError
from perimeter.stages import RouteTarget


@dataclass(slots=True)
class AliasTiers:
    alias: str
    all: list[RouteTarget]  # the alias's targets in config order
    local: list[RouteTarget]
    cloud: list[RouteTarget]


def alias_targets(config: Config, alias: str) -> list[RouteTarget]:
    return [RouteTarget(t.provider_names(), t.model) for t in config.models[alias].targets]


def _resolve(config: Config, alias: str, names: list[str], key: str) -> list[RouteTarget]:
    own = config.models[alias].targets
    known = {p.name for p in config.providers}
    out: list[RouteTarget] = []
    for i, name in enumerate(names):
        if name in config.models:
            out += alias_targets(config, name)
        elif name in known:
            model = next((t.model for t in own if name in t.provider_names()), None)
            out.append(RouteTarget([name], model))
        else:
            raise ConfigError(
                f"{config.source or '<config>'}: models.{alias}.routing.tiers.{key}[{i}]: unknown provider or "
                f"alias '{name}' (providers: {', '.join(sorted(known))}; aliases: {', '.join(sorted(config.models))})"
            )
    return out


def resolve_tiers(config: Config, alias: str) -> AliasTiers:
    everything = alias_targets(config, alias)
    routing = config.models[alias].routing
    on_prem = {p.name for p in config.providers if p.location == "on_prem"}
    local = [t for t in everything if all(p in on_prem for p in t.providers)]
    cloud = [t for t in everything if not all(p in on_prem for p in t.providers)]
    if routing is not None and routing.tiers.local is not None:
        local = _resolve(config, alias, routing.tiers.local, "local")
    if routing is not None and routing.tiers.cloud is not None:
        cloud = _resolve(config, alias, routing.tiers.cloud, "cloud")
    return AliasTiers(alias, everything, local, cloud)


def only_on_prem(targets: list[RouteTarget], on_prem: set[str]) -> list[RouteTarget]:
    """Targets narrowed to their on-prem providers (targets left empty are dropped)."""
    out = []
    for t in targets:
        providers = [p for p in t.providers if p in on_prem]
        if providers:
            out.append(t if len(providers) == len(t.providers) else RouteTarget(providers, t.model))
    return out


def healthy_first(targets: list[RouteTarget], is_healthy: Callable[[str], bool]) -> list[RouteTarget]:
    """Same order, but targets with no healthy provider move to the end (still tried last)."""
    good = [t for t in targets if any(is_healthy(p) for p in t.providers)]
    if len(good) == len(targets):
        return targets
    return good + [t for t in targets if t not in good]


def dedupe(targets: list[RouteTarget]) -> list[RouteTarget]:
    seen: set[tuple[tuple[str, ...], str | None]] = set()
    out = []
    for t in targets:
        key = (tuple(t.providers), t.model)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out
