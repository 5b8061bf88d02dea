"""Canonical-body fields beyond OpenAI's chat shape, and taking them out for adapters that cannot use them.

The canonical body is OpenAI's Chat Completions shape plus a few fields that carry what other
APIs can express and a provider may honour:

``thinking`` (``{"type": "enabled", "budget_tokens": N}``, Anthropic's extended thinking) and,
  on assistant messages, ``thinking_blocks`` — the model's earlier thinking as Anthropic
  returned it (``{"type": "thinking", "thinking", "signature"}`` or
  ``{"type": "redacted_thinking", "data"}``), which Anthropic needs back unchanged when a
  tool-use turn continues.
``cache_control`` (``{"type": "ephemeral", "ttl"?}``) on content parts, messages, tools or
  the body: Anthropic's prompt-cache breakpoints.

An adapter lists in ``Provider.extensions`` the ones it passes on; for any other provider the
pipeline removes them before the call (:func:`strip_extensions`) and says so in the
``x-perimeter-dropped`` response header — never silently, and never as an upstream 400 for an
unknown field.
"""

from __future__ import annotations

from typing import Any

THINKING = "thinking"
CACHE_CONTROL = "cache_control"


def _has_thinking(body: dict[str, Any]) -> bool:
    if body.get("thinking") is not None:
        return True
    return any(isinstance(m, dict) and m.get("thinking_blocks") for m in body.get("messages") or ())


def _has_cache_control(body: dict[str, Any]) -> bool:
    if "cache_control" in body:
        return True
    for t in body.get("tools") or ():
        if isinstance(t, dict) and "cache_control" in t:
            return True
    for m in body.get("messages") or ():
        if not isinstance(m, dict):
            continue
        if "cache_control" in m:
            return True
        content = m.get("content")
        if isinstance(content, list):
            for p in content:
                if isinstance(p, dict) and "cache_control" in p:
                    return True
    return False


def _without(item: Any) -> Any:
    """``item`` without its ``cache_control`` (the same object when it has none)."""
    if isinstance(item, dict) and "cache_control" in item:
        return {k: v for k, v in item.items() if k != "cache_control"}
    return item


def _message_without(m: Any) -> Any:
    m = _without(m)
    content = m.get("content") if isinstance(m, dict) else None
    if isinstance(content, list) and any(isinstance(p, dict) and "cache_control" in p for p in content):
        m = {**m, "content": [_without(p) for p in content]}
    return m


def _without_cache_control(body: dict[str, Any]) -> dict[str, Any]:
    """A copy without breakpoints; parts, messages and tools without one are shared, not copied
    (nothing downstream mutates them: the privacy stage and the pipeline copy what they change)."""
    out = _without(body)
    if out is body:
        out = dict(body)
    if isinstance(out.get("tools"), list):
        out["tools"] = [_without(t) for t in out["tools"]]
    if isinstance(out.get("messages"), list):
        out["messages"] = [_message_without(m) for m in out["messages"]]
    return out


def _without_thinking(body: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in body.items() if k != "thinking"}
    if "messages" in out:
        out["messages"] = [{k: v for k, v in m.items() if k != "thinking_blocks"} if isinstance(m, dict) else m
                           for m in out["messages"]]
    return out


def strip_extensions(body: dict[str, Any], keep: frozenset[str]) -> tuple[dict[str, Any], list[str]]:
    """``body`` without the extensions not in ``keep`` (a copy only when something is removed),
    and the names of what was removed."""
    dropped: list[str] = []
    if THINKING not in keep and _has_thinking(body):
        body = _without_thinking(body)
        dropped.append(THINKING)
    if CACHE_CONTROL not in keep and _has_cache_control(body):
        body = _without_cache_control(body)
        dropped.append(CACHE_CONTROL)
    return body, dropped
