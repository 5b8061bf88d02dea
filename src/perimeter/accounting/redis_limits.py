"""Rate, concurrency and budget counters in Redis, shared by every replica — with leases.

Exact in total: a key limited to N requests/min gets N across all replicas, never more, and
no more than ``max_concurrent`` requests are in flight across all of them.

**Per-request admission** (``storage.redis_lease: false``, and always near a limit) is one
``EVALSHA``: a Lua script checks every scope and takes a slot atomically.

**Leases** (default) amortise that round trip.  The same script can grant a replica a
*block* of request slots and concurrency slots at once; Redis counts them as taken, so the
sum of what all replicas hold never exceeds the limit.  Requests are then admitted from the
local block without a round trip, until it runs out.  The block is at most
``LEASE_MAX`` slots and at most ``1/LEASE_SHARE`` of what is left in the window, computed in
the script, so a replica never takes more than a small share, and once little is left every
grant is a single slot: close to a limit the behaviour is exactly per-request admission (a
key with rpm 6 is never leased more than one slot at a time).  Every ``FLUSH_EVERY`` (50 ms)
the flusher gives back what a replica holds but has not used, so idle quota returns to the
others quickly.

Tokens per minute and budgets are not reservations (tokens and cost are known only after the
call): they are checked against the totals the last round trip returned plus this replica's
own not-yet-written usage.  A replica admits locally only while those totals are under
``LEASE_FRESH`` (0.1 s) old and more than ``1/LEASE_SHARE`` of the limit is left; otherwise
it makes the round trip.  The staleness this allows is of the same order as the 50 ms batching
of usage writes that per-request mode always had.

``release()`` never waits: concurrency slots go back to the local pool, tokens and spend to
pending increments that one pipelined round trip writes every 50 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from perimeter.accounting.limits import Admission, Denial, Scope, _period_end, period_id, window_id
from perimeter.store.resp import RespClient, encode

log = logging.getLogger("perimeter.accounting.limits")

# KEYS per scope (4): requests-window, tokens-window, concurrency, spend-period
# ARGV: nscopes, share, then per scope (6): rpm, tpm, max_concurrent, budget (-1 = unlimited),
#       request slots wanted, concurrency slots wanted (0 = this replica still holds one: no
#       check, no grant for that dimension).
# Returns {0, scope index, kind, used} or {1, then per scope: requests taken in the window,
#          request slots granted, concurrency slots granted, tokens in the window, spend}.
ADMIT_LUA = """
local n = tonumber(ARGV[1]); local share = tonumber(ARGV[2])
for i = 0, n - 1 do
  local a = 3 + i*6
  local rpm = tonumber(ARGV[a]); local tpm = tonumber(ARGV[a+1])
  local conc = tonumber(ARGV[a+2]); local budget = tonumber(ARGV[a+3])
  if rpm >= 0 and tonumber(ARGV[a+4]) > 0 then
    local used = tonumber(redis.call('GET', KEYS[1 + i*4]) or '0')
    if used >= rpm then return {0, i, 'rpm', tostring(used)} end
  end
  if tpm >= 0 then
    local used = tonumber(redis.call('GET', KEYS[2 + i*4]) or '0')
    if used >= tpm then return {0, i, 'tpm', tostring(used)} end
  end
  if conc >= 0 and tonumber(ARGV[a+5]) > 0 then
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
  local a = 3 + i*6
  local rpm = tonumber(ARGV[a]); local conc = tonumber(ARGV[a+2])
  local rwant = tonumber(ARGV[a+4]); local cwant = tonumber(ARGV[a+5])
  local reqs = tonumber(redis.call('GET', KEYS[1 + i*4]) or '0')
  local rgot = 0; local cgot = 0
  if rpm >= 0 and rwant > 0 then
    rgot = math.max(1, math.min(rwant, math.floor((rpm - reqs) / share)))
    reqs = redis.call('INCRBY', KEYS[1 + i*4], rgot)
    redis.call('EXPIRE', KEYS[1 + i*4], 120)
  end
  if conc >= 0 and cwant > 0 then
    local used = tonumber(redis.call('GET', KEYS[3 + i*4]) or '0')
    cgot = math.max(1, math.min(cwant, math.floor((conc - used) / share)))
    redis.call('INCRBY', KEYS[3 + i*4], cgot)
    redis.call('EXPIRE', KEYS[3 + i*4], 900)
  end
  table.insert(out, reqs)
  table.insert(out, rgot)
  table.insert(out, cgot)
  table.insert(out, redis.call('GET', KEYS[2 + i*4]) or '0')
  table.insert(out, redis.call('GET', KEYS[4 + i*4]) or '0')
