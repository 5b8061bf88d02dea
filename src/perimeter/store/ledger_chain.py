"""Ledger rows covered by the audit chain: every batch of rows is committed to by one entry.

Each batch written to ``ledger`` gets a ``ledger_batch`` audit event in the same transaction
whose data holds the number of rows and the SHA-256 of their canonical encoding; the rows
carry that entry's ``seq`` in ``batch_seq``.  Since the audit entry is keyed
(:mod:`perimeter.store.audit`), editing, adding or deleting a ledger row — to hide usage or
to bill someone else — shows in ``perimeter audit verify``.  Retention deletes whole batches
and says so in the chain (``ledger_purged``), so a legitimate purge is never mistaken for
tampering.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from perimeter.store.audit import append_chained, lock_chain, new_event
from perimeter.store.db import Tx

LEDGER_COLUMNS = (
    "row_id", "ts", "request_id", "key_id", "team", "alias", "endpoint", "provider", "model", "location",
    "route_reason", "prompt_tokens", "completion_tokens", "cached_tokens", "token_source", "cost",
    "reference_cost", "currency", "latency_ms", "ttft_ms", "status", "error_code", "entity_counts",
    "privacy_action", "stream", "replica", "content", "cache_write_tokens",
)
_FLOATS = frozenset({"ts", "cost", "reference_cost", "latency_ms", "ttft_ms"})
_INTS = frozenset({"prompt_tokens", "completion_tokens", "cached_tokens", "status", "stream", "cache_write_tokens"})
#: The type each column comes back as from both databases (REAL, INTEGER, TEXT affinity).
_TYPES: tuple[type, ...] = tuple(float if c in _FLOATS else int if c in _INTS else str for c in LEDGER_COLUMNS)
_first = operator.itemgetter(0)
BATCH_EVENT = "ledger_batch"
PURGE_EVENT = "ledger_purged"


def _convert(row: Sequence[Any]) -> list[Any]:
    return [v if v is None or type(v) is t else t(v) for t, v in zip(_TYPES, row, strict=True)]


_NONE = type(None)
_ARRAYS = (tuple, list)
#: Per shape of row (the type of each value): is it canonical as it is?  A handful of shapes
#: occur (which nullable columns are null), so this stays tiny; bounded all the same.
_AS_IS: dict[tuple[type, ...], bool] = {}


def _canonical(row: Sequence[Any]) -> Sequence[Any]:
    """A row as both databases give it back (REAL/INTEGER affinity, None kept).

    A row whose every value is ``None`` or of its column's type (the recorder's rows, rows read
    back) is returned as it is, after one look-up of its shape; others are converted column by
    column.  Lists and tuples encode the same in the digest.
    """
    shape = tuple(map(type, row))
    as_is = _AS_IS.get(shape)
    if as_is is None:
        as_is = len(shape) == len(_TYPES) and all(s is _NONE or s is t for s, t in zip(shape, _TYPES, strict=True))
        if len(_AS_IS) >= 256:
            _AS_IS.clear()
        _AS_IS[shape] = as_is
    return row if as_is and type(row) in _ARRAYS else _convert(row)


def rows_digest(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    """(count, SHA-256) of ledger rows in ``LEDGER_COLUMNS`` order, independent of their order."""
    canon = sorted(map(_canonical, rows), key=_first)
    return len(canon), hashlib.sha256(orjson.dumps(canon)).hexdigest()


def insert_covered(tx: Tx, rows: list[tuple[Any, ...]], replica: str, *, replay: bool) -> int:
    """Insert ledger rows and the audit entry that covers them; returns the rows inserted.

    On replay (a retried batch, journal recovery) rows the database already has are left out
    first, so the digest covers exactly the rows this batch adds.
    """
    if not rows:
        return 0
    lock_chain(tx)  # the batch's seq is read under the same lock its audit entry is written with
    if replay:
        stored: set[str] = set()
        ids = [r[0] for r in rows]
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            stored.update(x[0] for x in tx.execute(f"SELECT row_id FROM ledger WHERE row_id IN ({marks})", chunk))
        seen: set[str] = set()
        fresh = []
        for r in rows:
            if r[0] not in stored and r[0] not in seen:
                seen.add(r[0])
                fresh.append(r)
        rows = fresh
        if not rows:
            return 0
    n, digest = rows_digest(rows)
    append_chained(tx, [new_event(BATCH_EVENT, {"rows": n, "sha256": digest}, replica)], replay=False)
    seq = int(tx.execute("SELECT MAX(seq) FROM audit_log")[0][0])
    tx.copy_rows("ledger", (*LEDGER_COLUMNS, "batch_seq"), [(*r, seq) for r in rows])
    return n


def adopt_uncovered(tx: Tx, replica: str) -> int:
    """Cover rows written before ledger rows were chained (one entry for all of them)."""
    lock_chain(tx)
    cols = ", ".join(LEDGER_COLUMNS)
    rows = tx.execute(f"SELECT {cols} FROM ledger WHERE batch_seq IS NULL")
    if not rows:
        return 0
    n, digest = rows_digest(rows)
    append_chained(tx, [new_event(BATCH_EVENT, {"rows": n, "sha256": digest, "adopted": True}, replica)],
                   replay=False)
    seq = int(tx.execute("SELECT MAX(seq) FROM audit_log")[0][0])
    tx.execute("UPDATE ledger SET batch_seq = ? WHERE batch_seq IS NULL", (seq,))
    return n


def purge_before(tx: Tx, cutoff: float, replica: str) -> int:
    """Retention: delete whole batches older than ``cutoff`` and record it in the chain."""
    lock_chain(tx)
    newer = tx.execute("SELECT MIN(batch_seq) FROM ledger WHERE ts >= ?", (cutoff,))[0][0]
    through = int(newer) - 1 if newer is not None else tx.execute("SELECT MAX(batch_seq) FROM ledger")[0][0]
    if through is None:
        return 0
    n = int(tx.execute("SELECT COUNT(*) FROM ledger WHERE batch_seq <= ?", (through,))[0][0])
    if n == 0:
        return 0
    tx.execute("DELETE FROM ledger WHERE batch_seq <= ?", (through,))
    append_chained(tx, [new_event(PURGE_EVENT, {"through_seq": int(through), "rows": n, "cutoff": cutoff},
                                  replica)], replay=False)
    return n
