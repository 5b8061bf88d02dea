"""Anthropic-compatible inbound endpoint: ``POST /v1/messages`` (plain and streaming).

Anthropic-SDK clients (Claude Code, agents built on ``anthropic``) can use Perimeter too: the
body is translated to the canonical OpenAI shape, runs through the same pipeline as
``/v1/chat/completions`` (auth, privacy, routing, fallback, accounting) and the answer is
translated back — a ``message`` object, or the SSE event sequence ``message_start →
content_block_start/delta/stop… → message_delta → message_stop``.  Errors use Anthropic's
body ``{"type":"error","error":{"type","message"}}`` so the SDK raises its usual exceptions.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson

from perimeter.api.anthropic_schema import validate_messages
from perimeter.api.http import Receive, Scope, Send, encode_headers, send_json
from perimeter.api.openai import Exchange, handle, response_headers, stream_sse
from perimeter.api.schema import validate_chat
from perimeter.api.state import GatewayState
from perimeter.context import RequestContext
from perimeter.errors import GatewayError, bad_request
from perimeter.providers.anthropic.dialect import (
    error_type,
    image_url,
    new_tool_use_id,
    stop_reason,
    to_anthropic_usage,
    tool_call,
    tool_choice_to_openai,
    tool_input,
)


def anthropic_error_body(err: GatewayError) -> bytes:
    """A GatewayError as Anthropic's error JSON (the SDK maps it by HTTP status)."""
    etype = error_type(err.status)
    return orjson.dumps({"type": "error", "error": {"type": etype, "message": err.message}})


def anthropic_error_event(err: GatewayError) -> bytes:
    return b"event: error\ndata: " + anthropic_error_body(err) + b"\n\n"


# ------------------------------------------------------------------------------------------- request


def _text(content: Any, where: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for j, b in enumerate(content):
            if not isinstance(b, dict) or b.get("type") != "text":
                raise bad_request(f"{where}.{j}: only text blocks are supported here", param=where)
            out.append(str(b.get("text", "")))
        return "\n\n".join(out) if where == "system" else "".join(out)
    raise bad_request(f"{where}: must be a string or an array of text blocks", param=where)


def _image(block: dict[str, Any], where: str) -> dict[str, Any]:
    url = image_url(block.get("source") or {})
    if url is None:
        raise bad_request(f"{where}.source.type must be 'base64' or 'url'", param=where)
    return {"type": "image_url", "image_url": {"url": url}}


def _user_turn(content: Any, where: str) -> list[dict[str, Any]]:
    """One Anthropic user turn → tool messages (results first) plus at most one user message."""
    if isinstance(content, str):
        return [{"role": "user", "content": content}]
    if not isinstance(content, list):
        raise bad_request(f"{where}.content: must be a string or an array of content blocks", param=where)
    tools: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for j, b in enumerate(content):
        btype = b.get("type") if isinstance(b, dict) else None
        w = f"{where}.content.{j}"
        if btype == "text":
            parts.append({"type": "text", "text": str(b.get("text", ""))})
        elif btype == "image":
            parts.append(_image(b, w))
        elif btype == "tool_result":
            result = b.get("content")
            text = result if isinstance(result, str) else "".join(
                str(x.get("text", "")) for x in result or [] if isinstance(x, dict) and x.get("type") == "text")
            if b.get("is_error"):
                text = f"Error: {text}"
            tools.append({"role": "tool", "tool_call_id": str(b.get("tool_use_id")), "content": text})
        else:
            raise bad_request(f"{w}: content block type '{btype}' is not supported by this gateway", param=w)
    return tools + ([{"role": "user", "content": parts}] if parts else [])


def _assistant_turn(content: Any, where: str) -> dict[str, Any]:
    if isinstance(content, str):
        return {"role": "assistant", "content": content}
    if not isinstance(content, list):
        raise bad_request(f"{where}.content: must be a string or an array of content blocks", param=where)
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for j, b in enumerate(content):
        btype = b.get("type") if isinstance(b, dict) else None
        if btype == "text":
            texts.append(str(b.get("text", "")))
        elif btype == "tool_use":
            calls.append({**tool_call(b), "id": str(b.get("id"))})
        elif btype in ("thinking", "redacted_thinking"):
            continue  # model-private reasoning: not replayable across vendors
        else:
            raise bad_request(f"{where}.content.{j}: content block type '{btype}' is not supported by this gateway",
                              param=f"{where}.content.{j}")
    msg: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts or not calls else None}
    if calls:
        msg["tool_calls"] = calls
    return msg