end
return out
"""


@dataclass(slots=True)
class _Held:
    """What this replica holds and knows for one scope."""

    window: int = -1
    #: Request slots granted in ``window`` and not used yet.
    requests: int = 0
    #: Requests taken in ``window`` across replicas, at the last round trip (grants included).
    taken: int = 0
    #: Concurrency slots granted to this replica, and how many of them are in flight.
    conc_held: int = 0
    conc_used: int = 0
    #: Totals at the last round trip (``refreshed`` is ``time.monotonic()``).
    tokens: float = 0.0
    spend: float = 0.0
    refreshed: float = -1e9
    keys: list[str] = field(default_factory=list)
    #: Keys of this scope's entries in the pending increments (tokens, spend).
    tok_key: tuple[str, str] = ("tok", "")
    spend_key: tuple[str, str] = ("spend", "")


class RedisLimiter:
    """Counters in Redis, shared by every replica; see the module docstring."""

    shared = True
    FLUSH_EVERY = 0.05
    SPENT_FRESH = 1.0
    LEASE_MAX = 256
    LEASE_SHARE = 8
    LEASE_FRESH = 0.1

    def __init__(self, url: str, prefix: str = "perimeter:", *, lease: bool = True) -> None:
        self.redis = RespClient(url, timeout=2, connect_timeout=2)
        self.prefix = prefix
        self.lease = lease
        self._sha = RespClient.script_sha(ADMIT_LUA)
        self._spent: dict[str, tuple[float, float]] = {}
        self._held: dict[str, _Held] = {}
        # Pending increments written by the flusher: (op, key) -> amount.
        self._pending: dict[tuple[str, str], float] = {}
        self._flusher: asyncio.Task[None] | None = None
        self.flush_failures = 0
        self.round_trips = 0
        self.local_admissions = 0
        self._inflight: dict[tuple[str, ...], asyncio.Future[None]] = {}

    def _keys(self, s: Scope, now: float) -> list[str]:
        p = f"{self.prefix}lim:{s.name}:"
        w = window_id(now)
        return [f"{p}r:{w}", f"{p}t:{w}", f"{p}c", f"{p}s:{period_id(s.limits.budget_period, now)}"]

    def _state(self, s: Scope, win: int, now: float) -> _Held:
        h = self._held.get(s.name)
        if h is None:
            h = self._held[s.name] = _Held()
        if h.window != win:  # a new minute: the old window's slots are worthless, its keys expire
            h.window, h.requests, h.taken, h.tokens, h.refreshed = win, 0, 0, 0.0, -1e9
            h.keys = self._keys(s, now)
            h.tok_key, h.spend_key = ("tok", h.keys[1]), ("spend", h.keys[3])
        return h

    async def ping(self) -> None:
        await self.redis.call("PING")

    async def spent(self, scope: str, period: str, now: float | None = None) -> float:
        hit = self._spent.get(scope)
        if hit is not None and time.monotonic() - hit[1] < self.SPENT_FRESH and now is None:
            return hit[0]
        now = time.time() if now is None else now
        v = await self.redis.call("GET", f"{self.prefix}lim:{scope}:s:{period_id(period, now)}")
        return float(v or 0)

    # -- admission ---------------------------------------------------------------------------
    def _local_ok(self, s: Scope, h: _Held, mono: float) -> bool:
        """Can this scope admit one more request from what this replica holds and knows?"""
        lim = s.limits
        if lim.rpm is not None and h.requests <= 0:
            return False
        if lim.max_concurrent is not None and h.conc_used >= h.conc_held:
            return False
        tpm, budget = lim.tpm, lim.budget
        if tpm is not None or budget is not None:
            if mono - h.refreshed > self.LEASE_FRESH:
                return False
            margin = 1 - 1 / self.LEASE_SHARE
            if tpm is not None and h.tokens + self._pending.get(h.tok_key, 0) >= tpm * margin:
                return False
            if budget is not None and h.spend + self._pending.get(h.spend_key, 0) >= budget * margin:
                return False
        return True

    def _take(self, scopes: list[Scope], held: list[_Held], adm: Admission) -> None:
        """Consume one request slot and one concurrency slot per scope; fill the header fields."""
        conc = []
        for s, h in zip(scopes, held, strict=True):
            lim = s.limits
            if lim.rpm is not None:
                h.requests -= 1
                if adm.rpm_limit is None:
                    adm.rpm_limit, adm.rpm_remaining = lim.rpm, max(lim.rpm - h.taken + h.requests, 0)
            if lim.tpm is not None and adm.tpm_limit is None:
                used = h.tokens + self._pending.get(h.tok_key, 0)
                adm.tpm_limit, adm.tpm_remaining = lim.tpm, max(int(lim.tpm - used), 0)
            if lim.max_concurrent is not None:
                h.conc_used += 1
                conc.append(s.name)
        adm.conc_scopes = tuple(conc)

    async def admit(self, scopes: list[Scope], now: float | None = None) -> Admission:
        now = time.time() if now is None else now
        win = window_id(now)
        reset = 60.0 - (now % 60)
        held = [self._state(s, win, now) for s in scopes]
        adm = Admission(None, reset_seconds=reset)
        mono = time.monotonic()
        if self.lease:
            for s, h in zip(scopes, held, strict=True):
                if not self._local_ok(s, h, mono):
                    break
            else:
                self.local_admissions += 1
                self._take(scopes, held, adm)
                return adm
            # One lease round trip at a time per scope set: a burst of requests that all found
            # the block empty waits for the grant in flight instead of each leasing a block.
            names = tuple(s.name for s in scopes)
            inflight = self._inflight.get(names)
            if inflight is not None:
                await asyncio.shield(inflight)
                mono = time.monotonic()
                if all(self._local_ok(s, h, mono) for s, h in zip(scopes, held, strict=True)):
                    self.local_admissions += 1
                    self._take(scopes, held, adm)
                    return adm
            else:
                done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                self._inflight[names] = done
                try:
                    return await self._round_trip(scopes, held, adm, now, win, reset)
                finally:
                    del self._inflight[names]
                    done.set_result(None)
        return await self._round_trip(scopes, held, adm, now, win, reset)

    async def _round_trip(
        self, scopes: list[Scope], held: list[_Held], adm: Admission, now: float, win: int, reset: float
    ) -> Admission:
        keys: list[str] = []
        args: list[Any] = [len(scopes), self.LEASE_SHARE]
        block = self.LEASE_MAX if self.lease else 1
        for s, h in zip(scopes, held, strict=True):
            keys += h.keys
            lim = s.limits
            rwant = 0 if h.requests > 0 else block
            cwant = 0 if h.conc_used < h.conc_held else block
            args += [-1 if v is None else v for v in (lim.rpm, lim.tpm, lim.max_concurrent, lim.budget)]
            args += [rwant, cwant]
        self.round_trips += 1
        res = await self.redis.evalsha_payload(ADMIT_LUA, encode(("EVALSHA", self._sha, len(keys), *keys, *args)))
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
        mono = time.monotonic()
        # Another request may have used or returned slots while we waited: add, do not assign.
        for i, (s, h) in enumerate(zip(scopes, held, strict=True)):
            taken, rgot, cgot = int(res[1 + 5 * i]), int(res[2 + 5 * i]), int(res[3 + 5 * i])
            if h.window == win:
                h.requests += rgot
                h.taken = max(h.taken, taken)
                h.tokens = float(res[4 + 5 * i])
                h.refreshed = mono
            elif rgot:  # the minute turned while we waited: use the grant for this request only
                h.requests += 1
            h.conc_held += cgot
            h.spend = float(res[5 + 5 * i])
            self._spent[s.name] = (h.spend, mono)
        self._take(scopes, held, adm)
        if self._flusher is None:  # unused grants must flow back even if nothing is released
            self._flusher = asyncio.get_running_loop().create_task(self._flush_forever(), name="perimeter-redis-flush")
        return adm

    async def release(
        self, scopes: list[Scope], adm: Admission, tokens: int, cost: float, now: float | None = None
    ) -> None:
        """Concurrency back to the local pool; tokens and spend written by the flusher."""
        now = time.time() if now is None else now
        win = window_id(now)
        pend = self._pending
        for s in scopes:
            h = self._state(s, win, now)
            if s.name in adm.conc_scopes:
                h.conc_used = max(h.conc_used - 1, 0)
            if tokens and s.limits.tpm is not None:
                pend[h.tok_key] = pend.get(h.tok_key, 0) + tokens
            if cost and s.limits.budget is not None:
                pend[h.spend_key] = pend.get(h.spend_key, 0.0) + cost
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_forever(), name="perimeter-redis-flush")

    def _give_back(self) -> None:
        """Move slots held but unused into the pending writes (other replicas may use them)."""
        pend = self._pending
        for h in self._held.values():
            idle = h.conc_held - h.conc_used
            if idle > 0:
                h.conc_held = h.conc_used
                pend[("decr", h.keys[2])] = pend.get(("decr", h.keys[2]), 0) + idle
            if h.requests > 0:
                pend[("decr", h.keys[0])] = pend.get(("decr", h.keys[0]), 0) + h.requests
                h.taken -= h.requests
                h.requests = 0

    async def flush(self) -> None:
        """Give back unused slots and write pending increments (one round trip); on failure
        the increments stay pending (returned slots stay counted in Redis: safe, not lost)."""
        self._give_back()
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
