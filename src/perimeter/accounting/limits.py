"""Rate, concurrency and budget counters: in memory (one process) or in Redis (replicas).

Requests and tokens per minute use fixed one-minute windows (UTC): easy to explain and to put
in ``x-ratelimit-*`` headers, and with Redis exactly ``rpm`` requests pass per window across
all replicas.  Tokens are counted after the call (they are unknown before it); a scope that
has already used its ``tpm`` is refused until the window ends.  Spend budgets accrue per period
(``d20260131`` / ``m202601``) and are checked before the call.

The Redis-backed limiter shared by replicas (with leases) is in
:mod:`perimeter.accounting.redis_limits`.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from perimeter.accounting.config import LimitsConfig

log = logging.getLogger("perimeter.accounting.limits")


@dataclass(slots=True, frozen=True)
class Scope:
    """Who a limit applies to: ``key:<key_id>`` or ``team:<name>``."""

    name: str
    limits: LimitsConfig


@dataclass(slots=True)
class Denial:
    scope: str
    kind: str  # "rpm" | "tpm" | "concurrency" | "budget"
    limit: float
    used: float
    retry_after: float


@dataclass(slots=True)
class Admission:
    denial: Denial | None
    # For headers: the first scope with a request / token limit.
    rpm_limit: int | None = None
    rpm_remaining: int | None = None
    tpm_limit: int | None = None
    tpm_remaining: int | None = None
    reset_seconds: float = 60.0
    #: Scopes whose concurrency slot was taken (release must give it back).
    conc_scopes: tuple[str, ...] = ()


def window_id(now: float) -> int:
    return int(now // 60)


_PID_CACHE: dict[tuple[str, int], str] = {}


def period_id(period: str, now: float) -> str:
    """``d20260131`` / ``m202601`` (UTC); cached per second — it is on the hot path."""
    k = (period, int(now))
    hit = _PID_CACHE.get(k)
    if hit is not None:
        return hit
    if len(_PID_CACHE) > 64:
        _PID_CACHE.clear()
    _PID_CACHE[k] = v = _period_id(period, now)
    return v


def _period_id(period: str, now: float) -> str:
    t = time.gmtime(now)
    return f"d{t.tm_year:04d}{t.tm_mon:02d}{t.tm_mday:02d}" if period == "daily" else f"m{t.tm_year:04d}{t.tm_mon:02d}"


def period_start(period: str, now: float) -> float:
    t = time.gmtime(now)
    import calendar

    if period == "daily":
        return float(calendar.timegm((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0)))
    return float(calendar.timegm((t.tm_year, t.tm_mon, 1, 0, 0, 0)))


def _period_end(period: str, now: float) -> float:
    if period == "daily":
        return period_start("daily", now) + 86400
    t = time.gmtime(now)
    import calendar

    y, m = (t.tm_year + 1, 1) if t.tm_mon == 12 else (t.tm_year, t.tm_mon + 1)
    return float(calendar.timegm((y, m, 1, 0, 0, 0)))


class MemoryLimiter:
    """Counters in this process (SQLite / single-replica deployments)."""

    shared = False

    def __init__(self) -> None:
        self._req: dict[str, tuple[int, int]] = {}
        self._tok: dict[str, tuple[int, int]] = {}
        self._conc: dict[str, int] = {}
        self._spend: dict[tuple[str, str], float] = {}

    def seed_spend(self, scope: str, pid: str, amount: float) -> None:
        """Budgets survive restarts: spend so far in the period is read back from the ledger."""
        self._spend[(scope, pid)] = amount

    def spent(self, scope: str, period: str, now: float | None = None) -> float:
        return self._spend.get((scope, period_id(period, time.time() if now is None else now)), 0.0)

    async def admit(self, scopes: list[Scope], now: float | None = None) -> Admission:
        now = time.time() if now is None else now
        win = window_id(now)
        reset = 60.0 - (now % 60)
        adm = Admission(None, reset_seconds=reset)
        for s in scopes:
            lim = s.limits
            if lim.rpm is not None:
                w, n = self._req.get(s.name, (win, 0))
                n = n if w == win else 0
                if n >= lim.rpm:
                    adm.denial = Denial(s.name, "rpm", lim.rpm, n, reset)
                    return adm
            if lim.tpm is not None:
                w, t = self._tok.get(s.name, (win, 0))
                t = t if w == win else 0
                if t >= lim.tpm:
                    adm.denial = Denial(s.name, "tpm", lim.tpm, t, reset)
                    return adm
            if lim.max_concurrent is not None and self._conc.get(s.name, 0) >= lim.max_concurrent:
                adm.denial = Denial(s.name, "concurrency", lim.max_concurrent, self._conc.get(s.name, 0), 1.0)
                return adm
            if lim.budget is not None:
                spent = self._spend.get((s.name, period_id(lim.budget_period, now)), 0.0)
                if spent >= lim.budget:
                    adm.denial = Denial(s.name, "budget", lim.budget, spent, _period_end(lim.budget_period, now) - now)
                    return adm
        conc = []
        for s in scopes:
            lim = s.limits
            if lim.rpm is not None:
                w, n = self._req.get(s.name, (win, 0))
                n = (n if w == win else 0) + 1
                self._req[s.name] = (win, n)
                if adm.rpm_limit is None:
                    adm.rpm_limit, adm.rpm_remaining = lim.rpm, max(lim.rpm - n, 0)
            if lim.tpm is not None and adm.tpm_limit is None:
                w, t = self._tok.get(s.name, (win, 0))
                adm.tpm_limit, adm.tpm_remaining = lim.tpm, max(lim.tpm - (t if w == win else 0), 0)
            if lim.max_concurrent is not None:
                self._conc[s.name] = self._conc.get(s.name, 0) + 1
                conc.append(s.name)
        adm.conc_scopes = tuple(conc)
        return adm

    async def release(
        self, scopes: list[Scope], adm: Admission, tokens: int, cost: float, now: float | None = None
    ) -> None:
        now = time.time() if now is None else now
        win = window_id(now)
        for name in adm.conc_scopes:
            self._conc[name] = max(self._conc.get(name, 0) - 1, 0)
        for s in scopes:
            if tokens and s.limits.tpm is not None:
                w, t = self._tok.get(s.name, (win, 0))
                self._tok[s.name] = (win, (t if w == win else 0) + tokens)
            if cost and s.limits.budget is not None:
                k = (s.name, period_id(s.limits.budget_period, now))
                self._spend[k] = self._spend.get(k, 0.0) + cost

    async def aclose(self) -> None:
        return None


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
