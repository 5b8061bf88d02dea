"""The request path, in order, readable top to bottom.

    admit (keys, limits) → inspect (privacy) → decide (route) → call with fallback
    (pseudonymize for cloud, retries, breaker, balancing) → restore → finish (ledger, audit,
    metrics, release)

Everything here works on the canonical OpenAI shape; the HTTP layer (``api/``) translates
other wire formats before and after.  Optional stages (keys, ledger, audit, privacy, router)
are ``None`` when not configured.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from perimeter.accounting.tokens import TokenCounter
from perimeter.config import AliasConfig, Config
from perimeter.context import Principal, RequestContext
from perimeter.errors import GatewayError, ProviderError, StreamBroken, not_found
from perimeter.observability import metrics, tracing
from perimeter.providers.base import chunk_by_chunk
from perimeter.providers.extensions import strip_extensions
from perimeter.resilience.backoff import backoff_delay
from perimeter.resilience.breaker import BreakerState
from perimeter.resilience.upstream import Upstream, pick_least_outstanding
from perimeter.routing.cascade import LOGPROBS_REQUEST, run_cascade
from perimeter.stages import (
    AuditSink,
    CascadePlan,
    Gatekeeper,
    PrivacyGuard,
    Restorer,
    RouteDecision,
    Router,
    RouteTarget,
    StreamRestorer,
    UsageRecorder,
)

log = logging.getLogger("perimeter.pipeline")

Call = Callable[[Upstream, dict[str, Any]], Awaitable[dict[str, Any]]]
StreamCall = Callable[[Upstream, dict[str, Any]], AsyncIterator[dict[str, Any]]]



def request_event(ctx: RequestContext) -> dict[str, Any]:
    """The audit log's "request" event: where a request went and what the privacy stage did,
    no content (the micro-benchmark of the account stage builds the same event)."""
    return {
        "request_id": ctx.request_id, "alias": ctx.alias, "endpoint": ctx.endpoint,
        "provider": ctx.provider, "location": ctx.location, "status": ctx.status,
        "route_reason": ctx.route_reason, "entities": dict(ctx.entity_counts),
        "jurisdiction": ctx.jurisdiction, "transfers": ctx.transfers,
        "privacy_action": ctx.privacy_action,
        "key_id": ctx.principal.key_id if ctx.principal else None,
        "ts": ctx.started_wall,
    }

class Pipeline:
    def __init__(
        self,
        config: Config,
        upstreams: dict[str, Upstream],
        *,
        router: Router | None = None,
        privacy: PrivacyGuard | None = None,
        gatekeeper: Gatekeeper | None = None,
        recorder: UsageRecorder | None = None,
        audit: AuditSink | None = None,
        token_counter: TokenCounter | None = None,
    ) -> None:
        self.config = config
        self.upstreams = upstreams
        self.router = router
        self.privacy = privacy
        self.gatekeeper = gatekeeper
        self.recorder = recorder
        self.audit = audit
        #: Local token counts where no provider counts (``/v1/messages/count_tokens``).
        self.token_counter = token_counter or TokenCounter()

    # ----------------------------------------------------------------- stage 1-3: before the call
    def alias_config(self, ctx: RequestContext) -> AliasConfig:
        alias = self.config.models.get(ctx.alias)
        if alias is None:
            known = ", ".join(self.visible_aliases(ctx)) or "none"
            raise not_found(f"The model '{ctx.alias}' does not exist on this gateway. Available models: {known}")
        return alias

    def visible_aliases(self, ctx: RequestContext) -> list[str]:
        """The aliases this caller may know about: all of them, or those its key allows."""
        allowed = ctx.principal.allowed_aliases if ctx.principal is not None else None
        return sorted(a for a in self.config.models if allowed is None or a in allowed)

    async def authenticate(self, ctx: RequestContext) -> None:
        """The key check, first of all: nothing is read, counted or looked up before it passed."""
        if self.gatekeeper is not None:
            await self.gatekeeper.authenticate(ctx)

    async def admit(self, ctx: RequestContext) -> None:
        """Alias check, then limits; must be paired with :meth:`finish` once it returned."""
        tracing.begin(ctx)
        self.alias_config(ctx)
        if self.gatekeeper is not None:
            with tracing.stage(ctx, "auth"):
                await self.gatekeeper.admit(ctx)

    async def identify(self, api_key: str | None) -> Principal | None:
        """Who is calling, for reads of their own stored objects (no limits apply)."""
        if self.gatekeeper is None:
            return None
        return await self.gatekeeper.identify(api_key)

    async def plan(self, ctx: RequestContext) -> RouteDecision:
        """Privacy inspection, then the routing decision."""
        if self.privacy is not None:
            with tracing.stage(ctx, "scan"):
                await self.privacy.inspect(ctx)
        with tracing.stage(ctx, "route"):
            decision = await self.router.decide(ctx) if self.router is not None else self.default_decision(ctx)
        ctx.route_reason = decision.reason
        ctx.route_trail = decision.trail
        return decision

    def default_decision(self, ctx: RequestContext) -> RouteDecision:
        alias = self.alias_config(ctx)
        targets = [RouteTarget(t.provider_names(), t.model) for t in alias.targets]
        if ctx.require_on_prem:
            targets = [
                RouteTarget([n for n in t.providers if self.upstreams[n].provider.location == "on_prem"], t.model)
                for t in targets
            ]
            targets = [t for t in targets if t.providers]
            if not targets:
                raise GatewayError(
                    503, f"this request must stay on-prem, but alias '{ctx.alias}' has no on_prem provider",
                    type="server_error", code="no_on_prem_provider",
                )
            return RouteDecision(targets, "sensitive:on_prem")
        return RouteDecision(targets, "primary")

    # ----------------------------------------------------------------- stage 4: call with fallback
    def _body_for(self, ctx: RequestContext, up: Upstream, model: str | None
                  ) -> tuple[dict[str, Any], Restorer | None, list[str]]:
        provider = up.provider
        if ctx.require_on_prem and provider.location != "on_prem" and provider.jurisdiction not in ctx.residency_allows:
            # Defence in depth: routing already filtered, but never let a cloud call through.
            raise GatewayError(503, "refusing to send an on-prem-only request to a cloud provider",
                               type="server_error", code="no_on_prem_provider")
        restorer: Restorer | None = None
        if self.privacy is not None:
            body, restorer = self.privacy.prepare(ctx, provider.location, provider.jurisdiction)
        else:
            body = ctx.body
        ctx.transfers[up.name] = transfer_record(ctx, provider.location, provider.jurisdiction)
        body, dropped = strip_extensions(body, provider.extensions)
        body = dict(body)
        body["model"] = model or up.provider.default_model or ctx.alias
        return body, restorer, dropped

    def _targets_upstreams(self, target: RouteTarget) -> list[Upstream]:
        return [self.upstreams[n] for n in target.providers]

    async def _run(self, ctx: RequestContext, decision: RouteDecision, call: Call) -> tuple[dict[str, Any], Restorer | None]:
        last: ProviderError | None = None
        skipped_open: list[str] = []
        for ti, target in enumerate(decision.targets):
            group = self._targets_upstreams(target)
            failed: set[str] = set()
            attempt = 0
            max_attempts = 1 + max(u.retry.max_retries for u in group) if group else 0
            while attempt < max_attempts:
                up = pick_least_outstanding(group, failed if len(failed) < len(group) else set())
                if up is None:
                    skipped_open.extend(u.name for u in group if u.breaker.state is not BreakerState.CLOSED)
                    break
                attempt += 1
                ctx.attempts += 1
                up.outstanding += 1
                # Every path out of this try gives the breaker a verdict or frees the probe slot
                # allow() may have reserved: a half-open provider is never left reserved.
                try:
                    body, restorer, dropped = self._body_for(ctx, up, target.model)
                    with tracing.attempt(ctx, up.name, body):
                        result = await call(up, body)
                except ProviderError as exc:
                    _verdict(up, exc)
                    metrics.UPSTREAM_ERRORS.inc((up.name, exc.kind))
                    last = exc
                    log.warning("request %s: provider %s failed (%s): %s", ctx.request_id, up.name, exc.kind, exc.message)
                    if not exc.retryable:
                        raise exc.to_gateway_error() from None
                    failed.add(up.name)
                    if attempt >= max_attempts:
                        break
                    retry_cfg = up.retry
                    if exc.retry_after is not None and exc.retry_after > retry_cfg.max_retry_after:
                        break  # the upstream asked for a longer pause than we wait: fall back now
                    await asyncio.sleep(backoff_delay(attempt, retry_cfg.backoff_base, retry_cfg.backoff_max,
                                                      exc.retry_after))
                    continue
                except BaseException:
                    # Not the provider's doing (a body we cannot encode, a bug, the client gone):
                    # no verdict, and never a failure counted against the provider.
                    up.breaker.release_probe()
                    raise
                finally:
                    up.outstanding -= 1
                up.breaker.record_success()
                self._served_by(ctx, up, body.get("model"), ti)
                ctx.note_dropped(dropped)
                return result, restorer
        raise self._exhausted(ctx, last, skipped_open)

    def _served_by(self, ctx: RequestContext, up: Upstream, model: Any, target_index: int) -> None:
        ctx.provider = up.name
        ctx.provider_model = model if isinstance(model, str) else None
        ctx.location = up.provider.location
        ctx.jurisdiction = up.provider.jurisdiction
        ctx.transfers[up.name]["served"] = True
        if target_index > 0 or ctx.attempts > 1:
            metrics.FALLBACKS.inc((ctx.alias,))
            if target_index > 0:
                ctx.route_trail.append(f"fallback:{up.name}")
                # The header must say what happened: the planned route did not serve this.
                ctx.route_reason = f"fallback:{up.name} (after {ctx.route_reason or 'primary'})"
                ctx.response_headers["x-perimeter-reason"] = ctx.route_reason

    def _exhausted(self, ctx: RequestContext, last: ProviderError | None, skipped: list[str]) -> GatewayError:
        if last is not None:
            err = last.to_gateway_error()
            err.message = f"all providers for model '{ctx.alias}' failed; last error: {last.message}"
            return err
        names = ", ".join(dict.fromkeys(skipped)) or "none"
        return GatewayError(
            503, f"no provider for model '{ctx.alias}' is available right now (circuit open or not ready: {names})",
            type="server_error", code="no_provider_available",
        )

    # ----------------------------------------------------------------- public operations
    async def chat(self, ctx: RequestContext) -> dict[str, Any]:
        decision = await self.plan(ctx)
        if decision.cascade is not None:
            return await self._cascade(ctx, decision, decision.cascade)
        result, restorer = await self._run(ctx, decision, lambda up, body: up.provider.chat(
            body, request_id=ctx.request_id, client_headers=ctx.headers))
        return self._restored(ctx, result, restorer)

    def _restored(self, ctx: RequestContext, result: dict[str, Any], restorer: Restorer | None) -> dict[str, Any]:
        if restorer is not None:
            with tracing.stage(ctx, "restore"):
                result = restorer.restore_response(result)
        self._note_usage(ctx, result.get("usage"))
        tracing.note(ctx, result)
        return result

    async def _cascade(self, ctx: RequestContext, decision: RouteDecision, plan: CascadePlan) -> dict[str, Any]:
        """Run the router's cascade: the local leg, then the cloud leg if the answer is not good enough.

        Each leg is an ordinary call with fallback (retries, breakers, pseudonymization for the
        cloud, restore), so a cascade never bypasses a stage.
        """

        async def leg(targets: list[RouteTarget], wanted: dict[str, Any]) -> dict[str, Any]:
            extra = LOGPROBS_REQUEST if wanted.get("logprobs") and not ctx.body.get("logprobs") else {}
            sub = RouteDecision(targets, decision.reason, decision.trail)
            result, restorer = await self._run(
                ctx, sub, lambda up, body: up.provider.chat(
                    {**body, **extra}, request_id=ctx.request_id, client_headers=ctx.headers))
            if restorer is None:
                return result
            with tracing.stage(ctx, "restore"):
                return restorer.restore_response(result)

        res = await run_cascade(plan, ctx.body, lambda body: leg(plan.local, body), lambda body: leg(plan.cloud, body),
                                alias=ctx.alias)
        ctx.route_reason = res.reason
        ctx.response_headers["x-perimeter-reason"] = res.reason
        conf = f" (mean logprob {res.confidence:.2f})" if res.confidence is not None else ""
        ctx.route_trail.append(f"{res.reason}{conf}")
        self._note_usage(ctx, res.response.get("usage"))
        tracing.note(ctx, res.response)
        return res.response

    async def count_tokens(self, ctx: RequestContext) -> int:
        """Prompt tokens of ``ctx.body`` as the provider that would serve it counts them.

        Privacy and routing apply as for a chat call (a cloud provider counts the
        pseudonymized body, and only when the policy lets the request go there); a provider
        that cannot count is answered by the local estimate instead.  Counting costs nothing
        in the ledger.
        """
        decision = await self.plan(ctx)

        async def count(up: Upstream, body: dict[str, Any]) -> dict[str, Any]:
            return {"input_tokens": await up.provider.count_tokens(
                body, request_id=ctx.request_id, client_headers=ctx.headers)}

        result, _ = await self._run(ctx, decision, count)
        ctx.usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        exact = result["input_tokens"]
        return exact if isinstance(exact, int) else self.token_counter.count_prompt(ctx.body)

    async def completions(self, ctx: RequestContext) -> dict[str, Any]:
        decision = await self.plan(ctx)
        result, restorer = await self._run(
            ctx, decision, lambda up, body: up.provider.completions(
                body, request_id=ctx.request_id, client_headers=ctx.headers))
        return self._restored(ctx, result, restorer)

    async def embeddings(self, ctx: RequestContext) -> dict[str, Any]:
        decision = await self.plan(ctx)
        result, _ = await self._run(ctx, decision, lambda up, body: up.provider.embeddings(
            body, request_id=ctx.request_id, client_headers=ctx.headers))
        self._note_usage(ctx, result.get("usage"))
        return result

    async def chat_stream(self, ctx: RequestContext) -> AsyncIterator[dict[str, Any]]:
        """Stream chunks; failures before the first chunk fall back, later ones raise StreamBroken."""
        return chunk_by_chunk(await self._stream(ctx, "chat"))

    async def chat_stream_batches(self, ctx: RequestContext) -> AsyncIterator[list[dict[str, Any]]]:
        """:meth:`chat_stream` with the chunks that arrived together as one list (never empty),
        so the HTTP layer encodes and writes a burst at once."""
        return await self._stream(ctx, "chat")

    async def completions_stream(self, ctx: RequestContext) -> AsyncIterator[dict[str, Any]]:
        return chunk_by_chunk(await self._stream(ctx, "completions"))

    async def completions_stream_batches(self, ctx: RequestContext) -> AsyncIterator[list[dict[str, Any]]]:
        return await self._stream(ctx, "completions")

    async def _stream(self, ctx: RequestContext, kind: str) -> AsyncIterator[list[dict[str, Any]]]:
        decision = await self.plan(ctx)
        so = ctx.body.get("stream_options")
        client_wants_usage = isinstance(so, dict) and bool(so.get("include_usage"))

        async def open_stream(up: Upstream, body: dict[str, Any]) -> dict[str, Any]:
            # Always ask the upstream for usage so every stream can be accounted; the usage
            # chunk is dropped again in _relay when the client did not ask for it.
            if not client_wants_usage:
                body["stream_options"] = {**(body.get("stream_options") or {}), "include_usage": True}
            p = up.provider
            gen = (p.chat_stream_batches if kind == "chat" else p.completions_stream_batches)(
                body, request_id=ctx.request_id, client_headers=ctx.headers)
            try:
                first = await anext(gen)
            except StopAsyncIteration:
                raise ProviderError(f"provider '{up.name}' returned an empty stream", kind="empty_stream") from None
            except BaseException:
                aclose = getattr(gen, "aclose", None)
                if aclose is not None:
                    await aclose()
                raise
            return {"first": first, "gen": gen}

        opened, restorer = await self._run(ctx, decision, open_stream)
        return self._relay(ctx, opened["first"], opened["gen"], restorer, client_wants_usage)

    async def _relay(self, ctx: RequestContext, first: list[dict[str, Any]], gen: AsyncIterator[list[dict[str, Any]]],
                     restorer: Restorer | None, client_wants_usage: bool) -> AsyncIterator[list[dict[str, Any]]]:
        sr = restorer.stream() if restorer is not None else None
        restore_span = tracing.open_span(ctx, "restore") if sr is not None else None
        up = self.upstreams.get(ctx.provider or "")
        if up is not None:
            up.outstanding += 1
        # The answer's text as streamed, for accounting when the upstream reports no usage
        # (llama-cpp-python's server ignores stream_options.include_usage).
        texts: list[str] = []
        try:
            batch: list[dict[str, Any]] | None = first
            while batch is not None:
                out: list[dict[str, Any]] = []
                for chunk in batch:
                    self._relay_chunk(ctx, chunk, sr, texts, client_wants_usage, out)
                if out:
                    if ctx.ttft is None:
                        ctx.ttft = ctx.elapsed()
                    yield out
                try:
                    batch = await anext(gen)
                except StopAsyncIteration:
                    batch = None
            if sr is not None:
                tail = sr.flush()
                if tail:
                    yield tail
        except StreamBroken:
            if up is not None:
                up.breaker.record_failure()
                metrics.UPSTREAM_ERRORS.inc((up.name, "stream_broken"))
            raise
        finally:
            if ctx.usage is None and texts:
                ctx.usage = {"completion_text": "".join(texts)}
            tracing.close_span(restore_span)
            if up is not None:
                up.outstanding -= 1
            aclose = getattr(gen, "aclose", None)
            if aclose is not None:
                await aclose()

    def _relay_chunk(self, ctx: RequestContext, chunk: dict[str, Any], sr: StreamRestorer | None,
                     texts: list[str], client_wants_usage: bool, out: list[dict[str, Any]]) -> None:
        """One upstream chunk: note its usage or text, then add what the client gets of it to ``out``."""
        usage = chunk.get("usage")
        if usage:
            self._note_usage(ctx, usage)
        elif ctx.usage is None:
            streamed_text(chunk, texts)
        if ctx.trace is not None:
            tracing.note(ctx, chunk)
        if not client_wants_usage and not chunk.get("choices"):
            return  # a usage-only chunk we asked for on the client's behalf
        if not client_wants_usage and "usage" in chunk:
            chunk = {k: v for k, v in chunk.items() if k != "usage"}
        elif usage and ctx.endpoint == "chat" and chunk.get("choices"):
            # The prompt count some providers send first: OpenAI clients get
            # usage only in the last chunk (null before it).
            chunk = {**chunk, "usage": None}
        if sr is not None:
            out += sr.feed(chunk)
        else:
            out.append(chunk)

    def _note_usage(self, ctx: RequestContext, usage: Any) -> None:
        if isinstance(usage, dict):
            ctx.usage = usage

    # ----------------------------------------------------------------- stage 5: after the call
    async def finish(self, ctx: RequestContext, admitted: bool) -> None:
        """Account, audit and release — once per request, whatever happened."""
        metrics.record_request(ctx, ctx.elapsed())
        account = tracing.open_span(ctx, "account")
        try:
            self.record(ctx)
            if self.audit is not None:
                self.audit.append("request", request_event(ctx))
        except Exception:  # accounting must never turn a served request into an error
            log.exception("request %s: accounting failed", ctx.request_id)
        if admitted and self.gatekeeper is not None:
            try:
                await self.gatekeeper.release(ctx)
            except Exception:
                log.exception("request %s: releasing limits failed", ctx.request_id)
        tracing.close_span(account)
        tracing.end(ctx)

    def record(self, ctx: RequestContext) -> None:
        """Queue the ledger row once (the HTTP layer calls this just before the final send)."""
        if self.recorder is not None and not ctx.recorded:
            ctx.recorded = True
            try:
                self.recorder.record(ctx)
            except Exception:  # accounting must never turn a served request into an error
                log.exception("request %s: ledger record failed", ctx.request_id)

    # ----------------------------------------------------------------- health
    def usable_upstreams(self, alias: str) -> list[str]:
        cfg = self.config.models[alias]
        out = []
        for t in cfg.targets:
            for n in t.provider_names():
                if self.upstreams[n].usable():
                    out.append(n)
        return out

    def refresh_gauges(self) -> None:
        now = time.monotonic()
        for name, up in self.upstreams.items():
            st = up.breaker.state
            if st is BreakerState.OPEN and up.breaker.available(now):
                val = 1.0
            else:
                val = {BreakerState.CLOSED: 0.0, BreakerState.HALF_OPEN: 1.0, BreakerState.OPEN: 2.0}[st]
            metrics.BREAKER_STATE.set((name,), val)
            metrics.IN_FLIGHT.set((name,), float(up.outstanding))
        for alias in self.config.models:
            metrics.ALIAS_USABLE.set((alias,), float(len(self.usable_upstreams(alias))))

    def alias_health(self) -> dict[str, Any]:
        """Per-alias and per-provider health (for operators: the admin API, never readiness)."""
        providers = {
            name: {"location": up.provider.location, "ready": up.provider.ready(), "breaker": up.breaker.state.value,
                   "available": up.usable(), "in_flight": up.outstanding}
            for name, up in self.upstreams.items()
        }
        aliases = {}
        for alias in self.config.models:
            usable = self.usable_upstreams(alias)
            aliases[alias] = {"servable": bool(usable), "usable_providers": usable}
        return {"aliases": aliases, "providers": providers}


def transfer_record(ctx: RequestContext, location: str, jurisdiction: str | None) -> dict[str, Any]:
    """What one provider received, for the audit log: entity types only, never values."""
    d = ctx.disclosure
    return {"jurisdiction": jurisdiction, "location": location, "scanned": d is not None, "served": False,
            "originals": sorted(t for t, how in (d or {}).items() if how == "original"),
            "surrogates": sorted(t for t, how in (d or {}).items() if how == "surrogate")}


def streamed_text(chunk: dict[str, Any], into: list[str]) -> None:
    """Append the text one stream chunk carries (content, legacy ``text``, tool-call arguments)."""
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta")
        if isinstance(delta, dict):
            if isinstance(delta.get("content"), str):
                into.append(delta["content"])
            for tc in delta.get("tool_calls") or ():
                fn = tc.get("function") if isinstance(tc, dict) else None
                if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                    into.append(fn["arguments"])
        elif isinstance(choice.get("text"), str):
            into.append(choice["text"])


def _verdict(up: Upstream, exc: ProviderError) -> None:
    """What a provider failure tells the breaker: a failure, proof of life, or nothing at all."""
    if not exc.reflects_health:
        up.breaker.release_probe()  # refused before it left, or a full local queue
    elif exc.retryable:
        up.breaker.record_failure()
    else:
        up.breaker.record_success()  # the upstream answered (a 4xx): it is alive
