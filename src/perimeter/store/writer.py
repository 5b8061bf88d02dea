"""Batched, crash-safe writer of ledger rows and audit events (off the hot path).

``submit()`` journals the row (see :mod:`perimeter.store.journal`) and appends it to an
in-memory queue; one background task writes the queue in batches — ledger rows and audit
events in the same transaction — every ``flush_interval`` or ``batch_size`` rows.  If the
database is down or full, the batch stays at the head of the queue, a line is logged once per
outage, ``flush_failures`` counts, and the task retries with backoff; when the database is
back the queue drains and a recovery line is logged.  ``aclose()`` drains before returning.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import operator
import time
from collections import deque
from typing import Any

from perimeter.store.audit import append_chained
from perimeter.store.checkpoints import CheckpointExporter, write_checkpoint
from perimeter.store.db import Database, DatabaseUnavailable, Tx, instance_name
from perimeter.store.journal import Entry, Journal
from perimeter.store.ledger_chain import LEDGER_COLUMNS, insert_covered

log = logging.getLogger("perimeter.store.writer")

#: Values for columns a row journaled by an older version does not have.
_DEFAULTS = {"cache_write_tokens": 0}

_ledger_values = operator.itemgetter(*LEDGER_COLUMNS)


def _ledger_row(r: dict[str, Any]) -> tuple[Any, ...]:
    try:
        return _ledger_values(r)  # C speed: the recorder always fills every column
    except KeyError:  # a row journaled by an older version, or written by hand
        return tuple(r.get(c, _DEFAULTS.get(c)) for c in LEDGER_COLUMNS)


def write_batch(tx: Tx, entries: list[Entry], retry: bool = False, replica: str | None = None) -> tuple[int, int]:
    """Write a batch: audit events chained, ledger rows covered by a ``ledger_batch`` entry.

    A retry may follow a commit whose acknowledgement was lost; replayed journal rows may be
    stored already: in both cases rows the database has are skipped.  Fresh rows have fresh
    ids and go in with COPY, the cheap path.
    """
    replay = retry or any(e.segment is not None and e.segment.orphan for e in entries)
    audited = append_chained(tx, [e.row for e in entries if e.kind == "audit"], replay=replay)
    ledger = [_ledger_row(e.row) for e in entries if e.kind == "ledger"]
    written = insert_covered(tx, ledger, replica or instance_name(), replay=replay)
    return written, audited + (1 if written else 0)


class BatchWriter:
    def __init__(
        self,
        db: Database,
        journal: Journal,
        *,
        flush_interval: float = 0.25,
        batch_size: int = 500,
        max_pending: int = 200_000,
        replica: str | None = None,
        checkpoint_interval: float | None = None,
        exporter: CheckpointExporter | None = None,
    ) -> None:
        self.db = db
        self.journal = journal
        self.flush_interval = flush_interval
        self.batch_size = batch_size
        self.max_pending = max_pending
        self.replica = replica or instance_name()
        #: Seconds between signed checkpoints of the audit chain (``None``: none are written).
        self.checkpoint_interval = checkpoint_interval
        self.exporter = exporter
        self._last_checkpoint = time.monotonic()
        self.checkpoints_written = 0
        self._queue: deque[Entry] = deque()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        # Metrics (read by /metrics and the admin API).
        self.rows_written = 0
        self.audit_written = 0
        self.flush_failures = 0
        self._failures_seen = 0
        self.db_up = True
        self.outage_since: float | None = None
        self.last_error: str | None = None

    # -- hot path ----------------------------------------------------------------------------
    def submit(self, kind: str, row: dict[str, Any]) -> None:
        """Journal and queue one row; O(1), no await, no database."""
        # Audit events come after the answer was sent: their journal line may share the next
        # write(2).  Ledger rows are journaled before returning (before the answer is sent).
        self._queue.append(self.journal.append(kind, row, defer=kind == "audit"))
        if len(self._queue) >= self.batch_size:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._queue)

    def overloaded(self) -> bool:
        return len(self._queue) >= self.max_pending

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        recovered = self.journal.recover()
        self._queue.extendleft(reversed(recovered))
        self._task = asyncio.get_running_loop().create_task(self._run(), name="perimeter-ledger-writer")

    async def flush(self) -> bool:
        """Write everything queued now; False if the database refused (rows stay queued)."""
        while self._queue:
            if not await self._write_one_batch():
                return False
        return True

    async def aclose(self, timeout: float = 10.0) -> None:
        self._closing = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout)
        if self._queue:
            log.error(
                "shutdown: %d ledger/audit rows could not be written (%s); they stay in the journal %s "
                "and are replayed on the next start", len(self._queue), self.last_error, self.journal.dir,
            )
        else:
            self.journal.close()
            if self.checkpoint_interval is not None:
                await self.checkpoint()  # the final head, so nothing written before shutdown can vanish
        if self.exporter is not None:
            self.exporter.close()

    async def checkpoint(self) -> dict[str, Any] | None:
        """Sign the audit chain head now (and export it); ``None`` if the database refused or nothing changed."""
        try:
            cp = await self.db.run(lambda tx: write_checkpoint(tx, tx.audit_keys, self.replica))
        except Exception as exc:
            log.warning("could not write an audit checkpoint: %s", exc)
            return None
        self._published(cp)
        return cp

    def _published(self, cp: dict[str, Any] | None) -> None:
        self._last_checkpoint = time.monotonic()
        if cp is not None:
            self.checkpoints_written += 1
            if self.exporter is not None:
                self.exporter.emit(cp)

    # -- background --------------------------------------------------------------------------
    async def _run(self) -> None:
        backoff = self.flush_interval
        while True:
            if not self._queue:
                if self._closing:
                    return
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.flush_interval * 20)
            if not self._queue:
                continue
            if not self._closing and len(self._queue) < self.batch_size:
                await asyncio.sleep(self.flush_interval)  # let a batch build up
            ok = await self._write_one_batch()
            if ok:
                backoff = self.flush_interval
                continue
            if self._closing:
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def _write_one_batch(self) -> bool:
        async with self._lock:  # flush() and the background task must not write the same rows twice
            return await self._write_locked()

    async def _write_locked(self) -> bool:
        n = min(len(self._queue), self.batch_size)
        if n == 0:
            return True
        batch = [self._queue[i] for i in range(n)]
        due = self.checkpoint_interval is not None and time.monotonic() - self._last_checkpoint >= self.checkpoint_interval
        retry = self.flush_failures > self._failures_seen

        def write(tx: Tx) -> tuple[int, int, dict[str, Any] | None]:
            written = write_batch(tx, batch, retry, self.replica)
            return (*written, write_checkpoint(tx, tx.audit_keys, self.replica) if due else None)

        try:
            ledger, audit, cp = await self.db.run(write)
        except DatabaseUnavailable as exc:
            self.flush_failures += 1
            self.last_error = str(exc)
            if self.db_up:
                self.db_up = False
                self.outage_since = time.time()
                log.error(
                    "ledger database unavailable (%s): requests keep flowing, %d rows queued and journaled; "
                    "retrying", exc, len(self._queue),
                )
            return False
        except Exception as exc:  # a bug or a constraint we did not expect: do not spin silently
            self.flush_failures += 1
            self.last_error = repr(exc)
            log.exception("ledger batch write failed; will retry")
            return False
        self._failures_seen = self.flush_failures
        for _ in range(n):
            self._queue.popleft()
        self.journal.committed(batch)
        self.rows_written += ledger
        self.audit_written += audit
        if due:
            self._published(cp)
        if not self.db_up:
            down = time.time() - (self.outage_since or time.time())
            log.warning("ledger database is back after %.1fs: flushed the queue (%d rows still queued)", down, len(self._queue))
            self.db_up = True
            self.outage_since = None
        return True
