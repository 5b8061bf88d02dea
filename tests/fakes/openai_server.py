"""A loopback server that speaks the OpenAI HTTP API, with scriptable faults.

It frames streams exactly as OpenAI does (``data: {json}\\n\\n`` events, a final usage chunk
with ``choices: []`` when ``stream_options.include_usage`` is set, ``data: [DONE]``), returns
OpenAI's error body shape, and can be told to fail in the ways real upstreams fail: HTTP
429/5xx with ``Retry-After``, slow first byte, a stream cut after N chunks, a dropped
connection, a non-SSE answer to a stream request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from tests.fakes.openai_responses import handle_responses, schema_instance


def default_reply(body: dict[str, Any]) -> str:
    """The fake model's answer: repeats the last user message, so tests can see what it saw."""
    msgs = body.get("messages") or []
    if msgs and msgs[-1].get("role") == "tool":
        return f"tool said: {msgs[-1].get('content')}"
    last = ""
    for m in msgs:
        if m.get("role") == "user":
            c = m.get("content")
            if isinstance(c, list):
                c = " ".join(p.get("text", "") for p in c if isinstance(p, dict))
            last = c or ""
    return f"echo: {last}"


@dataclass
class Fault:
    """Make the next ``times`` requests fail (``times=-1``: forever)."""

    kind: str  # "status" | "delay" | "truncate" | "drop" | "not_sse" | "stream_error"
    status: int = 500
    times: int = 1
    retry_after: str | None = None
    delay: float = 0.0
    after_chunks: int = 1
    message: str = "The server had an error while processing your request."


