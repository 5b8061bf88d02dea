"""Anthropic-compatible inbound endpoints: ``POST /v1/messages`` (plain and streaming) and
``POST /v1/messages/count_tokens``.

Anthropic-SDK clients (Claude Code, agents built on ``anthropic``) can use Perimeter too: the
body is translated to the canonical OpenAI shape, runs through the same pipeline as
``/v1/chat/completions`` (auth, privacy, routing, fallback, accounting) and the answer is
translated back (:mod:`perimeter.api.anthropic_stream`).  Errors use Anthropic's body
``{"type":"error","error":{"type","message"}}`` so the SDK raises its usual exceptions.

What Anthropic can express beyond the OpenAI shape travels as canonical extensions
(:mod:`perimeter.providers.extensions`): the ``thinking`` config and earlier thinking blocks,
and ``cache_control`` breakpoints.  An Anthropic provider receives them unchanged; any other
provider gets the request without them and the response says so in ``x-perimeter-dropped``.
"""

from __future__ import annotations

from typing import Any

import orjson

from perimeter.api.anthropic_schema import validate_messages
from perimeter.api.anthropic_stream import AnthropicStreamEncoder, openai_response_to_anthropic
from perimeter.api.http import Receive, Scope, Send, encode_headers, send_json
from perimeter.api.openai import Exchange, handle, response_headers, stream_sse
from perimeter.api.schema import validate_chat
from perimeter.api.state import GatewayState
from perimeter.context import RequestContext
from perimeter.errors import GatewayError, bad_request
from perimeter.providers.anthropic.dialect import (
    THINKING_TYPES,
    error_type,
    image_url,
    tool_call,
    tool_choice_to_openai,
)


def anthropic_error_body(err: GatewayError) -> bytes:
    """A GatewayError as Anthropic's error JSON (the SDK maps it by HTTP status)."""
    etype = error_type(err.status)
    return orjson.dumps({"type": "error", "error": {"type": etype, "message": err.message}})


def anthropic_error_event(err: GatewayError) -> bytes:
    return b"event: error\ndata: " + anthropic_error_body(err) + b"\n\n"


# ------------------------------------------------------------------------------------------- request


def _cached(part: dict[str, Any], block: dict[str, Any]) -> dict[str, Any]:
    """``part`` with the block's prompt-cache breakpoint, if it has one."""
    if block.get("cache_control") is not None:
        part["cache_control"] = block["cache_control"]
    return part


