"""Write-ahead journal: the reason no acknowledged request goes missing from the ledger.

``record()`` must not wait for a database, yet a row must survive the process being killed
right after the client got its answer.  So each row is first appended to a local journal file
and only then queued in memory for the batched database writer.  The bytes only have to reach
the kernel's page cache, which **outlives the process** (``kill -9``, OOM kill, segfault):

* **Default: a shared memory map.**  Each segment is preallocated (``posix_fallocate``, so a
  full disk shows up when the segment is created, never as ``SIGBUS`` later) and mapped
  ``MAP_SHARED``; an append is a ``memcpy`` into the map — well under a microsecond, no system
  call.  The mapped pages *are* the file's page cache: when the process dies the kernel still
  writes them to the file.  A sealed segment is truncated to what was written; a dead
  process's segment ends in zeros, which replay skips.
* **``journal_fsync: true``, or when preallocation fails** (disk full, a filesystem without
  it): one ``write(2)`` per row on an ``O_APPEND`` descriptor (plus ``fsync`` for power loss).
  Rows appended with ``defer=True`` (audit events, appended after the answer was sent) share
  the next ``write(2)``, at the latest at the end of the event-loop iteration.

Files are segments named ``<instance>-<n>.jsonl`` under ``<data_dir>/journal``.  The owning
process holds an exclusive ``flock`` on each open segment; a segment is deleted once every
row in it is committed.  On start, any segment nobody holds a lock on belongs to a dead
process: its rows are replayed (the database ignores rows it already has, by ``row_id`` /
``event_id``) and the file is removed after they are committed.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import mmap
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

log = logging.getLogger("perimeter.store.journal")

SEGMENT_ROWS = 20_000
#: Bytes preallocated and mapped per segment (rows are ~0.5-1 KiB without stored prompts).
SEGMENT_BYTES = 8 << 20


@dataclass(slots=True, eq=False)
class Segment:
    path: Path
    fd: int | None
    #: The shared map of a preallocated segment, and the next free byte in it.
    mm: mmap.mmap | None = None
    pos: int = 0
    appended: int = 0
    committed: int = 0
    sealed: bool = False
    orphan: bool = False

    def done(self) -> bool:
        return self.sealed and self.committed >= self.appended


@dataclass(slots=True)
class Entry:
    """One queued row: ``kind`` is ``ledger`` or ``audit``; ``segment`` is where it is journaled."""

    kind: str
    row: dict[str, Any]
    segment: Segment | None = field(default=None)


class Journal:
    """Append-only segments of JSON lines, one per queued row."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        fsync: bool = False,
        segment_rows: int = SEGMENT_ROWS,
        segment_bytes: int = SEGMENT_BYTES,
        use_mmap: bool = True,
    ) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # rows may carry prompts (store_prompts)
        self.fsync = fsync
        self.segment_rows = segment_rows
        self.segment_bytes = segment_bytes
        # fsync per row needs write(2) + fsync; msync per row would be no cheaper.
        self.use_mmap = use_mmap and not fsync
        self._prefix = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._n = 0
        self._current: Segment | None = None
        self._deferred: list[tuple[bytes, Entry]] = []
        #: Appends that failed (disk full, I/O error): those rows live only in memory.
        self.write_errors = 0
        self.last_error: str | None = None

    def _open_segment(self, need: int) -> Segment:
        self._n += 1
        path = self.dir / f"{self._prefix}-{self._n:06d}.jsonl"
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        seg = Segment(path, fd)
        if self.use_mmap and need <= self.segment_bytes:
            try:
                os.posix_fallocate(fd, 0, self.segment_bytes)  # the blocks exist: no SIGBUS later
                seg.mm = mmap.mmap(fd, self.segment_bytes, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            except (OSError, ValueError):  # disk full, no fallocate, no mmap: write(2) per row
                seg.mm = None
                try:
                    os.ftruncate(fd, 0)
                except OSError:
                    pass
        return seg

    def append(self, kind: str, row: dict[str, Any], *, defer: bool = False) -> Entry:
        """Journal one row; never raises (a failed write is counted and logged).

        ``defer``: the line may wait until the end of this event-loop iteration and share one
        ``write(2)`` with the others queued meanwhile (audit events, which are appended after
        the client has its answer).  Without it — ledger rows, appended *before* the answer
        is sent — the line and anything deferred before it are written before returning.
        """
        entry = Entry(kind, row)
        try:
            line = orjson.dumps({"k": kind, "r": row}, option=orjson.OPT_APPEND_NEWLINE)
            n = len(line)
            seg = self._current
            if seg is None or seg.appended >= self.segment_rows or (seg.mm is not None and seg.pos + n > len(seg.mm)):
                if seg is not None:
                    self.write_deferred()  # they belong to the segment being sealed
                    self._seal(seg)
                seg = self._current = self._open_segment(n)
        except OSError as exc:
            self._failed(exc)
            return entry
        mm = seg.mm
        if mm is not None:  # the common case: a memcpy into the page cache
            pos = seg.pos
            mm[pos : pos + n] = line
            seg.pos = pos + n
            seg.appended += 1
            entry.segment = seg
            return entry
        if defer:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop (CLI, tests): write now
                loop = None
            if loop is not None:
                seg.appended += 1
                entry.segment = seg
                self._deferred.append((line, entry))
                if len(self._deferred) == 1:
                    loop.call_soon(self.write_deferred)
                return entry
        if self._deferred:
            pending, self._deferred = self._deferred, []
            data = b"".join([ln for ln, _ in pending] + [line])
        else:
            pending, data = [], line
        try:
            assert seg.fd is not None
            os.write(seg.fd, data)
            if self.fsync:
                os.fsync(seg.fd)
            seg.appended += 1
            entry.segment = seg
        except OSError as exc:
            self._unjournal(pending)
            self._failed(exc)
        return entry

    def write_deferred(self) -> None:
        """Write the deferred lines now (end of the loop iteration, segment switch, close)."""
        if not self._deferred:
            return
        pending, self._deferred = self._deferred, []
        seg = pending[0][1].segment
        try:
            assert seg is not None and seg.fd is not None
            os.write(seg.fd, b"".join(ln for ln, _ in pending))
            if self.fsync:
                os.fsync(seg.fd)
        except OSError as exc:
            self._unjournal(pending)
            self._failed(exc)

    @staticmethod
    def _unjournal(pending: list[tuple[bytes, Entry]]) -> None:
        """Deferred lines that never reached the file: their rows live only in memory."""
        for _, e in pending:
            if e.segment is not None:
                e.segment.appended -= 1
                e.segment = None

    def _failed(self, exc: OSError) -> None:
        self.write_errors += 1
        if self.last_error is None or self.write_errors % 1000 == 1:
            what = "disk full" if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else str(exc)
            log.error(
                "ledger journal write failed (%s) in %s: rows are kept in memory only until the "
                "database takes them (%d failures so far)", what, self.dir, self.write_errors,
            )
        self.last_error = str(exc)

    def _seal(self, seg: Segment) -> None:
        seg.sealed = True
        if seg.mm is not None:
            seg.mm.close()  # the written pages stay in the page cache and reach the file
            seg.mm = None
            if seg.fd is not None:
                try:
                    os.ftruncate(seg.fd, seg.pos)  # drop the unused preallocated tail
                except OSError:
                    pass  # replay skips the zeros
        if seg.fd is not None:
            os.close(seg.fd)
            seg.fd = None
        self.maybe_remove(seg)

    def committed(self, entries: list[Entry]) -> None:
        """Rows are in the database: drop fully committed segments."""
        touched: dict[int, Segment] = {}
        for e in entries:
            if e.segment is not None:
                e.segment.committed += 1
                touched[id(e.segment)] = e.segment
        for seg in touched.values():
            self.maybe_remove(seg)

    def maybe_remove(self, seg: Segment) -> None:
        if seg.done():
            try:
                seg.path.unlink()
            except FileNotFoundError:
                pass

    def recover(self) -> list[Entry]:
        """Rows of segments left by dead processes (unlocked files), in file order."""
        out: list[Entry] = []
        mine = self._prefix
        for path in sorted(self.dir.glob("*.jsonl")):
            if path.name.startswith(mine):
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live process owns it
                data = path.read_bytes()
            finally:
                os.close(fd)
            seg = Segment(path, None, sealed=True, orphan=True)
            for line in data.rstrip(b"\x00").split(b"\n"):  # a mapped segment ends in zeros
                if not line.strip():
                    continue
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError:
                    log.warning("journal %s: skipping a torn last line (process died mid-write)", path.name)
                    continue
                out.append(Entry(obj["k"], obj["r"], seg))
                seg.appended += 1
            if seg.appended == 0:
                path.unlink(missing_ok=True)
        if out:
            log.warning("journal: replaying %d rows left by a previous process", len(out))
        return out

    def close(self) -> None:
        """Shutdown after a final flush: seal the current segment (removed if fully committed)."""
        self.write_deferred()
        if self._current is not None:
            self._seal(self._current)
            self._current = None
