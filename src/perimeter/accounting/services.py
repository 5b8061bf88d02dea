"""One call builds keys, limits, ledger and audit for the gateway: :func:`build_accounting`.

::

    services = await build_accounting(config)   # migrates, replays the journal, loads keys
    pipeline = Pipeline(..., gatekeeper=services.gatekeeper, recorder=services.recorder,
                        audit=services.audit)
    ...
    await services.aclose()                     # flushes every queued row

:mod:`perimeter.assembly` calls it and builds the admin API over the same services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perimeter.accounting.gatekeeper import KeyGatekeeper
from perimeter.accounting.keys import KeyCache, KeyStore
from perimeter.accounting.limits import MemoryLimiter
from perimeter.accounting.prices import PriceError, PriceTable
from perimeter.accounting.recorder import LedgerRecorder
from perimeter.accounting.redis_limits import RedisLimiter
from perimeter.accounting.tokens import TokenCounter
from perimeter.accounting.usage import spend_so_far
from perimeter.context import RequestContext
from perimeter.errors import StartupError
from perimeter.store.audit import check_head_key
from perimeter.store.audit_keys import AuditKeyError
from perimeter.store.checkpoints import CheckpointExporter
from perimeter.store.db import Database, DatabaseUnavailable, Tx, instance_name
from perimeter.store.journal import Journal
from perimeter.store.ledger_chain import adopt_uncovered, purge_before
from perimeter.store.migrations import migrate
from perimeter.store.writer import BatchWriter

if TYPE_CHECKING:
    from perimeter.config import Config

log = logging.getLogger("perimeter.accounting")


@dataclass(eq=False)
class AccountingServices:
    db: Database
    writer: BatchWriter
    keys: KeyStore
    key_cache: KeyCache
    limiter: MemoryLimiter | RedisLimiter
    recorder: LedgerRecorder
    gatekeeper: KeyGatekeeper
    prices: PriceTable
    replica: str
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    @property
    def audit(self) -> LedgerRecorder:
        """The :class:`perimeter.stages.AuditSink` (same queue and transaction as the ledger)."""
        return self.recorder

    async def cloud_budget_left(self, ctx: RequestContext) -> bool | None:
        """The router's budget check (``routing.budget``): False once the key's/team's budget is spent."""
        return await self.gatekeeper.budget_left(ctx)

    async def flush(self) -> bool:
        return await self.writer.flush()

    def metrics(self) -> dict[str, float]:
        w = self.writer
        return {
            "perimeter_ledger_rows_recorded_total": self.recorder.rows_recorded,
            "perimeter_ledger_rows_written_total": w.rows_written,
            "perimeter_audit_entries_written_total": w.audit_written,
            "perimeter_ledger_queue_depth": w.pending,
            "perimeter_ledger_flush_failures_total": w.flush_failures,
            "perimeter_ledger_database_up": 1 if w.db_up else 0,
            "perimeter_ledger_journal_write_errors_total": w.journal.write_errors,
            "perimeter_audit_checkpoints_total": w.checkpoints_written,
            "perimeter_audit_checkpoint_export_failures_total": w.exporter.failures if w.exporter else 0,
            "perimeter_ratelimit_store_failures_total": self.gatekeeper.limiter_failures,
            "perimeter_keys_cached": len(self.key_cache),
            **{f'perimeter_requests_denied_total{{reason="{k}"}}': v for k, v in self.gatekeeper.denied.items()},
        }

    def render_prometheus(self) -> str:
        return "".join(f"{k} {v}\n" for k, v in self.metrics().items())

    async def aclose(self) -> None:
        for t in self._tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await self.key_cache.aclose()
        await self.writer.aclose()
        await self.limiter.aclose()
        await asyncio.get_running_loop().run_in_executor(None, self.db.close)


def check_startup(config: Config) -> None:
    """The serving checks (:func:`perimeter.config.check_serving`) as a :class:`StartupError`."""
    from perimeter.config import ConfigError, check_serving

    try:
        check_serving(config)
    except ConfigError as exc:
        raise StartupError(str(exc)) from None


