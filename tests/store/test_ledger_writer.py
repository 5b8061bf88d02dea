"""Batched ledger writes: batching, crash replay, database outage, full disk."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from perimeter.config import parse_config
from perimeter.store.audit import new_event
from perimeter.store.audit_verify import verify
from perimeter.store.db import Database, Tx
from perimeter.store.journal import Journal
from perimeter.store.migrations import migrate
from perimeter.store.writer import BatchWriter
from tests.accounting.backends import NEED_PG, PG_URL, base_config, drop_schema


def _row(i: int) -> dict[str, Any]:
    return {"row_id": uuid.uuid4().hex, "ts": time.time(), "request_id": f"req-{i}", "status": 200,
            "prompt_tokens": i, "completion_tokens": 1, "cached_tokens": 0, "cost": 0.0, "entity_counts": "{}",
            "stream": 0}


def _count(db: Database, table: str = "ledger") -> int:
    def op(tx: Tx) -> int:
        return int(tx.execute(f"SELECT COUNT(*) FROM {table}")[0][0])

    return db.run_sync(op, write=False)


def _setup(storage: dict[str, Any], journal_kw: dict[str, Any] | None = None, **kw: Any) -> tuple[Database, BatchWriter]:
    cfg = parse_config(base_config(storage)).storage
    db = Database(cfg)
    migrate(db)
    journal = Journal(Path(cfg.data_dir) / "journal", **(journal_kw or {}))
    return db, BatchWriter(db, journal, flush_interval=kw.pop("flush_interval", 0.01), **kw)


async def test_rows_are_batched_and_journal_is_cleaned(storage: dict[str, Any]) -> None:
    db, w = _setup(storage, batch_size=100)
    w.start()
    try:
        for i in range(450):
            w.submit("ledger", _row(i))
            if i % 50 == 0:
                w.submit("audit", new_event("request", {"request_id": f"req-{i}"}, "r"))
        assert w.pending > 0  # submit never waits for the database
        assert await w.flush()
        assert _count(db) == 450 and w.rows_written == 450
        res = verify(db)  # 9 audit events, and one chain entry per ledger batch covering its rows
        assert res.ok and res.ledger_rows == 450 and res.entries - res.ledger_batches == 9, res.problems
    finally:
        await w.aclose()
        await asyncio.get_running_loop().run_in_executor(None, db.close)
    assert list((Path(storage["data_dir"]) / "journal").glob("*.jsonl")) == []


_CRASHER = r"""
import os, sys, time, uuid, signal
from perimeter.store.journal import Journal
j = Journal(sys.argv[1])
for i in range(int(sys.argv[2])):
    j.append("ledger", {"row_id": uuid.uuid4().hex, "ts": time.time(), "request_id": f"dead-{i}", "status": 200,
                        "prompt_tokens": 1, "completion_tokens": 1, "cached_tokens": 0, "cost": 0.0,
                        "entity_counts": "{}", "stream": 0})
