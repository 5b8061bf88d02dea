"""Stored responses: originals stay in our database, the cloud sees surrogates, owners are isolated.

Run on SQLite and (when ``PERIMETER_TEST_POSTGRES_URL`` is set) PostgreSQL.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from perimeter.stages import StoredResponse
from perimeter.store.config import StorageConfig
from perimeter.store.db import Database
from perimeter.store.migrations import migrate
from perimeter.store.responses import MemoryResponseStore, SQLResponseStore
from tests.accounting.backends import storage  # noqa: F401  (the sqlite/postgres fixture)
from tests.fakes.openai_server import FakeOpenAI
from tests.responses.conftest import gateway_for

ADMIN = "admin-key-for-tests-0123456789"
EMAIL = "ann.smith@example.com"
PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n fake").decode()


def cloud(fake: FakeOpenAI) -> dict[str, Any]:
    return {"name": "up", "type": "openai_compat", "location": "cloud", "base_url": fake.base_url,
            "retry": {"max_retries": 0}}


def _sent_texts(fake: FakeOpenAI) -> str:
    return str(fake.requests)


async def test_cloud_sees_surrogates_while_the_store_keeps_originals(tmp_path: Path, upstream: FakeOpenAI) -> None:
    privacy = {"secret": "responses-test-secret-0123456789", "default_action": "pseudonymize"}
    async with gateway_for(tmp_path, [cloud(upstream)], {"m": ["up"]}, privacy=privacy) as (_, client):
        raw = await client.responses.with_raw_response.create(model="m", input=f"Write to {EMAIL} today")
        first = raw.parse()
        assert raw.headers["x-perimeter-entities"] == "EMAIL=1"
        assert first.output_text == f"echo: Write to {EMAIL} today"  # restored for the client
        assert EMAIL not in _sent_texts(upstream)
        stored = await client.responses.retrieve(first.id)
        assert stored.output_text == first.output_text  # the original, not the surrogate
        second = await client.responses.create(model="m", input="and again", previous_response_id=first.id)
        assert second.output_text == "echo: and again"
        history = upstream.requests[-1]["messages"]
        assert len(history) == 3 and EMAIL not in str(history)
        # the same surrogate both times: the model sees one consistent conversation
        assert history[0]["content"] == upstream.requests[0]["messages"][0]["content"]


async def test_images_are_unscannable_and_fail_closed(tmp_path: Path, upstream: FakeOpenAI) -> None:
    item = {"role": "user", "content": [{"type": "input_text", "text": "what is this?"},
                                        {"type": "input_image", "image_url": PNG, "detail": "low"}]}
    async with gateway_for(tmp_path, [cloud(upstream)], {"m": ["up"]}, privacy={"enabled": True}) as (_, client):
        with pytest.raises(openai.BadRequestError) as err:
            await client.responses.create(model="m", input=[item])  # type: ignore[list-item]
        assert err.value.code == "unscannable_content" and upstream.requests == []
    async with gateway_for(tmp_path, [cloud(upstream)], {"m": ["up"]},
                           privacy={"enabled": True, "unscannable": "allow"}) as (_, client):
        await client.responses.create(model="m", input=[item])  # type: ignore[list-item]
        part = upstream.requests[-1]["messages"][0]["content"][1]
        assert part == {"type": "image_url", "image_url": {"url": PNG, "detail": "low"}}


async def test_owners_cannot_read_each_others_responses(tmp_path: Path, upstream: FakeOpenAI,
                                                        storage: dict[str, Any]) -> None:  # noqa: F811
    async with gateway_for(tmp_path, [cloud(upstream)], {"m": ["up"]}, storage=storage,
                           server={"admin_key": ADMIN}) as (gw, _):
        async with httpx.AsyncClient(base_url=gw.url, headers={"authorization": f"Bearer {ADMIN}"}) as admin:
            keys = [(await admin.post("/admin/keys", json={"name": n})).json()["key"] for n in ("a", "b")]
        a, b = (openai.AsyncOpenAI(base_url=gw.base_url, api_key=k, max_retries=0) for k in keys)
        r = await a.responses.create(model="m", input="mine")
        assert (await a.responses.retrieve(r.id)).output_text == "echo: mine"
        with pytest.raises(openai.NotFoundError):
            await b.responses.retrieve(r.id)
        with pytest.raises(openai.NotFoundError):
            await b.responses.create(model="m", input="steal", previous_response_id=r.id)
        with pytest.raises(openai.NotFoundError):
            await b.responses.delete(r.id)
        async with httpx.AsyncClient() as anon:
            assert (await anon.get(f"{gw.base_url}/responses/{r.id}")).status_code == 401
        await a.responses.delete(r.id)
        await a.close()
        await b.close()


def _record(rid: str, owner: str, prev: str | None, created: float) -> StoredResponse:
    return StoredResponse(rid, owner, created, "m", prev, [{"type": "message", "role": "user", "content": rid}],
                          [{"type": "message", "role": "assistant", "content": []}], {"id": rid})


@pytest.mark.parametrize("kind", ["sql", "memory"])
async def test_chain_walks_back_to_the_first_turn_and_breaks_on_a_gap(
        kind: str, storage: dict[str, Any]) -> None:  # noqa: F811
    db = None
    if kind == "sql":
        db = Database(StorageConfig.model_validate(storage))
        migrate(db)
        store: SQLResponseStore | MemoryResponseStore = SQLResponseStore(db)
    else:
        store = MemoryResponseStore()
    try:
        now = time.time()
        for i, prev in enumerate([None, "r0", "r1", "r2"]):
            await store.save(_record(f"r{i}", "team:x", prev, now + i))
        await store.save(_record("other", "key:y", "r3", now))
        chain = await store.chain("team:x", "r3")
        assert chain is not None and [c.id for c in chain] == ["r0", "r1", "r2", "r3"]
        assert chain[0].input_items == [{"type": "message", "role": "user", "content": "r0"}]
        assert await store.chain("key:y", "other") is None  # its ancestors belong to someone else
        assert await store.chain("key:y", "r3") is None
        assert await store.delete("team:x", "r1") and not await store.delete("team:x", "r1")
        assert await store.chain("team:x", "r3") is None
        got = await store.get("team:x", "r2")
        assert got is not None and got.previous_id == "r1" and got.response == {"id": "r2"}
    finally:
        if db is not None:
            db.close()
