"""``audit verify``: recompute the keyed chain, the ledger coverage and the signed checkpoints.

Three independent checks, each of which an attacker with write access to the database alone
cannot satisfy after a change:

* **chain** — every entry's HMAC (key outside the database), ``seq`` continuity and the
  ``prev_hash`` links; entries from before the chain was keyed (plain SHA-256) are accepted
  only as a prefix that a keyed entry commits to;
* **ledger** — each ``ledger_batch`` entry's row count and digest against the rows that name
  it, and no row outside a batch (retention purges are themselves chain entries);
* **checkpoints** — each signature (Ed25519, public keys only), and that the chain still holds
  the signed head; checkpoints exported to a file also reveal entries removed from the end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from perimeter.store.audit import AUDIT_COLUMNS, GENESIS, entry_hash
from perimeter.store.audit_keys import AuditKeys, load_public_key, public_key_id
from perimeter.store.checkpoints import checkpoint_message, read_checkpoint_file, stored_checkpoints
from perimeter.store.db import Database, Tx
from perimeter.store.ledger_chain import BATCH_EVENT, LEDGER_COLUMNS, PURGE_EVENT, rows_digest


@dataclass(slots=True)
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str
    problems: list[str]
    keyed_entries: int = 0
    legacy_entries: int = 0
    ledger_rows: int = 0
    ledger_batches: int = 0
    checkpoints: int = 0
    last_checkpoint_seq: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head_hash": self.head_hash, "problems": self.problems,
                "keyed_entries": self.keyed_entries, "legacy_entries": self.legacy_entries,
                "ledger_rows": self.ledger_rows, "ledger_batches": self.ledger_batches,
                "checkpoints": self.checkpoints, "last_checkpoint_seq": self.last_checkpoint_seq, "notes": self.notes}


class _Problems(list[str]):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    @property
    def full(self) -> bool:
        return len(self) >= self.limit


def _pages(db: Database, page: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
    """Rows in physical ``seq`` order, paged (memory stays flat on big logs)."""
    last = -1
    while True:
        def fetch(tx: Tx, last: int = last) -> list[tuple[Any, ...]]:
            return tx.execute(f"SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", (last, page))

        rows = db.run_sync(fetch, write=False)
        if not rows:
            return
        yield rows
        last = int(rows[-1][0])


def verify(db: Database, *, keys: AuditKeys | None = None, expect_head: str | None = None,
           checkpoint_file: str | Path | None = None, public_keys: list[str] | None = None,
           max_problems: int = 50) -> VerifyResult:
    """Check the chain, the ledger's coverage and the checkpoints; report every problem found.

    Raises :class:`~perimeter.store.audit_keys.AuditKeyError` when the chain key is not
    available: without it nothing could be proven, and saying "OK" would be a lie.
    """
    keys = keys or db.audit_keys(create=False)
    for f in public_keys or []:
        pub = load_public_key(Path(f))
        keys.trusted[public_key_id(pub)] = pub
    problems = _Problems(max_problems)
    checkpoints = db.run_sync(stored_checkpoints, write=False)
    if checkpoint_file is not None:
        known = {(c["seq"], c["signature"]) for c in checkpoints}
        checkpoints += [c for c in read_checkpoint_file(checkpoint_file) if (c["seq"], c["signature"]) not in known]
    wanted = {int(c["seq"]) for c in checkpoints}
    res = VerifyResult(True, 0, GENESIS, problems)
    hashes, batches, purged = _chain(db, keys, res, problems, wanted)
    if problems.full:
        problems.append("… stopping after too many problems")
    else:
        _ledger(db, batches, purged, res, problems)
        _checkpoints(checkpoints, hashes, keys, res, problems)
    if expect_head is not None and expect_head != res.head_hash:
        problems.append(f"head hash {res.head_hash} is not the expected {expect_head} — entries at the end were "
                        "removed or added")
    res.ok = not problems
    return res


def _chain(db: Database, keys: AuditKeys, res: VerifyResult, problems: _Problems,
           wanted: set[int]) -> tuple[dict[int, str], dict[int, tuple[int, str]], int]:
    prev = GENESIS
    expected_seq = 1
    hashes: dict[int, str] = {}
    batches: dict[int, tuple[int, str]] = {}
    purged = 0
    for rows in _pages(db):
        for seq, event_id, ts_us, replica, event, data, prev_hash, h in rows:
            res.entries += 1
            seq = int(seq)
            if seq != expected_seq:
                problems.append(f"seq {seq}: expected seq {expected_seq} — entries missing (deleted) or renumbered")
            if prev_hash != prev:
                problems.append(f"seq {seq}: prev_hash does not match the previous entry — deleted, reordered or edited")
            # An entry is keyed when its MAC verifies; one that only verifies as a plain hash was
            # written before the chain was keyed (or by someone without the key).
            fields = (prev_hash, seq, event_id, int(ts_us), replica, event, data)
            keyed = keys.mac(*fields) == h
            legacy = not keyed and entry_hash(*fields) == h
            if keyed:
                res.keyed_entries += 1
            elif legacy:
                res.legacy_entries += 1
                if res.keyed_entries:
                    problems.append(f"seq {seq}: an unkeyed entry after keyed ones — written without the audit key")
            else:
                problems.append(f"seq {seq}: MAC mismatch — entry {event_id} was edited "
                                "(or the chain was written with another audit key)")
            if keyed and event == BATCH_EVENT:
                d = orjson.loads(data)
                batches[seq] = (int(d.get("rows", 0)), str(d.get("sha256", "")))
            elif keyed and event == PURGE_EVENT:
                purged = max(purged, int(orjson.loads(data).get("through_seq", 0)))
            if seq in wanted:
                hashes[seq] = h
            prev = h
            expected_seq = seq + 1
            if problems.full:
                res.head_hash = prev
                return hashes, batches, purged
    res.head_hash = prev
    if res.legacy_entries and not res.keyed_entries:
        problems.append(f"none of the {res.legacy_entries} entries is keyed: the chain was written (or rewritten) "
                        "without the audit key")
    elif res.legacy_entries:
        res.notes.append(f"{res.legacy_entries} entries predate the keyed chain; the first keyed entry commits to them")
    return hashes, batches, purged


def _ledger_pages(db: Database, page: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
    cols = ", ".join(LEDGER_COLUMNS)
    last: tuple[int, str] = (-1, "")
    while True:
        def fetch(tx: Tx, last: tuple[int, str] = last) -> list[tuple[Any, ...]]:
            return tx.execute(
                f"SELECT batch_seq, {cols} FROM ledger WHERE batch_seq > ? OR (batch_seq = ? AND row_id > ?) "
                "ORDER BY batch_seq, row_id LIMIT ?", (last[0], last[0], last[1], page))

        rows = db.run_sync(fetch, write=False)
        if not rows:
            return
        yield rows
        last = (int(rows[-1][0]), str(rows[-1][1]))


def _ledger(db: Database, batches: dict[int, tuple[int, str]], purged: int, res: VerifyResult,
            problems: _Problems) -> None:
    uncovered = db.run_sync(lambda tx: int(tx.execute("SELECT COUNT(*) FROM ledger WHERE batch_seq IS NULL")[0][0]),
                            write=False)
    if uncovered:
        problems.append(f"{uncovered} ledger rows are not covered by the audit chain — inserted behind its back")
    seen: dict[int, list[tuple[Any, ...]]] = {}
    present: set[int] = set()

    def settle(seq: int, rows: list[tuple[Any, ...]]) -> None:
        present.add(seq)
        res.ledger_rows += len(rows)
        expected = batches.get(seq)
        if expected is None:
            problems.append(f"{len(rows)} ledger rows name batch seq {seq}, which is not a ledger batch entry — "
                            "inserted or moved")
            return
        n, digest = rows_digest(rows)
        if (n, digest) != expected:
            problems.append(f"ledger batch seq {seq}: {n} rows now, {expected[0]} when written, or their content "
                            "changed — ledger rows were edited, added or deleted")

    current: int | None = None
    for page in _ledger_pages(db):
        for r in page:
            seq = int(r[0])
            if seq != current:
                if current is not None:
                    settle(current, seen.pop(current))
                current = seq
                seen[seq] = []
            seen[seq].append(r[1:])
    if current is not None:
        settle(current, seen.pop(current))
    for seq, (n, _) in batches.items():
        if seq not in present and n and seq > purged:
            problems.append(f"ledger batch seq {seq}: all {n} rows are gone, and no purge recorded it — deleted")
    res.ledger_batches = len(batches)


def _checkpoints(checkpoints: list[dict[str, Any]], hashes: dict[int, str], keys: AuditKeys, res: VerifyResult,
                 problems: _Problems) -> None:
    head_seq = res.entries
    unknown: set[str] = set()
    for cp in sorted(checkpoints, key=lambda c: int(c["seq"])):
        seq = int(cp["seq"])
        if str(cp["key_id"]) not in keys.trusted:
            # Another replica's key that this verifier was not given: it cannot vouch for anything,
            # and a forged one changes nothing — a note, not a problem.
            unknown.add(str(cp["key_id"]))
            continue
        why = keys.check_signature(str(cp["key_id"]), checkpoint_message(seq, str(cp["hash"]), int(cp["ts_us"]),
                                                                         str(cp["replica"])), str(cp["signature"]))
        if why is not None:
            problems.append(f"checkpoint at seq {seq}: {why}")
            continue
        res.checkpoints += 1
        if seq > head_seq:
            problems.append(f"checkpoint at seq {seq} (signed {_time(int(cp['ts_us']))}) but the chain ends at seq "
                            f"{head_seq} — entries were removed from the end")
        elif hashes.get(seq) != cp["hash"]:
            problems.append(f"checkpoint at seq {seq}: the chain no longer has the signed head — rewritten")
        else:
            res.last_checkpoint_seq = max(res.last_checkpoint_seq, seq)
    if unknown:
        res.notes.append(f"checkpoints signed by {len(unknown)} key(s) not trusted here were not checked "
                         f"({', '.join(sorted(unknown))}): add their public keys (storage.audit.trusted_keys or "
                         "--public-key) to check them")
    if res.entries and res.last_checkpoint_seq < head_seq:
        res.notes.append(f"{head_seq - res.last_checkpoint_seq} newest entries are not covered by a signed "
                         "checkpoint yet")


def _time(ts_us: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts_us / 1e6)) + f".{ts_us % 1_000_000:06d}Z"


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
                "time": _time(int(ts_us)),
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