def _tool_choice(choice: Any) -> tuple[Any, bool | None]:
    if not isinstance(choice, dict):
        raise bad_request("tool_choice: must be an object with a 'type'", param="tool_choice")
    mapped = tool_choice_to_openai(choice)
    if mapped is None:
        raise bad_request(f"tool_choice.type: '{choice.get('type')}' is not one of auto, any, tool, none",
                          param="tool_choice")
    return mapped


def anthropic_request_to_openai(body: Any) -> dict[str, Any]:
    """Validate an Anthropic Messages request and translate it to the canonical OpenAI body."""
    body = validate_messages(body)
    model, max_tokens, msgs = body["model"], body["max_tokens"], body["messages"]
    out_msgs: list[dict[str, Any]] = []
    if body.get("system"):
        out_msgs.append({"role": "system", "content": _text(body["system"], "system")})
    for i, m in enumerate(msgs):
        where = f"messages.{i}"
        role = m.get("role") if isinstance(m, dict) else None
        if role == "user":
            out_msgs.extend(_user_turn(m.get("content"), where))
        elif role == "assistant":
            out_msgs.append(_assistant_turn(m.get("content"), where))
        else:
            raise bad_request(f"{where}.role: Input should be 'user' or 'assistant'", param=f"{where}.role")
    out: dict[str, Any] = {"model": model, "messages": out_msgs, "max_tokens": max_tokens}
    for name in ("temperature", "top_p"):
        if body.get(name) is not None:
            out[name] = body[name]
    if body.get("stop_sequences"):
        out["stop"] = list(body["stop_sequences"])
    user = (body.get("metadata") or {}).get("user_id")
    if user:
        out["user"] = str(user)
    tools = body.get("tools")
    if tools:
        out["tools"] = []
        for k, t in enumerate(tools):
            if not isinstance(t, dict) or "input_schema" not in t:
                ttype = t.get("type") if isinstance(t, dict) else None
                raise bad_request(f"tools.{k}: only custom tools with an input_schema are supported "
                                  f"(got type '{ttype}')", param=f"tools.{k}")
            fn: dict[str, Any] = {"name": t.get("name"), "parameters": t["input_schema"]}
            if t.get("description"):
                fn["description"] = t["description"]
            out["tools"].append({"type": "function", "function": fn})
    if body.get("tool_choice") is not None:
        choice, parallel = _tool_choice(body["tool_choice"])
        out["tool_choice"] = choice
        if parallel is not None:
            out["parallel_tool_calls"] = parallel
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise bad_request("stream: must be a boolean", param="stream")
    if stream:
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    return out


# ------------------------------------------------------------------------------------------- response


def _msg_id(openai_id: Any) -> str:
    raw = str(openai_id or "")
    return raw if raw.startswith("msg_") else "msg_" + (raw.removeprefix("chatcmpl-") or uuid.uuid4().hex)


