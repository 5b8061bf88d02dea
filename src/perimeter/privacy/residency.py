"""Residency: where the *originals* of each entity type may go, by jurisdiction.

152-FZ lets personal data of Russian citizens be processed by a cloud provider inside Russia;
sending it abroad is a regulated transfer.  GDPR Chapter V draws the same line around the EEA.
The policy says, per entity type, which jurisdictions may receive originals::

    privacy:
      entities: {PERSON: local, PHONE: pseudonymize, SECRET: local}
      residency:
        PERSON: [on_prem, RU]     # names may also be served by a Russian cloud, in the clear
        PHONE:  [on_prem, RU]
        "RU_*": [on_prem, RU]     # every Russian identifier (exact names win over patterns)

Places are ISO country codes or ``EU``/``EEA``; ``on_prem`` may be listed for readability —
on-prem providers always receive originals, that is what on-prem means.  A residency rule
*relaxes* an action for the clouds it names and changes nothing elsewhere, so everything
fails closed exactly as before:

=============  ============================================  ===============================
action         cloud in a listed jurisdiction                any other cloud
=============  ============================================  ===============================
block          refused (the request goes nowhere)            refused
local          allowed, with originals                       not allowed (as before)
pseudonymize   originals                                     surrogates (as before)
allow          originals                                     surrogates (the rule restricts)
=============  ============================================  ===============================

A type without a rule keeps today's meaning everywhere.  A cloud provider with no declared
jurisdiction matches no rule.  A request that must stay on-prem for *several* ``local`` types
may use a cloud only where every one of them may go.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from perimeter.jurisdiction import expand

if TYPE_CHECKING:
    from perimeter.privacy.entities import Entity

ON_PREM = "on_prem"
ORIGINAL, SURROGATE = "original", "surrogate"
_KEY = re.compile(r"^(\*|[A-Z][A-Z0-9_]*\*?)$")


def check_rules(rules: dict[str, list[str]]) -> dict[str, list[str]]:
    """Config validator: type names or ``PREFIX*`` patterns mapped to places that exist."""
    out: dict[str, list[str]] = {}
    for key, places in rules.items():
        if not _KEY.match(key):
            raise ValueError(f"residency key '{key}' must be an entity type (PERSON), a prefix pattern (RU_*) or *")
        cleaned = []
        for place in places:
            if place.strip().lower() == ON_PREM:
                cleaned.append(ON_PREM)
                continue
            try:
                expand(place)
            except ValueError as exc:
                raise ValueError(f"residency.{key}: {exc} (or on_prem, EU, EEA)") from None
            cleaned.append(place.strip().upper())
        out[key] = cleaned
    return out


@dataclass(frozen=True, slots=True)
class ResidencyRules:
    """Compiled rules: the jurisdictions where originals of a type may go (``None``: no rule)."""

    exact: Mapping[str, frozenset[str]]
    patterns: tuple[tuple[str, frozenset[str]], ...]  # longest prefix first; "" is the catch-all

    def places(self, entity_type: str) -> frozenset[str] | None:
        hit = self.exact.get(entity_type)
        if hit is not None:
            return hit
        for prefix, places in self.patterns:
            if entity_type.startswith(prefix):
                return places
        return None

    def __bool__(self) -> bool:
        return bool(self.exact or self.patterns)


@lru_cache(maxsize=256)
def _compile(items: tuple[tuple[str, tuple[str, ...]], ...]) -> ResidencyRules:
    exact: dict[str, frozenset[str]] = {}
    patterns: list[tuple[str, frozenset[str]]] = []
    for key, places in items:
        codes = frozenset().union(*(expand(p) for p in places if p != ON_PREM)) if places else frozenset()
        if key.endswith("*"):
            patterns.append((key[:-1], frozenset(codes)))
        else:
            exact[key] = frozenset(codes)
    patterns.sort(key=lambda kv: len(kv[0]), reverse=True)
    return ResidencyRules(exact, tuple(patterns))


def compile_rules(rules: Mapping[str, Sequence[str]]) -> ResidencyRules:
    """Compile (cached: a policy's rules are compiled once, not per request)."""
    return _compile(tuple(sorted((k, tuple(v)) for k, v in rules.items())))


def original_allowed(rules: ResidencyRules, entity_type: str, action: str, jurisdiction: str | None) -> bool:
    """May a *cloud* provider in ``jurisdiction`` receive originals of this type (see the table above)?"""
    places = rules.places(entity_type)
    if places is None:
        return action == "allow"
    return jurisdiction is not None and jurisdiction in places


def may_need_surrogate(rules: ResidencyRules, entity_type: str, action: str) -> bool:
    """Could some cloud get a surrogate for this type (so the guard must keep its spans)?"""
    return action == "pseudonymize" or (action == "allow" and rules.places(entity_type) is not None)


def clouds_for_local(rules: ResidencyRules, local_types: Iterable[str]) -> frozenset[str]:
    """Jurisdictions where a request holding all these ``local`` types may also be served (maybe none)."""
    allowed: frozenset[str] | None = None
    for t in local_types:
        places = rules.places(t)
        if not places:
            return frozenset()
        allowed = places if allowed is None else allowed & places
    return allowed or frozenset()


def surrogates_for(findings: Sequence[Sequence[Entity]], rules: ResidencyRules, actions: Mapping[str, str],
                   jurisdiction: str | None) -> tuple[list[list[Entity]], frozenset[str]]:
    """The findings a cloud in ``jurisdiction`` must not see, per slot, and their types."""
    out: list[list[Entity]] = []
    types: set[str] = set()
    for ents in findings:
        keep = [e for e in ents if not original_allowed(rules, e.type, actions.get(e.type, "pseudonymize"),
                                                        jurisdiction)]
        types.update(e.type for e in keep)
        out.append(keep)
    return out, frozenset(types)


def disclosure(found_types: Iterable[str], surrogate_types: frozenset[str]) -> dict[str, str]:
    """What a destination received, per entity type: ``original`` or ``surrogate`` (for the audit)."""
    return {t: SURROGATE if t in surrogate_types else ORIGINAL for t in sorted(found_types)}
