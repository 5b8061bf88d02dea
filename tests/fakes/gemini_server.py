"""A loopback server that speaks the Gemini API (generativelanguage) wire format.

Built from Google's public docs: ``POST /{version}/models/{model}:generateContent`` and
``:streamGenerateContent?alt=sse`` with the key in ``x-goog-api-key`` (or ``?key=``);
``GenerateContentResponse`` bodies (``candidates[].content.parts``, ``finishReason``,
``safetyRatings``, ``promptFeedback.blockReason``, ``usageMetadata``, ``modelVersion``,
``responseId``); SSE frames ``data: {json}\\r\\n\\r\\n`` with no end marker; Google error bodies
``{"error":{"code","message","status","details"}}`` (``RetryInfo`` on 429, ``ErrorInfo``
``API_KEY_INVALID`` on a bad key); and the request checks the real API makes that matter to a
translating client (roles ``user``/``model``, one data field per part, as many
``functionResponse`` parts as the previous turn had ``functionCall`` parts, unknown fields
rejected).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

_ids = itertools.count(1)

_PART_FIELDS = {"text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode",
                "codeExecutionResult"}
_GEN_FIELDS = {"temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences",
               "presencePenalty", "frequencyPenalty", "seed", "responseMimeType", "responseSchema",
               "responseJsonSchema", "thinkingConfig", "responseLogprobs", "logprobs"}
_TOP_FIELDS = {"contents", "systemInstruction", "generationConfig", "tools", "toolConfig", "safetySettings",
               "cachedContent"}
_SCHEMA_UNKNOWN = {"additionalProperties", "$schema", "strict"}


@dataclass
class GeminiTurn:
    """What the fake answers to one request."""

    text: str | None = None  # None: "echo: <last user text>" (unless function_calls are given)
    function_calls: list[dict[str, Any]] = field(default_factory=list)  # {"name", "args"}
    finish_reason: str = "STOP"
    block_reason: str | None = None  # promptFeedback.blockReason: the prompt itself is refused
    safety_ratings: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    status: int = 200
    error_status: str = "INTERNAL"
    error_message: str = "An internal error has occurred."
    error_details: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None  # stream: drop the connection after this many events
    delay: float = 0.0


def error_response(status: int, gstatus: str, message: str, details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> web.Response:
    err: dict[str, Any] = {"code": status, "message": message, "status": gstatus}
    if details:
        err["details"] = details
    return web.json_response({"error": err}, status=status, headers=headers)


def _schema_problem(schema: Any, path: str) -> str | None:
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k in _SCHEMA_UNKNOWN:
                return f'Invalid JSON payload received. Unknown name "{k}" at \'{path}\': Cannot find field.'
            p = _schema_problem(v, f"{path}.{k}")
            if p:
                return p
    elif isinstance(schema, list):
        for i, v in enumerate(schema):
            p = _schema_problem(v, f"{path}[{i}]")
            if p:
                return p
    return None


def validate(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Invalid JSON payload received."
    for k in body:
        if k not in _TOP_FIELDS:
            return f'Invalid JSON payload received. Unknown name "{k}": Cannot find field.'
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        return "* GenerateContentRequest.contents: contents is not specified"
    prev_calls = 0
    for i, c in enumerate(contents):
        if c.get("role") not in ("user", "model"):
            return f"Please use a valid role: user, model. (contents[{i}])"
        parts = c.get("parts")
        if not isinstance(parts, list) or not parts:
            return f"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty."
        for j, p in enumerate(parts):
            fields = [k for k in p if k in _PART_FIELDS]
            if len(fields) != 1:
                return f"* GenerateContentRequest.contents[{i}].parts[{j}].data: required oneof field 'data' must have one initialized field"
            if "functionResponse" in p and not isinstance(p["functionResponse"].get("response"), dict):
                return f"contents[{i}].parts[{j}].function_response.response: must be an object"
        responses = sum(1 for p in parts if "functionResponse" in p)
        if responses and responses != prev_calls:
            return ("Please ensure that the number of function response parts is equal to the number of "
                    "function call parts of the function call turn.")
        prev_calls = sum(1 for p in parts if "functionCall" in p)
    for k in body.get("generationConfig") or {}:
        if k not in _GEN_FIELDS:
            return f'Invalid JSON payload received. Unknown name "{k}" at \'generation_config\': Cannot find field.'
    for t in body.get("tools") or []:
        for d in t.get("functionDeclarations") or []:
            if not d.get("name"):
                return "* GenerateContentRequest.tools[0].function_declarations[0].name: Name cannot be empty."
            p = _schema_problem(d.get("parameters"), "tools[0].function_declarations[0].parameters")
            if p:
                return p
    return None


def _last_user_text(body: dict[str, Any]) -> str:
    for c in reversed(body["contents"]):
        if c["role"] == "user":
            texts = [p["text"] for p in c["parts"] if "text" in p]
            if texts:
                return " ".join(texts)
    return ""


class FakeGemini:
    """``async with FakeGemini() as fake: fake.base_url`` — a loopback Gemini API."""

    def __init__(self, api_key: str = "AIza-test", api_version: str = "v1beta") -> None:
        self.api_key = api_key
        self.api_version = api_version
        self.turns: deque[GeminiTurn] = deque()
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def queue(self, *turns: GeminiTurn) -> None:
        self.turns.extend(turns)

    async def __aenter__(self) -> FakeGemini:
        app = web.Application()
        app.router.add_post(f"/{self.api_version}/models/{{target}}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.paths.append(request.path_qs)
        self.headers.append({k.lower(): v for k, v in request.headers.items()})
        model, _, method = request.match_info["target"].partition(":")
        if method not in ("generateContent", "streamGenerateContent"):
            return error_response(404, "NOT_FOUND", f"Method not found: {method}")
        key = request.headers.get("x-goog-api-key") or request.query.get("key")
        if key != self.api_key:
            return error_response(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                 "domain": "googleapis.com"}])
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return error_response(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        self.requests.append(body)
        problem = validate(body)
        if problem:
            return error_response(400, "INVALID_ARGUMENT", problem)
        turn = self.turns.popleft() if self.turns else GeminiTurn()
        if turn.delay:
            await asyncio.sleep(turn.delay)
        if turn.status != 200:
            return error_response(turn.status, turn.error_status, turn.error_message, turn.error_details,
                                  turn.headers)
        n = int((body.get("generationConfig") or {}).get("candidateCount") or 1)
        text = turn.text if turn.text is not None else (
            "" if turn.function_calls else f"echo: {_last_user_text(body)}")
        prompt_tokens = 4 + len(json.dumps(body["contents"])) // 40
        usage = {"promptTokenCount": prompt_tokens, "candidatesTokenCount": n * (len(text.split()) + 3 * len(turn.function_calls)),
                 **turn.usage}
        usage["totalTokenCount"] = (usage["promptTokenCount"] + usage["candidatesTokenCount"]
                                    + usage.get("thoughtsTokenCount", 0))
        response_id = f"resp{next(_ids):06d}"
        version = f"{model}-001"
        if method == "streamGenerateContent":
            if request.query.get("alt") != "sse":
                return error_response(400, "INVALID_ARGUMENT", "this fake only implements alt=sse")
            return await self._stream(request, turn, n, text, usage, response_id, version)
        if turn.block_reason:
            return web.json_response({"promptFeedback": {"blockReason": turn.block_reason,
                                                         "safetyRatings": turn.safety_ratings},
                                      "usageMetadata": {"promptTokenCount": prompt_tokens,
                                                        "totalTokenCount": prompt_tokens},
                                      "modelVersion": version, "responseId": response_id})
        parts: list[dict[str, Any]] = [{"text": text}] if text else []
        parts += [{"functionCall": {"name": f["name"], "args": f["args"]}} for f in turn.function_calls]
        candidates = [{"content": {"parts": parts, "role": "model"}, "finishReason": turn.finish_reason,
                       "index": i, "safetyRatings": turn.safety_ratings} for i in range(n)]
        if not parts:
            for c in candidates:
                c["content"] = {"role": "model"}
        return web.json_response({"candidates": candidates, "usageMetadata": usage, "modelVersion": version,
                                  "responseId": response_id}, headers=turn.headers)

    async def _stream(self, request: web.Request, turn: GeminiTurn, n: int, text: str, usage: dict[str, int],
                      response_id: str, version: str) -> web.StreamResponse:
        events: list[dict[str, Any]] = []
        base = {"modelVersion": version, "responseId": response_id}
        running = {"promptTokenCount": usage["promptTokenCount"], "totalTokenCount": usage["promptTokenCount"]}
        if turn.block_reason:
            events.append({"promptFeedback": {"blockReason": turn.block_reason, "safetyRatings": turn.safety_ratings},
                           "usageMetadata": running, **base})
        else:
            pieces = [text[i:i + 6] for i in range(0, len(text), 6)]
            for k, piece in enumerate(pieces):
                last = k == len(pieces) - 1 and not turn.function_calls
                events.append({"candidates": [
                    {"content": {"parts": [{"text": piece}], "role": "model"}, "index": i,
                     **({"finishReason": turn.finish_reason, "safetyRatings": turn.safety_ratings} if last else {})}
                    for i in range(n)], "usageMetadata": usage if last else running, **base})
            if turn.function_calls or not pieces:
                parts = [{"functionCall": {"name": f["name"], "args": f["args"]}} for f in turn.function_calls]
                content: dict[str, Any] = {"parts": parts, "role": "model"} if parts else {"role": "model"}
                events.append({"candidates": [
                    {"content": content, "finishReason": turn.finish_reason, "index": i,
                     "safetyRatings": turn.safety_ratings} for i in range(n)], "usageMetadata": usage, **base})
        resp = web.StreamResponse(headers={"content-type": "text/event-stream", **turn.headers})
        await resp.prepare(request)
        for k, ev in enumerate(events):
            if turn.cut_after is not None and k == turn.cut_after:
                assert request.transport is not None
                request.transport.close()
                return resp
            await resp.write(b"data: " + json.dumps(ev).encode() + b"\r\n\r\n")
        await resp.write_eof()
        return resp
