"""End to end through the real gateway: zero sensitive requests reach the recording cloud upstream.

The gateway runs on loopback with two OpenAI-compatible upstreams (an on-prem and a cloud one)
that record every request; the real privacy stage (pattern detectors) marks a Russian passport
number ``local``, and the hybrid router decides.  The cloud upstream must never see a request
that carried — or belongs to a conversation that carried — the passport, whether the on-prem
model is up, failing, or circuit-broken.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from perimeter.privacy.detect.scanner import Scanner
from perimeter.privacy.guard import PrivacyStage
from perimeter.routing.router import HybridRouter
from tests.fakes.gateway import RunningGateway, minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI, Fault

PASSPORT = "4510 123456"
HARD = ("Design a distributed, fault-tolerant job scheduler with exactly-once semantics; prove that no job runs "
        "twice under network partitions and analyse the trade-offs step by step.")


def routing_config(onprem: FakeOpenAI, cloud: FakeOpenAI, routing: dict[str, Any]) -> dict[str, Any]:
    return minimal_config(
        [openai_provider("local", onprem.base_url, "on_prem", retry={"max_retries": 0},
                         breaker={"failure_threshold": 2, "cooldown": 60}),
         openai_provider("cloud", cloud.base_url, "cloud", retry={"max_retries": 0})],
        {"chat": {"targets": ["local", "cloud"], "routing": routing}},
        privacy={"default_action": "pseudonymize", "entities": {"RU_PASSPORT": "local"}},
    )


@pytest.fixture
async def upstreams() -> AsyncIterator[tuple[FakeOpenAI, FakeOpenAI]]:
    async with FakeOpenAI(name="onprem") as onprem, FakeOpenAI(name="cloud") as cloud:
        yield onprem, cloud


def wire(gw: RunningGateway) -> None:
    """Attach the real privacy stage and the hybrid router (what ``perimeter.assembly.build`` does, with a scanner without NER)."""
    app = gw.app
    cfg = app.config
    app.pipeline.privacy = PrivacyStage.from_config(
        cfg.privacy, {a: m.privacy for a, m in cfg.models.items()}, scanner=Scanner(ner=False))
    app.pipeline.router = HybridRouter(cfg, lambda name: app.upstreams[name].usable())


def contains_passport(requests: list[dict[str, Any]]) -> bool:
    return any(PASSPORT in str(r) or "4510" in str(r) for r in requests)


async def chat(client: httpx.AsyncClient, messages: list[dict[str, Any]], **headers: str) -> httpx.Response:
    return await client.post("/v1/chat/completions", json={"model": "chat", "messages": messages}, headers=headers)


async def test_sensitive_requests_never_reach_the_cloud(upstreams: tuple[FakeOpenAI, FakeOpenAI]) -> None:
    onprem, cloud = upstreams
    async with running_gateway(routing_config(onprem, cloud, {"difficulty": {"threshold": 0.5}})) as gw:
        wire(gw)
        async with httpx.AsyncClient(base_url=gw.url, timeout=30) as client:
            # A hard, clean request goes to the cloud: the cloud path is live.
            r = await chat(client, [{"role": "user", "content": HARD}])
            assert r.status_code == 200 and r.headers["x-perimeter-route"] == "cloud"
            assert r.headers["x-perimeter-reason"].startswith("difficulty:")
            cloud_before = len(cloud.requests)

            # The same hard request with a passport number stays on-prem.
            turn1 = [{"role": "user", "content": f"{HARD} My passport is {PASSPORT}."}]
            r = await chat(client, turn1, **{"x-perimeter-conversation": "conv-1"})
            assert r.status_code == 200 and r.headers["x-perimeter-route"] == "local"
            assert r.headers["x-perimeter-reason"] == "sensitive:RU_PASSPORT"

            # Later turn, clean new message, explicit conversation id only: sticky on-prem.
            r = await chat(client, [{"role": "user", "content": HARD}], **{"x-perimeter-conversation": "conv-1"})
            assert r.status_code == 200 and r.headers["x-perimeter-route"] == "local"
            assert r.headers["x-perimeter-reason"] == "sticky:conversation"

            # Later turn that resends the history (passport included): on-prem again.
            turn2 = [*turn1, {"role": "assistant", "content": "ok"}, {"role": "user", "content": HARD}]
            r = await chat(client, turn2)
            assert r.status_code == 200 and r.headers["x-perimeter-route"] == "local"

            # The on-prem model fails: the request fails closed, it does not fall back to the cloud.
            onprem.fail(Fault("status", status=500, times=-1))
            for _ in range(3):  # the third attempt finds the breaker open: 503 from the router
                r = await chat(client, turn1)
                assert r.status_code in (502, 503)
            assert r.status_code == 503 and r.json()["error"]["code"] == "no_on_prem_provider"
            r = await chat(client, [{"role": "user", "content": "hi"}], **{"x-perimeter-conversation": "conv-1"})
            assert r.status_code == 503 and r.json()["error"]["code"] == "no_on_prem_provider"

        assert len(cloud.requests) == cloud_before
        assert not contains_passport(cloud.requests)
        assert contains_passport(onprem.requests)


async def test_cascade_escalates_a_local_refusal_to_the_cloud(upstreams: tuple[FakeOpenAI, FakeOpenAI]) -> None:
    onprem, cloud = upstreams
    onprem.reply = lambda body: "I'm sorry, but I can't help with that."
    async with running_gateway(routing_config(onprem, cloud, {"cascade": {}})) as gw:
        wire(gw)
        async with httpx.AsyncClient(base_url=gw.url, timeout=30) as client:
            r = await chat(client, [{"role": "user", "content": "what is a monad?"}])
            assert r.status_code == 200
            assert r.headers["x-perimeter-reason"] == "cascade:refusal"
            assert r.json()["choices"][0]["message"]["content"] == "echo: what is a monad?"
            assert onprem.requests[-1].get("logprobs") is True
            # A sensitive request is not cascaded: the refusal is returned, the cloud never sees it.
            n = len(cloud.requests)
            r = await chat(client, [{"role": "user", "content": f"passport {PASSPORT}, what is a monad?"}])
            assert r.status_code == 200 and r.headers["x-perimeter-route"] == "local"
            assert len(cloud.requests) == n
