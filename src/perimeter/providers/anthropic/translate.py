"""OpenAI Chat Completions ⇄ Anthropic Messages, for the outbound Anthropic adapter.

Pure functions and one small state machine, no I/O, so every mapping rule is testable on its
own.  What differs between the two protocols and how it is bridged:

* system/developer messages become the top-level ``system`` prompt;
* Anthropic wants user/assistant turns to alternate: consecutive turns of one role are merged
  (tool results travel as ``tool_result`` blocks inside a *user* turn);
* ``max_tokens`` is mandatory upstream: the request's value, else the provider default;
* tool calls ⇄ ``tool_use`` blocks, arguments (a JSON string) ⇄ ``input`` (an object);
* streamed ``input_json_delta`` fragments become ``tool_calls[].function.arguments`` deltas;
* thinking: the canonical ``thinking`` config (or a ``reasoning_effort``, as a budget) goes
  upstream; earlier ``thinking_blocks`` open their assistant turn unchanged; answers bring
  thinking back as ``reasoning_content`` plus the blocks (streams: text deltas, then the
  signature);
* ``cache_control`` on content parts, messages, tools and the body is passed through;
* a ``json_schema`` ``response_format`` becomes ``output_config.format`` (structured outputs);
* stop reasons (the matched stop sequence as the choice's ``stop_reason``, as vLLM reports
  it), usage (cache reads and writes count as prompt tokens, and apart for pricing).
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from perimeter.errors import ProviderError
from perimeter.providers.anthropic.dialect import (
    THINKING_TYPES,
    finish_reason,
    image_block,
    thinking_delta,
    thinking_for_effort,
    thinking_text,
    to_openai_usage,
    tool_call,
    tool_choice_to_anthropic,
)
from perimeter.providers.chunks import ChunkStream
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
            if not part.get("text"):
                continue
            block: dict[str, Any] = {"type": "text", "text": str(part["text"])}
        elif ptype == "image_url":
            img = part.get("image_url")
            url = img.get("url") if isinstance(img, dict) else img
            if not isinstance(url, str):
                raise _bad(f"{where}.content[{i}].image_url.url must be a string", where)
            block = _image_block(url)
        else:
            raise _bad(f"{where}.content[{i}]: part type '{ptype}' is not supported by the Anthropic adapter",
                       where)
        blocks.append(_cached(block, part))
    return blocks


def _cached(block: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """``block`` with the prompt-cache breakpoint of ``source``, if it has one."""
    if source.get("cache_control") is not None:
        block["cache_control"] = source["cache_control"]
    return block


def _system(messages: list[dict[str, Any]]) -> str | list[dict[str, Any]] | None:
    """The system prompt: one string, or text blocks when a part carries a cache breakpoint."""
    blocks: list[dict[str, Any]] = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, str):
            if content:
                blocks.append({"type": "text", "text": content})
        elif isinstance(content, list):
            blocks.extend(_cached({"type": "text", "text": str(p["text"])}, p) for p in content
                          if isinstance(p, dict) and p.get("type") == "text" and p.get("text"))
    if not blocks:
        return None
    if any("cache_control" in b for b in blocks):
        return blocks
    return "\n\n".join(b["text"] for b in blocks)


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
    system: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for i, msg in enumerate(body.get("messages") or []):
        where = f"messages[{i}]"
        role = msg.get("role") if isinstance(msg, dict) else None
        if role in ("system", "developer"):
            system.append(msg)
        elif role == "user":
            _append(messages, "user", _content_blocks(msg.get("content"), where))
        elif role == "assistant":
            # Earlier thinking opens the turn, unchanged (Anthropic checks its signature).
            blocks = [b for b in msg.get("thinking_blocks") or () if isinstance(b, dict)
                      and b.get("type") in THINKING_TYPES]
            blocks += _content_blocks(msg.get("content"), where)
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
            _append(messages, "user", [_cached(result, msg)])
        else:
            raise _bad(f"{where}.role '{role}' is not supported by the Anthropic adapter", where)
    if not messages:
        raise _bad("the Anthropic API needs at least one user or assistant message", "messages")
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens") or default_max_tokens
    out: dict[str, Any] = {"model": model, "messages": messages, "max_tokens": max_tokens}
    system_prompt = _system(system)
    if system_prompt is not None:
        out["system"] = system_prompt
    thinking = body.get("thinking")
    if thinking is None and body.get("reasoning_effort") is not None:
        thinking = thinking_for_effort(body["reasoning_effort"], max_tokens)
    if thinking is not None:
        out["thinking"] = thinking
    if body.get("cache_control") is not None:
        out["cache_control"] = body["cache_control"]
    rf = body.get("response_format")
    if isinstance(rf, dict) and rf.get("type") == "json_schema":
        schema = (rf.get("json_schema") or {}).get("schema")
        out["output_config"] = {"format": {"type": "json_schema", "schema": schema or {"type": "object"}}}
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
            out["tools"].append(_cached(tool, t))
    choice = _tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"))
    if choice is not None and (tools or choice["type"] == "none"):
        out["tool_choice"] = choice
    if body.get("stream"):
        out["stream"] = True
    return out


def count_tokens_request(body: dict[str, Any], model: str) -> dict[str, Any]:
    """The ``/v1/messages/count_tokens`` body: the prompt parts of a Messages request."""
    req = to_anthropic_request(body, model, 1)
    return {k: v for k, v in req.items()
            if k in ("model", "messages", "system", "tools", "tool_choice", "thinking", "cache_control",
                     "output_config")}


def to_openai_response(data: dict[str, Any], model: str) -> dict[str, Any]:
    """A non-streaming Anthropic ``message`` → OpenAI ``chat.completion``."""
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    thinking: list[dict[str, Any]] = []
    for block in data.get("content") or []:
        if block.get("type") == "text":
            texts.append(str(block.get("text", "")))
        elif block.get("type") == "tool_use":
            calls.append(tool_call(block))
        elif block.get("type") in THINKING_TYPES:
            thinking.append(block)
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts or not calls else None}
    if thinking:
        message["reasoning_content"] = thinking_text(thinking)
        message["thinking_blocks"] = thinking
    if calls:
        message["tool_calls"] = calls
    choice: dict[str, Any] = {"index": 0, "message": message, "logprobs": None,
                              "finish_reason": finish_reason(data.get("stop_reason"))}
    if data.get("stop_reason") == "stop_sequence" and data.get("stop_sequence"):
        choice["stop_reason"] = data["stop_sequence"]
    return {
        "id": str(data.get("id") or ""),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(data.get("model") or model),
        "choices": [choice],
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

    The first chunk carries the prompt's usage from ``message_start`` (when the client asked
    for usage), so a client can show the input token count before the answer ends.
    """

    def __init__(self, model: str, include_usage: bool) -> None:
        self.out = ChunkStream(model, include_usage)
        self.usage: dict[str, Any] = {}
        self.finished = False
        self._early_usage = include_usage
        self._tool_index: dict[int, int] = {}  # Anthropic block index -> OpenAI tool_calls index
        self._thinking: dict[int, dict[str, Any]] = {}  # open thinking blocks by index

    def _emit(self, delta: dict[str, Any], finish: str | None = None, **choice: Any) -> list[dict[str, Any]]:
        chunks = self.out.emit(delta, finish, **choice)
        if self._early_usage:
            self._early_usage = False
            chunks[0]["usage"] = to_openai_usage({**self.usage, "output_tokens": 0})
        return chunks

    def feed(self, event: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        etype = data.get("type") or event
        if etype == "message_start":
            msg = data.get("message") or {}
            self.out.id = str(msg.get("id") or "")
            self.out.model = str(msg.get("model") or self.out.model)
            self.usage.update(msg.get("usage") or {})
            return []
        if etype == "content_block_start":
            return self._block_start(int(data.get("index", 0)), data.get("content_block") or {})
        if etype == "content_block_delta":
            return self._delta(int(data.get("index", 0)), data.get("delta") or {})
        if etype == "content_block_stop":
            block = self._thinking.pop(int(data.get("index", 0)), None)
            return self._emit(thinking_delta(block)) if block is not None else []
        if etype == "message_delta":
            self.usage.update({k: v for k, v in (data.get("usage") or {}).items() if v is not None})
            delta = data.get("delta") or {}
            reason = delta.get("stop_reason")
            if not reason:
                return []
            extra = {"stop_reason": delta["stop_sequence"]} if delta.get("stop_sequence") else {}
            return self._emit({}, finish_reason(reason), **extra)
        if etype == "message_stop":
            self.finished = True
            return self.out.usage_chunk(to_openai_usage(self.usage))
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

    def _block_start(self, index: int, block: dict[str, Any]) -> list[dict[str, Any]]:
        btype = block.get("type")
        if btype == "tool_use":
            idx = len(self._tool_index)
            self._tool_index[index] = idx
            return self._emit({"tool_calls": [{
                "index": idx, "id": block.get("id"), "type": "function",
                "function": {"name": block.get("name"), "arguments": ""},
            }]})
        if btype == "text" and block.get("text"):
            return self._emit({"content": block["text"]})
        if btype == "thinking":
            self._thinking[index] = {"type": "thinking", "signature": block.get("signature", "")}
            return self._emit({"reasoning_content": block["thinking"]}) if block.get("thinking") else []
        if btype == "redacted_thinking":
            return self._emit(thinking_delta(block))
        return []

    def _delta(self, index: int, delta: dict[str, Any]) -> list[dict[str, Any]]:
        dtype = delta.get("type")
        if dtype == "text_delta" and delta.get("text"):
            return self._emit({"content": delta["text"]})
        if dtype == "input_json_delta" and delta.get("partial_json"):
            tool_idx = self._tool_index.get(index)
            if tool_idx is None:
                raise ProviderError("anthropic stream: input_json_delta for a block that is not tool_use",
                                    kind="broken_response")
            return self._emit({"tool_calls": [{"index": tool_idx, "function": {"arguments": delta["partial_json"]}}]})
        if dtype == "thinking_delta" and delta.get("thinking"):
            return self._emit({"reasoning_content": delta["thinking"]})
        if dtype == "signature_delta" and index in self._thinking:
            self._thinking[index]["signature"] += str(delta.get("signature") or "")
        return []  # citations_delta and future delta types: not part of the canonical shape
