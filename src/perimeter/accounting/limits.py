"""Rate, concurrency and budget counters: in memory (one process) or in Redis (replicas).

Requests and tokens per minute use fixed one-minute windows (UTC): easy to explain and to put
in ``x-ratelimit-*`` headers, and with Redis exactly ``rpm`` requests pass per window across
all replicas.  Tokens are counted after the call (they are unknown before it); a scope that
has already used its ``tpm`` is refused until the window ends.  Spend budgets accrue per period
(``d20260131`` / ``m202601``) and are checked before the call.

Redis: :meth:`RedisLimiter.admit` is one ``EVALSHA`` (a Lua script checks every scope and
takes a request slot atomically, and returns the spend so far, which the router's budget check
reads from memory for a second).  :meth:`RedisLimiter.release` only adds to local pending
increments; one pipelined round trip every 50 ms writes them (concurrency slots come back,
tokens and spend are added) — so a request costs one Redis round trip, not two.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from perimeter.accounting.config import LimitsConfig
from perimeter.store.resp import RespClient, encode

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


# KEYS per scope (4): requests-window, tokens-window, concurrency, spend-period
# ARGV: nscopes, then per scope (4): rpm, tpm, max_concurrent, budget  (-1 = unlimited)
_ADMIT_LUA = """
local n = tonumber(ARGV[1])
for i = 0, n - 1 do
  local rpm = tonumber(ARGV[2 + i*4]); local tpm = tonumber(ARGV[3 + i*4])
  local conc = tonumber(ARGV[4 + i*4]); local budget = tonumber(ARGV[5 + i*4])
  if rpm >= 0 then
    local used = tonumber(redis.call('GET', KEYS[1 + i*4]) or '0')
    if used >= rpm then return {0, i, 'rpm', tostring(used)} end
  end
  if tpm >= 0 then
    local used = tonumber(redis.call('GET', KEYS[2 + i*4]) or '0')
    if used >= tpm then return {0, i, 'tpm', tostring(used)} end
  end
  if conc >= 0 then
    local used = tonumber(redis.call('GET', KEYS[3 + i*4]) or '0')
    if used >= conc then return {0, i, 'concurrency', tostring(used)} end
  end
  if budget >= 0 then
    local used = tonumber(redis.call('GET', KEYS[4 + i*4]) or '0')
    if used >= budget then return {0, i, 'budget', tostring(used)} end
  end
end
local out = {1}
for i = 0, n - 1 do
  local rpm = tonumber(ARGV[2 + i*4]); local conc = tonumber(ARGV[4 + i*4])
  local reqs = 0
  if rpm >= 0 then
    reqs = redis.call('INCR', KEYS[1 + i*4])
    if reqs == 1 then redis.call('EXPIRE', KEYS[1 + i*4], 120) end
  end
  if conc >= 0 then
    redis.call('INCR', KEYS[3 + i*4])
    redis.call('EXPIRE', KEYS[3 + i*4], 900)
  end
  table.insert(out, reqs)
  table.insert(out, tonumber(redis.call('GET', KEYS[2 + i*4]) or '0'))
  table.insert(out, redis.call('GET', KEYS[4 + i*4]) or '0')
