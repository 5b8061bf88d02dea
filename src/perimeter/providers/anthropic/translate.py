"""OpenAI Chat Completions ⇄ Anthropic Messages, for the outbound Anthropic adapter.

Pure functions and one small state machine, no I/O, so every mapping rule is testable on its
own.  What differs between the two protocols and how it is bridged:

* system/developer messages become the top-level ``system`` prompt;
* Anthropic wants user/assistant turns to alternate: consecutive turns of one role are merged
  (tool results travel as ``tool_result`` blocks inside a *user* turn);
* ``max_tokens`` is mandatory upstream: the request's value, else the provider default;
* tool calls ⇄ ``tool_use`` blocks, arguments (a JSON string) ⇄ ``input`` (an object);
* streamed ``input_json_delta`` fragments become ``tool_calls[].function.arguments`` deltas;
* stop reasons, usage (cache reads count as prompt tokens and as ``cached_tokens``).
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from perimeter.errors import ProviderError
from perimeter.providers.anthropic.dialect import (
    finish_reason,
    image_block,
    to_openai_usage,
    tool_call,
    tool_choice_to_anthropic,
)
from perimeter.providers.translate_common import tool_arguments, unsupported

_bad = unsupported


def _image_block(url: str) -> dict[str, Any]:
    block = image_block(url)
    if block is None:
        raise _bad("image_url data URLs must be base64-encoded", "messages")
    return block


def _content_blocks(content: Any, where: str) -> list[dict[str, Any]]:
    """OpenAI message content (string or parts) → Anthropic content blocks (no empty text)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if not isinstance(content, list):
        raise _bad(f"{where}.content must be a string or a list of parts", where)
    blocks: list[dict[str, Any]] = []
    for i, part in enumerate(content):
        ptype = part.get("type") if isinstance(part, dict) else None
        if ptype == "text":
            if part.get("text"):
                blocks.append({"type": "text", "text": str(part["text"])})
        elif ptype == "image_url":
            img = part.get("image_url")
            url = img.get("url") if isinstance(img, dict) else img
            if not isinstance(url, str):
                raise _bad(f"{where}.content[{i}].image_url.url must be a string", where)
            blocks.append(_image_block(url))
        else:
            raise _bad(f"{where}.content[{i}]: part type '{ptype}' is not supported by the Anthropic adapter",
                       where)
    return blocks


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _append(messages: list[dict[str, Any]], role: str, blocks: list[dict[str, Any]]) -> None:
    """Add a turn, merging it into the previous one when the role repeats (strict alternation)."""
    if not blocks:
        return
    if messages and messages[-1]["role"] == role:
        messages[-1]["content"].extend(blocks)
    else:
        messages.append({"role": role, "content": blocks})


def _tool_choice(choice: Any, parallel: Any) -> dict[str, Any] | None:
    try:
        return tool_choice_to_anthropic(choice, parallel)
    except ValueError:
        raise _bad("tool_choice must be 'auto', 'none', 'required' or {type: function, function: {name}}",
                   "tool_choice") from None


def to_anthropic_request(body: dict[str, Any], model: str, default_max_tokens: int) -> dict[str, Any]:
    """Translate a canonical OpenAI chat body into an Anthropic Messages request body."""
    if (body.get("n") or 1) != 1:
        raise _bad("the Anthropic adapter supports only n=1", "n")
    system: list[str] = []
    messages: list[dict[str, Any]] = []
    for i, msg in enumerate(body.get("messages") or []):
        where = f"messages[{i}]"
        role = msg.get("role") if isinstance(msg, dict) else None
        if role in ("system", "developer"):
            text = _text_of(msg.get("content"))
            if text:
                system.append(text)
        elif role == "user":
            _append(messages, "user", _content_blocks(msg.get("content"), where))
        elif role == "assistant":
            blocks = _content_blocks(msg.get("content"), where)
            for j, call in enumerate(msg.get("tool_calls") or []):
                fn = call.get("function") or {}
                blocks.append({
                    "type": "tool_use", "id": call.get("id") or f"toolu_{i}_{j}", "name": fn.get("name"),
                    "input": tool_arguments(fn.get("arguments"), f"{where}.tool_calls[{j}]"),
                })
            _append(messages, "assistant", blocks)
        elif role == "tool":
            result: dict[str, Any] = {"type": "tool_result", "tool_use_id": msg.get("tool_call_id")}
            content = msg.get("content")
            if isinstance(content, list):
                result["content"] = _content_blocks(content, where)
            else:
                result["content"] = str(content or "")
            _append(messages, "user", [result])
        else:
            raise _bad(f"{where}.role '{role}' is not supported by the Anthropic adapter", where)
    if not messages:
        raise _bad("the Anthropic API needs at least one user or assistant message", "messages")
    out: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "max_tokens": body.get("max_completion_tokens") or body.get("max_tokens") or default_max_tokens,
    }
    if system:
        out["system"] = "\n\n".join(system)
    for src, dst in (("temperature", "temperature"), ("top_p", "top_p"), ("top_k", "top_k")):
        if body.get(src) is not None:
            out[dst] = body[src]
    stop = body.get("stop")
    if stop:
        out["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if body.get("user"):
        out["metadata"] = {"user_id": str(body["user"])}
    tools = body.get("tools")
    if tools:
        out["tools"] = []
        for t in tools:
            fn = t.get("function") or {}
            tool: dict[str, Any] = {
                "name": fn.get("name"),
                "input_schema": fn.get("parameters") or {"type": "object", "properties": {}},
            }
            if fn.get("description"):
                tool["description"] = fn["description"]
            out["tools"].append(tool)
    choice = _tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"))
    if choice is not None and (tools or choice["type"] == "none"):
        out["tool_choice"] = choice
    if body.get("stream"):
        out["stream"] = True
    return out


def to_openai_response(data: dict[str, Any], model: str) -> dict[str, Any]:
    """A non-streaming Anthropic ``message`` → OpenAI ``chat.completion``."""
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in data.get("content") or []:
        if block.get("type") == "text":
            texts.append(str(block.get("text", "")))
        elif block.get("type") == "tool_use":
            calls.append(tool_call(block))
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts or not calls else None}
    if calls:
        message["tool_calls"] = calls
    return {
        "id": str(data.get("id") or ""),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(data.get("model") or model),
        "choices": [{
            "index": 0, "message": message, "logprobs": None,
            "finish_reason": finish_reason(data.get("stop_reason")),
        }],
        "usage": to_openai_usage(data.get("usage")),
    }


