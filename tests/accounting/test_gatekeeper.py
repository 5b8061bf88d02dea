"""Keys and limits through the real services (SQLite in memory-counter mode; PostgreSQL too)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from perimeter.accounting.config import LimitsConfig
from perimeter.accounting.keys import KeyCache, KeyStore
from perimeter.accounting.services import AccountingServices, StartupError, build_accounting
from perimeter.config import parse_config
from perimeter.context import RequestContext
from perimeter.errors import GatewayError
from perimeter.store.db import Tx
from tests.accounting.backends import base_config


def _ctx(key: str | None, alias: str = "chat", rid: str = "r") -> RequestContext:
    return RequestContext(request_id=rid, endpoint="chat", alias=alias,
                          body={"messages": [{"role": "user", "content": "Hello there, how are you?"}]},
                          headers={}, api_key=key)


async def _served(s: AccountingServices, key: str | None, *, alias: str = "chat", usage: dict[str, Any] | None = None,
                  provider: str = "cloud", model: str = "gpt-4o-mini") -> RequestContext:
    """Admit, 'serve', record and release one request like the pipeline does."""
    ctx = _ctx(key, alias)
    await s.gatekeeper.admit(ctx)
    ctx.provider, ctx.provider_model = provider, model
    ctx.location = "cloud" if provider == "cloud" else "on_prem"
    ctx.usage = usage or {"prompt_tokens": 100, "completion_tokens": 50}
    s.recorder.record(ctx)
    await s.gatekeeper.release(ctx)
    return ctx


@pytest.fixture
async def services(storage: dict[str, Any]) -> AsyncIterator[AccountingServices]:
    s = await build_accounting(parse_config(base_config(storage, accounting={"teams": {"ops": {"rpm": 3}}})))
    try:
        yield s
    finally:
        await s.aclose()


async def _key(s: AccountingServices, **kw: Any) -> str:
    plain, rec = await s.keys.create(**kw)
    s.key_cache.put(rec)
    return plain


async def test_secret_is_stored_only_as_salted_hash(services: AccountingServices) -> None:
    plain, rec = await services.keys.create(name="svc")
    secret = plain.split(".", 1)[1]

    def dump(tx: Tx) -> list[tuple[Any, ...]]:
        return tx.execute("SELECT * FROM api_keys")

    rows = await services.db.run(dump, write=False)
    flat = repr(rows)
    assert secret not in flat and plain not in flat
    assert rec.secret_hash in flat and rec.salt in flat
    _other, rec2 = await services.keys.create(name="svc2")
    assert rec2.salt != rec.salt


async def test_keyless_dev_mode_then_keys_required(services: AccountingServices) -> None:
    assert services.gatekeeper.keyless
    ctx = _ctx(None)
    await services.gatekeeper.admit(ctx)  # passes without a key
    assert ctx.principal is None
    await services.gatekeeper.admit(_ctx("sk-anything"))  # SDK placeholder keys pass too
    await _key(services, name="first")
    assert not services.gatekeeper.keyless
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(None))
    assert e.value.status == 401 and e.value.code == "invalid_api_key"
    assert "Missing API key" in e.value.message


@pytest.mark.parametrize("mutate", ["unknown", "wrong_secret", "garbage"])
async def test_bad_keys_are_401(services: AccountingServices, mutate: str) -> None:
    plain = await _key(services)
    bad = {"unknown": "pk-000000000000.secret", "wrong_secret": plain[:-3] + "abc", "garbage": "Bearer nonsense"}[mutate]
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(bad))
    assert e.value.status == 401 and e.value.code == "invalid_api_key"


async def test_revoked_and_expired_keys(services: AccountingServices) -> None:
    plain = await _key(services)
    ctx = _ctx(plain)
    await services.gatekeeper.admit(ctx)
    assert ctx.principal is not None
    key_id = ctx.principal.key_id
    await services.gatekeeper.release(ctx)
    services.key_cache.put(await services.keys.revoke(key_id))
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(plain))
    assert e.value.status == 401 and "revoked" in e.value.message
    short = await _key(services, expires_at=time.time() + 0.2)
    await services.gatekeeper.admit(_ctx(short))
    await asyncio.sleep(0.3)
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(short))
    assert e.value.status == 401 and "expired" in e.value.message


async def test_rotation_with_grace(services: AccountingServices) -> None:
    old = await _key(services, name="rot", team="ops", allowed_aliases=["chat"])
    old_id = old[3:].split(".")[0]
    new, rec = await services.keys.rotate(old_id, grace_seconds=0.3)
    services.key_cache.put(rec)
    services.key_cache.put(await services.keys.get(old_id))  # type: ignore[arg-type]
    assert rec.team == "ops" and rec.allowed_aliases == ("chat",) and rec.rotated_from == old_id
    await services.gatekeeper.admit(_ctx(old))  # still inside the grace period
    await services.gatekeeper.admit(_ctx(new))
    await asyncio.sleep(0.35)
    with pytest.raises(GatewayError):
        await services.gatekeeper.admit(_ctx(old))
    await services.gatekeeper.admit(_ctx(new))


async def test_alias_not_allowed_is_403(services: AccountingServices) -> None:
    plain = await _key(services, allowed_aliases=["chat"])
    await services.gatekeeper.admit(_ctx(plain, "chat"))
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(plain, "other"))
    assert e.value.status == 403 and e.value.code == "model_not_allowed" and "chat" in e.value.message


async def test_rpm_limit_429_with_headers(services: AccountingServices) -> None:
    plain = await _key(services, limits=LimitsConfig(rpm=2))
    c1 = await _served(services, plain)
    assert c1.response_headers["x-ratelimit-limit-requests"] == "2"
    assert c1.response_headers["x-ratelimit-remaining-requests"] == "1"
    c2 = await _served(services, plain)
    assert c2.response_headers["x-ratelimit-remaining-requests"] == "0"
    if time.time() % 60 > 59.5:  # the window may have rolled over between calls
        return
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(plain))
    err = e.value
    assert err.status == 429 and err.code == "rate_limit_exceeded"
    assert 1 <= int(err.headers["retry-after"]) <= 60
    assert err.headers["x-ratelimit-remaining-requests"] == "0"


async def test_team_limit_is_shared_by_the_team(services: AccountingServices) -> None:
    a = await _key(services, team="ops")
    b = await _key(services, team="ops")
    solo = await _key(services, team="other")
    if time.time() % 60 > 58:
        await asyncio.sleep(60 - time.time() % 60 + 0.05)
    await _served(services, a)
    await _served(services, b)
    await _served(services, a)
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(b))
    assert e.value.status == 429 and "team ops" in e.value.message
    await _served(services, solo)  # other teams are not affected


async def test_tokens_per_minute(services: AccountingServices) -> None:
    plain = await _key(services, limits=LimitsConfig(tpm=200))
    if time.time() % 60 > 58:
        await asyncio.sleep(60 - time.time() % 60 + 0.05)
    c = await _served(services, plain, usage={"prompt_tokens": 150, "completion_tokens": 60})
    assert c.response_headers["x-ratelimit-limit-tokens"] == "200"
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(plain))
    assert e.value.status == 429 and "tokens per minute" in e.value.message


async def test_concurrency_limit_and_release(services: AccountingServices) -> None:
    plain = await _key(services, limits=LimitsConfig(max_concurrent=1))
    first = _ctx(plain)
    await services.gatekeeper.admit(first)
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(plain))
    assert e.value.status == 429 and "concurrent" in e.value.message
    await services.gatekeeper.release(first)
    await services.gatekeeper.release(first)  # a second release is harmless
    await _served(services, plain)


async def test_budget_402_and_it_survives_restart(storage: dict[str, Any]) -> None:
    cfg = parse_config(base_config(storage))
    s = await build_accounting(cfg)
    try:
        plain = await _key(s, limits=LimitsConfig(budget=0.0005, budget_period="daily"))
        # gpt-4o-mini: 1000 in * 0.15/M + 1000 out * 0.60/M = 0.00075 > budget
        c = await _served(s, plain, usage={"prompt_tokens": 1000, "completion_tokens": 1000})
        assert c.cost == pytest.approx(0.00075)
        with pytest.raises(GatewayError) as e:
            await s.gatekeeper.admit(_ctx(plain))
        assert e.value.status == 402 and e.value.code == "budget_exceeded"
        assert int(e.value.headers["retry-after"]) <= 86400
    finally:
        await s.aclose()
    s2 = await build_accounting(cfg)  # spend so far is read back from the ledger
    try:
        with pytest.raises(GatewayError) as e:
            await s2.gatekeeper.admit(_ctx(plain))
        assert e.value.status == 402
    finally:
        await s2.aclose()


async def test_production_requires_admin_key(storage: dict[str, Any]) -> None:
    cfg = base_config(storage)
    cfg["server"] = {"mode": "production"}
    with pytest.raises(StartupError, match="admin_key"):
        await build_accounting(parse_config(cfg))
    cfg["server"] = {"mode": "production", "admin_key": "short"}
    with pytest.raises(StartupError, match="too short"):
        await build_accounting(parse_config(cfg))


async def test_production_without_keys_is_not_keyless(storage: dict[str, Any]) -> None:
    cfg = base_config({**storage, "audit": {"key": "a-shared-audit-chain-key-0123456789"}})
    cfg["server"] = {"mode": "production", "admin_key": "a-long-admin-key-0123456789"}
    s = await build_accounting(parse_config(cfg))
    try:
        assert not s.gatekeeper.keyless
        with pytest.raises(GatewayError) as e:
            await s.gatekeeper.admit(_ctx(None))
        assert e.value.status == 401
    finally:
        await s.aclose()


async def test_key_cache_sees_changes_from_another_process(services: AccountingServices) -> None:
    """The CLI (another KeyStore on the same database) creates and revokes; the cache follows."""
    cli_store = KeyStore(services.db)
    cache = KeyCache(services.keys, ttl=0.05)
    await cache.load()
    _plain, rec = await cli_store.create(name="from-cli")
    assert await cache.lookup(rec.key_id) is not None  # unknown id: one database lookup
    await cli_store.revoke(rec.key_id)
    await cache.poll()
    found = await cache.lookup(rec.key_id)
    assert found is not None and found.status() == "revoked"
    assert await cache.lookup("doesnotexist") is None


async def test_budget_routes_locally_when_routing_says_so(storage: dict[str, Any]) -> None:
    """``routing.budget.on_exhausted: local``: no 402 at the door, the router is told the budget is spent."""
    cfg = base_config(storage)
    cfg["models"]["soft"] = {"targets": ["local", "cloud"], "routing": {"budget": {"on_exhausted": "local"}}}
    s = await build_accounting(parse_config(cfg))
    try:
        plain = await _key(s, limits=LimitsConfig(budget=0.0001))
        c = _ctx(plain, "soft")
        await s.gatekeeper.admit(c)
        assert await s.cloud_budget_left(c) is True
        c.provider, c.provider_model, c.location = "cloud", "gpt-4o-mini", "cloud"
        c.usage = {"prompt_tokens": 1000, "completion_tokens": 1000}
        s.recorder.record(c)
        await s.gatekeeper.release(c)
        soft = _ctx(plain, "soft")
        await s.gatekeeper.admit(soft)  # admitted ...
        assert await s.cloud_budget_left(soft) is False  # ... but the router keeps it on-prem
        await s.gatekeeper.release(soft)
        with pytest.raises(GatewayError) as e:  # an alias without that routing policy refuses
            await s.gatekeeper.admit(_ctx(plain, "chat"))
        assert e.value.status == 402
        free = await _key(s)
        fc = _ctx(free, "soft")
        await s.gatekeeper.admit(fc)
        assert await s.cloud_budget_left(fc) is None  # no budget: the router's default
    finally:
        await s.aclose()


@pytest.mark.parametrize("policy", ["allow", "deny"])
async def test_redis_down_follows_policy(tmp_path: Any, policy: str, caplog: pytest.LogCaptureFixture) -> None:
    storage = {"data_dir": str(tmp_path / "d"), "redis_url": "redis://127.0.0.1:1/0", "on_redis_down": policy}
    s = await build_accounting(parse_config(base_config(storage)))
    try:
        plain = await _key(s, limits=LimitsConfig(rpm=1))
        ctx = _ctx(plain)
        if policy == "allow":
            await s.gatekeeper.admit(ctx)
            await s.gatekeeper.admit(_ctx(plain))  # no shared counter: the limit cannot apply
            await s.gatekeeper.release(ctx)
        else:
            with pytest.raises(GatewayError) as e:
                await s.gatekeeper.admit(ctx)
            assert e.value.status == 503 and e.value.code == "limiter_unavailable"
        assert s.metrics()["perimeter_ratelimit_store_failures_total"] >= 1
        assert any("rate-limit store unavailable" in r.message for r in caplog.records)
    finally:
        await s.aclose()


async def test_a_verified_key_is_remembered_but_never_stands_in_for_another(services: AccountingServices) -> None:
    plain = await _key(services)
    for _ in range(3):  # the second and third admissions skip the hash (remembered)
        ctx = _ctx(plain)
        await services.gatekeeper.admit(ctx)
        await services.gatekeeper.release(ctx)
    wrong = plain[:-4] + ("0000" if not plain.endswith("0000") else "1111")
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(wrong))  # same key id, wrong secret
    assert e.value.status == 401 and "wrong secret" in e.value.message
    key_id = plain[3:].split(".")[0]
    services.key_cache.put(await services.keys.update(key_id, allowed_aliases=["other"]))
    with pytest.raises(GatewayError) as e:
        await services.gatekeeper.admit(_ctx(plain))  # the changed record applies at once
    assert e.value.status == 403
