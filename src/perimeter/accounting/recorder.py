"""Usage recorder: one ledger row (and one audit event) per request, queued off the hot path.

``record(ctx)`` computes tokens (upstream ``usage`` or a local count), the cost from the
price table (filling ``ctx.cost``), the reference cloud cost for "savings vs all-cloud", and
hands the row to the batched writer, which journals it before returning (so a row recorded
before the response is sent survives a crash — see :mod:`perimeter.store.journal`).
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from perimeter.accounting.config import AccountingConfig
from perimeter.accounting.prices import PriceTable
from perimeter.accounting.tokens import TokenCounter, cache_writes_from, usage_from
from perimeter.context import RequestContext
from perimeter.store.audit import new_event, unique_id
from perimeter.store.writer import BatchWriter


class LedgerRecorder:
    """Implements :class:`perimeter.stages.UsageRecorder` and :class:`perimeter.stages.AuditSink`."""

    def __init__(
        self,
        writer: BatchWriter,
        prices: PriceTable,
        counter: TokenCounter,
        cfg: AccountingConfig,
        replica: str,
        *,
        audit_requests: bool = True,
    ) -> None:
        self.writer = writer
        self.prices = prices
        self.counter = counter
        self.cfg = cfg
        self.replica = replica
        self.audit_requests = audit_requests
        self.rows_recorded = 0
        self._measured: dict[int, tuple[RequestContext, tuple[int, int, int, str]]] = {}

    def measure(self, ctx: RequestContext) -> tuple[int, int, int, str]:
        """``(prompt, completion, cached, source)`` for ``ctx``; also used by the gatekeeper."""
        u = usage_from(ctx.usage)
        if u is not None:
            return (*u, "upstream")
        prompt = self.counter.count_prompt(ctx.body) if ctx.status < 400 or ctx.provider else 0
        completion = 0
        if isinstance(ctx.usage, dict) and isinstance(ctx.usage.get("completion_text"), str):
            completion = self.counter.count_text(ctx.usage["completion_text"])
        return prompt, completion, 0, self.counter.source

    def measured(self, ctx: RequestContext) -> tuple[int, int, int, str]:
        """:meth:`measure` as :meth:`record` computed it (the gatekeeper's release needs the
        same tokens right after), else computed now."""
        hit = self._measured.pop(id(ctx), None)
        if hit is not None and hit[0] is ctx:
            return hit[1]
        return self.measure(ctx)

    def record(self, ctx: RequestContext) -> None:
        prompt, completion, cached, source = m = self.measure(ctx)
        if ctx.principal is not None:  # only admitted requests are released
            if len(self._measured) > 100_000:  # releases that never came (a bug elsewhere): stay bounded
                self._measured.clear()
            self._measured[id(ctx)] = (ctx, m)
        writes, writes_1h = cache_writes_from(ctx.usage)
        cost = self.prices.cost(ctx.provider, ctx.provider_model, ctx.location, prompt, completion, cached,
                                writes, writes_1h)
        ctx.cost = cost
        ref = self.prices.reference_cost(prompt, completion, cached)
        p = ctx.principal
        now = time.time()
        row: dict[str, Any] = {
            "row_id": unique_id(),
            "ts": ctx.started_wall,
            "request_id": ctx.request_id,
            "key_id": p.key_id if p else None,
            "team": p.team if p else None,
            "alias": ctx.alias,
            "endpoint": ctx.endpoint,
            "provider": ctx.provider,
            "model": ctx.provider_model,
            "location": ctx.location,
            "route_reason": ctx.route_reason[:500] if ctx.route_reason else None,
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "cached_tokens": cached,
            "cache_write_tokens": writes,
            "token_source": source,
            "cost": cost,
            "reference_cost": ref,
            "currency": self.prices.currency,
            "latency_ms": round((now - ctx.started_wall) * 1000, 3),
            "ttft_ms": round(ctx.ttft * 1000, 3) if ctx.ttft is not None else None,
            "status": ctx.status,
            "error_code": ctx.error_code,
            "entity_counts": orjson.dumps(ctx.entity_counts, option=orjson.OPT_SORT_KEYS).decode()
            if ctx.entity_counts else "{}",
            "privacy_action": ctx.privacy_action,
            "stream": 1 if ctx.stream else 0,
            "replica": self.replica,
            "content": orjson.dumps(ctx.body.get("messages") or ctx.body.get("prompt") or ctx.body.get("input")).decode()
            if self.cfg.retention.store_prompts else None,
        }
        self.writer.submit("ledger", row)
        self.rows_recorded += 1
        if self.audit_requests:
            self.append("request", {
                "request_id": ctx.request_id,
                "key_id": p.key_id if p else None,
                "alias": ctx.alias,
                "provider": ctx.provider,
                "location": ctx.location,
                "entity_counts": dict(ctx.entity_counts),
                "privacy_action": ctx.privacy_action,
                "require_on_prem": ctx.require_on_prem,
                "route_reason": ctx.route_reason[:200] if ctx.route_reason else None,
                "status": ctx.status,
            })

    def append(self, event: str, data: dict[str, Any]) -> None:
        """Audit event (no PII values, ever: :func:`perimeter.store.audit.sanitize` drops content)."""
        self.writer.submit("audit", new_event(event, data, self.replica))
