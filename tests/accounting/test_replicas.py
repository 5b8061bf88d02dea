"""Real gateway processes: two replicas sharing PostgreSQL + Redis, and kill -9 under load."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson

from perimeter.config import parse_config
from perimeter.store.audit_verify import verify
from perimeter.store.db import Database, Tx
from tests.accounting.backends import (
    NEED_PG,
    NEED_REDIS,
    PG_URL,
    REDIS_URL,
    base_config,
    clear_redis,
    drop_schema,
)
from tests.accounting.gateway_procs import Replica
from tests.fakes.openai_server import FakeOpenAI

ADMIN = "admin-key-for-tests-0123456789"


def _config(upstream: FakeOpenAI, storage: dict[str, Any]) -> dict[str, Any]:
    cfg = base_config(storage, accounting={"key_cache_ttl": 0.3})
    cfg["server"] = {"mode": "production", "admin_key": ADMIN}
    cfg["providers"] = [{"name": "local", "type": "openai_compat", "location": "on_prem",
                         "base_url": upstream.base_url, "model": "llama"}]
    cfg["models"] = {"chat": ["local"]}
    return cfg


def _chat(i: int) -> dict[str, Any]:
    return {"model": "chat", "messages": [{"role": "user", "content": f"hello {i}"}]}


def _rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    def op(tx: Tx) -> list[tuple[Any, ...]]:
        return tx.execute(sql)

    return db.run_sync(op, write=False)


@NEED_PG
@NEED_REDIS
async def test_two_replicas_share_limits_ledger_and_audit(tmp_path: Path) -> None:
    assert PG_URL and REDIS_URL
    schema, prefix = f"t_{uuid.uuid4().hex[:12]}", f"perimeter-test-{uuid.uuid4().hex[:8]}:"
    async with FakeOpenAI() as upstream:
        replicas = []
        # Replicas that share a database share the audit chain key and the checkpoint signing key.
        audit = {"key": "shared-audit-chain-key-for-the-replica-test", "signing_key_file": str(tmp_path / "sign.pem")}
        for name in ("a", "b"):
            storage = {"data_dir": str(tmp_path / name), "database_url": PG_URL, "database_schema": schema,
                       "redis_url": REDIS_URL, "redis_prefix": prefix, "audit": audit}
            replicas.append(Replica(_config(upstream, storage), tmp_path, name))
        a, b = replicas
        try:
            await asyncio.gather(a.start(), b.start())
            async with httpx.AsyncClient(timeout=30) as client:
                admin = {"authorization": f"Bearer {ADMIN}"}
                r = await client.post(f"{a.url}/admin/keys", headers=admin, json={"name": "limited", "limits": {"rpm": 6}})
                assert r.status_code == 201, r.text
                limited = r.json()["key"]
                r = await client.post(f"{b.url}/admin/keys", headers=admin, json={"name": "free"})
                free = r.json()["key"]
                if time.time() % 60 > 50:  # keep the burst inside one minute window
                    await asyncio.sleep(60 - time.time() % 60 + 0.1)

                async def call(rep: Replica, key: str, i: int) -> httpx.Response:
                    return await client.post(f"{rep.url}/v1/chat/completions", json=_chat(i),
                                             headers={"authorization": f"Bearer {key}"})

                burst = await asyncio.gather(*[call(replicas[i % 2], limited, i) for i in range(18)])
                codes = [r.status_code for r in burst]
                assert codes.count(200) == 6, codes  # N in total, not N per replica
                assert codes.count(429) == 12
                denied = next(r for r in burst if r.status_code == 429)
                assert denied.json()["error"]["code"] == "rate_limit_exceeded" and int(denied.headers["retry-after"]) >= 1
                ok = next(r for r in burst if r.status_code == 200)
                assert ok.headers["x-ratelimit-limit-requests"] == "6"
                served_by = {replicas[i % 2].name for i, r in enumerate(burst) if r.status_code == 200}
                for i in range(4):
                    assert (await call(replicas[i % 2], free, 100 + i)).status_code == 200
                # Revoking on one replica reaches the other within key_cache_ttl.
                key_id = free[3:].split(".")[0]
                assert (await client.delete(f"{a.url}/admin/keys/{key_id}", headers=admin)).status_code == 200
                await asyncio.sleep(1.0)
                r = await call(b, free, 999)
                assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]
                v = (await client.get(f"{b.url}/admin/audit/verify", headers=admin)).json()
                assert v["ok"], v
        finally:
            codes_exit = await asyncio.gather(a.stop(), b.stop())
        # uvicorn re-raises SIGTERM after a graceful shutdown, so -15 is a clean exit too
        assert set(codes_exit) <= {0, -15}, (a.log.read_text()[-2000:], b.log.read_text()[-2000:])
    db = Database(parse_config(base_config({"database_url": PG_URL, "database_schema": schema, "audit": audit,
                                            "data_dir": str(tmp_path / "verifier")})).storage)
    try:
        by_status = dict(_rows(db, "SELECT status, COUNT(*) FROM ledger GROUP BY status"))
        # The revoked key's 401 leaves no ledger row: nothing is counted before authentication
        # (it is counted in perimeter_requests_denied_total instead).
        assert by_status == {200: 10, 429: 12}, by_status
        replicas_in_ledger = {r[0] for r in _rows(db, "SELECT DISTINCT replica FROM ledger")}
        assert len(replicas_in_ledger) == 2
        res = verify(db)
        assert res.ok, res.problems
        # a replica signs the head at shutdown unless it is signed already
        assert res.checkpoints >= 1 and res.last_checkpoint_seq == res.entries and res.ledger_rows == 22
        events = _rows(db, "SELECT event, replica, data FROM audit_log ORDER BY seq")
        assert len({rep for e, rep, _ in events if e == "request"}) == 2  # one chain, both replicas
        assert [e for e, _, _ in events].count("request") == 22  # the 401 was refused before anything counted
        assert {"key_created", "key_revoked", "startup"} <= {e for e, _, _ in events}
        assert all(limited.split(".")[1] not in d and "hello" not in d for _, _, d in events)
        assert served_by  # at least one replica served the limited key
    finally:
        db.close()
        drop_schema(schema)
        clear_redis(prefix)


async def test_no_acknowledged_request_is_lost_when_killed_under_load(tmp_path: Path) -> None:
    """SIGKILL the gateway mid-load; after a restart every answered request is in the ledger."""
    async with FakeOpenAI() as upstream:
        storage = {"data_dir": str(tmp_path / "data"), "flush_interval": 0.2}
        cfg = _config(upstream, storage)
        cfg["server"] = {"mode": "dev"}  # keyless: the load needs no key
        rep = Replica(cfg, tmp_path, "gw")
        await rep.start()
        acked: list[str] = []
        stop = asyncio.Event()

        async def worker(w: int, client: httpx.AsyncClient) -> None:
            i = 0
            while not stop.is_set():
                rid = f"w{w}-{i}"
                i += 1
                try:
                    r = await client.post(f"{rep.url}/v1/chat/completions", json=_chat(i),
                                          headers={"x-request-id": rid})
                except httpx.HTTPError:
                    return
                if r.status_code == 200 and orjson.loads(r.content)["choices"]:
                    acked.append(rid)

        async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=16)) as client:
            tasks = [asyncio.create_task(worker(w, client)) for w in range(8)]
            while len(acked) < 300:
                await asyncio.sleep(0.05)
            await rep.kill()  # mid-load, with rows queued and not yet in SQLite
            stop.set()
            await asyncio.gather(*tasks)
        journal = list((tmp_path / "data" / "journal").glob("*.jsonl"))
        assert journal, "the killed process left its journal behind"
        rep2 = Replica(cfg, tmp_path, "gw2")
        await rep2.start()  # replays the journal
        assert await rep2.stop() in (0, -15)
    db = Database(parse_config(base_config(storage)).storage)
    try:
        stored = {r[0] for r in _rows(db, "SELECT request_id FROM ledger")}
        missing = [rid for rid in acked if rid not in stored]
        assert not missing, f"{len(missing)} of {len(acked)} acknowledged requests missing: {missing[:5]}"
        dupes = _rows(db, "SELECT request_id, COUNT(*) FROM ledger GROUP BY request_id HAVING COUNT(*) > 1")
        assert dupes == []
        assert verify(db).ok
    finally:
        db.close()
    assert list((tmp_path / "data" / "journal").glob("*.jsonl")) == []
