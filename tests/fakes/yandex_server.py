"""A loopback server that speaks Yandex AI Studio's HTTP APIs.

Built from Yandex Cloud's public API reference (``yandex-cloud/cloudapi`` protos, proto3 JSON
mapping) and its SDK (the ``yandex-cloud-ml-sdk`` PyPI package):

* ``POST /foundationModels/v1/completion`` — ``modelUri``, ``completionOptions``, messages
  holding exactly one of ``text`` / ``toolCallList`` / ``toolResultList``; one ``{"result": …}``
  object per line, whose alternative carries the *cumulative* text, int64 fields as strings;
* ``POST /foundationModels/v1/textEmbedding`` — one text, ``{"embedding", "numTokens"}``;
* ``POST /v1/chat/completions``, ``/v1/embeddings``, ``GET /v1/models`` — the
  OpenAI-compatible endpoint (model URIs as model names, a usage chunk before ``[DONE]``);
* ``Authorization: Api-Key …`` or ``Bearer <IAM token>``; the folder of every model URI must be
  the key's folder; errors are gRPC-gateway bodies ``{"error": {"grpcCode", "httpCode",
  "message", "httpStatus", "details"}}``; scripted 429 (with ``Retry-After``) and 5xx.

It records the ``x-data-logging-enabled`` header of every call.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

_GRPC = {400: (3, "Bad Request"), 401: (16, "Unauthorized"), 403: (7, "Forbidden"), 404: (5, "Not Found"),
         429: (8, "Too Many Requests"), 500: (13, "Internal Server Error"), 503: (14, "Service Unavailable")}
_NATIVE_FIELDS = {"modelUri", "completionOptions", "messages", "tools", "jsonObject", "jsonSchema"}
_OPTION_FIELDS = {"stream", "temperature", "maxTokens", "reasoningOptions"}


def grpc_error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    code, text = _GRPC.get(status, (2, "Unknown"))
    body = {"error": {"grpcCode": code, "httpCode": status, "message": message, "httpStatus": text, "details": []}}
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json", headers=headers)


@dataclass
class FakeYandex:
    folder_id: str = "b1gtestfolder"
    api_key: str = "AQVN-test-key"
    iam_tokens: set[str] = field(default_factory=lambda: {"t1.iam-token"})
    chunk_delay: float = 0.0
    tool_calls: deque[dict[str, Any]] = field(default_factory=deque)  # {"name", "arguments"} per request
    faults: deque[tuple[int, str | None]] = field(default_factory=deque)  # (status, retry-after)
    requests: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeYandex:
        app = web.Application()
        app.router.add_post("/foundationModels/v1/completion", self._native)
        app.router.add_post("/foundationModels/v1/textEmbedding", self._native_embedding)
        app.router.add_post("/v1/chat/completions", self._openai_chat)
        app.router.add_post("/v1/embeddings", self._openai_embeddings)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _pre(self, request: web.Request, uri_key: str | None) -> tuple[dict[str, Any], web.Response | None]:
        self.paths.append(request.path)
        self.headers_seen.append({k.lower(): v for k, v in request.headers.items()})
        auth = request.headers.get("Authorization", "")
        if auth != f"Api-Key {self.api_key}" and auth.removeprefix("Bearer ") not in self.iam_tokens:
            return {}, grpc_error(401, "The token is invalid" if auth.startswith("Bearer") else
                                  f"Unknown api key '{auth.removeprefix('Api-Key ')[:8]}…'")
        body: dict[str, Any] = orjson.loads(await request.read()) if request.method == "POST" else {}
        self.requests.append(body)
        if self.faults:
            status, retry_after = self.faults.popleft()
            message = ("ai.textGenerationCompletionSessionsCount.count gauge quota limit exceed: allowed 10 requests"
                       if status == 429 else "Internal error")
            return body, grpc_error(status, message, {"Retry-After": retry_after} if retry_after else None)
        uri = body.get(uri_key) if uri_key else None
        if uri_key is not None and (not isinstance(uri, str) or "://" not in uri):
            return body, grpc_error(400, f"invalid model_uri '{uri}'")
        if uri_key is not None and uri.split("://", 1)[1].split("/", 1)[0] != self.folder_id:
            return body, grpc_error(403, f"Permission to [resource-manager.folder {uri.split('/')[2]}] denied")
        return body, None

    # ------------------------------------------------------------------ native API
    async def _native(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._pre(request, "modelUri")
        if early is not None:
            return early
        problem = _validate_native(body)
        if problem:
            return grpc_error(400, problem)
        last = body["messages"][-1]
        calls = []
        if self.tool_calls and body.get("tools") and "text" in last:
            calls = [{"functionCall": self.tool_calls.popleft()}]
        if calls:
            message: dict[str, Any] = {"role": "assistant", "toolCallList": {"toolCalls": calls}}
            status, text = "ALTERNATIVE_STATUS_TOOL_CALLS", ""
        else:
            results = (last.get("toolResultList") or {}).get("toolResults")
            text = f"result: {results[0]['functionResult']['content']}" if results else f"echo: {last.get('text')}"
            message, status = {"role": "assistant", "text": text}, "ALTERNATIVE_STATUS_FINAL"
        prompt = sum(len(str(m.get("text", "")).split()) for m in body["messages"]) + 1
        def result(msg: dict[str, Any], st: str, done: int) -> bytes:
            usage = {"inputTextTokens": str(prompt), "completionTokens": str(done), "totalTokens": str(prompt + done),
                     "completionTokensDetails": {}}
            return orjson.dumps({"result": {"alternatives": [{"message": msg, "status": st}], "usage": usage,
                                            "modelVersion": "23.10.2024"}})
        words = text.split(" ")
        if not body["completionOptions"].get("stream"):
            return web.Response(body=result(message, status, len(words)), content_type="application/json")
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        if not calls:
            for n in range(1, len(words)):
                if self.chunk_delay:
                    await asyncio.sleep(self.chunk_delay)
                partial = {"role": "assistant", "text": " ".join(words[:n])}
                await resp.write(result(partial, "ALTERNATIVE_STATUS_PARTIAL", n) + b"\n")
        await resp.write(result(message, status, len(words)) + b"\n")
        return resp

    async def _native_embedding(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._pre(request, "modelUri")
        if early is not None:
            return early
        if set(body) - {"modelUri", "text", "dim"} or not isinstance(body.get("text"), str):
            return grpc_error(400, "invalid TextEmbeddingRequest")
        text = body["text"]
        return web.json_response({"embedding": [float(len(text)), 0.5], "numTokens": str(len(text.split()) + 1),
                                  "modelVersion": "06.12.2023"})

    # ------------------------------------------------------------------ OpenAI-compatible API
    async def _openai_chat(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._pre(request, "model")
        if early is not None:
            return early
        last = body["messages"][-1]
        content = last.get("content")
        text = f"echo: {content}" if last.get("role") == "user" else f"result: {content}"
        created, model = int(time.time()), "gpt://" + body["model"].split("/", 3)[-1]
        message: dict[str, Any] = {"role": "assistant", "content": text}
        finish = "stop"
        if self.tool_calls and body.get("tools") and last.get("role") == "user":
            call = self.tool_calls.popleft()
            message = {"role": "assistant", "content": None, "tool_calls": [{
                "id": "call_y1", "type": "function",
                "function": {"name": call["name"], "arguments": orjson.dumps(call["arguments"]).decode()}}]}
            finish, text = "tool_calls", ""
        usage = {"prompt_tokens": 20, "total_tokens": 20 + len(text.split()), "completion_tokens": len(text.split())}
        base = {"id": "chatcmpl-y", "object": "chat.completion.chunk", "created": created, "model": model}
        if not body.get("stream"):
            return web.json_response({**base, "object": "chat.completion", "choices": [
                {"index": 0, "message": message, "finish_reason": finish}], "usage": usage})
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)

        async def send(obj: dict[str, Any]) -> None:
            if self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            await resp.write(b"data: " + orjson.dumps(obj) + b"\n\n")

        await send({**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]})
        if finish == "tool_calls":
            calls = [{"index": 0, **c} for c in message["tool_calls"]]
            await send({**base, "choices": [{"index": 0, "delta": {"tool_calls": calls}}]})
        for w in [w + " " for w in text.split(" ")[:-1]] + ([text.split(" ")[-1]] if text else []):
            await send({**base, "choices": [{"index": 0, "delta": {"content": w}}]})
        await send({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        await send({**base, "choices": [], "usage": usage})
        await resp.write(b"data: [DONE]\n\n")
        return resp

    async def _openai_embeddings(self, request: web.Request) -> web.StreamResponse:
        body, early = await self._pre(request, "model")
        if early is not None:
            return early
        items = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [{"object": "embedding", "index": i, "embedding": [float(len(t)), 0.5]} for i, t in enumerate(items)]
        return web.json_response({"object": "list", "data": data, "model": body["model"],
                                  "usage": {"prompt_tokens": len(items), "total_tokens": len(items)}})

    async def _models(self, request: web.Request) -> web.StreamResponse:
        _, early = await self._pre(request, None)
        if early is not None:
            return early
        return web.json_response({"object": "list", "data": [
            {"id": f"gpt://{self.folder_id}/yandexgpt/latest", "object": "model", "owned_by": "system"}]})


def _validate_native(body: dict[str, Any]) -> str | None:
    """Proto3 JSON parsing: unknown fields and oneof violations are 400s on the real API."""
    unknown = set(body) - _NATIVE_FIELDS
    if unknown:
        return f"invalid CompletionRequest: unknown field {sorted(unknown)[0]!r}"
    opts = body.get("completionOptions") or {}
    if set(opts) - _OPTION_FIELDS:
        return "invalid CompletionOptions"
    if "maxTokens" in opts and not str(opts["maxTokens"]).isdigit():
        return "completionOptions.maxTokens must be an int64"
    for i, m in enumerate(body.get("messages") or []):
        content = [k for k in ("text", "toolCallList", "toolResultList") if k in m]
        if len(content) != 1 or set(m) - {"role", *content}:
            return f"messages[{i}]: exactly one of text, toolCallList, toolResultList"
        if m.get("role") not in ("system", "user", "assistant"):
            return f"messages[{i}].role"
    if not body.get("messages"):
        return "messages: required"
    return None
