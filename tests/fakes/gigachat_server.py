"""A loopback server that speaks Sber's GigaChat REST API (v1) and its OAuth endpoint.

Built from the vendor's public docs and its SDK (the ``gigachat`` PyPI package):

* ``POST /api/v2/oauth`` — ``Authorization: Basic <authorization key>``, a uuid4 ``RqUID``
  header, form body ``scope=GIGACHAT_API_PERS|B2B|CORP``; answers ``{"access_token",
  "expires_at"}`` (epoch ms) or the documented ``{"code", "message"}`` errors (code 5 "scope is
  empty", 7 scope mismatch, 6 wrong credentials, 4 bad RqUID);
* ``POST /api/v1/chat/completions`` — the *functions* dialect (``functions``,
  ``function_call``, ``role: function`` results, ``functions_state_id``); plain JSON answers or
  SSE ``data: {json}\\n\\n`` chunks whose ``object`` is ``chat.completion``, usage on the last
  chunk, ``data: [DONE]``;
* ``POST /api/v1/embeddings`` (per-item ``usage``), ``GET /api/v1/models``;
* errors ``{"status": N, "message": "..."}``: 401 for a missing, unknown, expired or revoked
  token, 422 ``Invalid params`` for requests the real API rejects, scripted 429 (with
  ``Retry-After``), 402 and 5xx.

It can listen on HTTPS with a certificate from a test CA (:mod:`tests.fakes.tls`).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import ssl
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

_ROLES = {"system", "user", "assistant", "function"}
_CHAT_FIELDS = {"model", "messages", "temperature", "top_p", "n", "stream", "max_tokens", "repetition_penalty",
                "update_interval", "profanity_check", "function_call", "functions", "flags", "response_format",
                "storage", "reasoning_effort"}
_ids = itertools.count(1)


@dataclass
class GigaFault:
    status: int
    message: str
    retry_after: str | None = None


def _err(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=orjson.dumps({"status": status, "message": message}),
                        content_type="application/json", headers=headers)


def _oauth_err(status: int, code: int, message: str) -> web.Response:
    return web.Response(status=status, body=orjson.dumps({"code": code, "message": message}),
                        content_type="application/json")


@dataclass
class FakeGigaChat:
    client_id: str = "11111111-2222-4333-8444-555555555555"
    client_secret: str = "test-secret"
    scope: str = "GIGACHAT_API_PERS"
    token_ttl: float = 1800.0
    oauth_delay: float = 0.0
    chunk_delay: float = 0.0
    ssl_context: ssl.SSLContext | None = None
    #: Function calls to answer with, one per request (``{"name", "arguments"}``), before echoing.
    function_calls: deque[dict[str, Any]] = field(default_factory=deque)
    faults: deque[GigaFault] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    oauth_calls: int = 0
    unauthorized: int = 0
    tokens: dict[str, float] = field(default_factory=dict)  # token -> server-side expiry (time.time())
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def credentials(self) -> str:
        return base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()

    @property
    def origin(self) -> str:
        return f"{'https' if self.ssl_context else 'http'}://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.origin + "/api/v1"

    @property
    def auth_url(self) -> str:
        return self.origin + "/api/v2/oauth"

    def revoke_all(self) -> None:
        """Every issued token dies now (as when Sber rotates keys): the next call gets 401."""
        self.tokens.clear()

    async def __aenter__(self) -> FakeGigaChat:
        app = web.Application()
        app.router.add_post("/api/v2/oauth", self._oauth)
        app.router.add_post("/api/v1/chat/completions", self._chat)
        app.router.add_post("/api/v1/embeddings", self._embeddings)
        app.router.add_get("/api/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.ssl_context)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ OAuth
    async def _oauth(self, request: web.Request) -> web.Response:
        if self.oauth_delay:
            await asyncio.sleep(self.oauth_delay)
        rquid = request.headers.get("RqUID", "")
        try:
            if uuid.UUID(rquid).version != 4:
                raise ValueError
        except ValueError:
            return _oauth_err(400, 4, "Can't parse RqUID header")
        if not request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return _oauth_err(400, 1, "scope data format invalid")
        form = await request.post()
        scope = str(form.get("scope") or "")
        if not scope:
            return _oauth_err(400, 5, "scope is empty")
        if request.headers.get("Authorization") != f"Basic {self.credentials}":
            return _oauth_err(401, 6, "credentials doesn't match db data")
        if scope != self.scope:
            return _oauth_err(400, 7, "scope from db not fully includes consumed scope")
        self.oauth_calls += 1
        token = f"tok-{next(_ids)}-{uuid.uuid4().hex}"
        expires = time.time() + self.token_ttl
        self.tokens[token] = expires
        return web.json_response({"access_token": token, "expires_at": int(expires * 1000)})

    # ------------------------------------------------------------------ API
    def _check_auth(self, request: web.Request) -> web.Response | None:
        self.headers_seen.append({k.lower(): v for k, v in request.headers.items()})
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        expiry = self.tokens.get(token) if auth.startswith("Bearer ") else None
        if expiry is None or expiry <= time.time():
            self.unauthorized += 1
            return _err(401, "Unauthorized")
        if self.faults:
            f = self.faults.popleft()
            return _err(f.status, f.message, {"Retry-After": f.retry_after} if f.retry_after else None)
        return None

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        denied = self._check_auth(request)
        if denied is not None:
            return denied
        body = orjson.loads(await request.read())
        self.requests.append(body)
        problem = _validate(body)
        if problem:
            return _err(422, f"Invalid params: {problem}")
        if body.get("model") not in ("GigaChat", "GigaChat-2", "GigaChat-2-Pro", "GigaChat-2-Max", "GigaChat-Pro"):
            return _err(404, "No such model")
        message: dict[str, Any]
        last = body["messages"][-1]
        if self.function_calls and body.get("functions") and body.get("function_call") != "none" \
                and last["role"] == "user":
            call = self.function_calls.popleft()
            message = {"role": "assistant", "content": "", "function_call": call,
                       "functions_state_id": str(uuid.uuid4())}
            finish = "function_call"
        else:
            text = f"result: {last['content']}" if last["role"] == "function" else f"echo: {last['content']}"
            message = {"role": "assistant", "content": text}
            finish = "stop"
        prompt = sum(len(str(m.get("content", "")).split()) for m in body["messages"]) + 1
        completion = len(str(message.get("content", "")).split()) + 1
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                 "precached_prompt_tokens": 1}
        created, model = int(time.time()), f"{body['model']}:2.0.28.2"
        if not body.get("stream"):
            return web.json_response({"choices": [{"message": message, "index": 0, "finish_reason": finish}],
                                      "created": created, "model": model, "object": "chat.completion",
                                      "usage": usage})
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "X-Request-Id": request.headers.get("X-Request-ID", "")})
        await resp.prepare(request)
        base = {"created": created, "model": model, "object": "chat.completion"}
        if finish == "function_call":
            events = [{"choices": [{"delta": {**message}, "index": 0, "finish_reason": finish}], **base,
                       "usage": usage}]
        else:
            words = str(message["content"]).split(" ")
            pieces = [w + " " for w in words[:-1]] + [words[-1]]
            events = [{"choices": [{"delta": {"content": p, **({"role": "assistant"} if i == 0 else {})},
                                    "index": 0}], **base} for i, p in enumerate(pieces)]
            events.append({"choices": [{"delta": {"content": ""}, "index": 0, "finish_reason": "stop"}], **base,
                           "usage": usage})
        for ev in events:
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            await resp.write(b"data: " + orjson.dumps(ev) + b"\n\n")
        await resp.write(b"data: [DONE]\n\n")
        return resp

    async def _embeddings(self, request: web.Request) -> web.StreamResponse:
        denied = self._check_auth(request)
        if denied is not None:
            return denied
        body = orjson.loads(await request.read())
        self.requests.append(body)
        texts = body.get("input")
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts) or set(body) - {"model", "input"}:
            return _err(422, "Invalid params: input must be a list of strings")
        data = [{"object": "embedding", "index": i, "usage": {"prompt_tokens": len(t.split()) + 1},
                 "embedding": [float(len(t)), 0.5, -0.25]} for i, t in enumerate(texts)]
        return web.json_response({"object": "list", "model": body.get("model"), "data": data})

    async def _models(self, request: web.Request) -> web.StreamResponse:
        denied = self._check_auth(request)
        if denied is not None:
            return denied
        return web.json_response({"object": "list", "data": [
            {"id": "GigaChat-2-Max", "object": "model", "owned_by": "salutedevices", "type": "chat"},
            {"id": "Embeddings", "object": "model", "owned_by": "salutedevices", "type": "embedder"}]})


def _validate(body: dict[str, Any]) -> str | None:
    """What the real API refuses (422 ``Invalid params``) in a request a translator could get wrong."""
    unknown = set(body) - _CHAT_FIELDS
    if unknown:
        return f"unknown fields {sorted(unknown)}"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty list"
    for i, m in enumerate(messages):
        role = m.get("role")
        if role not in _ROLES:
            return f"messages[{i}].role '{role}'"
        if not isinstance(m.get("content", ""), str):
            return f"messages[{i}].content must be a string"
        if role == "system" and i != 0:
            return "system message must be the first message"
        if role == "function":
            if not m.get("name"):
                return f"messages[{i}]: a function message needs a name"
            try:
                orjson.loads(m.get("content") or "")
            except orjson.JSONDecodeError:
                return f"messages[{i}].content: function result must be valid JSON"
        fc = m.get("function_call")
        if fc is not None and not isinstance(fc.get("arguments"), dict):
            return f"messages[{i}].function_call.arguments must be an object"
    for f in body.get("functions") or []:
        if not f.get("name") or not isinstance(f.get("parameters", {}), dict):
            return "functions[].name and parameters are required"
    call = body.get("function_call")
    if call is not None and call not in ("auto", "none") and not (isinstance(call, dict) and call.get("name")):
        return "function_call must be 'auto', 'none' or {name}"
    return None
