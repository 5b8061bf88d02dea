"""Append-only, hash-chained audit log: each entry commits to the one before it.

``hash = sha256(prev_hash | seq | event_id | ts_us | replica | event | data)`` with ``data`` the
canonical JSON (sorted keys) exactly as stored.  Editing any field breaks that entry's hash;
deleting or reordering entries breaks ``seq`` continuity and the ``prev_hash`` links.  Replicas
sharing one database append under a lock (``pg_advisory_xact_lock`` / SQLite's single writer),
so their entries form one chain.  Truncating the *tail* cannot be seen from the chain itself:
``verify`` prints the head hash so it can be recorded elsewhere (SIEM) and checked with
``--expect-head``.

What goes in: event names and ids, entity *types and counts*, actions, key ids — never a
prompt, a completion, a key secret or a detected value.  :func:`sanitize` enforces the shape.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from perimeter.store.db import Database, Tx

GENESIS = "0" * 64
_AUDIT_LOCK_ID = 0x61756474  # "audt"
#: Field names that could only carry content; dropped even if a caller passes them.
FORBIDDEN_FIELDS = frozenset(
    {"content", "messages", "prompt", "completion", "text", "value", "values", "secret", "api_key", "key", "body"}
)
_MAX_STR = 256


_SCALARS = (int, float, bool, type(None))


_FAST = frozenset({int, float, bool, type(None)})


def sanitize(data: dict[str, Any]) -> dict[str, Any]:
    """Keep ids, names, counts and flags; drop fields that could carry content or secrets."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if k in FORBIDDEN_FIELDS:
            continue
        t = type(v)
        if t in _FAST or (t is str and len(v) <= _MAX_STR):  # the common case, one set lookup
            out[k] = v
        elif isinstance(v, dict):
            out[k] = sanitize(v)
        elif isinstance(v, list | tuple):
            out[k] = [x if isinstance(x, int | float | bool) or x is None else str(x)[:_MAX_STR] for x in v]
        elif isinstance(v, str):
            out[k] = v if len(v) <= _MAX_STR else v[:_MAX_STR]
        elif isinstance(v, _SCALARS):
            out[k] = v
        else:
            out[k] = str(v)[:_MAX_STR]
    return out


class _Ids:
    """Unique ids without a uuid4 per event: a random per-process prefix plus a counter."""

    def __init__(self) -> None:
        self.reset()
        os.register_at_fork(after_in_child=self.reset)  # a forked child must not reuse our ids

    def reset(self) -> None:
        self.prefix, self.n = uuid.uuid4().hex[:16], itertools.count()

    def next(self) -> str:
        return f"{self.prefix}{next(self.n):x}"


unique_id = _Ids().next


def new_event(event: str, data: dict[str, Any], replica: str) -> dict[str, Any]:
    """A not-yet-chained event (what the journal holds)."""
    return {
        "event_id": unique_id(),
        "ts_us": time.time_ns() // 1000,
        "replica": replica,
        "event": event,
        "data": orjson.dumps(sanitize(data), option=orjson.OPT_SORT_KEYS).decode(),
    }


def entry_hash(prev_hash: str, seq: int, event_id: str, ts_us: int, replica: str, event: str, data: str) -> str:
    h = hashlib.sha256()
    h.update("|".join((prev_hash, str(seq), event_id, str(ts_us), replica, event, data)).encode())
    return h.hexdigest()


def append_chained(tx: Tx, events: list[dict[str, Any]], *, replay: bool = True) -> int:
    """Chain and insert ``events`` in this transaction.

    With ``replay`` (journal recovery may hand us events already stored) those are skipped;
    the live writer passes ``replay=False`` to save the lookup.
    """
    if not events:
        return 0
    if tx.postgres:
        tx.execute("SELECT pg_advisory_xact_lock(?)", (_AUDIT_LOCK_ID,))
    ids = [e["event_id"] for e in events] if replay else []
    existing: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        existing.update(r[0] for r in tx.execute(f"SELECT event_id FROM audit_log WHERE event_id IN ({marks})", chunk))
    head = tx.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    seq, prev = (int(head[0][0]), str(head[0][1])) if head else (0, GENESIS)
    rows = []
    for e in events:
        if e["event_id"] in existing:
            continue
        existing.add(e["event_id"])
        seq += 1
        h = entry_hash(prev, seq, e["event_id"], int(e["ts_us"]), e["replica"], e["event"], e["data"])
        rows.append((seq, e["event_id"], int(e["ts_us"]), e["replica"], e["event"], e["data"], prev, h))
        prev = h
    # Events the database already has were skipped above, and seq follows the head read under
    # the lock: nothing here can conflict, so COPY (the cheap path) is safe.
    tx.copy_rows("audit_log", ("seq", "event_id", "ts_us", "replica", "event", "data", "prev_hash", "hash"), rows)
    return len(rows)


@dataclass(slots=True)
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str
    problems: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head_hash": self.head_hash, "problems": self.problems}


_COLS = "seq, event_id, ts_us, replica, event, data, prev_hash, hash"


def _pages(db: Database, page: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
    """Rows in physical ``seq`` order, paged (memory stays flat on big logs)."""
    last = -1
    while True:
        def fetch(tx: Tx, last: int = last) -> list[tuple[Any, ...]]:
            return tx.execute(f"SELECT {_COLS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", (last, page))

        rows = db.run_sync(fetch, write=False)
        if not rows:
            return
        yield rows
        last = int(rows[-1][0])


def verify(db: Database, *, expect_head: str | None = None, max_problems: int = 50) -> VerifyResult:
    """Recompute the chain; report every edit, deletion or reordering found."""
    problems: list[str] = []
    prev = GENESIS
    expected_seq = 1
    n = 0
    for rows in _pages(db):
        for seq, event_id, ts_us, replica, event, data, prev_hash, h in rows:
            n += 1
            seq = int(seq)
            if seq != expected_seq:
                problems.append(f"seq {seq}: expected seq {expected_seq} — entries missing (deleted) or renumbered")
            if prev_hash != prev:
                problems.append(f"seq {seq}: prev_hash does not match the previous entry — deleted, reordered or edited")
            if entry_hash(prev_hash, seq, event_id, int(ts_us), replica, event, data) != h:
                problems.append(f"seq {seq}: hash mismatch — entry {event_id} was edited")
            prev = h
            expected_seq = seq + 1
            if len(problems) >= max_problems:
                problems.append("… stopping after too many problems")
                return VerifyResult(False, n, prev, problems)
    if expect_head is not None and expect_head != prev:
        problems.append(f"head hash {prev} is not the expected {expect_head} — entries at the end were removed or added")
    return VerifyResult(not problems, n, prev, problems)


def export_jsonl(db: Database, out: IO[bytes], *, since_seq: int = 0) -> int:
    """Write entries as JSON lines (one event per line, data decoded) for a SIEM."""
    n = 0
    for rows in _pages(db):
        for seq, event_id, ts_us, replica, event, data, prev_hash, h in rows:
            if int(seq) <= since_seq:
                continue
            obj = {
                "seq": int(seq),
                "event_id": event_id,
                "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(ts_us) / 1e6)) + f".{int(ts_us) % 1_000_000:06d}Z",
                "ts_us": int(ts_us),
                "replica": replica,
                "event": event,
                "data": orjson.loads(data),
                "prev_hash": prev_hash,
                "hash": h,
            }
            out.write(orjson.dumps(obj) + b"\n")
            n += 1
    return n
