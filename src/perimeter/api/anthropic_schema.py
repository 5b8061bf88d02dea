"""Validation of inbound Anthropic Messages request bodies (``POST /v1/messages``).

Checks the documented shape of every field Anthropic defines — content blocks (text, image,
document, tool_use, tool_result, thinking), tools, tool_choice, metadata, stop_sequences,
sampling, thinking, cache_control — and answers a 400 in Anthropic's error format naming the
place (``messages.0.content.1.source``), the way Anthropic's own API does.  It runs before the
translation to the canonical OpenAI shape, so the translator may trust what it reads.
Block types it does not know are left to the translator (which refuses what it cannot carry).
"""

from __future__ import annotations

from typing import Any

from perimeter.api.shape import (
    ANTHROPIC,
    arr,
    boolean,
    fail,
    integer,
    number,
    obj,
    one_of,
    optional,
    string,
    strings,
    type_name,
)
from perimeter.errors import bad_request

_idx = ANTHROPIC.index
_TOOL_CHOICES = frozenset({"auto", "any", "tool", "none"})
_SOURCE_TYPES = frozenset({"base64", "url", "file", "text", "content"})


def _cache_control(block: dict[str, Any], where: str) -> None:
    cc = block.get("cache_control")
    if cc is None:
        return
    c = obj(cc, f"{where}.cache_control")
    one_of(c.get("type"), f"{where}.cache_control.type", ("ephemeral",))
    optional(c, "ttl", f"{where}.cache_control.ttl", lambda v, w: one_of(v, w, ("5m", "1h")))


def _source(v: Any, where: str) -> None:
    src = obj(v, where)
    stype = one_of(src.get("type"), f"{where}.type", _SOURCE_TYPES)
    if stype == "base64":
        string(src.get("media_type"), f"{where}.media_type", non_empty=True)
        string(src.get("data"), f"{where}.data")
    elif stype == "url":
        string(src.get("url"), f"{where}.url", non_empty=True)
    elif stype == "file":
        string(src.get("file_id"), f"{where}.file_id", non_empty=True)
    elif stype == "text":
        string(src.get("data"), f"{where}.data")
    else:
        _content(src.get("content"), f"{where}.content")


def _text_block(b: dict[str, Any], where: str) -> None:
    string(b.get("text"), f"{where}.text")
    optional(b, "citations", f"{where}.citations", arr)


def _tool_result(b: dict[str, Any], where: str) -> None:
    string(b.get("tool_use_id"), f"{where}.tool_use_id", non_empty=True)
    optional(b, "is_error", f"{where}.is_error", boolean)
    if b.get("content") is not None:
        _content(b["content"], f"{where}.content")


def _content(content: Any, where: str) -> None:
    """A string, or an array of content blocks."""
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise fail(where, f"must be a string or an array of content blocks, got {type_name(content)}")
    for j, b in enumerate(content):
        _block(b, _idx(where, j))


def _block(v: Any, where: str) -> None:
    b = obj(v, where)
    btype = string(b.get("type"), f"{where}.type", non_empty=True)
    if btype == "text":
        _text_block(b, where)
    elif btype in ("image", "document"):
        _source(b.get("source"), f"{where}.source")
    elif btype == "tool_use":
        string(b.get("id"), f"{where}.id", non_empty=True)
        string(b.get("name"), f"{where}.name", non_empty=True)
        obj(b.get("input"), f"{where}.input")
    elif btype == "tool_result":
        _tool_result(b, where)
    elif btype == "thinking":
        string(b.get("thinking"), f"{where}.thinking")
        optional(b, "signature", f"{where}.signature", string)
    elif btype == "redacted_thinking":
        string(b.get("data"), f"{where}.data")
    _cache_control(b, where)


def _message(v: Any, where: str) -> None:
    m = obj(v, where)
    one_of(m.get("role"), f"{where}.role", ("user", "assistant"))
    _content(m.get("content"), f"{where}.content")


def _system(v: Any, where: str) -> None:
    if isinstance(v, str):
        return
    for j, b in enumerate(arr(v, where)):
        bw = _idx(where, j)
        block = obj(b, bw)
        one_of(block.get("type"), f"{bw}.type", ("text",))
        _text_block(block, bw)
        _cache_control(block, bw)


def _tool(v: Any, where: str) -> None:
    t = obj(v, where)
    ttype = t.get("type")
    string(t.get("name"), f"{where}.name", non_empty=True)
    if ttype is None or ttype == "custom":
        obj(t.get("input_schema"), f"{where}.input_schema")
        optional(t, "description", f"{where}.description", string)
    else:
        string(ttype, f"{where}.type", non_empty=True)
    _cache_control(t, where)


def _tool_choice(v: Any, where: str) -> None:
    c = obj(v, where)
    ctype = one_of(c.get("type"), f"{where}.type", _TOOL_CHOICES)
    if ctype == "tool":
        string(c.get("name"), f"{where}.name", non_empty=True)
    optional(c, "disable_parallel_tool_use", f"{where}.disable_parallel_tool_use", boolean)


def _thinking(v: Any, where: str) -> None:
    t = obj(v, where)
    ttype = one_of(t.get("type"), f"{where}.type", ("enabled", "disabled", "adaptive"))
    if ttype == "enabled":
        integer(t.get("budget_tokens"), f"{where}.budget_tokens", lo=1)


def _metadata(v: Any, where: str) -> None:
    optional(obj(v, where), "user_id", f"{where}.user_id", string)


def validate_messages(body: Any, *, counting: bool = False) -> dict[str, Any]:
    """Check a Messages request; raise a 400 :class:`~perimeter.errors.GatewayError` naming the place.

    ``counting``: a ``count_tokens`` body, which has no ``max_tokens``.
    """
    if not isinstance(body, dict):
        raise bad_request(f"the request body must be a JSON object, got {type_name(body)}")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("model: Field required (a non-empty string)", param="model")
    max_tokens = body.get("max_tokens")
    if not counting and (not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1):
        raise bad_request("max_tokens: Field required (an integer >= 1)", param="max_tokens")
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise bad_request("messages: must be a non-empty array", param="messages")
    for i, m in enumerate(msgs):
        _message(m, _idx("messages", i))
    optional(body, "system", "system", _system)
    optional(body, "metadata", "metadata", _metadata)
    optional(body, "stop_sequences", "stop_sequences", lambda v, w: strings(v, w, ANTHROPIC))
    optional(body, "stream", "stream", boolean)
    optional(body, "temperature", "temperature", lambda v, w: number(v, w, lo=0, hi=1))
    optional(body, "top_p", "top_p", lambda v, w: number(v, w, lo=0, hi=1))
    optional(body, "top_k", "top_k", lambda v, w: integer(v, w, lo=0))
    tools = body.get("tools")
    if tools is not None:
        for k, t in enumerate(arr(tools, "tools")):
            _tool(t, _idx("tools", k))
    optional(body, "tool_choice", "tool_choice", _tool_choice)
    optional(body, "thinking", "thinking", _thinking)
    optional(body, "service_tier", "service_tier", string)
    return body
