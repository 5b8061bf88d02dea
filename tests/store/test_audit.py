"""The audit chain detects edits, deletions and reordering; export is SIEM-ready JSONL."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import orjson
import yaml
from click.testing import CliRunner

from perimeter.cli.audit import audit
from perimeter.config import parse_config
from perimeter.store.audit import append_chained, new_event, sanitize
from perimeter.store.audit_verify import export_jsonl, verify
from perimeter.store.db import Database, Tx
from perimeter.store.migrations import LATEST, migrate, schema_version
from tests.accounting.backends import base_config


def _db(storage: dict[str, Any]) -> Database:
    db = Database(parse_config(base_config(storage)).storage)
    migrate(db)
    return db


def _append(db: Database, n: int, replica: str = "r1") -> None:
    events = [new_event("test", {"i": i, "entity_counts": {"EMAIL": i}}, replica) for i in range(n)]
    db.run_sync(lambda tx: append_chained(tx, events))


def _exec(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    def op(tx: Tx) -> list[tuple[Any, ...]]:
        return tx.execute(sql, params)

    return db.run_sync(op)


def test_migrations_are_versioned_and_idempotent(storage: dict[str, Any]) -> None:
    db = Database(parse_config(base_config(storage)).storage)
    try:
        assert migrate(db) == list(range(1, LATEST + 1))
        assert migrate(db) == []  # second start applies nothing
        assert schema_version(db) == LATEST
    finally:
        db.close()


def test_intact_chain_verifies_and_links(storage: dict[str, Any]) -> None:
    db = _db(storage)
    try:
        _append(db, 5)
        _append(db, 3, replica="r2")  # a second writer continues the same chain
        res = verify(db)
        assert res.ok and res.entries == 8, res.problems
        rows = _exec(db, "SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq")
        assert [r[0] for r in rows] == list(range(1, 9))
        for prev, cur in itertools.pairwise(rows):
            assert cur[1] == prev[2]
        assert verify(db, expect_head=res.head_hash).ok
    finally:
        db.close()


def test_edit_is_detected(storage: dict[str, Any]) -> None:
    db = _db(storage)
    try:
        _append(db, 5)
        _exec(db, "UPDATE audit_log SET data = ? WHERE seq = 3", ('{"entity_counts":{"EMAIL":0},"i":2}',))
        res = verify(db)
        assert not res.ok
        assert any("seq 3" in p and "edited" in p for p in res.problems)
    finally:
        db.close()


def test_deletion_is_detected(storage: dict[str, Any]) -> None:
    db = _db(storage)
    try:
        _append(db, 5)
        _exec(db, "DELETE FROM audit_log WHERE seq = 2")
        res = verify(db)
        assert not res.ok
        assert any("seq 3" in p for p in res.problems)
    finally:
        db.close()


def test_deletion_with_renumbering_is_detected(storage: dict[str, Any]) -> None:
    db = _db(storage)
    try:
        _append(db, 4)
        _exec(db, "DELETE FROM audit_log WHERE seq = 2")
        _exec(db, "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2")
        res = verify(db)
        assert not res.ok and any("prev_hash" in p for p in res.problems)
    finally:
        db.close()


def test_reordering_is_detected(storage: dict[str, Any]) -> None:
    db = _db(storage)
    try:
        _append(db, 4)
        # swap entries 2 and 3 (content moves, seq numbers stay in order)
        _exec(db, "UPDATE audit_log SET seq = 100 WHERE seq = 2")
        _exec(db, "UPDATE audit_log SET seq = 2 WHERE seq = 3")
        _exec(db, "UPDATE audit_log SET seq = 3 WHERE seq = 100")
        assert not verify(db).ok
    finally:
        db.close()


def test_tail_truncation_needs_the_recorded_head(storage: dict[str, Any]) -> None:
    db = _db(storage)
    try:
        _append(db, 4)
        head = verify(db).head_hash
        _exec(db, "DELETE FROM audit_log WHERE seq = 4")
        res = verify(db, expect_head=head)
        assert not res.ok and any("head hash" in p for p in res.problems)
    finally:
        db.close()


def test_replayed_events_are_not_duplicated(storage: dict[str, Any]) -> None:
    db = _db(storage)
    try:
        events = [new_event("e", {"i": i}, "r") for i in range(3)]
        db.run_sync(lambda tx: append_chained(tx, events))
        assert db.run_sync(lambda tx: append_chained(tx, events)) == 0  # journal replay after a crash
        assert verify(db).entries == 3
    finally:
        db.close()


def test_export_jsonl(storage: dict[str, Any]) -> None:
    db = _db(storage)
    try:
        _append(db, 3)
        buf = io.BytesIO()
        assert export_jsonl(db, buf) == 3
        lines = [orjson.loads(x) for x in buf.getvalue().splitlines()]
        assert [x["seq"] for x in lines] == [1, 2, 3]
        assert lines[1]["data"] == {"entity_counts": {"EMAIL": 1}, "i": 1}
        assert lines[1]["prev_hash"] == lines[0]["hash"]
        assert lines[0]["time"].endswith("Z")
        buf2 = io.BytesIO()
        assert export_jsonl(db, buf2, since_seq=2) == 1
    finally:
        db.close()


def test_sanitize_never_keeps_content() -> None:
    data = sanitize({"request_id": "r1", "content": "Иван Петров", "messages": [{"content": "x"}],
                     "entity_counts": {"PERSON": 1}, "nested": {"prompt": "secret", "n": 2}, "api_key": "pk-x.y"})
    assert data == {"request_id": "r1", "entity_counts": {"PERSON": 1}, "nested": {"n": 2}}


def test_cli_verify_and_export(storage: dict[str, Any], tmp_path: Path) -> None:
    cfg_path = tmp_path / "perimeter.yaml"
    cfg_path.write_text(yaml.safe_dump(base_config(storage)))
    db = _db(storage)
    try:
        _append(db, 3)
    finally:
        db.close()
    runner = CliRunner()
    ok = runner.invoke(audit, ["verify", "--config", str(cfg_path)])
    assert ok.exit_code == 0, ok.output
    assert "OK: 3 entries" in ok.output
    out = tmp_path / "audit.jsonl"
    exp = runner.invoke(audit, ["export", "--config", str(cfg_path), "--out", str(out)])
    assert exp.exit_code == 0, exp.output
    assert len(out.read_bytes().splitlines()) == 3
    db = _db(storage)
    try:
        _exec(db, "UPDATE audit_log SET event = 'other' WHERE seq = 2")
    finally:
        db.close()
    bad = runner.invoke(audit, ["verify", "--config", str(cfg_path), "--json"])
    assert bad.exit_code == 1
    assert orjson.loads(bad.output.splitlines()[0])["ok"] is False
