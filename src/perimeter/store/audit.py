"""Append-only audit log, chained with a key the database does not hold.

``hash = HMAC-SHA256(key, prev_hash | seq | event_id | ts_us | replica | event | data)`` (hex)
with ``data`` the canonical JSON (sorted keys) exactly as stored.  Editing any field breaks that
entry's MAC; deleting or reordering entries breaks ``seq`` continuity and the ``prev_hash``
links — and, unlike a plain hash chain, whoever can write the database cannot recompute the
chain after an edit, because the key (:mod:`perimeter.store.audit_keys`) lives outside it.
Replicas sharing one database append under a lock (``pg_advisory_xact_lock`` / SQLite's
single writer), so their entries form one chain.  Removing the *newest* entries is caught by
signed checkpoints (:mod:`perimeter.store.checkpoints`) kept elsewhere.  Verification lives in
:mod:`perimeter.store.audit_verify`.

What goes in: event names and ids, entity *types and counts*, actions, key ids — never a
prompt, a completion, a key secret or a detected value.  :func:`sanitize` enforces the shape.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import time
import uuid
from typing import Any

import orjson

from perimeter.store.audit_keys import AuditKeys
from perimeter.store.db import Tx

GENESIS = "0" * 64
AUDIT_COLUMNS = "seq, event_id, ts_us, replica, event, data, prev_hash, hash"
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
            out[k] = [x if type(x) in _FAST or (type(x) is str and len(x) <= _MAX_STR)  # one set lookup
                      or isinstance(x, int | float | bool) or x is None else str(x)[:_MAX_STR] for x in v]
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
    """The unkeyed SHA-256 link of entries written before the chain was keyed (verified, never written)."""
    h = hashlib.sha256()
    h.update("|".join((prev_hash, str(seq), event_id, str(ts_us), replica, event, data)).encode())
    return h.hexdigest()


class AuditChainError(Exception):
    """The chain cannot be extended by this process (its newest entry was keyed with another key)."""


def lock_chain(tx: Tx) -> None:
    """Serialise appends to the one chain across replicas (SQLite has a single writer anyway)."""
    if tx.postgres:
        tx.execute("SELECT pg_advisory_xact_lock(?)", (_AUDIT_LOCK_ID,))


def chain_head(tx: Tx) -> tuple[int, str]:
    head = tx.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    return (int(head[0][0]), str(head[0][1])) if head else (0, GENESIS)


def append_chained(tx: Tx, events: list[dict[str, Any]], *, replay: bool = True,
                   keys: AuditKeys | None = None) -> int:
    """Chain and insert ``events`` in this transaction; returns how many were inserted.

    Each entry's ``hash`` is an HMAC (:meth:`AuditKeys.mac`) over the previous hash and every
    field, with a key that is not in the database.  With ``replay`` (journal recovery may hand
    us events already stored) those are skipped; the live writer passes ``replay=False`` to
    save the lookup.
    """
    if not events:
        return 0
    keys = keys or tx.audit_keys
    lock_chain(tx)
    ids = [e["event_id"] for e in events] if replay else []
    existing: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        existing.update(r[0] for r in tx.execute(f"SELECT event_id FROM audit_log WHERE event_id IN ({marks})", chunk))
    head = tx.execute(f"SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1")
    problem = _foreign(head[0], keys) if head else None
    if problem is not None:  # never fork the chain: appending under another key would break it for good
        raise AuditChainError(problem)
    seq, prev = (int(head[0][0]), str(head[0][7])) if head else (0, GENESIS)
    rows = []
    mac = keys.mac
    for e in events:
        if e["event_id"] in existing:
            continue
        existing.add(e["event_id"])
        seq += 1
        h = mac(prev, seq, e["event_id"], int(e["ts_us"]), e["replica"], e["event"], e["data"])
        rows.append((seq, e["event_id"], int(e["ts_us"]), e["replica"], e["event"], e["data"], prev, h))
        prev = h
    # Events the database already has were skipped above, and seq follows the head read under
    # the lock: nothing here can conflict, so COPY (the cheap path) is safe.
    tx.copy_rows("audit_log", ("seq", "event_id", "ts_us", "replica", "event", "data", "prev_hash", "hash"), rows)
    return len(rows)


def check_head_key(tx: Tx, keys: AuditKeys) -> str | None:
    """Why this process must not append to the chain, if the newest entry was keyed with another key."""
    rows = tx.execute(f"SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1")
    return _foreign(rows[0], keys) if rows else None


def _foreign(row: tuple[Any, ...], keys: AuditKeys) -> str | None:
    seq, event_id, ts_us, replica, event, data, prev_hash, h = row
    fields = (prev_hash, int(seq), event_id, int(ts_us), replica, event, data)
    if keys.mac(*fields) != h and entry_hash(*fields) != h:  # neither ours nor an older unkeyed entry
        return (f"the newest audit entry (seq {seq}, written by {replica}) was not chained with this process's "
                "audit key: replicas that share a database must share storage.audit.key (or key_file); "
                "if nobody changed the key, the audit log was tampered with — run `perimeter audit verify`")
    return None