async def build_accounting(config: Config, *, replica: str | None = None) -> AccountingServices:
    """Migrate the schema, replay the journal, load keys, start the writer; raise StartupError if unusable."""
    check_startup(config)
    storage, acct = config.storage, config.accounting
    replica = replica or instance_name()
    provider_prices = {p.name: p.price for p in config.providers if p.price}
    try:
        prices = PriceTable(acct, provider_prices)
    except PriceError as exc:
        raise StartupError(str(exc)) from None
    db = Database(storage)
    loop = asyncio.get_running_loop()
    try:
        applied = await loop.run_in_executor(None, migrate, db)
    except DatabaseUnavailable as exc:
        db.close()
        raise StartupError(f"cannot open the database ({exc}); check storage.database_url / storage.data_dir") from None
    except Exception:
        db.close()
        raise
    if applied:
        log.info("database %s: applied schema migrations %s", db.description, applied)
    await _prove_chain_is_ours(db, replica)
    journal = Journal(Path(storage.data_dir) / "journal", fsync=storage.journal_fsync)
    writer = BatchWriter(db, journal, flush_interval=storage.flush_interval, batch_size=storage.batch_size,
                         max_pending=storage.max_pending_rows, replica=replica,
                         checkpoint_interval=storage.audit.checkpoint_interval,
                         exporter=CheckpointExporter(storage.audit))
    store = KeyStore(db)
    cache = KeyCache(store, ttl=acct.key_cache_ttl)
    await cache.load()
    limiter: MemoryLimiter | RedisLimiter
    if storage.redis_url:
        limiter = RedisLimiter(storage.redis_url, storage.redis_prefix, lease=storage.redis_lease)
        try:
            await limiter.ping()
        except Exception as exc:
            log.error("redis %s is unreachable at start (%s): limits follow storage.on_redis_down=%s",
                      storage.redis_url.split("@")[-1], exc, storage.on_redis_down)
    else:
        limiter = MemoryLimiter()
        for scope, pid, spent in await db.run(lambda tx: spend_so_far(tx, time.time()), write=False):
            limiter.seed_spend(scope, pid, spent)
    # The pipeline appends the per-request audit event itself (Pipeline.finish).
    recorder = LedgerRecorder(writer, prices, TokenCounter(acct.tokenizer_dir), acct, replica, audit_requests=False)
    gatekeeper = KeyGatekeeper(
        cache, limiter, acct, recorder=recorder, writer=writer, dev_mode=config.server.mode == "dev",
        reject_when_db_down=storage.on_database_down == "reject", on_redis_down=storage.on_redis_down,
        soft_budget_aliases=frozenset(
            a for a, m in config.models.items() if m.routing is not None and m.routing.budget.on_exhausted == "local"),
    )
    writer.start()
    cache.start()
    services = AccountingServices(db, writer, store, cache, limiter, recorder, gatekeeper, prices, replica)
    if acct.retention.days:
        services._tasks.append(loop.create_task(_purge_forever(db, acct.retention.days, replica), name="perimeter-retention"))
    if gatekeeper.keyless:
        log.warning(
            "\n" + "!" * 78 + "\n!! DEV MODE WITHOUT API KEYS: every request is accepted without authentication.\n"
            "!! Create a key (perimeter keys create) or set server.mode: production before exposing this.\n"
            + "!" * 78
        )
    recorder.append("startup", {"replica": replica, "mode": config.server.mode, "database": db.description.split(" ")[0],
                                "shared_limits": limiter.shared, "keys": len(cache)})
    return services


async def _prove_chain_is_ours(db: Database, replica: str) -> None:
    """Load the audit keys; refuse to start if the chain's newest entry was keyed with another
    key (a replica with the wrong key would silently fork the chain); cover old ledger rows."""
    try:
        keys = await asyncio.to_thread(db.audit_keys)
        problem = await db.run(lambda tx: check_head_key(tx, keys), write=False)
        adopted = await db.run(lambda tx: adopt_uncovered(tx, replica))
    except AuditKeyError as exc:
        db.close()
        raise StartupError(str(exc)) from None
    except BaseException:
        db.close()
        raise
    if problem is not None:
        db.close()
        raise StartupError(problem)
    if adopted:
        log.warning("audit: %d ledger rows written before ledger rows were chained are now covered by one entry",
                    adopted)


async def _purge_forever(db: Database, days: int, replica: str) -> None:
    while True:
        cutoff = time.time() - days * 86400
        def purge(tx: Tx, cutoff: float = cutoff) -> int:
            return purge_before(tx, cutoff, replica)

        try:
            n = await db.run(purge)
            if n:
                log.info("retention: removed %d ledger rows older than %d days (recorded in the audit chain)", n, days)
        except DatabaseUnavailable as exc:
            log.warning("retention purge skipped: %s", exc)
        await asyncio.sleep(3600)