end
return out
"""


class RedisLimiter:
    """The same counters in Redis, shared by every replica."""

    shared = True
    FLUSH_EVERY = 0.05
    SPENT_FRESH = 1.0

    def __init__(self, url: str, prefix: str = "perimeter:") -> None:
        self.redis = RespClient(url, timeout=2, connect_timeout=2)
        self.prefix = prefix
        self._spent: dict[str, tuple[float, float]] = {}
        # Pending increments written by the flusher: (op, key) -> amount.
        self._pending: dict[tuple[str, str], float] = {}
        self._flusher: asyncio.Task[None] | None = None
        self.flush_failures = 0
        self._sha = RespClient.script_sha(_ADMIT_LUA)
        # id(scopes) -> (scopes, window, Redis keys per scope, encoded EVALSHA): the gatekeeper
        # reuses one list per key version, so the command is encoded once per key per minute.
        # Holding ``scopes`` keeps its id from being reused while the entry lives.
        self._cmd: dict[int, tuple[list[Scope], int, list[list[str]], bytes]] = {}

    def _command(self, scopes: list[Scope], now: float) -> tuple[list[list[str]], bytes]:
        win = window_id(now)
        hit = self._cmd.get(id(scopes))
        if hit is not None and hit[0] is scopes and hit[1] == win:
            return hit[2], hit[3]
        per = [self._keys(s, now) for s in scopes]
        args: list[Any] = [len(scopes)]
        for s in scopes:
            lim = s.limits
            args += [-1 if v is None else v for v in (lim.rpm, lim.tpm, lim.max_concurrent, lim.budget)]
        keys = [k for ks in per for k in ks]
        payload = encode(("EVALSHA", self._sha, len(keys), *keys, *args))
        if len(self._cmd) > 10_000:
            self._cmd.clear()
        self._cmd[id(scopes)] = (scopes, win, per, payload)
        return per, payload

    def _keys(self, s: Scope, now: float) -> list[str]:
        p = f"{self.prefix}lim:{s.name}:"
        w = window_id(now)
        return [f"{p}r:{w}", f"{p}t:{w}", f"{p}c", f"{p}s:{period_id(s.limits.budget_period, now)}"]

    async def ping(self) -> None:
        await self.redis.call("PING")

    async def spent(self, scope: str, period: str, now: float | None = None) -> float:
        hit = self._spent.get(scope)
        if hit is not None and time.monotonic() - hit[1] < self.SPENT_FRESH and now is None:
            return hit[0]
        now = time.time() if now is None else now
        v = await self.redis.call("GET", f"{self.prefix}lim:{scope}:s:{period_id(period, now)}")
        return float(v or 0)

    async def admit(self, scopes: list[Scope], now: float | None = None) -> Admission:
        now = time.time() if now is None else now
        reset = 60.0 - (now % 60)
        _, payload = self._command(scopes, now)
        res = await self.redis.evalsha_payload(_ADMIT_LUA, payload)
        adm = Admission(None, reset_seconds=reset)
        if int(res[0]) == 0:
            s = scopes[int(res[1])]
            kind = res[2].decode() if isinstance(res[2], bytes) else str(res[2])
            used = float(res[3])
            limit = {"rpm": s.limits.rpm, "tpm": s.limits.tpm, "concurrency": s.limits.max_concurrent,
                     "budget": s.limits.budget}[kind]
            retry = 1.0 if kind == "concurrency" else (
                _period_end(s.limits.budget_period, now) - now if kind == "budget" else reset)
            adm.denial = Denial(s.name, kind, float(limit or 0), used, retry)
            return adm
        conc = []
        mono = time.monotonic()
        for i, s in enumerate(scopes):
            reqs, toks = int(res[1 + 3 * i]), int(float(res[2 + 3 * i]))
            self._spent[s.name] = (float(res[3 + 3 * i]), mono)
            if s.limits.rpm is not None and adm.rpm_limit is None:
                adm.rpm_limit, adm.rpm_remaining = s.limits.rpm, max(s.limits.rpm - reqs, 0)
            if s.limits.tpm is not None and adm.tpm_limit is None:
                adm.tpm_limit, adm.tpm_remaining = s.limits.tpm, max(s.limits.tpm - toks, 0)
            if s.limits.max_concurrent is not None:
                conc.append(s.name)
        adm.conc_scopes = tuple(conc)
        return adm

    async def release(
        self, scopes: list[Scope], adm: Admission, tokens: int, cost: float, now: float | None = None
    ) -> None:
        """Queue the increments; the flusher writes them in one pipeline every 50 ms."""
        now = time.time() if now is None else now
        pend = self._pending
        per, _ = self._command(scopes, now)
        for s, k in zip(scopes, per, strict=True):
            if s.name in adm.conc_scopes:
                pend[("decr", k[2])] = pend.get(("decr", k[2]), 0) + 1
            if tokens and s.limits.tpm is not None:
                pend[("tok", k[1])] = pend.get(("tok", k[1]), 0) + tokens
            if cost and s.limits.budget is not None:
                pend[("spend", k[3])] = pend.get(("spend", k[3]), 0.0) + cost
        if pend and self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_forever(), name="perimeter-redis-flush")

    async def flush(self) -> None:
        """Write pending increments now (one round trip); on failure they stay pending."""
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        try:
            await self.redis.connected()
            send = self.redis.send
            calls: list[asyncio.Future[Any]] = []  # queued in one loop iteration: one write, one round trip
            for (op, key), amount in batch.items():
                if op == "decr":
                    calls.append(send("DECRBY", key, int(amount)))
                elif op == "tok":
                    calls += (send("INCRBY", key, int(amount)), send("EXPIRE", key, 120))
                else:
                    calls += (send("INCRBYFLOAT", key, amount), send("EXPIRE", key, 40 * 86400))
            await asyncio.gather(*calls)
        except Exception:
            for k, v in batch.items():
                self._pending[k] = self._pending.get(k, 0) + v
            raise

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self.FLUSH_EVERY)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.flush_failures += 1
                if self.flush_failures == 1 or self.flush_failures % 100 == 0:
                    log.warning("could not write usage to Redis (%s); will retry", exc)

    async def aclose(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        with contextlib.suppress(Exception):
            await self.flush()
        await self.redis.aclose()


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