def _text_parts(content: Any, where: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise bad_request(f"{where}: must be a string or an array of text blocks", param=where)
    parts = []
    for j, b in enumerate(content):
        if not isinstance(b, dict) or b.get("type") != "text":
            raise bad_request(f"{where}.{j}: only text blocks are supported here", param=where)
        parts.append(_cached({"type": "text", "text": str(b.get("text", ""))}, b))
    return parts


def _system(content: Any) -> dict[str, Any]:
    """The system prompt: a string, or text parts when a block carries a cache breakpoint."""
    parts = _text_parts(content, "system")
    if any("cache_control" in p for p in parts):
        return {"role": "system", "content": parts}
    return {"role": "system", "content": "\n\n".join(p["text"] for p in parts)}


def _image(block: dict[str, Any], where: str) -> dict[str, Any]:
    url = image_url(block.get("source") or {})
    if url is None:
        raise bad_request(f"{where}.source.type must be 'base64' or 'url'", param=where)
    return _cached({"type": "image_url", "image_url": {"url": url}}, block)


def _tool_result(b: dict[str, Any], where: str) -> dict[str, Any]:
    result = b.get("content")
    content: Any
    if isinstance(result, list):
        content = []
        for k, x in enumerate(result):
            xtype = x.get("type") if isinstance(x, dict) else None
            if xtype == "text":
                content.append(_cached({"type": "text", "text": str(x.get("text", ""))}, x))
            elif xtype == "image":
                content.append(_image(x, f"{where}.content.{k}"))
            else:
                raise bad_request(f"{where}.content.{k}: block type '{xtype}' is not supported in a tool_result",
                                  param=where)
        if all(p["type"] == "text" and "cache_control" not in p for p in content):
            content = "".join(p["text"] for p in content)
    else:
        content = str(result or "")
    if b.get("is_error"):
        content = f"Error: {content}" if isinstance(content, str) else [{"type": "text", "text": "Error:"}, *content]
    return _cached({"role": "tool", "tool_call_id": str(b.get("tool_use_id")), "content": content}, b)


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
            parts.append(_cached({"type": "text", "text": str(b.get("text", ""))}, b))
        elif btype == "image":
            parts.append(_image(b, w))
        elif btype == "tool_result":
            tools.append(_tool_result(b, w))
        else:
            raise bad_request(f"{w}: content block type '{btype}' is not supported by this gateway", param=w)
    return tools + ([{"role": "user", "content": parts}] if parts else [])


def _assistant_turn(content: Any, where: str) -> dict[str, Any]:
    if isinstance(content, str):
        return {"role": "assistant", "content": content}
    if not isinstance(content, list):
        raise bad_request(f"{where}.content: must be a string or an array of content blocks", param=where)
    texts: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    thinking: list[dict[str, Any]] = []
    for j, b in enumerate(content):
        btype = b.get("type") if isinstance(b, dict) else None
        if btype == "text":
            texts.append(_cached({"type": "text", "text": str(b.get("text", ""))}, b))
        elif btype == "tool_use":
            calls.append({**tool_call(b), "id": str(b.get("id"))})
        elif btype in THINKING_TYPES:
            thinking.append(dict(b))  # kept verbatim: Anthropic checks the signature when it comes back
        else:
            raise bad_request(f"{where}.content.{j}: content block type '{btype}' is not supported by this gateway",
                              param=f"{where}.content.{j}")
    text: Any = texts if any("cache_control" in t for t in texts) else "".join(t["text"] for t in texts)
    msg: dict[str, Any] = {"role": "assistant", "content": text if texts or not calls else None}
    if thinking:
        msg["thinking_blocks"] = thinking
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


def _thinking(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("type") not in ("enabled", "disabled", "adaptive"):
        raise bad_request("thinking: must be {type: enabled, budget_tokens}, {type: disabled} or "
                          "{type: adaptive}", param="thinking")
    if value["type"] == "enabled":
        budget = value.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
            raise bad_request("thinking.budget_tokens: Field required (an integer)", param="thinking.budget_tokens")
    return value


def _tools(tools: Any) -> list[dict[str, Any]]:
    out = []
    for k, t in enumerate(tools):
        if not isinstance(t, dict) or "input_schema" not in t:
            ttype = t.get("type") if isinstance(t, dict) else None
            raise bad_request(f"tools.{k}: only custom tools with an input_schema are supported "
                              f"(got type '{ttype}')", param=f"tools.{k}")
        fn: dict[str, Any] = {"name": t.get("name"), "parameters": t["input_schema"]}
        if t.get("description"):
            fn["description"] = t["description"]
        out.append(_cached({"type": "function", "function": fn}, t))
    return out


def _output_config(config: Any, out: dict[str, Any]) -> None:
    """``output_config``: a JSON schema for the answer (structured output) and an effort level."""
    if config is None:
        return
    if not isinstance(config, dict):
        raise bad_request("output_config: must be an object", param="output_config")
    fmt = config.get("format")
    if fmt is not None:
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
            raise bad_request("output_config.format: must be {type: json_schema, schema}", param="output_config.format")
        out["response_format"] = {"type": "json_schema", "json_schema": {"name": "output", "schema": fmt["schema"]}}
    if config.get("effort") is not None:
        out["reasoning_effort"] = "xhigh" if config["effort"] == "max" else config["effort"]


def anthropic_request_to_openai(body: Any, *, counting: bool = False) -> dict[str, Any]:
    """Validate an Anthropic Messages request and translate it to the canonical OpenAI body.

    ``counting``: a ``count_tokens`` body (no ``max_tokens``, nothing is generated).
    """
    body = validate_messages(body, counting=counting)
    model, max_tokens, msgs = body["model"], body.get("max_tokens"), body["messages"]
    out_msgs: list[dict[str, Any]] = []
    if body.get("system"):
        out_msgs.append(_system(body["system"]))
    for i, m in enumerate(msgs):
        where = f"messages.{i}"
        role = m.get("role") if isinstance(m, dict) else None
        if role == "user":
            out_msgs.extend(_user_turn(m.get("content"), where))
        elif role == "assistant":
            out_msgs.append(_assistant_turn(m.get("content"), where))
        else:
            raise bad_request(f"{where}.role: Input should be 'user' or 'assistant'", param=f"{where}.role")
    out: dict[str, Any] = {"model": model, "messages": out_msgs}
    if not counting:
        out["max_tokens"] = max_tokens
    for name in ("temperature", "top_p", "top_k", "cache_control"):
        if body.get(name) is not None:
            out[name] = body[name]
    if body.get("thinking") is not None:
        out["thinking"] = _thinking(body["thinking"])
    _output_config(body.get("output_config"), out)
    if body.get("stop_sequences"):
        out["stop"] = list(body["stop_sequences"])
    user = (body.get("metadata") or {}).get("user_id")
    if user:
        out["user"] = str(user)
    if body.get("tools"):
        out["tools"] = _tools(body["tools"])
    if body.get("tool_choice") is not None:
        choice, parallel = _tool_choice(body["tool_choice"])
        out["tool_choice"] = choice
        if parallel is not None:
            out["parallel_tool_calls"] = parallel
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise bad_request("stream: must be a boolean", param="stream")
    if stream and not counting:
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    return out


# ------------------------------------------------------------------------------------------- handler


def _shows_thinking(body: dict[str, Any]) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


def _stops(body: dict[str, Any]) -> list[str]:
    stop = body.get("stop")
    return [stop] if isinstance(stop, str) else list(stop or ())


async def _run_messages(gw: GatewayState, ctx: RequestContext, ex: Exchange, send: Send) -> None:
    thinking, stops = _shows_thinking(ctx.body), _stops(ctx.body)
    if ctx.stream:
        enc = AnthropicStreamEncoder(ctx.alias, thinking=thinking, stops=stops,
                                     input_tokens=gw.pipeline.token_counter.count_prompt(ctx.body))
        it = await gw.pipeline.chat_stream_batches(ctx)

        async def finish() -> bytes:
            return enc.finish()

        await stream_sse(ctx, ex, send, it, encode=enc.feed, done=None, error_event=anthropic_error_event,
                         finish=finish)
        return
    result = await gw.pipeline.chat(ctx)
    ex.started = True
    ex.ack()
    await send_json(send, 200, openai_response_to_anthropic(result, ctx.alias, thinking=thinking, stops=stops),
                    encode_headers(response_headers(ctx)))
    ex.completed = True


async def _run_count(gw: GatewayState, ctx: RequestContext, ex: Exchange, send: Send) -> None:
    count = await gw.pipeline.count_tokens(ctx)
    ex.started = True
    ex.ack()
    await send_json(send, 200, {"input_tokens": count}, encode_headers(response_headers(ctx)))
    ex.completed = True


async def handle_messages(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /v1/messages``."""
    await handle(gw, scope, receive, send, "messages", validate_chat, error_body=anthropic_error_body,
                 to_request=anthropic_request_to_openai, run=_run_messages)


async def handle_count_tokens(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /v1/messages/count_tokens``: the prompt's tokens as the serving provider counts them."""
    await handle(gw, scope, receive, send, "count_tokens", validate_chat, error_body=anthropic_error_body,
                 to_request=lambda body: anthropic_request_to_openai(body, counting=True), run=_run_count)
