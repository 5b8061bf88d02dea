"""``perimeter keys …`` against the configured database, audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import yaml
from click.testing import CliRunner

from perimeter.cli import cli
from perimeter.config import parse_config
from perimeter.store.audit_verify import verify
from perimeter.store.db import Database, Tx
from tests.accounting.backends import base_config


def test_create_list_rotate_revoke(storage: dict[str, Any], tmp_path: Path) -> None:
    cfg_path = tmp_path / "perimeter.yaml"
    cfg_path.write_text(yaml.safe_dump(base_config(storage)))
    run = CliRunner()

    def keys(*args: str) -> Any:
        res = run.invoke(cli, ["keys", *args, "--config", str(cfg_path)])
        return res

    res = keys("create", "--name", "svc", "--team", "ops", "--alias", "chat", "--rpm", "10", "--budget", "5",
               "--budget-period", "daily", "--expires", "30d", "--tag", "prod", "--meta", "owner=ann", "--json")
    assert res.exit_code == 0, res.output
    created = orjson.loads(res.output)
    assert created["key"].startswith("pk-") and created["limits"] == {"rpm": 10, "budget": 5.0, "budget_period": "daily"}
    assert created["allowed_aliases"] == ["chat"] and created["metadata"] == {"owner": "ann"}
    key_id = created["key_id"]
    listed = keys("list")
    assert listed.exit_code == 0 and key_id in listed.output and "active" in listed.output
    assert created["key"] not in listed.output
    rot = keys("rotate", key_id, "--grace", "0s", "--json")
    assert rot.exit_code == 0, rot.output
    new_id = orjson.loads(rot.output)["key_id"]
    assert keys("revoke", new_id).exit_code == 0
    again = keys("revoke", new_id)
    assert again.exit_code != 0 and "already revoked" in again.output
    missing = keys("revoke", "nope")
    assert missing.exit_code != 0 and "no key with id 'nope'" in missing.output
    bad = keys("create", "--expires", "yesterday")
    assert bad.exit_code != 0 and "30d" in bad.output
    active = orjson.loads(keys("list", "--active", "--json").output)
    assert active == []
    db = Database(parse_config(base_config(storage)).storage)
    try:
        def events(tx: Tx) -> list[tuple[Any, ...]]:
            return tx.execute("SELECT event FROM audit_log ORDER BY seq")

        assert [e for (e,) in db.run_sync(events)] == ["key_created", "key_rotated", "key_revoked"]
        assert verify(db).ok
    finally:
        db.close()


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["keys", "list", "--config", str(tmp_path / "nope.yaml")])
    assert res.exit_code != 0 and "file not found" in res.output
