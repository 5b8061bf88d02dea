"""Issue 12 defect 6: in production the key is checked before anything else, and nothing about
the deployment (aliases, providers, metrics) is visible or counted before it passed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from perimeter.config import parse_config
from perimeter.store.db import Database, Tx
from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI

ADMIN = "admin-key-for-the-hardening-tests"
MSG = [{"role": "user", "content": "hi"}]


def _config(upstream: FakeOpenAI, tmp_path: Path) -> dict[str, Any]:
    return minimal_config([openai_provider("local", upstream.base_url)],
                          {"chat": ["local"], "secret-alias": ["local"]},
                          server={"mode": "production", "admin_key": ADMIN},
                          storage={"data_dir": str(tmp_path / "data"), "flush_interval": 0.01},
                          privacy={"enabled": False})


def _ledger(cfg: dict[str, Any]) -> list[tuple[Any, ...]]:
    db = Database(parse_config(cfg).storage)
    try:
        def rows(tx: Tx) -> list[tuple[Any, ...]]:
            return tx.execute("SELECT alias, status FROM ledger")

        return db.run_sync(rows, write=False)
    finally:
        db.close()


async def test_unauthenticated_clients_learn_nothing_and_cost_nothing(
        upstream: FakeOpenAI, client: httpx.AsyncClient, tmp_path: Path) -> None:
    cfg = _config(upstream, tmp_path)
    admin = {"authorization": f"Bearer {ADMIN}"}
    async with running_gateway(cfg) as gw:
        attempts: list[dict[str, Any]] = [
            {"json": {"model": "invented-model-xyz", "messages": MSG}},  # unknown alias: still 401, not 404
            {"content": b"{broken json", "headers": {"content-type": "application/json"}},  # bad body: 401
            {"json": {"model": "chat", "messages": MSG}, "headers": {"authorization": "Bearer pk-nope.nope"}},
        ]
        for kw in attempts:
            r = await client.post(f"{gw.base_url}/chat/completions", **kw)
            assert r.status_code == 401, r.text
            assert r.json()["error"]["code"] == "invalid_api_key"
            assert "chat" not in r.text and "secret-alias" not in r.text and "local" not in r.text
        r = await client.post(f"{gw.url}/v1/messages", json={"model": "x", "max_tokens": 5, "messages": MSG})
        assert r.status_code == 401 and r.json()["type"] == "error"
        assert upstream.requests == []

        # operator endpoints: closed without the admin key, and readiness names nothing
        assert (await client.get(f"{gw.base_url}/models")).status_code == 401
        assert (await client.get(f"{gw.url}/metrics")).status_code == 401
        assert (await client.get(f"{gw.url}/admin/health")).status_code == 401
        assert (await client.get(f"{gw.url}/openapi.json")).status_code == 404
        ready = await client.get(f"{gw.url}/health/ready")
        assert ready.status_code == 200 and ready.json() == {"status": "ready"}

        # nothing was counted under invented labels; the five refusals are one bounded counter
        metrics = (await client.get(f"{gw.url}/metrics", headers=admin)).text
        assert "invented-model-xyz" not in metrics
        assert 'perimeter_requests_denied_total{reason="unauthenticated"} 5' in metrics
        health = (await client.get(f"{gw.url}/admin/health", headers=admin)).json()
        assert health["aliases"]["chat"]["servable"] is True

        # an authenticated key sees only the aliases it may use
        r = await client.post(f"{gw.url}/admin/keys", headers=admin, json={"allowed_aliases": ["chat"]})
        key = {"authorization": f"Bearer {r.json()['key']}"}
        models = (await client.get(f"{gw.base_url}/models", headers=key)).json()
        assert [m["id"] for m in models["data"]] == ["chat"]
        r = await client.post(f"{gw.base_url}/chat/completions", headers=key,
                              json={"model": "invented-model-xyz", "messages": MSG})
        assert r.status_code == 404 and "chat" in r.text and "secret-alias" not in r.text
        r = await client.post(f"{gw.base_url}/chat/completions", headers=key, json={"model": "chat", "messages": MSG})
        assert r.status_code == 200
    # one ledger row: the served request (not the 401s, not the unknown alias)
    assert _ledger(cfg) == [("chat", 200)]
