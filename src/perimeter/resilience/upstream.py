"""A provider plus its live state: breaker and outstanding-request count.

The balancer picks, among the replicas of a target, the available one with the fewest
requests in flight (least outstanding requests), breaking ties in rotation so equal replicas
share load evenly.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from perimeter.providers.base import Provider
from perimeter.providers.config import RetryConfig
from perimeter.resilience.breaker import CircuitBreaker


class Upstream:
    __slots__ = ("breaker", "outstanding", "provider", "retry")

    def __init__(self, provider: Provider, breaker: CircuitBreaker, retry: RetryConfig | None = None) -> None:
        self.provider = provider
        self.breaker = breaker
        self.retry = retry or RetryConfig()
        self.outstanding = 0

    @property
    def name(self) -> str:
        return self.provider.name

    def usable(self) -> bool:
        return self.provider.ready() and self.breaker.available()


_tiebreak = itertools.count()


def pick_least_outstanding(candidates: Sequence[Upstream], exclude: set[str]) -> Upstream | None:
    """The usable candidate with the fewest in-flight requests whose breaker admits a call."""
    pool = [u for u in candidates if u.name not in exclude and u.provider.ready() and u.breaker.available()]
    if not pool:
        return None
    offset = next(_tiebreak)
    n = len(pool)
    ordered = sorted(range(n), key=lambda i: (pool[i].outstanding, (i - offset) % n))
    for i in ordered:
        if pool[i].breaker.allow():
            return pool[i]
    return None
