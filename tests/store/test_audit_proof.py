"""The audit log proves itself without trusting the database (issue 12).

The attacker here can write the database but holds neither the chain key nor the signing key:
every edit they can make — to an entry, to the whole chain recomputed with plain SHA-256, to a
ledger row, to the newest entries — must show in ``verify``."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from click.testing import CliRunner

from perimeter.accounting.services import build_accounting
from perimeter.cli.audit import audit
from perimeter.config import parse_config
from perimeter.errors import StartupError
from perimeter.store.audit import GENESIS, AuditChainError, append_chained, entry_hash, new_event
from perimeter.store.audit_verify import verify
from perimeter.store.checkpoints import CheckpointExporter, write_checkpoint
from perimeter.store.config import AuditConfig
from perimeter.store.db import Database, Tx
from perimeter.store.journal import Journal
from perimeter.store.ledger_chain import purge_before
from perimeter.store.migrations import migrate
from perimeter.store.writer import BatchWriter
from tests.accounting.backends import base_config


def _db(storage: dict[str, Any]) -> Database:
    db = Database(parse_config(base_config(storage)).storage)
    migrate(db)
    return db


def _exec(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    def op(tx: Tx) -> list[tuple[Any, ...]]:
        return tx.execute(sql, params)

    return db.run_sync(op)


def _row(i: int, ts: float | None = None) -> dict[str, Any]:
    return {"row_id": uuid.uuid4().hex, "ts": ts or time.time(), "request_id": f"req-{i}", "key_id": "k1",
            "status": 200, "prompt_tokens": 10 + i, "completion_tokens": 5, "cached_tokens": 0, "cost": 0.25,
            "entity_counts": "{}", "stream": 0}


async def _write(db: Database, storage: dict[str, Any], ledger: int, events: int, *,
                 ts: float | None = None) -> BatchWriter:
    w = BatchWriter(db, Journal(Path(storage["data_dir"]) / "journal"), flush_interval=0.01, batch_size=4,
                    checkpoint_interval=3600)
    w.start()
    for i in range(ledger):
        w.submit("ledger", _row(i, ts))
    for i in range(events):
        w.submit("audit", new_event("request", {"request_id": f"req-{i}"}, "r1"))
    assert await w.flush()
    return w


async def _close(w: BatchWriter, db: Database) -> None:
    await w.aclose()
    await asyncio.get_running_loop().run_in_executor(None, db.close)


async def test_the_chain_is_keyed_and_an_attacker_cannot_recompute_it(storage: dict[str, Any]) -> None:
    db = _db(storage)
    w = await _write(db, storage, ledger=6, events=5)
    try:
        res = verify(db)
        assert res.ok and res.keyed_entries == res.entries and res.legacy_entries == 0, res.problems
        rows = _exec(db, "SELECT seq, event_id, ts_us, replica, event, data, prev_hash, hash FROM audit_log")
        assert all(h != entry_hash(p, int(q), e, int(t), r, ev, d) for q, e, t, r, ev, d, p, h in rows)  # not plain
        # Edit an entry and re-chain everything after it with plain SHA-256 (what sufficed before).
        _exec(db, "UPDATE audit_log SET data = ? WHERE seq = 2", ('{"request_id":"forged"}',))
        prev = GENESIS
        for seq, eid, ts, rep, ev, data in _exec(db, "SELECT seq, event_id, ts_us, replica, event, data "
                                                     "FROM audit_log ORDER BY seq"):
            h = entry_hash(prev, int(seq), eid, int(ts), rep, ev, data)
            _exec(db, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, h, seq))
            prev = h
        res = verify(db)
        assert not res.ok
        assert any("none of the" in p and "keyed" in p for p in res.problems), res.problems
    finally:
        await _close(w, db)


async def test_ledger_rows_are_covered_by_the_chain(storage: dict[str, Any]) -> None:
    db = _db(storage)
    w = await _write(db, storage, ledger=9, events=0)
    try:
        res = verify(db)
        assert res.ok and res.ledger_rows == 9 and res.ledger_batches == 3, res.problems
        _exec(db, "UPDATE ledger SET cost = 0 WHERE request_id = 'req-4'")  # hide spend
        assert any("ledger batch" in p for p in verify(db).problems)
        _exec(db, "UPDATE ledger SET cost = 0.25 WHERE request_id = 'req-4'")
        assert verify(db).ok  # put back: the digest matches again
        _exec(db, "DELETE FROM ledger WHERE request_id = 'req-7'")  # drop a row
        assert any("ledger batch" in p for p in verify(db).problems)
    finally:
        await _close(w, db)
    db = _db(storage)
    try:
        cols = "row_id, ts, request_id, status, prompt_tokens, completion_tokens, cached_tokens, cost, entity_counts, stream"
        _exec(db, f"INSERT INTO ledger ({cols}) VALUES ('x1', 1, 'bill-someone', 200, 9, 9, 0, 99.0, '{{}}', 0)")
        assert any("not covered" in p for p in verify(db).problems)
    finally:
        db.close()


async def test_retention_purges_whole_batches_and_says_so(storage: dict[str, Any]) -> None:
    db = _db(storage)
    old = time.time() - 40 * 86400
    w = await _write(db, storage, ledger=8, events=0, ts=old)
    try:
        for i in range(3):
            w.submit("ledger", _row(100 + i))
        assert await w.flush()
        n = db.run_sync(lambda tx: purge_before(tx, time.time() - 30 * 86400, "r1"))
        assert n == 8
        res = verify(db)
        assert res.ok and res.ledger_rows == 3, res.problems
        assert _exec(db, "SELECT COUNT(*) FROM audit_log WHERE event = 'ledger_purged'") == [(1,)]
    finally:
        await _close(w, db)


async def test_signed_checkpoints_catch_truncation_and_forgery(storage: dict[str, Any], tmp_path: Path) -> None:
    export = tmp_path / "elsewhere" / "checkpoints.jsonl"
    storage = {**storage, "audit": {"checkpoint_file": str(export)}}
    db = _db(storage)
    w = await _write(db, storage, ledger=2, events=4)
    w.exporter = CheckpointExporter(AuditConfig(checkpoint_file=str(export)))
    try:
        cp = await w.checkpoint()
        assert cp is not None and cp["seq"] == verify(db).entries
        assert await w.checkpoint() is None  # nothing new to sign
        exported = [orjson.loads(x) for x in export.read_bytes().splitlines()]
        assert exported == [cp]
        res = verify(db, checkpoint_file=export)
        assert res.ok and res.checkpoints == 1 and res.last_checkpoint_seq == cp["seq"], res.problems
        # remove the newest entries and every trace of them in the database (checkpoints included)
        _exec(db, "DELETE FROM audit_checkpoints")
        _exec(db, "DELETE FROM audit_log WHERE seq > ?", (cp["seq"] - 2,))
        assert verify(db).ok  # the database alone cannot tell …
        res = verify(db, checkpoint_file=export)  # … the exported checkpoint can
        assert not res.ok and any("removed from the end" in p for p in res.problems), res.problems
        # a forged checkpoint (the attacker has no signing key) is refused
        forged = {**cp, "seq": 1, "hash": "0" * 64}
        bad = tmp_path / "forged.jsonl"
        bad.write_bytes(orjson.dumps(forged) + b"\n")
        assert any("bad signature" in p for p in verify(db, checkpoint_file=bad).problems)
    finally:
        await _close(w, db)


def test_checkpoints_go_to_syslog(tmp_path: Path) -> None:
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.settimeout(5)
    try:
        port = sink.getsockname()[1]
        exporter = CheckpointExporter(AuditConfig(checkpoint_syslog=f"udp://127.0.0.1:{port}"))
        cp = {"seq": 7, "hash": "ab" * 32, "ts_us": 1, "replica": "r", "key_id": "k", "signature": "00"}
        exporter.emit(cp)
        exporter.close()
        datagram = sink.recv(65536).decode()
        assert "perimeter-audit:" in datagram and orjson.loads(datagram.split("perimeter-audit: ", 1)[1]) == cp
    finally:
        sink.close()


async def test_a_process_with_another_key_refuses_to_extend_the_chain(storage: dict[str, Any]) -> None:
    db = _db(storage)
    w = await _write(db, storage, ledger=1, events=1)
    await _close(w, db)
    other = {**storage, "audit": {"key": "a-completely-different-audit-key-0123456789"}}
    db2 = _db(other)
    try:
        with pytest.raises(AuditChainError, match=r"share storage\.audit\.key"):
            db2.run_sync(lambda tx: append_chained(tx, [new_event("x", {}, "r2")]))
    finally:
        db2.close()
    cfg = parse_config(base_config(other))
    with pytest.raises(StartupError, match="audit"):
        await build_accounting(cfg)


async def test_keys_and_database_files_are_private(tmp_path: Path) -> None:
    storage = {"data_dir": str(tmp_path / "data"), "flush_interval": 0.01}
    db = _db(storage)
    w = await _write(db, storage, ledger=1, events=1)
    await _close(w, db)
    data = tmp_path / "data"
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    for name in ("perimeter.db", "audit.key", "audit-signing.pem"):
        assert stat.S_IMODE(os.stat(data / name).st_mode) == 0o600, name
    for wal in data.glob("perimeter.db-*"):
        assert stat.S_IMODE(os.stat(wal).st_mode) == 0o600, wal.name


def test_cli_verify_needs_the_key_and_reads_exported_checkpoints(storage: dict[str, Any], tmp_path: Path) -> None:
    cfg_path = tmp_path / "perimeter.yaml"
    cfg_path.write_text(yaml.safe_dump(base_config(storage)))
    db = _db(storage)
    try:
        db.run_sync(lambda tx: append_chained(tx, [new_event("e", {"i": i}, "r") for i in range(3)]))
        cp = db.run_sync(lambda tx: write_checkpoint(tx, tx.audit_keys, "r"))
    finally:
        db.close()
    assert cp is not None
    runner = CliRunner()
    out = tmp_path / "cps.jsonl"
    assert runner.invoke(audit, ["checkpoints", "-c", str(cfg_path), "-o", str(out)]).exit_code == 0
    ok = runner.invoke(audit, ["verify", "-c", str(cfg_path), "--checkpoints", str(out)])
    assert ok.exit_code == 0 and "1 signed checkpoints" in ok.output, ok.output
    (Path(storage["data_dir"]) / "audit.key").unlink()  # a verifier without the key cannot say OK
    missing = runner.invoke(audit, ["verify", "-c", str(cfg_path)])
    assert missing.exit_code == 2 and "audit chain key is missing" in missing.output


def test_the_ledger_digest_is_the_same_whatever_types_a_row_comes_with() -> None:
    """Rows already of their columns' types are digested as they are (the fast path); any other
    row is converted first, so a float column given an int, a bool or a str subclass digests
    exactly as the database would give it back."""
    import hashlib

    from perimeter.store.ledger_chain import _TYPES, LEDGER_COLUMNS, rows_digest

    def spelled_out(rows: list[tuple[Any, ...]]) -> str:  # the definition, one column at a time
        canon = sorted(([v if v is None or type(v) is t else t(v) for t, v in zip(_TYPES, r, strict=True)]
                        for r in rows), key=lambda r: r[0])
        return hashlib.sha256(orjson.dumps(canon)).hexdigest()

    base = {c: (1.5 if t is float else 7 if t is int else f"{c}-x") for c, t in zip(LEDGER_COLUMNS, _TYPES, strict=True)}
    exact = tuple(base.values())
    nulls = tuple(None if c in ("key_id", "ttft_ms", "content") else v for c, v in base.items())
    loose = tuple({"ts": 2, "cost": 0, "status": True, "stream": 1.0, "prompt_tokens": "3"}.get(c, v)
                  for c, v in base.items())
    rows = [("b", *exact[1:]), ("a", *nulls[1:]), ("c", *loose[1:]), ["d", *exact[1:]]]  # type: ignore[list-item]
    for some in (rows, rows[:1], rows[2:], rows * 2):
        assert rows_digest(some) == (len(some), spelled_out(some))