def openai_response_to_anthropic(resp: dict[str, Any], model: str) -> dict[str, Any]:
    """A ``chat.completion`` → an Anthropic ``message`` (first choice)."""
    choice = (resp.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    content: list[dict[str, Any]] = []
    if message.get("content"):
        content.append({"type": "text", "text": message["content"]})
    for call in message.get("tool_calls") or []:
        fn = call.get("function") or {}
        content.append({"type": "tool_use", "id": call.get("id"), "name": fn.get("name"),
                        "input": tool_input(fn.get("arguments"))})
    return {
        "id": _msg_id(resp.get("id")), "type": "message", "role": "assistant", "model": model,
        "content": content,
        "stop_reason": stop_reason(choice.get("finish_reason")),
        "stop_sequence": None,
        "usage": to_anthropic_usage(resp.get("usage")),
    }


def _event(name: str, data: dict[str, Any]) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


class AnthropicStreamEncoder:
    """OpenAI ``chat.completion.chunk`` dicts → Anthropic SSE events, as bytes.

    Text deltas go into a text block; each new tool call opens a ``tool_use`` block whose
    argument fragments become ``input_json_delta`` events.  Stop reason and usage (which
    OpenAI streams send last) go out in ``message_delta`` from :meth:`finish`.
    """

    def __init__(self, model: str) -> None:
        self.model = model
        self.started = False
        self._block = -1
        self._block_type: str | None = None
        self._tool_blocks: dict[int, int] = {}
        self._finish: str | None = None
        self._usage: dict[str, Any] | None = None

    def _start(self, chunk_id: Any) -> bytes:
        self.started = True
        return _event("message_start", {"type": "message_start", "message": {
            "id": _msg_id(chunk_id), "type": "message", "role": "assistant", "model": self.model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 0, "output_tokens": 0},
        }})

    def _open(self, block: dict[str, Any]) -> bytes:
        out = self._close()
        self._block += 1
        self._block_type = block["type"]
        return out + _event("content_block_start", {"type": "content_block_start", "index": self._block,
                                                    "content_block": block})

    def _close(self) -> bytes:
        if self._block_type is None:
            return b""
        self._block_type = None
        return _event("content_block_stop", {"type": "content_block_stop", "index": self._block})

    def feed(self, chunk: dict[str, Any]) -> bytes:
        out = b"" if self.started else self._start(chunk.get("id"))
        if chunk.get("usage"):
            self._usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if text:
                if self._block_type != "text":
                    out += self._open({"type": "text", "text": ""})
                out += _event("content_block_delta", {"type": "content_block_delta", "index": self._block,
                                                      "delta": {"type": "text_delta", "text": text}})
            for tc in delta.get("tool_calls") or []:
                idx = int(tc.get("index", 0))
                fn = tc.get("function") or {}
                if tc.get("id") or idx not in self._tool_blocks:
                    out += self._open({"type": "tool_use", "id": tc.get("id") or new_tool_use_id(),
                                       "name": fn.get("name") or "", "input": {}})
                    self._tool_blocks[idx] = self._block
                if fn.get("arguments"):
                    out += _event("content_block_delta", {
                        "type": "content_block_delta", "index": self._tool_blocks[idx],
                        "delta": {"type": "input_json_delta", "partial_json": fn["arguments"]}})
            if choice.get("finish_reason"):
                self._finish = choice["finish_reason"]
        return out

    def finish(self) -> bytes:
        out = (b"" if self.started else self._start(None)) + self._close()
        usage = to_anthropic_usage(self._usage)
        out += _event("message_delta", {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason(self._finish), "stop_sequence": None},
            "usage": usage,
        })
        return out + _event("message_stop", {"type": "message_stop"})


# ------------------------------------------------------------------------------------------- handler

_END: dict[str, Any] = {"__end__": True}


async def _with_end(it: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """The pipeline's chunks, then a sentinel so the encoder can write the closing events."""
    try:
        async for chunk in it:
            yield chunk
        yield _END
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            await aclose()


async def _run_messages(gw: GatewayState, ctx: RequestContext, ex: Exchange, send: Send) -> None:
    if ctx.stream:
        enc = AnthropicStreamEncoder(ctx.alias)
        it = await gw.pipeline.chat_stream(ctx)
        await stream_sse(ctx, ex, send, _with_end(it),
                         encode=lambda c: enc.finish() if c is _END else enc.feed(c),
                         done=None, error_event=anthropic_error_event)
        return
    result = await gw.pipeline.chat(ctx)
    ex.started = True
    ex.ack()
    await send_json(send, 200, openai_response_to_anthropic(result, ctx.alias),
                    encode_headers(response_headers(ctx)))
    ex.completed = True


async def handle_messages(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /v1/messages``: register in ``app.ROUTES``."""
    await handle(gw, scope, receive, send, "messages", validate_chat, error_body=anthropic_error_body,
                 to_request=anthropic_request_to_openai, run=_run_messages)
