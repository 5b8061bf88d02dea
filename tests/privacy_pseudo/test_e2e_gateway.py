"""Through the real gateway: a cloud upstream never sees a detected value; the client sees originals.

The upstream is an OpenAI-compatible server on loopback that records every request body and
echoes the user's text back — as content, and as a tool call's JSON arguments (``\\u``-escaped,
as some models write them) — streaming in 3-character pieces so surrogates are split across
SSE chunks.  The prompts are the labelled corpus in ``benchmarks/privacy/corpus``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from aiohttp import web

from perimeter.privacy.detect.scanner import Scanner
from perimeter.privacy.guard import PrivacyStage
from tests.fakes.gateway import RunningGateway, openai_provider, running_gateway

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "privacy" / "corpus" / "dev.jsonl"
SECRET = "e2e-secret-0123456789abcdef"


def _last_user_text(body: dict[str, Any]) -> str:
    text = ""
    for m in body.get("messages") or []:
        if m.get("role") == "user":
            c = m.get("content")
            text = "".join(p.get("text", "") for p in c) if isinstance(c, list) else str(c or "")
    return text


class EchoCloud:
    """Records request bodies; answers with what it was sent (content and tool-call arguments)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> EchoCloud:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json(loads=orjson.loads)
        self.requests.append(body)
        said = _last_user_text(body)
        content = f"echo: {said}"
        args = json.dumps({"text": said}, ensure_ascii=True)
        base = {"id": "chatcmpl-e2e", "created": 1, "model": body.get("model")}
        if not body.get("stream"):
            msg: dict[str, Any] = {"role": "assistant", "content": content}
            if body.get("tools"):
                msg["tool_calls"] = [{"id": "call_1", "type": "function",
                                      "function": {"name": "save", "arguments": args}}]
            return web.json_response({**base, "object": "chat.completion", "choices": [
                {"index": 0, "message": msg, "finish_reason": "tool_calls" if body.get("tools") else "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}}, dumps=lambda o: orjson.dumps(o).decode())
        resp = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await resp.prepare(request)

        async def send(choice: dict[str, Any]) -> None:
            chunk = {**base, "object": "chat.completion.chunk", "choices": [choice]}
            await resp.write(b"data: " + orjson.dumps(chunk) + b"\n\n")

        await send({"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None})
        for i in range(0, len(content), 3):
            await send({"index": 0, "delta": {"content": content[i:i + 3]}, "finish_reason": None})
        if body.get("tools"):
            await send({"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                                               "function": {"name": "save", "arguments": ""}}]},
                        "finish_reason": None})
            for i in range(0, len(args), 3):
                await send({"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": args[i:i + 3]}}]},
                            "finish_reason": None})
        await send({"index": 0, "delta": {}, "finish_reason": "tool_calls" if body.get("tools") else "stop"})
        await resp.write(b"data: [DONE]\n\n")
        return resp


def corpus(limit: int = 40) -> list[str]:
    docs = [orjson.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    positives = [d["text"] for d in docs if d.get("entities")]
    step = max(1, len(positives) // limit)
    return positives[::step][:limit]


@pytest.fixture
async def gateway(scanner: Scanner) -> AsyncIterator[tuple[RunningGateway, EchoCloud]]:
    async with EchoCloud() as cloud:
        config = {
            "providers": [openai_provider("cloud", f"http://127.0.0.1:{cloud.port}/v1", location="cloud")],
            "models": {"chat": {"targets": ["cloud"]}},
            "privacy": {"secret": SECRET},
        }
        async with running_gateway(config) as gw:
            pipeline = gw.app.pipeline
            if pipeline.privacy is None:
                # Until services.py builds the stage from the config, attach it the way it will.
                cfg = gw.app.config
                pipeline.privacy = PrivacyStage.from_config(
                    cfg.privacy, {a: m.privacy for a, m in cfg.models.items()}, scanner=scanner)
            yield gw, cloud


def _sse(lines: list[str]) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        if line.startswith("data: ") and line != "data: [DONE]":
            out.append(orjson.loads(line[6:]))
    return out


TOOLS = [{"type": "function", "function": {"name": "save", "parameters": {"type": "object"}}}]


async def test_cloud_never_sees_detected_values_and_client_reads_originals(
    gateway: tuple[RunningGateway, EchoCloud], scanner: Scanner
) -> None:
    gw, cloud = gateway
    prompts = corpus()
    assert len(prompts) >= 30
    checked = 0
    async with httpx.AsyncClient(base_url=gw.base_url, timeout=30) as client:
        for n, prompt in enumerate(prompts):
            detected = [e.text for e in scanner.scan(prompt)]
            req = {"model": "chat", "messages": [{"role": "user", "content": prompt}]}
            if n % 2:
                req["tools"] = TOOLS
            before = len(cloud.requests)
            r = await client.post("/chat/completions", json=req)
            assert r.status_code == 200, r.text
            data = r.json()
            assert data["choices"][0]["message"]["content"] == f"echo: {prompt}"
            if n % 2:
                args = data["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
                assert json.loads(args) == {"text": prompt}
            if detected:
                counts = dict(kv.split("=") for kv in r.headers["x-perimeter-entities"].split(","))
                assert sum(int(v) for v in counts.values()) >= len(detected)
            # Streaming, with surrogates split across chunks.
            async with client.stream("POST", "/chat/completions", json={**req, "stream": True}) as s:
                assert s.status_code == 200
                chunks = _sse([line async for line in s.aiter_lines()])
            text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
            assert text == f"echo: {prompt}"
            if n % 2:
                streamed_args = "".join(
                    call["function"].get("arguments") or ""
                    for c in chunks if c["choices"] for call in c["choices"][0]["delta"].get("tool_calls") or [])
                assert json.loads(streamed_args) == {"text": prompt}
            assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "tool_calls")
            assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
            # What the cloud received: no detected value, anywhere in either request.
            for sent in cloud.requests[before:]:
                wire = orjson.dumps(sent).decode()
                for value in detected:
                    assert value not in wire, (value, prompt)
                    checked += 1
    assert checked > 50


async def test_entities_header_and_block_through_http(gateway: tuple[RunningGateway, EchoCloud]) -> None:
    gw, cloud = gateway
    async with httpx.AsyncClient(base_url=gw.base_url, timeout=30) as client:
        r = await client.post("/chat/completions", json={
            "model": "chat", "messages": [{"role": "user", "content": "Мой ИНН 7707083893, звоните +7 912 345-67-89"}]})
        assert r.status_code == 200
        assert r.headers["x-perimeter-entities"] == "PHONE=1,RU_INN=1"
        assert "7707083893" not in orjson.dumps(cloud.requests[-1]).decode()
        assert r.json()["choices"][0]["message"]["content"] == "echo: Мой ИНН 7707083893, звоните +7 912 345-67-89"
        n = len(cloud.requests)
        r = await client.post("/chat/completions", json={
            "model": "chat", "messages": [{"role": "user", "content": [
                {"type": "text", "text": "что на картинке?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]})
        assert r.status_code == 400 and r.json()["error"]["code"] == "unscannable_content"
        assert len(cloud.requests) == n  # fail closed: nothing was sent
