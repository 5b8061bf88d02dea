"""A loopback server that speaks the Anthropic Messages API wire format.

Built from Anthropic's public docs: ``POST /v1/messages`` with ``x-api-key`` and
``anthropic-version`` headers, the request rules the real API enforces (``max_tokens``
required, user/assistant alternation starting with user, non-empty text blocks, each
``tool_result`` answering a ``tool_use`` of the previous assistant turn), error bodies
``{"type":"error","error":{"type","message"}}`` with a ``request-id`` header, and the SSE event
sequence ``message_start → content_block_start → ping → content_block_delta… →
content_block_stop → message_delta → message_stop`` (tool input streamed as
``input_json_delta`` fragments, mid-stream failures as ``event: error``).

Also: extended thinking (``thinking`` blocks streamed as ``thinking_delta`` then
``signature_delta``, ``redacted_thinking`` blocks; the signature of every thinking block sent
back is checked, and a tool-use turn continued with thinking on must start with its thinking
block, as the real API requires), prompt caching (``cache_control`` breakpoints: the prefix up
to the last one is written on first sight and read afterwards, reported as
``cache_creation_input_tokens`` / ``cache_read_input_tokens``, 1-hour writes apart),
``stop_sequences`` (the answer stops at the first one it contains, reported as
``stop_sequence``) and ``POST /v1/messages/count_tokens``.

Tests queue :class:`AnthropicTurn` scripts; with none queued the server echoes the last user
text.  Every request body it received is kept in ``requests`` for assertions.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
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
    thinking: str | None = None  # a thinking block (signed by the fake) before the answer; {last_user}: that text
    redacted: list[str] = field(default_factory=list)  # redacted_thinking blocks (their data) after it


def error_response(status: int, etype: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"type": "error", "error": {"type": etype, "message": message}}
    return web.json_response(body, status=status, headers={"request-id": f"req_{next(_ids):06d}", **(headers or {})})


_SIGNING_KEY = b"fake-anthropic-thinking-key"


def sign(thinking: str) -> str:
    """The signature the fake gives a thinking block (the real API's is opaque, and checked)."""
    return hmac.new(_SIGNING_KEY, thinking.encode(), hashlib.sha256).hexdigest()


def count_tokens(body: dict[str, Any]) -> int:
    """The fake's token count of a prompt: system, tools and messages, ~4 characters a token."""
    parts = [body.get("system") or "", body.get("tools") or [], body["messages"]]
    return 8 + len(json.dumps(parts, ensure_ascii=False)) // 4


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def _check_thinking(body: dict[str, Any]) -> str | None:
    thinking = body.get("thinking")
    enabled = isinstance(thinking, dict) and thinking.get("type") == "enabled"
    if enabled:
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        if "max_tokens" in body and budget >= body["max_tokens"]:
            return "`max_tokens` must be greater than `thinking.budget_tokens`"
        if body.get("temperature") not in (None, 1):
            return "`temperature` may only be set to 1 when thinking is enabled"
    for i, m in enumerate(body["messages"]):
        blocks = _blocks(m.get("content"))
        for j, b in enumerate(blocks):
            if b.get("type") == "thinking" and b.get("signature") != sign(str(b.get("thinking", ""))):
                return f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
        last_assistant = m["role"] == "assistant" and i == len(body["messages"]) - 2
        if enabled and last_assistant and any(b.get("type") == "tool_use" for b in blocks) \
                and blocks[0].get("type") not in ("thinking", "redacted_thinking"):
            return (f"messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
                    f"`{blocks[0].get('type')}`. When `thinking` is enabled, a final `assistant` message must "
                    "start with a thinking block.")
    return None


def validate(body: Any, *, counting: bool = False) -> str | None:
    """The request checks the real API performs that matter to a translating client."""
    if not isinstance(body, dict):
        return "body: must be a JSON object"
    if not isinstance(body.get("model"), str):
        return "model: Field required"
    if not counting and (not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1):
        return "max_tokens: Field required"
    if counting and "max_tokens" in body:
        return "max_tokens: Extra inputs are not permitted"
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
    return _check_thinking(body)


def _cache_prefix(body: dict[str, Any]) -> tuple[str, str] | None:
    """(prefix up to the last ``cache_control`` breakpoint, its ttl) — what the API caches."""
    order: list[Any] = [*(body.get("tools") or []), *_blocks(body.get("system") or [])]
    for m in body["messages"]:
        order.extend(_blocks(m.get("content")))
    last = max((k for k, b in enumerate(order) if isinstance(b, dict) and b.get("cache_control")), default=None)
    if last is None:
        return None
    return json.dumps(order[:last + 1], sort_keys=True), order[last]["cache_control"].get("ttl", "5m")


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
        self.cached: set[str] = set()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def queue(self, *turns: AnthropicTurn) -> None:
        self.turns.extend(turns)

    async def __aenter__(self) -> FakeAnthropic:
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_post("/v1/messages/count_tokens", self._count_tokens)
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

    async def _read(self, request: web.Request, counting: bool) -> dict[str, Any] | web.Response:
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
        problem = validate(body, counting=counting)
        if problem:
            return error_response(400, "invalid_request_error", problem)
        return body

    async def _count_tokens(self, request: web.Request) -> web.StreamResponse:
        body = await self._read(request, counting=True)
        if isinstance(body, web.Response):
            return body
        return web.json_response({"input_tokens": count_tokens(body)})

    def _usage(self, body: dict[str, Any], turn: AnthropicTurn, text: str, tools: int) -> dict[str, Any]:
        prompt = count_tokens(body)
        usage: dict[str, Any] = {"input_tokens": prompt, "output_tokens": len(text.split()) + 5 * tools,
                                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        cache = _cache_prefix(body)
        if cache is not None:
            prefix, ttl = cache
            size = len(prefix) // 4
            usage["input_tokens"] = max(1, prompt - size)
            if prefix in self.cached:
                usage["cache_read_input_tokens"] = size
            else:
                self.cached.add(prefix)
                usage["cache_creation_input_tokens"] = size
                usage["cache_creation"] = {"ephemeral_5m_input_tokens": size if ttl == "5m" else 0,
                                           "ephemeral_1h_input_tokens": size if ttl == "1h" else 0}
        return {**usage, **turn.usage}

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        body = await self._read(request, counting=False)
        if isinstance(body, web.Response):
            return body
        turn = self.turns.popleft() if self.turns else AnthropicTurn()
        if turn.delay:
            await asyncio.sleep(turn.delay)
        if turn.status != 200:
            return error_response(turn.status, turn.error_type, turn.error_message, turn.headers)
        text = turn.text if turn.text is not None else ("" if turn.tool_uses else f"echo: {_last_user_text(body)}")
        tools = [{"id": t.get("id") or f"toolu_{next(_ids):06d}", "name": t["name"], "input": t["input"]}
                 for t in turn.tool_uses]
        stop = turn.stop_reason or ("tool_use" if tools else "end_turn")
        matched = next((s for s in body.get("stop_sequences") or () if s in text), None)
        if matched is not None:
            text, tools, stop = text[:text.index(matched)], [], "stop_sequence"
        usage = self._usage(body, turn, text, len(tools))
        thinking = _thinking_blocks(turn, body)
        msg_id = f"msg_{next(_ids):06d}"
        if body.get("stream"):
            return await self._stream(request, turn, body["model"], msg_id, text, tools, stop, usage, thinking,
                                      matched)
        content: list[dict[str, Any]] = thinking + ([{"type": "text", "text": text}] if text else [])
        content += [{"type": "tool_use", **t} for t in tools]
        return web.json_response(
            {"id": msg_id, "type": "message", "role": "assistant", "model": body["model"], "content": content,
             "stop_reason": stop, "stop_sequence": matched, "usage": usage},
            headers={"request-id": f"req_{next(_ids):06d}", **turn.headers},
        )

    async def _stream(
        self, request: web.Request, turn: AnthropicTurn, model: str, msg_id: str, text: str,
        tools: list[dict[str, Any]], stop: str, usage: dict[str, Any], thinking: list[dict[str, Any]],
        matched: str | None,
    ) -> web.StreamResponse:
        events: list[tuple[str, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": {
            "id": msg_id, "type": "message", "role": "assistant", "content": [], "model": model,
            "stop_reason": None, "stop_sequence": None,
            "usage": {**usage, "output_tokens": 1},
        }})]
        index = 0
        for block in thinking:
            events.extend(_thinking_events(index, block))
            index += 1
        if text:
            events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                   "content_block": {"type": "text", "text": ""}}))
            events.append(("ping", {"type": "ping"}))
            for piece in _pieces(text, 4):
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                                       "delta": {"type": "text_delta", "text": piece}}))
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
            index += 1
        for t in tools:
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": {
                "type": "tool_use", "id": t["id"], "name": t["name"], "input": {}}}))
            for piece in ["", *_pieces(json.dumps(t["input"]), 7)]:
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                                       "delta": {"type": "input_json_delta", "partial_json": piece}}))
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
            index += 1
        events.append(("message_delta", {"type": "message_delta",
                                         "delta": {"stop_reason": stop, "stop_sequence": matched},
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


def _thinking_blocks(turn: AnthropicTurn, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The turn's thinking, only when the request enabled thinking (as the real API)."""
    thinking = body.get("thinking")
    if not (isinstance(thinking, dict) and thinking.get("type") == "enabled"):
        return []
    blocks: list[dict[str, Any]] = []
    if turn.thinking is not None:
        text = turn.thinking.replace("{last_user}", _last_user_text(body))
        blocks.append({"type": "thinking", "thinking": text, "signature": sign(text)})
    blocks += [{"type": "redacted_thinking", "data": d} for d in turn.redacted]
    return blocks


def _thinking_events(index: int, block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if block["type"] == "redacted_thinking":
        return [("content_block_start", {"type": "content_block_start", "index": index, "content_block": block}),
                ("content_block_stop", {"type": "content_block_stop", "index": index})]
    events = [("content_block_start", {"type": "content_block_start", "index": index,
                                       "content_block": {"type": "thinking", "thinking": "", "signature": ""}})]
    for piece in _pieces(block["thinking"], 6):
        events.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                               "delta": {"type": "thinking_delta", "thinking": piece}}))
    events.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                           "delta": {"type": "signature_delta", "signature": block["signature"]}}))
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events
