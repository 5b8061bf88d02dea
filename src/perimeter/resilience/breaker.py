"""A per-provider circuit breaker.

Closed: calls flow.  After ``failure_threshold`` consecutive retryable failures it opens and
the gateway stops sending traffic there (falling back at once instead of waiting for
timeouts).  After ``cooldown`` seconds it half-opens and lets exactly one probe through; the
probe's outcome closes or re-opens it.

State lives in memory, so the request path never waits on anything to ask "may I call?".
Several replicas keep their breakers in step through :mod:`perimeter.resilience.shared`: a
breaker reports its own transitions to ``on_change`` (rare events: opening, closing again) and
accepts the other replicas' verdicts through :meth:`open_from_peer` / :meth:`close_from_peer`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    __slots__ = ("_failures", "_opened_at", "_probe_in_flight", "cooldown", "failure_threshold", "on_change",
                 "state")

    def __init__(self, failure_threshold: int = 5, cooldown: float = 10.0) -> None:
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False
        #: Called with the new state when *this* breaker opens or closes again by its own
        #: verdict (not when a peer's verdict is applied): the hook that shares the state.
        self.on_change: Callable[[BreakerState], None] | None = None

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
        if self.state is not BreakerState.CLOSED:
            self.state = BreakerState.CLOSED
            if self.on_change is not None:
                self.on_change(BreakerState.CLOSED)

    def record_failure(self, now: float | None = None) -> None:
        self._probe_in_flight = False
        self._failures += 1
        if self.state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
            self.state = BreakerState.OPEN
            self._opened_at = time.monotonic() if now is None else now
            if self.on_change is not None:
                self.on_change(BreakerState.OPEN)

    def release_probe(self) -> None:
        """A reserved call ended without a verdict (client went away): free the probe slot."""
        self._probe_in_flight = False

    # ------------------------------------------------------------ verdicts of other replicas
    def open_from_peer(self, remaining: float, now: float | None = None) -> None:
        """Another replica opened this provider's circuit; stay open for ``remaining`` seconds."""
        now = time.monotonic() if now is None else now
        remaining = max(0.0, min(remaining, self.cooldown))
        self.state = BreakerState.OPEN
        self._probe_in_flight = False
        self._opened_at = now - (self.cooldown - remaining)

    def close_from_peer(self) -> None:
        """Another replica's probe succeeded: the provider is healthy again."""
        self._failures = 0
        self._probe_in_flight = False
        self.state = BreakerState.CLOSED

    def remaining(self, now: float | None = None) -> float:
        """Seconds of cooldown left while open (0 otherwise)."""
        if self.state is not BreakerState.OPEN:
            return 0.0
        now = time.monotonic() if now is None else now
        return max(0.0, self.cooldown - (now - self._opened_at))
