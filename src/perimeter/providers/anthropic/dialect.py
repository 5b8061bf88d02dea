"""What Anthropic Messages and OpenAI Chat Completions mean by the same thing, both ways.

Perimeter speaks Anthropic in two directions: the outbound adapter (:mod:`.translate`, an
OpenAI body to an Anthropic provider) and the inbound endpoint (:mod:`perimeter.api.anthropic`,
an Anthropic client to any provider).  Each mapping that both need — stop reasons, usage,
images, tool calls, tool choice, thinking, error types — is written once here, as a pair of
functions, so the two directions cannot drift apart.

Thinking travels in the canonical body as Anthropic's own blocks (``thinking_blocks`` on an
assistant message, signatures included: Anthropic needs them back byte for byte) and, for
OpenAI-shaped readers, as ``reasoning_content`` text; see :mod:`perimeter.providers.extensions`.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

# Anthropic ``stop_reason`` -> OpenAI ``finish_reason``.
STOP_TO_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
# OpenAI ``finish_reason`` -> Anthropic ``stop_reason``.
FINISH_TO_STOP = {
    "stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "function_call": "tool_use",
    "content_filter": "refusal",
}
# HTTP status -> Anthropic error ``type`` (what the SDK expects for each status).
ERROR_TYPES = {
    400: "invalid_request_error", 401: "authentication_error", 402: "billing_error", 403: "permission_error",
    404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 500: "api_error",
    502: "api_error", 503: "overloaded_error", 504: "timeout_error", 529: "overloaded_error",
}


def finish_reason(stop_reason: Any) -> str:
    return STOP_TO_FINISH.get(str(stop_reason), "stop")


def stop_reason(finish: Any) -> str:
    return FINISH_TO_STOP.get(str(finish), "end_turn")


def error_type(status: int) -> str:
    return ERROR_TYPES.get(status, "invalid_request_error" if status < 500 else "api_error")


# ------------------------------------------------------------------------------------------ thinking

#: ``reasoning_effort`` (OpenAI, Responses ``reasoning.effort``) → Anthropic thinking budget.
EFFORT_BUDGETS = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 16384, "xhigh": 32768}
#: Anthropic's smallest thinking budget.
MIN_BUDGET = 1024
THINKING_TYPES = ("thinking", "redacted_thinking")


def thinking_for_effort(effort: Any, max_tokens: int) -> dict[str, Any] | None:
    """An effort level as a thinking config that fits in ``max_tokens`` (thinking counts toward
    it), or ``None`` when none fits or the effort asks for no reasoning."""
    budget = EFFORT_BUDGETS.get(str(effort))
    if budget is None:
        return None
    budget = min(budget, max_tokens - 1)
    return {"type": "enabled", "budget_tokens": budget} if budget >= MIN_BUDGET else None


def thinking_text(blocks: list[dict[str, Any]]) -> str:
    """The readable thinking of some blocks (``reasoning_content`` for OpenAI-shaped clients)."""
    return "".join(str(b.get("thinking", "")) for b in blocks if b.get("type") == "thinking")


def thinking_delta(block: dict[str, Any]) -> dict[str, Any]:
    """A finished or opaque thinking block as a canonical stream delta (no text: that streams
    as ``reasoning_content``): the signature, or a redacted block whole."""
    if block.get("type") == "redacted_thinking":
        return {"thinking_blocks": [{"type": "redacted_thinking", "data": block.get("data", "")}]}
    return {"thinking_blocks": [{"type": "thinking", "signature": block.get("signature", "")}]}


# ------------------------------------------------------------------------------------------ usage


def to_openai_usage(usage: dict[str, Any] | None) -> dict[str, Any]:
    """Anthropic usage → OpenAI usage; cache reads and writes are prompt tokens too.

    Cache writes are billed by their time to live (1.25x input for 5 minutes, 2x for an hour),
    so the one-hour part is kept apart (``cache_creation_1h_tokens``) for the ledger.
    """
    u = usage or {}
    cache_read = int(u.get("cache_read_input_tokens") or 0)
    cache_write = int(u.get("cache_creation_input_tokens") or 0)
    prompt = int(u.get("input_tokens") or 0) + cache_read + cache_write
    completion = int(u.get("output_tokens") or 0)
    details = {"cached_tokens": cache_read, "cache_creation_tokens": cache_write}
    by_ttl = u.get("cache_creation")
    if isinstance(by_ttl, dict) and by_ttl.get("ephemeral_1h_input_tokens"):
        details["cache_creation_1h_tokens"] = int(by_ttl["ephemeral_1h_input_tokens"])
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": details,
    }


def to_anthropic_usage(usage: dict[str, Any] | None) -> dict[str, int]:
    """OpenAI usage → Anthropic usage (the inverse of :func:`to_openai_usage`)."""
    u = usage or {}
    details = u.get("prompt_tokens_details") or {}
    cached = int(details.get("cached_tokens") or 0)
    created = int(details.get("cache_creation_tokens") or 0)
    return {
        "input_tokens": max(0, int(u.get("prompt_tokens") or 0) - cached - created),
        "output_tokens": int(u.get("completion_tokens") or 0),
        "cache_creation_input_tokens": created,
        "cache_read_input_tokens": cached,
    }


# ------------------------------------------------------------------------------------------ images


def image_block(url: str) -> dict[str, Any] | None:
    """An OpenAI ``image_url`` (https or a base64 data URL) → an Anthropic ``image`` block.

    ``None`` for a data URL that is not base64 (Anthropic accepts only base64 sources).
    """
    if url.startswith("data:"):
        header, _, data = url.partition(",")
        media_type = header[5:].split(";", 1)[0] or "image/png"
        if ";base64" not in header:
            return None
        return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def image_url(source: dict[str, Any]) -> str | None:
    """An Anthropic image ``source`` → an OpenAI image URL (``None`` for an unknown source type)."""
    if source.get("type") == "base64":
        return f"data:{source.get('media_type', 'image/png')};base64,{source.get('data', '')}"
    if source.get("type") == "url":
        return str(source.get("url"))
    return None


# ------------------------------------------------------------------------------------------ tools


def tool_call(block: dict[str, Any]) -> dict[str, Any]:
    """An Anthropic ``tool_use`` block → an OpenAI ``tool_calls[]`` entry (arguments as JSON text)."""
    return {"id": block.get("id"), "type": "function",
            "function": {"name": block.get("name"), "arguments": orjson.dumps(block.get("input") or {}).decode()}}


def tool_input(arguments: Any) -> dict[str, Any]:
    """OpenAI tool-call ``arguments`` (JSON text) → an Anthropic ``input`` object, lossless on junk."""
    try:
        value = orjson.loads(arguments or "{}")
    except (orjson.JSONDecodeError, TypeError):
        return {"arguments": arguments}
    return value if isinstance(value, dict) else {"value": value}


def new_tool_use_id() -> str:
    return f"toolu_{uuid.uuid4().hex[:24]}"


def tool_choice_to_openai(choice: dict[str, Any]) -> tuple[Any, bool | None] | None:
    """Anthropic ``tool_choice`` → (OpenAI ``tool_choice``, ``parallel_tool_calls`` or None).

    ``None`` when the type is unknown (the caller says what it accepts).
    """
    ctype = choice.get("type")
    parallel = False if choice.get("disable_parallel_tool_use") else None
    if ctype == "auto":
        return "auto", parallel
    if ctype == "any":
        return "required", parallel
    if ctype == "none":
        return "none", None
    if ctype == "tool":
        return {"type": "function", "function": {"name": choice.get("name")}}, parallel
    return None


def tool_choice_to_anthropic(choice: Any, parallel: Any) -> dict[str, Any] | None:
    """OpenAI ``tool_choice`` + ``parallel_tool_calls`` → Anthropic ``tool_choice``.

    ``None`` when nothing needs saying; :class:`ValueError` when the OpenAI value is not understood.
    """
    out: dict[str, Any] | None
    if choice is None:
        out = {"type": "auto"} if parallel is False else None
    elif choice == "auto":
        out = {"type": "auto"}
    elif choice == "required":
        out = {"type": "any"}
    elif choice == "none":
        return {"type": "none"}
    elif isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        out = {"type": "tool", "name": choice["function"].get("name")}
    else:
        raise ValueError(f"unknown tool_choice {choice!r}")
    if out is not None and parallel is False:
        out["disable_parallel_tool_use"] = True
    return out
