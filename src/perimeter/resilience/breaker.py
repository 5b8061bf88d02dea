"""A per-provider circuit breaker.

Closed: calls flow.  After ``failure_threshold`` consecutive retryable failures it opens and
the gateway stops sending traffic there (falling back at once instead of waiting for
timeouts).  After ``cooldown`` seconds it half-opens and lets exactly one probe through; the
probe's outcome closes or re-opens it.  State lives in memory: it is a per-replica view of
health, which is what each replica needs to avoid hammering a dead upstream.
"""

from __future__ import annotations

import time
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    __slots__ = ("_failures", "_opened_at", "_probe_in_flight", "cooldown", "failure_threshold", "state")

    def __init__(self, failure_threshold: int = 5, cooldown: float = 10.0) -> None:
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False

    def allow(self, now: float | None = None) -> bool:
        """Whether a call may go to this provider now (reserves the probe when half-open)."""
        if self.state is BreakerState.CLOSED:
            return True
        now = time.monotonic() if now is None else now
        if self.state is BreakerState.OPEN:
            if now - self._opened_at < self.cooldown:
                return False
            self.state = BreakerState.HALF_OPEN
            self._probe_in_flight = False
        if self._probe_in_flight:
            return False
        self._probe_in_flight = True
        return True

    def available(self, now: float | None = None) -> bool:
        """Like :meth:`allow` but without reserving anything (for readiness and routing)."""
        if self.state is BreakerState.CLOSED:
            return True
        now = time.monotonic() if now is None else now
        if self.state is BreakerState.OPEN:
            return now - self._opened_at >= self.cooldown
        return not self._probe_in_flight

    def record_success(self) -> None:
        self._failures = 0
        self._probe_in_flight = False
        self.state = BreakerState.CLOSED

    def record_failure(self, now: float | None = None) -> None:
        self._probe_in_flight = False
        self._failures += 1
        if self.state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
            self.state = BreakerState.OPEN
            self._opened_at = time.monotonic() if now is None else now

    def release_probe(self) -> None:
        """A reserved call ended without a verdict (client went away): free the probe slot."""
        self._probe_in_flight = False
