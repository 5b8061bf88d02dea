"""The privacy stage of the pipeline: scan, decide per entity type, pseudonymize for the cloud.

``inspect`` runs before routing: it scans every text slot of the body (off the event loop,
within the policy's time budget), counts what it found, refuses the request when a ``block``
type is present, and marks it on-prem-only for a ``local`` type.  Anything that goes wrong —
the scanner raises, times out, or part of the body cannot be scanned — is *fail closed*: the
request is refused, or (``on_scan_failure: local``) kept on-prem with its original body.

``prepare`` runs once per provider attempt: on-prem providers get the original body; cloud
providers get the pseudonymized one (computed once, on first use) plus a restorer for the
answer.  It raises rather than ever return raw data for a cloud provider it cannot make safe.
Every body bound for a cloud provider is also checked for the operator's canaries
(:mod:`perimeter.privacy.canary`): one found refuses the request and is audited.

What is scanned is the whole body except an allow-list of structural fields
(:mod:`perimeter.privacy.walk`); text split over content parts is scanned joined and the
findings are mapped back onto the parts (:mod:`perimeter.privacy.units`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets as _secrets
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from perimeter.context import Location, RequestContext
from perimeter.errors import GatewayError
from perimeter.observability import metrics
from perimeter.privacy import residency
from perimeter.privacy.canary import CanaryWatch
from perimeter.privacy.config import PrivacyConfig, PrivacyPolicyConfig
from perimeter.privacy.entities import CANONICAL_TYPES, EXTRA_TYPES, Entity
from perimeter.privacy.pseudonymize.pseudonymizer import Pseudonymizer, with_repeats
from perimeter.privacy.pseudonymize.restore import ResponseRestorer
from perimeter.privacy.pseudonymize.table import ReplacementTable
from perimeter.privacy.units import ScanPlan
from perimeter.privacy.walk import Slot, apply, collect

if TYPE_CHECKING:
    from perimeter.privacy.detect.known_values import KnownValues
    from perimeter.stages import AuditSink, Restorer

log = logging.getLogger("perimeter.privacy")

HEADER = "x-perimeter-entities"
#: Texts to scan up to this many characters in all are scanned inline (well under a millisecond);
#: longer ones in the scan thread pool, so the event loop keeps serving meanwhile.
INLINE_SCAN_CHARS = 2048


class TextScanner(Protocol):
    """What the guard needs from :class:`perimeter.privacy.Scanner`."""

    def scan(self, text: str) -> list[Entity]: ...



@dataclass(slots=True)
class PrivacyPlan:
    """What ``inspect`` learned, kept on ``ctx.privacy_plan`` for ``prepare``."""

    policy: PrivacyPolicyConfig
    tenant: str
    slots: list[Slot]
    pseudonymize: list[list[Entity]]  # per slot, the findings some cloud must get as surrogates
    on_prem_only: bool = False
    reason: str = ""
    actions: dict[str, str] = field(default_factory=dict)  # entity type -> policy action
    clouds: frozenset[str] = frozenset()  # with on_prem_only: jurisdictions residency also allows
    # One rewritten body (and the canaries found in it) per set of surrogate types: a Russian and
    # a US cloud may get different bodies.
    prepared: dict[frozenset[str], tuple[tuple[dict[str, Any], ResponseRestorer | None], list[int]]] = field(
        default_factory=dict)


class PrivacyStage:
    """Implements :class:`perimeter.stages.PrivacyGuard`."""

    def __init__(
        self,
        default: PrivacyPolicyConfig,
        per_alias: dict[str, PrivacyPolicyConfig] | None = None,
        scanner: TextScanner | None = None,
        *,
        scanner_error: str | None = None,
        workers: int = 2,
        cache_size: int = 4096,
        canaries: CanaryWatch | None = None,
        audit: AuditSink | None = None,
    ) -> None:
        self.default = default
        self.per_alias = dict(per_alias or {})
        self.scanner = scanner
        self.scanner_error = scanner_error
        self.canaries = canaries or CanaryWatch(())
        #: Where a canary hit is recorded (the audit log; set by the assembly when there is one).
        self.audit = audit
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="privacy-scan")
        self._cache: OrderedDict[bytes, tuple[Entity, ...]] = OrderedDict()
        self._cache_size = cache_size
        self._random_secret = _secrets.token_bytes(32)
        self._pseudonymizers: dict[tuple[bytes, str], Pseudonymizer] = {}
        if any(p.enabled and p.secret is None for p in (default, *self.per_alias.values())):
            log.warning(
                "privacy.secret is not set: surrogates use a random per-process key, so replicas and "
                "restarts disagree on them (set secret: ${PERIMETER_PRIVACY_SECRET})"
            )

    @classmethod
    def from_config(
        cls,
        global_cfg: PrivacyPolicyConfig,
        alias_cfgs: dict[str, PrivacyPolicyConfig | None],
        scanner: TextScanner | None = None,
    ) -> PrivacyStage:
        """Build from the global ``privacy:`` section and each alias's ``privacy:`` override.

        Without ``scanner`` a :class:`perimeter.privacy.Scanner` is created for every entity type
        the policies mention, with the global section's known values (call :meth:`warm_up` at
        start-up, off the event loop).  If it cannot be created, every scan fails — closed.
        """
        per_alias = {alias: global_cfg.merged(cfg) for alias, cfg in alias_cfgs.items() if cfg is not None}
        error = None
        canaries = CanaryWatch(global_cfg.canaries.load()) if isinstance(global_cfg, PrivacyConfig) else None
        if scanner is None:
            wanted = set(CANONICAL_TYPES)
            for policy in (global_cfg, *per_alias.values()):
                wanted |= {t for t in policy.entities if t in EXTRA_TYPES}
            try:
                from perimeter.privacy.detect.scanner import Scanner

                tagger = getattr(global_cfg, "tagger", True)
                scanner = Scanner(types=sorted(wanted), known=known_values(global_cfg), tagger=tagger)
            except Exception as exc:  # fail closed at request time, with the reason logged
                error = f"{type(exc).__name__}: {exc}"
                log.error("privacy scanner unavailable (%s): requests will be refused or kept on-prem", error)
        return cls(global_cfg, per_alias, scanner, scanner_error=error, canaries=canaries)

    # ------------------------------------------------------------------ lifecycle
    def warm_up(self) -> None:
        """Load NLP models now (blocking; call from a thread at start-up)."""
        warm = getattr(self.scanner, "warm_up", None)
        if callable(warm):
            warm()
        from perimeter.privacy.detect.morph import analyzer

        analyzer()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def policy(self, alias: str) -> PrivacyPolicyConfig:
        return self.per_alias.get(alias, self.default)

    # ------------------------------------------------------------------ inspect
    async def inspect(self, ctx: RequestContext) -> None:
        policy = self.policy(ctx.alias)
        ctx.privacy_plan = None
        if not policy.enabled:
            ctx.privacy_action = "off"
            return
        tenant = _tenant(ctx)
        collected = collect(ctx.endpoint, ctx.body)
        slots, unscannable = collected.slots, collected.unscannable
        if unscannable and policy.unscannable == "fail":
            where = ", ".join(unscannable[:3]) + (" ..." if len(unscannable) > 3 else "")
            self._fail(ctx, policy, tenant, slots, 400, "unscannable_content",
                       f"the privacy policy of model '{ctx.alias}' requires every part of the request to be "
                       f"scanned, but {where} cannot be scanned; send text only, or use a model whose policy "
                       f"allows it")
            return
        scan_plan = ScanPlan(collected)
        try:
            found = await self._scan(scan_plan.texts, policy.scan_timeout)
        except TimeoutError:
            self._fail(ctx, policy, tenant, slots, 503, "privacy_scan_timeout",
                       f"the privacy scan did not finish within {policy.scan_timeout:g} s; the request was "
                       f"not sent anywhere (fail closed) — retry, or shorten the request")
            return
        except Exception as exc:
            log.error("privacy scan failed for request %s: %s: %s", ctx.request_id, type(exc).__name__, exc)
            self._fail(ctx, policy, tenant, slots, 503, "privacy_scan_failed",
                       "the privacy scanner failed; the request was not sent anywhere (fail closed)")
            return

        mapped = scan_plan.map(found)
        counts: dict[str, int] = {}
        for ents in mapped.per_unit:
            for e in ents:
                counts[e.type] = counts.get(e.type, 0) + 1
        ctx.entity_counts = counts
        header = ",".join(f"{t}={n}" for t, n in sorted(counts.items())) or "none"
        if policy.entities_header:
            ctx.response_headers[HEADER] = header
        actions = {t: policy.action_for(t) for t in counts}
        blocked = sorted(t for t, a in actions.items() if a == "block")
        if blocked:
            ctx.privacy_action = "block"
            raise GatewayError(
                400,
                f"the request contains data that the privacy policy of model '{ctx.alias}' does not allow "
                f"to be sent: {', '.join(blocked)}; remove it and retry",
                code="sensitive_data_blocked",
                headers={HEADER: header} if policy.entities_header else None,
            )
        local = sorted(t for t, a in actions.items() if a == "local")
        rules = residency.compile_rules(policy.residency)
        pseudo = [[e for e in ents if residency.may_need_surrogate(rules, e.type, actions[e.type])]
                  for ents in mapped.per_slot]
        plan = PrivacyPlan(policy, tenant, mapped.slots, pseudo, actions=dict(actions))
        if local:
            plan.on_prem_only = True
            plan.reason = f"contains {', '.join(local)} (action: local)"
            ctx.require_on_prem = True
            plan.clouds = ctx.residency_allows = residency.clouds_for_local(rules, local)
            ctx.privacy_action = "local"
        elif any(pseudo):
            ctx.privacy_action = "pseudonymize"
        else:
            ctx.privacy_action = "allow" if counts else "clean"
        ctx.privacy_plan = plan

    def _fail(self, ctx: RequestContext, policy: PrivacyPolicyConfig, tenant: str, slots: list[Slot],
              status: int, code: str, message: str) -> None:
        """Fail closed: refuse, or keep the request on-prem with its original body."""
        if policy.entities_header:
            ctx.response_headers[HEADER] = "unscanned"
        if policy.on_scan_failure == "local":
            ctx.require_on_prem = True
            ctx.privacy_action = "local"
            ctx.privacy_plan = PrivacyPlan(policy, tenant, slots, [], on_prem_only=True, reason=code)
            return
        ctx.privacy_action = "block"
        ctx.disclosure = None
        raise GatewayError(status, message, type="invalid_request_error" if status < 500 else "service_unavailable",
                           code=code)

    async def _scan(self, texts: Sequence[str], timeout: float) -> list[list[Entity]]:
        """Scan every text (cached by content: earlier turns of a conversation are not rescanned)."""
        if self.scanner is None:
            raise RuntimeError(f"no scanner: {self.scanner_error or 'not configured'}")
        keys = [hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts]
        results: list[tuple[Entity, ...] | None] = [self._cache_get(k) for k in keys]
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:
            todo = [texts[i] for i in missing]
            scanner = self.scanner
            if sum(len(t) for t in todo) <= INLINE_SCAN_CHARS:
                # A short prompt is scanned here, on the event loop: handing it to a thread costs
                # more than the scan (a queue put, a wake-up, the GIL passed back and forth).  The
                # time budget still holds — past it the answer is thrown away, fail closed.
                began = time.perf_counter()
                fresh = [tuple(scanner.scan(t)) for t in todo]
                if time.perf_counter() - began > timeout:
                    raise TimeoutError
            else:
                loop = asyncio.get_running_loop()
                fut = loop.run_in_executor(self._executor, lambda: [tuple(scanner.scan(t)) for t in todo])
                fresh = await asyncio.wait_for(fut, timeout)
            for i, ents in zip(missing, fresh, strict=True):
                results[i] = ents
                self._cache_put(keys[i], ents)
        return [list(r or ()) for r in results]

    def _cache_get(self, key: bytes) -> tuple[Entity, ...] | None:
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
        return hit

    def _cache_put(self, key: bytes, value: tuple[Entity, ...]) -> None:
        self._cache[key] = value
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    # ------------------------------------------------------------------ prepare
    def prepare(self, ctx: RequestContext, location: Location,
                jurisdiction: str | None = None) -> tuple[dict[str, Any], Restorer | None]:
        plan = ctx.privacy_plan
        ctx.disclosure = None
        if not isinstance(plan, PrivacyPlan):
            if location == "on_prem" or not self.policy(ctx.alias).enabled:
                return ctx.body, None
            raise GatewayError(500, "privacy inspection did not run; refusing to call a cloud provider",
                               type="server_error", code="privacy_not_inspected")
        if location == "on_prem":
            ctx.disclosure = residency.disclosure(ctx.entity_counts, frozenset())
            return ctx.body, None
        if plan.on_prem_only and (jurisdiction is None or jurisdiction not in plan.clouds):
            where = f" in {jurisdiction}" if jurisdiction else " of unknown jurisdiction"
            raise GatewayError(503, f"this request must stay on-prem ({plan.reason}); refusing to send it to a "
                               f"cloud provider{where}", type="service_unavailable", code="privacy_on_prem_required")
        rules = residency.compile_rules(plan.policy.residency)
        findings, swapped = residency.surrogates_for(plan.pseudonymize, rules, plan.actions, jurisdiction)
        ctx.disclosure = residency.disclosure(ctx.entity_counts, swapped)
        prepared = plan.prepared.get(swapped)
        if prepared is None:
            made = self._pseudonymize(ctx, plan, findings) if swapped else (ctx.body, None)
            prepared = plan.prepared[swapped] = (made, self.canaries.hits(made[0]))
        (body, restorer), hits = prepared
        if hits:
            self._canary_alarm(ctx, hits)
        return body, restorer

    def _canary_alarm(self, ctx: RequestContext, hits: list[int]) -> None:
        """A canary was about to reach a cloud provider: refuse, count, audit (positions, never values)."""
        metrics.PRIVACY_CANARY_HITS.inc((ctx.alias,))
        log.error("request %s (alias %s): canary value(s) #%s found in a body bound for a cloud provider; refused",
                  ctx.request_id, ctx.alias, ",".join(str(i + 1) for i in hits))
        if self.audit is not None:
            try:
                self.audit.append("privacy_canary", {
                    "request_id": ctx.request_id, "alias": ctx.alias, "location": "cloud",
                    "canaries": [i + 1 for i in hits], "entities": dict(ctx.entity_counts),
                    "key_id": ctx.principal.key_id if ctx.principal else None, "ts": ctx.started_wall,
                })
            except Exception:  # the refusal below must happen even if auditing fails
                log.exception("request %s: auditing a canary hit failed", ctx.request_id)
        ctx.privacy_action = "block"
        ctx.disclosure = None
        raise GatewayError(400, "the request was refused: it carries a value the operator marked as never to be "
                           "sent to a cloud provider (a privacy canary); the event was recorded",
                           code="privacy_canary_detected")

    def _pseudonymize(self, ctx: RequestContext, plan: PrivacyPlan,
                      findings: list[list[Entity]]) -> tuple[dict[str, Any], ResponseRestorer | None]:
        texts = [s.text for s in plan.slots]
        entities = with_repeats(texts, findings)
        result = self._pseudonymizer(plan.policy).run(plan.tenant, texts, entities)
        replacements = {s.path: new for s, new in zip(plan.slots, result.texts, strict=True) if new != s.original}
        kinds = {s.path: s.kind for s in plan.slots if s.kind != "text"}
        body = apply(ctx.body, replacements, kinds)
        if ctx.endpoint == "embeddings":
            return body, None
        table = ReplacementTable(result.pairs)
        return body, (ResponseRestorer(table) if table else None)

    def _pseudonymizer(self, policy: PrivacyPolicyConfig) -> Pseudonymizer:
        secret = policy.secret.encode() if policy.secret else self._random_secret
        key = (secret, policy.surrogates)
        pz = self._pseudonymizers.get(key)
        if pz is None:
            pz = self._pseudonymizers[key] = Pseudonymizer(secret, policy.surrogates)
        return pz


def known_values(cfg: PrivacyPolicyConfig) -> KnownValues | None:
    """The global section's dictionaries as one matcher (``None`` when there are none)."""
    if not isinstance(cfg, PrivacyConfig) or not cfg.known_values:
        return None
    from perimeter.privacy.detect.known_values import KnownValues

    return KnownValues((k.type, k.load()) for k in cfg.known_values)


def _tenant(ctx: RequestContext) -> str:
    """Surrogates are unlinkable across tenants: a team, else the key, else the default tenant."""
    p = ctx.principal
    if p is None:
        return "default"
    return f"team:{p.team}" if p.team else f"key:{p.key_id}"
