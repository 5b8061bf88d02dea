"""The auth stage: virtual keys, allowed aliases, rate/concurrency limits and budgets.

Everything here runs before the upstream call and, on SQLite deployments, touches only
memory: the key comes from :class:`~perimeter.accounting.keys.KeyCache`, counters from
:class:`~perimeter.accounting.limits.MemoryLimiter`.  With Redis, admission is one script call.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from perimeter.accounting.config import AccountingConfig, LimitsConfig
from perimeter.accounting.keys import KeyCache, KeyRecord, parse_key
from perimeter.accounting.limits import (
    Admission,
    Denial,
    MemoryLimiter,
    Scope,
    retry_after_header,
)
from perimeter.accounting.recorder import LedgerRecorder
from perimeter.accounting.redis_limits import RedisLimiter
from perimeter.context import Principal, RequestContext
from perimeter.errors import GatewayError
from perimeter.store.writer import BatchWriter

log = logging.getLogger("perimeter.accounting.gatekeeper")


@dataclass(slots=True)
class _Held:
    scopes: list[Scope]
    admission: Admission | None


def _unauthorized(message: str) -> GatewayError:
    return GatewayError(401, message, type="invalid_request_error", code="invalid_api_key",
                        headers={"www-authenticate": 'Bearer realm="perimeter"'})


def _principal(rec: KeyRecord) -> Principal:
    return Principal(key_id=rec.key_id, name=rec.name, team=rec.team, tags=rec.tags,
                     allowed_aliases=rec.allowed_aliases, metadata=rec.metadata)


class KeyGatekeeper:
    """Implements :class:`perimeter.stages.Gatekeeper`."""

    def __init__(
        self,
        keys: KeyCache,
        limiter: MemoryLimiter | RedisLimiter,
        cfg: AccountingConfig,
        *,
        recorder: LedgerRecorder,
        writer: BatchWriter,
        dev_mode: bool,
        reject_when_db_down: bool = False,
        on_redis_down: str = "allow",
        soft_budget_aliases: frozenset[str] = frozenset(),
    ) -> None:
        self.keys = keys
        self.limiter = limiter
        self.cfg = cfg
        self.recorder = recorder
        self.writer = writer
        self.dev_mode = dev_mode
        self.reject_when_db_down = reject_when_db_down
        self.on_redis_down = on_redis_down
        self._held: dict[int, _Held] = {}
        # Aliases whose routing sends requests on-prem when the budget is spent
        # (``routing.budget.on_exhausted: local``): no 402 here, the router asks budget_left().
        self.soft_budget_aliases = soft_budget_aliases
        self._scope_cache: dict[tuple[str, float, bool], tuple[list[Scope], list[Scope]]] = {}
        self.limiter_failures = 0
        self._limiter_down_until = 0.0
        self.denied: dict[str, int] = {}
        self._verified: dict[str, KeyRecord] = {}

    @property
    def keyless(self) -> bool:
        """Dev mode with no keys at all: requests pass without a key."""
        return self.dev_mode and not self.keys.any_keys()

    def _scope_pair(self, rec: KeyRecord, soft: bool) -> tuple[list[Scope], list[Scope]]:
        """(scopes to account, scopes to check at admission) — cached per key version."""
        k = (rec.key_id, rec.updated_at, soft)
        hit = self._scope_cache.get(k)
        if hit is None:
            scopes = self._scopes(rec)
            check = [Scope(s.name, s.limits.model_copy(update={"budget": None})) if s.limits.budget is not None
                     else s for s in scopes] if soft else scopes
            if len(self._scope_cache) > 10_000:
                self._scope_cache.clear()
            hit = self._scope_cache[k] = (scopes, [s for s in check if not s.limits.is_empty()])
        return hit

    async def budget_left(self, ctx: RequestContext) -> bool | None:
        """For the router: False when the caller's key or team budget is spent; None if it has none."""
        p = ctx.principal
        if p is None:
            return None
        rec = await self.keys.lookup(p.key_id)
        if rec is None:
            return None
        scopes, _ = self._scope_pair(rec, False)
        result: bool | None = None
        for s in scopes:
            if s.limits.budget is None:
                continue
            spent = self.limiter.spent(s.name, s.limits.budget_period)
            if not isinstance(spent, float):
                try:
                    spent = await spent
                except Exception:
                    return None  # unknown: the router's default applies
            if spent >= s.limits.budget:
                return False
            result = True
        return result

    def scopes(self, rec: KeyRecord) -> list[Scope]:
        """The limits a key is held to: its own (or the default) and its team's."""
        return self._scope_pair(rec, False)[0]

    def _scopes(self, rec: KeyRecord) -> list[Scope]:
        key_limits = rec.limits if not rec.limits.is_empty() else self.cfg.default_key_limits
        scopes = []
        if not key_limits.is_empty():
            scopes.append(Scope(f"key:{rec.key_id}", key_limits))
        team_limits: LimitsConfig | None = self.cfg.teams.get(rec.team) if rec.team else None
        if team_limits is not None and not team_limits.is_empty():
            scopes.append(Scope(f"team:{rec.team}", team_limits))
        return scopes

    async def verify_key(self, presented: str | None) -> KeyRecord | None:
        """The key record for a presented secret (``None`` in keyless dev mode); 401 otherwise."""
        if presented is None or presented == "":
            if self.keyless:
                return None
            raise _unauthorized(
                "Missing API key: send 'Authorization: Bearer <key>' or 'x-api-key: <key>' "
                "(create one with 'perimeter keys create')."
            )
        seen = self._verified.get(presented)
        rec = None
        if seen is not None:
            rec = await self.keys.lookup(seen.key_id)
            if rec is not seen:  # the record changed (rotated, updated, reloaded): verify again
                rec = None
        if rec is None:
            parsed = parse_key(presented)
            if parsed is None:
                if self.keyless:
                    return None  # SDKs insist on some key; any value passes in keyless dev mode
                raise _unauthorized("Invalid API key: not a Perimeter key (they look like 'pk-<id>.<secret>').")
            key_id, secret = parsed
            rec = await self.keys.lookup(key_id)
            if rec is None or not rec.matches(secret):
                if rec is None and self.keyless:
                    return None
                raise _unauthorized("Invalid API key: unknown key or wrong secret.")
            # Remember the verified key for this exact record object, so the next request with
            # it skips the hash; only keys that verified get in, so junk cannot grow it.
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[presented] = rec
        status = rec.status()
        if status == "revoked":
            raise _unauthorized(f"API key {rec.key_id} has been revoked.")
        if status == "expired":
            when = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(rec.expires_at or 0))
            raise _unauthorized(f"API key {rec.key_id} expired at {when}.")
        return rec

    async def authenticate(self, ctx: RequestContext) -> None:
        """Check ``ctx.api_key`` and set ``ctx.principal`` — nothing else, so it can run first."""
        ctx.principal = await self.identify(ctx.api_key)

    async def identify(self, api_key: str | None) -> Principal | None:
        try:
            rec = await self.verify_key(api_key)
        except GatewayError:
            self.denied["unauthenticated"] = self.denied.get("unauthenticated", 0) + 1
            raise
        return _principal(rec) if rec is not None else None

    async def admit(self, ctx: RequestContext) -> None:
        if self.reject_when_db_down and not self.writer.db_up:
            raise GatewayError(503, "The usage ledger database is unavailable and this gateway is configured "
                               "not to serve unrecorded requests (storage.on_database_down: reject).",
                               type="server_error", code="ledger_unavailable", headers={"retry-after": "5"})
        if self.writer.overloaded():
            raise GatewayError(503, f"{self.writer.pending} usage rows are waiting for the database; refusing new "
                               "requests until they are written.", type="server_error", code="ledger_backlog",
                               headers={"retry-after": "5"})
        if ctx.principal is None:
            await self.authenticate(ctx)
            if ctx.principal is None:
                return
        rec = await self.keys.lookup(ctx.principal.key_id)
        if rec is None:
            raise _unauthorized("Invalid API key: unknown key or wrong secret.")
        ctx.principal = _principal(rec)  # the record as it is now (it may have changed since)
        if rec.allowed_aliases is not None and ctx.alias not in rec.allowed_aliases:
            allowed = ", ".join(rec.allowed_aliases) or "none"
            raise GatewayError(403, f"API key {rec.key_id} may not use model '{ctx.alias}' (allowed: {allowed}).",
                               type="permission_error", code="model_not_allowed", param="model")
        scopes, check = self._scope_pair(rec, ctx.alias in self.soft_budget_aliases)
        if not scopes:
            self._held[id(ctx)] = _Held([], None)
            return
        try:
            if time.monotonic() < self._limiter_down_until:
                raise ConnectionError("skipped: failed less than 2s ago")
            adm = await self.limiter.admit(check)
        except Exception as exc:  # Redis down / timeout
            if not self.limiter.shared:
                raise
            if time.monotonic() >= self._limiter_down_until:
                # do not pay a connect timeout on every request while it is down
                self._limiter_down_until = time.monotonic() + 2.0
            self.limiter_failures += 1
            if self.limiter_failures == 1 or self.limiter_failures % 1000 == 0:
                log.error("rate-limit store unavailable (%s): %s requests (%d failures)", exc,
                          "admitting" if self.on_redis_down == "allow" else "refusing", self.limiter_failures)
            if self.on_redis_down == "allow":
                self._held[id(ctx)] = _Held([], None)
                return
            raise GatewayError(503, "Rate-limit store (Redis) is unavailable.", type="server_error",
                               code="limiter_unavailable", headers={"retry-after": "5"}) from None
        self._headers(ctx, adm)
        if adm.denial is not None:
            raise self._deny(adm.denial, ctx)
        self._held[id(ctx)] = _Held(scopes, adm)

    def _headers(self, ctx: RequestContext, adm: Admission) -> None:
        h = ctx.response_headers
        reset = f"{max(adm.reset_seconds, 0):.0f}s"
        if adm.rpm_limit is not None:
            h["x-ratelimit-limit-requests"] = str(adm.rpm_limit)
            h["x-ratelimit-remaining-requests"] = str(adm.rpm_remaining)
            h["x-ratelimit-reset-requests"] = reset
        if adm.tpm_limit is not None:
            h["x-ratelimit-limit-tokens"] = str(adm.tpm_limit)
            h["x-ratelimit-remaining-tokens"] = str(adm.tpm_remaining)
            h["x-ratelimit-reset-tokens"] = reset

    def _deny(self, d: Denial, ctx: RequestContext) -> GatewayError:
        self.denied[d.kind] = self.denied.get(d.kind, 0) + 1
        who = d.scope.replace("key:", "API key ").replace("team:", "team ")
        headers = {"retry-after": retry_after_header(d.retry_after), **ctx.response_headers}
        if d.kind in ("rpm", "tpm"):
            unit = "requests" if d.kind == "rpm" else "tokens"
            headers[f"x-ratelimit-limit-{unit}"] = f"{d.limit:g}"
            headers[f"x-ratelimit-remaining-{unit}"] = "0"
            headers[f"x-ratelimit-reset-{unit}"] = f"{max(d.retry_after, 0):.0f}s"
        if d.kind == "budget":
            return GatewayError(
                402, f"{who} has spent {d.used:.4f} of its {d.limit:g} {self.cfg.currency} budget for this period; "
                f"it resets in {retry_after_header(d.retry_after)}s.",
                type="insufficient_quota", code="budget_exceeded", headers=headers,
            )
        what = {"rpm": f"{d.limit:g} requests per minute", "tpm": f"{d.limit:g} tokens per minute",
                "concurrency": f"{d.limit:g} concurrent requests"}[d.kind]
        return GatewayError(
            429, f"Rate limit reached for {who}: {what}. Retry after {retry_after_header(d.retry_after)}s.",
            type="rate_limit_error",
            code="rate_limit_exceeded", headers=headers,
        )

    async def release(self, ctx: RequestContext) -> None:
        held = self._held.pop(id(ctx), None)
        if held is None or held.admission is None:
            return
        prompt, completion, _, _ = self.recorder.measured(ctx)
        cost = ctx.cost
        if cost is None:
            cost = self.recorder.prices.cost(ctx.provider, ctx.provider_model, ctx.location, prompt, completion, 0)
        try:
            await self.limiter.release(held.scopes, held.admission, prompt + completion, cost)
        except Exception as exc:
            self.limiter_failures += 1
            log.warning("could not record usage in the rate-limit store: %s", exc)

    def stats(self) -> dict[str, Any]:
        return {"in_flight": len(self._held), "denied": dict(self.denied), "limiter_failures": self.limiter_failures}
