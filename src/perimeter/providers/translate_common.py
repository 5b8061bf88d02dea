"""Pieces every OpenAI → vendor translation needs, kept in one place.

Vendor adapters (Anthropic, Gemini) turn OpenAI-shaped requests into their own protocol; the
parts that do not depend on the vendor — refusing what cannot be expressed, decoding tool-call
arguments — live here so both adapters fail the same way on the same input.
"""

from __future__ import annotations

from typing import Any

import orjson

from perimeter.errors import ProviderError


def unsupported(message: str, param: str | None = None, code: str = "unsupported_for_provider") -> ProviderError:
    """A request the adapter cannot express upstream: the client's fault, never retried."""
    return ProviderError(
        message, status=400, retryable=False, kind="safety_block" if code == "safety_block" else "bad_request",
        reflects_health=code == "safety_block", body={"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}},
    )


def tool_arguments(arguments: Any, where: str) -> dict[str, Any]:
    """OpenAI sends tool-call arguments as a JSON string; vendors want the object."""
    if isinstance(arguments, dict):
        return arguments
    if not arguments:
        return {}
    try:
        value = orjson.loads(arguments)
    except (orjson.JSONDecodeError, TypeError):
        raise unsupported(f"{where}.function.arguments is not valid JSON", where) from None
    if not isinstance(value, dict):
        raise unsupported(f"{where}.function.arguments must be a JSON object", where)
    return value


def text_content(content: Any, where: str, hint: str) -> str:
    """A message's content for vendors that take plain text only; other parts are refused with ``hint``."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise unsupported(f"{where}.content must be a string or a list of text parts", where)
    out = []
    for i, part in enumerate(content):
        ptype = part.get("type") if isinstance(part, dict) else None
        if ptype != "text":
            raise unsupported(f"{where}.content[{i}]: part type '{ptype}' is not supported {hint}", where)
        out.append(str(part.get("text") or ""))
    return "".join(out)


def usage_chunk(stream_id: str, created: int, model: str, usage: dict[str, Any]) -> dict[str, Any]:
    """The final ``choices: []`` chunk that carries a stream's usage (``stream_options.include_usage``)."""
    return {"id": stream_id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [], "usage": usage}


def transient_error(text: str, status: int, retry_after: float | None) -> ProviderError | None:
    """429, 408 and 5xx: the upstream's problem, retried or fallen back from (``None`` otherwise)."""
    if status == 429:
        return ProviderError(text, status=429, retry_after=retry_after, kind="rate_limited")
    if status >= 500 or status == 408:
        return ProviderError(text, status=status, retry_after=retry_after,
                             kind="timeout" if status in (408, 504) else "upstream_5xx")
    return None
