"""The admin HTTP API served by uvicorn on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from perimeter.accounting.services import AccountingServices, build_accounting
from perimeter.assembly import build_admin_api
from perimeter.config import parse_config
from perimeter.context import RequestContext
from perimeter.errors import GatewayError
from tests.accounting.backends import base_config

ADMIN = "admin-key-for-tests-0123456789"


@pytest.fixture
async def admin(storage: dict[str, Any]) -> AsyncIterator[tuple[httpx.AsyncClient, AccountingServices]]:
    cfg = parse_config(base_config(storage))
    s = await build_accounting(cfg)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(build_admin_api(cfg, s), lifespan="off", log_level="warning"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers={"authorization": f"Bearer {ADMIN}"})
    try:
        yield client, s
    finally:
        await client.aclose()
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
        await s.aclose()


async def test_admin_key_is_required(admin: tuple[httpx.AsyncClient, AccountingServices]) -> None:
    client, _ = admin
    r = await client.get("/admin/keys", headers={"authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_admin_key"
    r = await client.get("/admin/keys", headers={"authorization": ""})
    assert r.status_code == 401
    r = await client.get("/admin/keys", headers={"authorization": "", "x-api-key": ADMIN})
    assert r.status_code == 200


async def test_key_lifecycle(admin: tuple[httpx.AsyncClient, AccountingServices]) -> None:
    client, s = admin
    r = await client.post("/admin/keys", json={"name": "svc", "team": "ops", "tags": ["a"],
                                               "allowed_aliases": ["chat"], "metadata": {"owner": "ann"},
                                               "limits": {"rpm": 5}, "expires_in": 3600})
    assert r.status_code == 201, r.text
    created = r.json()
    key, key_id = created["key"], created["key_id"]
    assert key.startswith(f"pk-{key_id}.") and created["limits"] == {"rpm": 5} and created["status"] == "active"
    # the key works on the gateway side at once (same replica)
    ctx = RequestContext(request_id="r", endpoint="chat", alias="chat", body={}, headers={}, api_key=key)
    await s.gatekeeper.admit(ctx)
    await s.gatekeeper.release(ctx)
    listed = (await client.get("/admin/keys")).json()["data"]
    assert [k["key_id"] for k in listed] == [key_id]
    assert "key" not in listed[0] and "secret_hash" not in listed[0] and "salt" not in listed[0]
    r = await client.patch(f"/admin/keys/{key_id}", json={"limits": {"rpm": 7}, "name": "svc2"})
    assert r.status_code == 200 and r.json()["limits"] == {"rpm": 7} and r.json()["name"] == "svc2"
    r = await client.post(f"/admin/keys/{key_id}/rotate", json={})
    assert r.status_code == 200
    new_key = r.json()["key"]
    assert r.json()["rotated_from"] == key_id and new_key != key
    with pytest.raises(GatewayError):
        await s.gatekeeper.admit(RequestContext(request_id="r", endpoint="chat", alias="chat", body={}, headers={},
                                                api_key=key))
    new_id = r.json()["key_id"]
    r = await client.delete(f"/admin/keys/{new_id}")
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    r = await client.delete(f"/admin/keys/{new_id}")
    assert r.status_code == 409
    r = await client.get(f"/admin/keys/{new_id}")
    assert r.json()["status"] == "revoked"
    # every change is in the audit log, with no secret
    v = (await client.get("/admin/audit/verify")).json()
    assert v["ok"] and v["entries"] >= 5
    from perimeter.store.db import Tx

    def events(tx: Tx) -> list[tuple[Any, ...]]:
        return tx.execute("SELECT event, data FROM audit_log ORDER BY seq")

    rows = await s.db.run(events, write=False)
    assert [e for e, _ in rows if e.startswith("key_")] == ["key_created", "key_updated", "key_rotated", "key_revoked"]
    assert not any(key.split(".")[1] in d or new_key.split(".")[1] in d for _, d in rows)


@pytest.mark.parametrize(("method", "path", "body", "status", "needle"), [
    ("POST", "/admin/keys", b"{not json", 400, "not valid JSON"),
    ("POST", "/admin/keys", b"[1]", 400, "JSON object"),
    ("POST", "/admin/keys", b'{"nmae": "x"}', 400, "nmae: unknown field"),
    ("POST", "/admin/keys", b'{"limits": {"rpm": -1}}', 400, "limits.rpm"),
    ("POST", "/admin/keys", b'{"expires_at": 1}', 400, "in the past"),
    ("PATCH", "/admin/keys/nope", b'{"name": "x"}', 404, "no key"),
    ("PATCH", "/admin/keys/nope", b"{}", 400, "Nothing to change"),
    ("POST", "/admin/keys/nope/rotate", b"{}", 404, "no key"),
    ("GET", "/admin/usage?group_by=planet", b"", 400, "group_by"),
    ("GET", "/admin/usage?since=yesterday", b"", 400, "unix timestamp"),
    ("GET", "/admin/nothing", b"", 404, "No admin route"),
])
async def test_malformed_requests(admin: tuple[httpx.AsyncClient, AccountingServices], method: str, path: str,
                                  body: bytes, status: int, needle: str) -> None:
    client, _ = admin
    r = await client.request(method, path, content=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert needle.lower() in err["message"].lower() and err["type"]


async def test_usage_summary_with_savings(admin: tuple[httpx.AsyncClient, AccountingServices]) -> None:
    client, s = admin
    key = (await client.post("/admin/keys", json={"name": "u", "team": "ops"})).json()["key"]
    for provider, location, model in [("cloud", "cloud", "gpt-4o-mini"), ("local", "on_prem", "llama"),
                                      ("local", "on_prem", "llama")]:
        ctx = RequestContext(request_id="r", endpoint="chat", alias="chat", body={}, headers={}, api_key=key)
        await s.gatekeeper.admit(ctx)
        ctx.provider, ctx.location, ctx.provider_model = provider, location, model  # type: ignore[assignment]
        ctx.usage = {"prompt_tokens": 1000, "completion_tokens": 1000}
        s.recorder.record(ctx)
        await s.gatekeeper.release(ctx)
    r = await client.get("/admin/usage", params={"group_by": "location"})
    assert r.status_code == 200
    data = r.json()
    by = {g["location"]: g for g in data["groups"]}
    assert by["on_prem"]["requests"] == 2 and by["cloud"]["requests"] == 1
    assert by["cloud"]["cost"] == pytest.approx((1000 * 0.15 + 1000 * 0.60) / 1e6)
    # savings: two on-prem requests priced on gpt-4o (2.50 / 10.00 per 1M), minus their cost (0)
    assert data["total"]["savings_vs_cloud"] == pytest.approx(2 * (1000 * 2.5 + 1000 * 10.0) / 1e6)
    assert data["currency"] == "USD"
    r = await client.get("/admin/usage", params={"group_by": "team"})
    assert r.json()["groups"][0]["team"] == "ops"
    m = (await client.get("/admin/metrics")).json()
    assert m["perimeter_ledger_rows_written_total"] == 3 and m["perimeter_ledger_database_up"] == 1