print("journaled", flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


async def test_rows_of_a_killed_process_are_replayed_once(storage: dict[str, Any]) -> None:
    journal_dir = Path(storage["data_dir"]) / "journal"
    proc = subprocess.run([sys.executable, "-c", _CRASHER, str(journal_dir), "300"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == -signal.SIGKILL and "journaled" in proc.stdout
    assert len(list(journal_dir.glob("*.jsonl"))) == 1
    db, w = _setup(storage)
    w.start()  # recovers the dead process's segment
    try:
        assert await w.flush()
        assert _count(db) == 300
    finally:
        await w.aclose()
    assert list(journal_dir.glob("*.jsonl")) == []
    # A second start finds nothing to replay and nothing is duplicated.
    w2 = BatchWriter(db, Journal(journal_dir), flush_interval=0.01)
    w2.start()
    await w2.aclose()
    assert _count(db) == 300
    await asyncio.get_running_loop().run_in_executor(None, db.close)


class _Proxy:
    """A TCP proxy to PostgreSQL that can be cut and restored: a real network outage."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def _pipe(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await r.read(65536):
                w.write(data)
                await w.drain()
        with contextlib.suppress(Exception):
            w.close()

    async def _handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        ur, uw = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers += [w, uw]
        await asyncio.gather(self._pipe(r, uw), self._pipe(ur, w))

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for w in self.writers:
            w.transport.abort()
        self.writers.clear()
        await self.server.wait_closed()


@NEED_PG
async def test_database_outage_queues_rows_and_flushes_when_it_returns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from urllib.parse import urlsplit

    assert PG_URL
    u = urlsplit(PG_URL)
    proxy = _Proxy(u.port or 5432)
    await proxy.start()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = f"{u.scheme}://{u.username or 'postgres'}@127.0.0.1:{proxy.port}{u.path}"
    storage = {"data_dir": str(tmp_path / "data"), "database_url": url, "database_schema": schema}
    # the proxy runs on this loop: migrate from a thread
    db, w = await asyncio.get_running_loop().run_in_executor(None, _setup, storage)
    w.start()
    try:
        w.submit("ledger", _row(0))
        assert await w.flush()
        await proxy.cut()
        assert proxy.server is not None
        for i in range(1, 51):
            w.submit("ledger", _row(i))  # requests keep flowing
        for _ in range(200):
            if not w.db_up:
                break
            await asyncio.sleep(0.02)
        assert not w.db_up and w.flush_failures >= 1 and w.pending == 50
        assert any("ledger database unavailable" in r.message for r in caplog.records)
        await proxy.start()  # the database is back on the same address
        for _ in range(500):
            if w.pending == 0:
                break
            await asyncio.sleep(0.02)
        assert w.pending == 0 and w.db_up
        assert await asyncio.get_running_loop().run_in_executor(None, _count, db) == 51
        assert any("database is back" in r.message for r in caplog.records)
    finally:
        await w.aclose()
        await asyncio.get_running_loop().run_in_executor(None, db.close)
        await proxy.cut()
        drop_schema(schema)


@pytest.mark.parametrize("journal_kw", [{"use_mmap": False}, {"segment_rows": 1}], ids=["write", "mmap-new-segment"])
async def test_full_disk_keeps_serving_and_writes_when_space_returns(tmp_path: Path, journal_kw: dict[str, Any]) -> None:
    """RLIMIT_FSIZE=0 makes every file write fail (EFBIG), as on a full disk.  With mapped
    segments, one row per segment makes every row need new space (preallocation fails)."""
    storage = {"data_dir": str(tmp_path / "data")}
    db, w = _setup(storage, journal_kw)
    w.start()
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        w.submit("ledger", _row(0))
        assert await w.flush()
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, old[1]))
        try:
            for i in range(1, 21):
                w.submit("ledger", _row(i))  # never raises
            assert w.journal.write_errors == 20
            ok = await w.flush()
            assert not ok and not w.db_up and w.pending == 20
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, old)
        for _ in range(500):
            if w.pending == 0:
                break
            await asyncio.sleep(0.02)
        assert w.pending == 0
        assert _count(db) == 21
    finally:
        signal.signal(signal.SIGXFSZ, old_handler)
        await w.aclose()
        await asyncio.get_running_loop().run_in_executor(None, db.close)


async def test_a_preallocated_segment_keeps_journaling_when_the_disk_fills(tmp_path: Path) -> None:
    """Mapped segments reserve their blocks up front: rows keep reaching the journal file."""
    journal_dir = tmp_path / "j"
    j = Journal(journal_dir)
    j.append("ledger", _row(0))
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, old[1]))
        try:
            entries = [j.append("ledger", _row(i)) for i in range(1, 11)]
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, old)
        assert j.write_errors == 0 and all(e.segment is not None for e in entries)
        # What a replaying process would read (the mapped pages are the file's page cache).
        data = next(journal_dir.glob("*.jsonl")).read_bytes()
        assert all(f'"request_id":"req-{i}"'.encode() in data for i in range(11))
    finally:
        signal.signal(signal.SIGXFSZ, old_handler)
        j.close()


def test_deferred_lines_share_the_next_write_and_survive_a_segment_switch(tmp_path: Path) -> None:
    """The write(2) path: audit lines deferred, a ledger row flushes them first, in order."""

    async def go() -> None:
        j = Journal(tmp_path / "w", use_mmap=False, segment_rows=3)
        a = j.append("audit", {"event_id": "a1"}, defer=True)
        path = a.segment.path if a.segment else None
        assert path is not None and path.read_bytes() == b""  # not written yet
        j.append("ledger", {"row_id": "r1"})
        assert path.read_bytes().count(b"\n") == 2 and path.read_bytes().index(b"a1") < path.read_bytes().index(b"r1")
        j.append("audit", {"event_id": "a2"}, defer=True)
        j.append("audit", {"event_id": "a3"}, defer=True)  # the segment is full: a2 is written before sealing
        assert b"a2" in path.read_bytes()
        await asyncio.sleep(0)  # end of the loop iteration: a3 reaches its file
        assert any(b"a3" in p.read_bytes() for p in (tmp_path / "w").glob("*.jsonl"))
        j.close()

    asyncio.run(go())
