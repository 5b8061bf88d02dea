"""A loopback server that speaks the Anthropic Messages API wire format.

Built from Anthropic's public docs: ``POST /v1/messages`` with ``x-api-key`` and
``anthropic-version`` headers, the request rules the real API enforces (``max_tokens``
required, user/assistant alternation starting with user, non-empty text blocks, each
``tool_result`` answering a ``tool_use`` of the previous assistant turn), error bodies
``{"type":"error","error":{"type","message"}}`` with a ``request-id`` header, and the SSE event
sequence ``message_start → content_block_start → ping → content_block_delta… →
content_block_stop → message_delta → message_stop`` (tool input streamed as
``input_json_delta`` fragments, mid-stream failures as ``event: error``).

Tests queue :class:`AnthropicTurn` scripts; with none queued the server echoes the last user
text.  Every request body it received is kept in ``requests`` for assertions.
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


@dataclass
class AnthropicTurn:
    """What the fake answers to one request."""

    text: str | None = None  # None: "echo: <last user text>" (unless tool_uses are given)
    tool_uses: list[dict[str, Any]] = field(default_factory=list)  # {"id"?, "name", "input"}
    stop_reason: str | None = None  # default: tool_use when tool_uses, else end_turn
    usage: dict[str, int] = field(default_factory=dict)  # overrides of the computed usage
    status: int = 200  # != 200: an HTTP error answer
    error_type: str = "api_error"
    error_message: str = "error"
    headers: dict[str, str] = field(default_factory=dict)
    stream_error_after: int | None = None  # stream: send ``event: error`` after this many events
    stream_error_type: str = "overloaded_error"
    cut_after: int | None = None  # stream: drop the connection after this many events
    delay: float = 0.0  # seconds before the response head


def error_response(status: int, etype: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"type": "error", "error": {"type": etype, "message": message}}
    return web.json_response(body, status=status, headers={"request-id": f"req_{next(_ids):06d}", **(headers or {})})


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def validate(body: Any) -> str | None:
    """The request checks the real API performs that matter to a translating client."""
    if not isinstance(body, dict):
        return "body: must be a JSON object"
    if not isinstance(body.get("model"), str):
        return "model: Field required"
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        return "max_tokens: Field required"
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        return "messages: at least one message is required"
    system = body.get("system")
    if system is not None and not isinstance(system, str | list):
        return "system: Input should be a valid string or list"
    prev_tool_ids: set[str] = set()
    for i, m in enumerate(msgs):
        role = m.get("role")
        if role not in ("user", "assistant"):
            return f"messages.{i}.role: Input should be 'user' or 'assistant'"
        if i == 0 and role != "user":
            return "messages: first message must use the \"user\" role"
        if i > 0 and msgs[i - 1]["role"] == role:
            return "messages: roles must alternate between \"user\" and \"assistant\""
        tool_ids: set[str] = set()
        for j, b in enumerate(_blocks(m.get("content"))):
            btype = b.get("type")
            if btype == "text" and not b.get("text"):
                return f"messages.{i}.content.{j}.text: text content blocks must be non-empty"
            if btype == "tool_use":
                if role != "assistant" or not isinstance(b.get("input"), dict):
                    return f"messages.{i}.content.{j}: invalid tool_use block"
                tool_ids.add(b["id"])
            if btype == "tool_result" and b.get("tool_use_id") not in prev_tool_ids:
                return (f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: "
                        f"{b.get('tool_use_id')}. Each `tool_result` block must have a corresponding "
                        "`tool_use` block in the previous message.")
            if btype == "image" and b.get("source", {}).get("type") not in ("base64", "url"):
                return f"messages.{i}.content.{j}.source: invalid image source"
        prev_tool_ids = tool_ids
    for t in body.get("tools") or []:
        if not t.get("name") or not isinstance(t.get("input_schema"), dict):
            return "tools: each tool needs name and input_schema"
    return None


def _last_user_text(body: dict[str, Any]) -> str:
    for m in reversed(body["messages"]):
        if m["role"] == "user":
            texts = [b.get("text", "") for b in _blocks(m["content"]) if b.get("type") == "text"]
            if texts:
                return " ".join(texts)
    return ""


def _pieces(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


class FakeAnthropic:
    """``async with FakeAnthropic() as fake: fake.base_url`` — a loopback Anthropic API."""

    def __init__(self, api_key: str = "sk-ant-test") -> None:
        self.api_key = api_key
        self.turns: deque[AnthropicTurn] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def queue(self, *turns: AnthropicTurn) -> None:
        self.turns.extend(turns)

    async def __aenter__(self) -> FakeAnthropic:
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        self.headers.append(dict(request.headers))
        if request.headers.get("x-api-key") != self.api_key:
            return error_response(401, "authentication_error", "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return error_response(400, "invalid_request_error", "anthropic-version: header is required")
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return error_response(400, "invalid_request_error", "There was an error parsing the body")
        self.requests.append(body)
        problem = validate(body)
        if problem:
            return error_response(400, "invalid_request_error", problem)
        turn = self.turns.popleft() if self.turns else AnthropicTurn()
        if turn.delay:
            await asyncio.sleep(turn.delay)
        if turn.status != 200:
            return error_response(turn.status, turn.error_type, turn.error_message, turn.headers)
        text = turn.text if turn.text is not None else ("" if turn.tool_uses else f"echo: {_last_user_text(body)}")
        tools = [{"id": t.get("id") or f"toolu_{next(_ids):06d}", "name": t["name"], "input": t["input"]}
                 for t in turn.tool_uses]
        stop = turn.stop_reason or ("tool_use" if tools else "end_turn")
        usage = {"input_tokens": 10 + len(json.dumps(body["messages"])) // 40, "output_tokens": len(text.split()) + 5 * len(tools),
                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, **turn.usage}
        msg_id = f"msg_{next(_ids):06d}"
        if body.get("stream"):
            return await self._stream(request, turn, body["model"], msg_id, text, tools, stop, usage)
        content: list[dict[str, Any]] = ([{"type": "text", "text": text}] if text else [])
        content += [{"type": "tool_use", **t} for t in tools]
        return web.json_response(
            {"id": msg_id, "type": "message", "role": "assistant", "model": body["model"], "content": content,
             "stop_reason": stop, "stop_sequence": None, "usage": usage},
            headers={"request-id": f"req_{next(_ids):06d}", **turn.headers},
        )

    async def _stream(
        self, request: web.Request, turn: AnthropicTurn, model: str, msg_id: str, text: str,
        tools: list[dict[str, Any]], stop: str, usage: dict[str, int],
    ) -> web.StreamResponse:
        events: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": {
            "id": msg_id, "type": "message", "role": "assistant", "content": [], "model": model,
            "stop_reason": None, "stop_sequence": None,
            "usage": {**usage, "output_tokens": 1},
        }})]
        index = 0
        if text:
            events.append(("content_block_start", {"type": "content_block_start", "index": 0,
                                                   "content_block": {"type": "text", "text": ""}}))
            events.append(("ping", {"type": "ping"}))
            for piece in _pieces(text, 4):
                events.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                       "delta": {"type": "text_delta", "text": piece}}))
            events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
            index = 1
        for t in tools:
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": {
                "type": "tool_use", "id": t["id"], "name": t["name"], "input": {}}}))
            for piece in ["", *_pieces(json.dumps(t["input"]), 7)]:
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                                       "delta": {"type": "input_json_delta", "partial_json": piece}}))
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
            index += 1
        events.append(("message_delta", {"type": "message_delta",
                                         "delta": {"stop_reason": stop, "stop_sequence": None},
                                         "usage": {"output_tokens": usage["output_tokens"]}}))
        events.append(("message_stop", {"type": "message_stop"}))

        resp = web.StreamResponse(headers={
            "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache",
            "request-id": f"req_{next(_ids):06d}", **turn.headers,
        })
        await resp.prepare(request)
        for n, (name, data) in enumerate(events):
            if turn.stream_error_after is not None and n == turn.stream_error_after:
                err = {"type": "error", "error": {"type": turn.stream_error_type, "message": "Overloaded"}}
                await resp.write(f"event: error\ndata: {json.dumps(err)}\n\n".encode())
                return resp
            if turn.cut_after is not None and n == turn.cut_after:
                assert request.transport is not None
                request.transport.close()
                return resp
            await resp.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        await resp.write_eof()
        return resp
