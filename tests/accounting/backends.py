"""Storage backends for tests: SQLite in tmp_path always; PostgreSQL/Redis when the CI URLs are set.

Each PostgreSQL test gets its own schema and each Redis test its own key prefix, both removed
afterwards, so parallel runs never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PG_URL = os.environ.get("PERIMETER_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("PERIMETER_TEST_REDIS_URL")
NEED_PG = pytest.mark.skipif(not PG_URL, reason="PERIMETER_TEST_POSTGRES_URL is not set (no PostgreSQL to test against)")
NEED_REDIS = pytest.mark.skipif(not REDIS_URL, reason="PERIMETER_TEST_REDIS_URL is not set (no Redis to test against)")


def base_config(storage: dict[str, Any], **extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "server": {"admin_key": "admin-key-for-tests-0123456789"},
        "providers": [
            {"name": "cloud", "type": "openai_compat", "base_url": "http://127.0.0.1:9", "location": "cloud",
             "model": "gpt-4o-mini"},
            {"name": "local", "type": "openai_compat", "base_url": "http://127.0.0.1:9", "location": "on_prem",
             "model": "llama"},
        ],
        "models": {"chat": ["local", "cloud"], "other": ["cloud"]},
        "storage": storage,
        "privacy": {"enabled": False},  # these tests are about accounting; privacy has its own
    }
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k] = {**cfg[k], **v}
        else:
            cfg[k] = v
    return cfg


def drop_schema(schema: str) -> None:
    import psycopg

    assert PG_URL
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def clear_redis(prefix: str) -> None:
    import redis

    assert REDIS_URL
    r = redis.Redis.from_url(REDIS_URL)
    keys = list(r.scan_iter(match=prefix + "*"))
    if keys:
        r.delete(*keys)
    r.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=NEED_PG)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A ``storage:`` section for each backend."""
    if request.param == "sqlite":
        yield {"data_dir": str(tmp_path / "data"), "flush_interval": 0.01}
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        yield {"data_dir": str(tmp_path / "data"), "database_url": PG_URL, "database_schema": schema,
               "flush_interval": 0.01}
    finally:
        drop_schema(schema)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"perimeter-test-{uuid.uuid4().hex[:10]}:"
    try:
        yield prefix
    finally:
        if REDIS_URL:
            clear_redis(prefix)