def error_from_body(provider: str, status: int, raw: bytes, retry_after: float | None) -> ProviderError:
    """Anthropic's ``{"type":"error","error":{"type","message"}}`` → ProviderError.

    429, 5xx and 529 ``overloaded_error`` are retryable; so are 401/403 — a rejected gateway
    key is a misconfigured provider, which the next provider in the chain may not share.
    """
    etype, message = "api_error", raw[:500].decode("utf-8", errors="replace").strip()
    try:
        parsed = orjson.loads(raw)
        err = parsed.get("error") if isinstance(parsed, dict) else None
        if isinstance(err, dict):
            etype = str(err.get("type") or etype)
            message = str(err.get("message") or message)
    except orjson.JSONDecodeError:
        pass
    text = f"provider '{provider}' (anthropic) returned HTTP {status} {etype}: {message or 'no body'}"
    if status == 429:
        return ProviderError(text, status=429, retry_after=retry_after, kind="rate_limited")
    if status == 529 or etype == "overloaded_error":
        return ProviderError(text, status=503, retry_after=retry_after, kind="overloaded")
    if status >= 500 or status == 408:
        return ProviderError(text, status=status, retry_after=retry_after,
                             kind="timeout" if status in (408, 504) else "upstream_5xx")
    if status in (401, 403):
        return ProviderError(text, status=502, kind="auth_error")
    return ProviderError(
        text, status=status, retryable=False, kind="bad_request",
        body={"error": {"message": f"anthropic: {message}", "type": "invalid_request_error", "param": None,
                        "code": etype}},
    )


class StreamTranslator:
    """Anthropic SSE events → OpenAI ``chat.completion.chunk`` dicts, one event at a time.

    The role chunk is held back until the first content event, so an error that arrives right
    after ``message_start`` still happens before anything was sent and can fall back cleanly.
    """

    def __init__(self, model: str, include_usage: bool) -> None:
        self.id = ""
        self.model = model
        self.created = int(time.time())
        self.include_usage = include_usage
        self.usage: dict[str, Any] = {}
        self.finished = False
        self._role_sent = False
        self._tool_index: dict[int, int] = {}  # Anthropic block index -> OpenAI tool_calls index

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        }

    def _emit(self, delta: dict[str, Any], finish_reason: str | None = None) -> list[dict[str, Any]]:
        if not self._role_sent:
            self._role_sent = True
            delta = {"role": "assistant", **delta}
            if "content" not in delta and "tool_calls" not in delta:
                delta["content"] = ""
        return [self._chunk(delta, finish_reason)]

    def feed(self, event: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        etype = data.get("type") or event
        if etype == "message_start":
            msg = data.get("message") or {}
            self.id = str(msg.get("id") or "")
            self.model = str(msg.get("model") or self.model)
            self.usage.update(msg.get("usage") or {})
            return []
        if etype == "content_block_start":
            block = data.get("content_block") or {}
            if block.get("type") == "tool_use":
                idx = len(self._tool_index)
                self._tool_index[int(data.get("index", 0))] = idx
                return self._emit({"tool_calls": [{
                    "index": idx, "id": block.get("id"), "type": "function",
                    "function": {"name": block.get("name"), "arguments": ""},
                }]})
            if block.get("type") == "text" and block.get("text"):
                return self._emit({"content": block["text"]})
            return []
        if etype == "content_block_delta":
            delta = data.get("delta") or {}
            dtype = delta.get("type")
            if dtype == "text_delta" and delta.get("text"):
                return self._emit({"content": delta["text"]})
            if dtype == "input_json_delta" and delta.get("partial_json"):
                tool_idx = self._tool_index.get(int(data.get("index", 0)))
                if tool_idx is None:
                    raise ProviderError("anthropic stream: input_json_delta for a block that is not tool_use",
                                        kind="broken_response")
                return self._emit(
                    {"tool_calls": [{"index": tool_idx, "function": {"arguments": delta["partial_json"]}}]})
            return []  # thinking_delta, signature_delta, citations_delta: not part of the OpenAI shape
        if etype == "message_delta":
            self.usage.update({k: v for k, v in (data.get("usage") or {}).items() if v is not None})
            reason = (data.get("delta") or {}).get("stop_reason")
            if reason:
                return self._emit({}, finish_reason(reason))
            return []
        if etype == "message_stop":
            self.finished = True
            if self.include_usage:
                chunk = self._chunk({})
                chunk["choices"] = []
                chunk["usage"] = to_openai_usage(self.usage)
                return [chunk]
            return []
        if etype == "error":
            err = data.get("error") or {}
            et, msg = str(err.get("type") or "api_error"), str(err.get("message") or "stream error")
            overloaded = et == "overloaded_error"
            raise ProviderError(
                f"anthropic stream error {et}: {msg}", status=503 if overloaded else 502,
                retryable=et in ("overloaded_error", "api_error", "rate_limit_error", "timeout_error"),
                kind="overloaded" if overloaded else "stream_error",
            )
        return []  # ping and future event types
