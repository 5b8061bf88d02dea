"""Background checks that feed gauges: the audit hash chain and budget use.

Alert rules (``deploy/observability/alerts.yaml``) fire on what these set:
``perimeter_audit_chain_ok == 0`` (someone edited or deleted audit entries) and
``perimeter_budget_used_ratio >= 0.8``.  Both read the database off the event loop; with
several workers on one machine only the worker holding ``<metrics dir>/audit.lock`` re-verifies
the chain (a full read of the log), the others skip that round.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perimeter.observability import metrics
from perimeter.observability.budgets import budget_use
from perimeter.store.audit_verify import VerifyResult, verify

if TYPE_CHECKING:
    from perimeter.accounting.services import AccountingServices

log = logging.getLogger("perimeter.observability")


def record_verification(result: VerifyResult, at: float | None = None) -> None:
    """Publish a verification's outcome (also called when the console verifies on demand)."""
    metrics.AUDIT_CHAIN_OK.set((), 1.0 if result.ok else 0.0)
    metrics.AUDIT_CHAIN_ENTRIES.set((), float(result.entries))
    metrics.AUDIT_VERIFIED_AT.set((), time.time() if at is None else at)


async def verify_audit(services: AccountingServices) -> VerifyResult:
    """Flush queued entries, recompute the whole chain in a thread, publish the outcome."""
    await services.flush()
    result = await asyncio.to_thread(verify, services.db)
    record_verification(result)
    if not result.ok:
        log.error("audit chain verification FAILED: %s", "; ".join(result.problems[:5]))
    return result


async def refresh_budgets(services: AccountingServices) -> None:
    uses = await budget_use(services)
    metrics.BUDGET_USED.values.clear()
    for u in uses:
        metrics.BUDGET_USED.set((u.scope, u.id, u.period), round(u.ratio, 6))


class _Leader:
    """Non-blocking ``flock`` on a file: one holder among the workers sharing a directory."""

    def __init__(self, directory: str | None) -> None:
        self.path = Path(directory) / "audit.lock" if directory else None
        self._fd: int | None = None

    def held(self) -> bool:
        if self.path is None:
            return True
        if self._fd is None:
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Watch:
    """Runs the periodic checks for one worker; :meth:`aclose` stops them."""

    def __init__(self, services: AccountingServices, *, audit_interval: float, budget_interval: float,
                 shared_dir: str | None = None) -> None:
        self.services = services
        self.audit_interval = audit_interval
        self.budget_interval = budget_interval
        self.leader = _Leader(shared_dir)
        self._tasks: list[asyncio.Task[Any]] = []

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.audit_interval > 0:
            self._tasks.append(loop.create_task(self._every(self.audit_interval, self._audit, first=min(5.0, self.audit_interval)),
                                                name="perimeter-audit-watch"))
        if self.budget_interval > 0:
            self._tasks.append(loop.create_task(
                self._every(self.budget_interval, lambda: refresh_budgets(self.services), first=0.0),
                name="perimeter-budget-watch"))

    async def _audit(self) -> None:
        if self.leader.held():
            await verify_audit(self.services)

    @staticmethod
    async def _every(interval: float, job: Callable[[], Awaitable[Any]], first: float) -> None:
        await asyncio.sleep(first)
        while True:
            try:
                await job()
            except Exception as exc:  # the database may be down: try again next round
                log.warning("background check failed: %s", exc)
            await asyncio.sleep(interval)

    async def aclose(self) -> None:
        for t in self._tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks.clear()
        self.leader.release()