@dataclass
class FakeOpenAI:
    name: str = "fake"
    reply: Callable[[dict[str, Any]], str] = default_reply
    #: Which tool call the fake model makes for a chat body (default: :func:`_tool_call`).
    call: Callable[[dict[str, Any], str], dict[str, Any] | None] | None = None
    chunk_delay: float = 0.0
    first_byte_delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    #: The path and the address of each request (aligned with ``requests``).
    paths: list[str] = field(default_factory=list)
    peers: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    cancelled_streams: int = 0
    completed_streams: int = 0
    active_streams: int = 0
    port: int = 0
    #: Where it listens (a network namespace test binds the host's bridge address).
    host: str = "127.0.0.1"
    #: A ``Set-Cookie`` the chat endpoint sends, as OpenAI's edge does (Cloudflare's ``__cf_bm``
    #: and ``_cfuvid`` on every API response); None sends none.
    set_cookie: str | None = None
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def fail(self, fault: Fault) -> None:
        self.faults.append(fault)

    def _take_fault(self) -> Fault | None:
        if not self.faults:
            return None
        f = self.faults[0]
        if f.times > 0:
            f.times -= 1
            if f.times == 0:
                self.faults.pop(0)
        return f

    async def start(self) -> FakeOpenAI:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/responses", lambda request: handle_responses(self, request))
        app.router.add_post("/v1/completions", self._completions)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeOpenAI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ handlers
    @staticmethod
    def _error(status: int, message: str, retry_after: str | None = None) -> web.Response:
        etype = {429: "rate_limit_exceeded", 400: "invalid_request_error"}.get(status, "server_error")
        body = {"error": {"message": message, "type": etype, "param": None, "code": None}}
        headers = {"retry-after": retry_after} if retry_after else {}
        return web.Response(status=status, body=orjson.dumps(body), content_type="application/json",
                            headers=headers)

    async def _pre(self, request: web.Request) -> tuple[dict[str, Any], Fault | None, web.StreamResponse | None]:
        body = orjson.loads(await request.read())
        self.requests.append(body)
        self.paths.append(request.path)
        self.headers_seen.append({k.lower(): v for k, v in request.headers.items()})
        self.peers.append(request.remote or "")
        fault = self._take_fault()
        if fault is not None:
            if fault.kind == "status":
                return body, fault, self._error(fault.status, fault.message, fault.retry_after)
            if fault.kind == "delay":
                await asyncio.sleep(fault.delay)
            if fault.kind == "drop":
                assert request.transport is not None
                request.transport.close()
                return body, fault, web.Response(status=500)
            if fault.kind == "not_sse":
                return body, fault, web.Response(status=200, text="<html>proxy error</html>",
                                                 content_type="text/html")
        if self.first_byte_delay:
            await asyncio.sleep(self.first_byte_delay)
        return body, fault, None

    def _usage(self, body: dict[str, Any], text: str) -> dict[str, Any]:
        prompt = sum(len(str(m.get("content") or "").split()) for m in body.get("messages") or []) or 1
        completion = len(text.split())
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body, fault, early = await self._pre(request)
        if early is not None:
            return early
        text = self.reply(body)
        n = body.get("n") or 1
        call = (self.call or _tool_call)(body, text)
        rf = body.get("response_format") or {}
        if rf.get("type") == "json_schema":
            text = orjson.dumps(schema_instance((rf.get("json_schema") or {}).get("schema"))).decode()
        text, finish = _cap(body, text)
        if body.get("stream"):
            return await self._stream_chat(request, body, text, n, fault, call, finish)
        created = int(time.time())
        choices = [{"index": i, "message": {"role": "assistant", "content": text, "refusal": None},
                    "logprobs": None, "finish_reason": finish} for i in range(n)]
        if call is not None:
            choices[0]["message"] = {"role": "assistant", "content": None, "tool_calls": [call]}
            choices[0]["finish_reason"] = "tool_calls"
        resp = {"id": f"chatcmpl-{self.name}", "object": "chat.completion", "created": created,
                "model": body.get("model"), "choices": choices, "usage": self._usage(body, text),
                "system_fingerprint": None}
        headers = {"x-served-by": self.name}
        if self.set_cookie is not None:
            headers["set-cookie"] = self.set_cookie
        return web.Response(body=orjson.dumps(resp), content_type="application/json", headers=headers)

    async def _stream_chat(self, request: web.Request, body: dict[str, Any], text: str, n: int,
                           fault: Fault | None, call: dict[str, Any] | None = None,
                           finish: str = "stop") -> web.StreamResponse:
        resp = web.StreamResponse(headers={"content-type": "text/event-stream; charset=utf-8",
                                           "cache-control": "no-cache", "x-served-by": self.name})
        await resp.prepare(request)
        created = int(time.time())
        base = {"id": f"chatcmpl-{self.name}", "object": "chat.completion.chunk", "created": created,
                "model": body.get("model"), "system_fingerprint": None}
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(delta: dict[str, Any], finish: str | None = None, idx: int = 0) -> bytes:
            c = {**base, "choices": [{"index": idx, "delta": delta, "logprobs": None, "finish_reason": finish}]}
            if include_usage:
                c["usage"] = None
            return b"data: " + orjson.dumps(c) + b"\n\n"

        pieces = [w + " " for w in text.split(" ")]
        pieces[-1] = pieces[-1][:-1]
        sent = 0
        self.active_streams += 1
        try:
            for idx in range(n):
                await resp.write(chunk({"role": "assistant", "content": ""}, idx=idx))
            if call is not None:
                return await self._stream_call(resp, chunk, call, body, text, include_usage, base)
            for p in pieces:
                if fault is not None and fault.kind in ("truncate", "stream_error") and sent >= fault.after_chunks:
                    if fault.kind == "stream_error":
                        await resp.write(b"data: " + orjson.dumps(
                            {"error": {"message": fault.message, "type": "server_error"}}) + b"\n\n")
                    assert request.transport is not None
                    request.transport.close()
                    return resp
                if self.chunk_delay:
                    await asyncio.sleep(self.chunk_delay)
                for idx in range(n):
                    await resp.write(chunk({"content": p}, idx=idx))
                sent += 1
            for idx in range(n):
                await resp.write(chunk({}, finish, idx=idx))
            if include_usage:
                await resp.write(b"data: " + orjson.dumps({**base, "choices": [], "usage": self._usage(body, text)})
                                 + b"\n\n")
            await resp.write(b"data: [DONE]\n\n")
            self.completed_streams += 1
        except (asyncio.CancelledError, ConnectionResetError):
            self.cancelled_streams += 1
            raise
        finally:
            self.active_streams -= 1
        return resp

    async def _stream_call(self, resp: web.StreamResponse, chunk: Any, call: dict[str, Any], body: dict[str, Any],
                           text: str, include_usage: bool, base: dict[str, Any]) -> web.StreamResponse:
        """Stream one tool call as OpenAI does: id and name first, then argument fragments."""
        fn = call["function"]
        await resp.write(chunk({"tool_calls": [{"index": 0, "id": call["id"], "type": "function",
                                                "function": {"name": fn["name"], "arguments": ""}}]}))
        args = fn["arguments"]
        for i in range(0, len(args), 6):
            await resp.write(chunk({"tool_calls": [{"index": 0, "function": {"arguments": args[i:i + 6]}}]}))
        await resp.write(chunk({}, "tool_calls"))
        if include_usage:
            await resp.write(b"data: " + orjson.dumps({**base, "choices": [], "usage": self._usage(body, text)})
                             + b"\n\n")
        await resp.write(b"data: [DONE]\n\n")
        self.completed_streams += 1
        return resp

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body, _fault, early = await self._pre(request)
        if early is not None:
            return early
        prompt = body.get("prompt")
        text = f"echo: {prompt if isinstance(prompt, str) else prompt[0]}"
        usage = {"prompt_tokens": 3, "completion_tokens": len(text.split()), "total_tokens": 3 + len(text.split())}
        base = {"id": "cmpl-1", "object": "text_completion", "created": int(time.time()), "model": body.get("model")}
        if body.get("stream"):  # OpenAI frames legacy completions like chat: text_completion chunks, [DONE]
            resp = web.StreamResponse(headers={"content-type": "text/event-stream; charset=utf-8"})
            await resp.prepare(request)
            for piece, finish in ((text, None), ("", "stop")):
                chunk = {**base, "choices": [{"index": 0, "text": piece, "logprobs": None, "finish_reason": finish}]}
                await resp.write(b"data: " + orjson.dumps(chunk) + b"\n\n")
            if (body.get("stream_options") or {}).get("include_usage"):
                await resp.write(b"data: " + orjson.dumps({**base, "choices": [], "usage": usage}) + b"\n\n")
            await resp.write(b"data: [DONE]\n\n")
            return resp
        return web.Response(body=orjson.dumps({**base, "choices": [{"index": 0, "text": text, "logprobs": None,
                                                                     "finish_reason": "stop"}], "usage": usage}),
                            content_type="application/json")

    async def _embeddings(self, request: web.Request) -> web.StreamResponse:
        body, _fault, early = await self._pre(request)
        if early is not None:
            return early
        inp = body.get("input")
        items = inp if isinstance(inp, list) else [inp]
        data = [{"object": "embedding", "index": i, "embedding": [float(len(str(x))), 0.5, -0.25]}
                for i, x in enumerate(items)]
        resp = {"object": "list", "data": data, "model": body.get("model"),
                "usage": {"prompt_tokens": len(items), "total_tokens": len(items)}}
        return web.Response(body=orjson.dumps(resp), content_type="application/json")

    async def _models(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"object": "list", "data": [{"id": "fake-model", "object": "model"}]})


def _tool_call(body: dict[str, Any], text: str) -> dict[str, Any] | None:
    """The fake model calls the first (or the named) tool, unless it just got a tool's result."""
    tools = body.get("tools")
    msgs = body.get("messages") or []
    if not tools or body.get("tool_choice") == "none" or (msgs and msgs[-1].get("role") == "tool"):
        return None
    choice = body.get("tool_choice")
    name = choice["function"]["name"] if isinstance(choice, dict) else tools[0]["function"]["name"]
    return {"id": "call_1", "type": "function", "function": {"name": name, "arguments": orjson.dumps({"echo": text}).decode()}}


def _cap(body: dict[str, Any], text: str) -> tuple[str, str]:
    """The answer cut at the token limit (one word = one token here), as a real model stops."""
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    words = text.split(" ")
    if isinstance(limit, int) and len(words) > limit:
        return " ".join(words[:limit]), "length"
    return text, "stop"
