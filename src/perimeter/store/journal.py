"""Write-ahead journal: the reason no acknowledged request goes missing from the ledger.

``record()`` must not wait for a database, yet a row must survive the process being killed
right after the client got its answer.  So each row is first appended to a local journal file
with one ``write(2)`` on an ``O_APPEND`` descriptor (a few microseconds: the data is in the
kernel's page cache, which outlives the process; ``journal_fsync`` adds an ``fsync`` for power
loss), and only then queued in memory for the batched database writer.

Files are segments named ``<instance>-<n>.jsonl`` under ``<data_dir>/journal``.  The owning
process holds an exclusive ``flock`` on each open segment; a segment is deleted once every
row in it is committed.  On start, any segment nobody holds a lock on belongs to a dead
process: its rows are replayed (the database ignores rows it already has, by ``row_id`` /
``event_id``) and the file is removed after they are committed.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

log = logging.getLogger("perimeter.store.journal")

SEGMENT_ROWS = 20_000


@dataclass(slots=True, eq=False)
class Segment:
    path: Path
    fd: int | None
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

    def __init__(self, directory: str | os.PathLike[str], *, fsync: bool = False, segment_rows: int = SEGMENT_ROWS) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.fsync = fsync
        self.segment_rows = segment_rows
        self._prefix = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._n = 0
        self._current: Segment | None = None
        #: Appends that failed (disk full, I/O error): those rows live only in memory.
        self.write_errors = 0
        self.last_error: str | None = None

    def _open_segment(self) -> Segment:
        self._n += 1
        path = self.dir / f"{self._prefix}-{self._n:06d}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return Segment(path, fd)

    def append(self, kind: str, row: dict[str, Any]) -> Entry:
        """Journal one row; never raises (a failed write is counted and logged)."""
        entry = Entry(kind, row)
        try:
            seg = self._current
            if seg is None or seg.appended >= self.segment_rows:
                if seg is not None:
                    self._seal(seg)
                seg = self._current = self._open_segment()
            assert seg.fd is not None
            os.write(seg.fd, orjson.dumps({"k": kind, "r": row}) + b"\n")
            if self.fsync:
                os.fsync(seg.fd)
            seg.appended += 1
            entry.segment = seg
        except OSError as exc:
            self.write_errors += 1
            if self.last_error is None or self.write_errors % 1000 == 1:
                what = "disk full" if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else str(exc)
                log.error(
                    "ledger journal write failed (%s) in %s: rows are kept in memory only until the "
                    "database takes them (%d failures so far)", what, self.dir, self.write_errors,
                )
            self.last_error = str(exc)
        return entry

    def _seal(self, seg: Segment) -> None:
        seg.sealed = True
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
            for line in data.split(b"\n"):
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
        if self._current is not None:
            self._seal(self._current)
            self._current = None
