"""Canonical chat ⇄ an upstream's own ``/v1/responses`` (``responses: native``).

Some upstreams serve models only through the Responses API, and for the others it is the
vendor's preferred surface.  The gateway still works on the canonical chat shape (so privacy,
routing and fallback are the same for every request); this module translates a chat body to
a Responses request and the answer back, streams included.  The mapping rules are the shared
ones of :mod:`.responses_dialect`.

Two rules are Perimeter's own: the upstream is always sent ``store: false`` (the vendor keeps
nothing; stored responses live in the gateway's database) and never a
``previous_response_id`` (the gateway sends the whole conversation, as the privacy stage
passed it).  A body that needs chat-only parameters (``n`` > 1, ``stop``, ``logit_bias``,
penalties, ``seed`` …) has no Responses equivalent: :func:`to_responses_request` returns
``None`` and the adapter uses ``/chat/completions`` for it.
"""

from __future__ import annotations

from typing import Any

from perimeter.errors import ProviderError
from perimeter.providers.chunks import ChunkStream
from perimeter.providers.openai_compat.responses_dialect import (
    ShapeError,
    finish_from_status,
    messages_to_items,
    output_to_message,
    text_format_from_chat,
    tool_choice_from_chat,
    tools_from_chat,
    usage_to_chat,
)
from perimeter.providers.translate_common import unsupported

#: Chat parameters the Responses API does not have.
CHAT_ONLY = ("stop", "logit_bias", "presence_penalty", "frequency_penalty", "seed", "prediction", "audio",
             "modalities", "functions", "function_call", "web_search_options")
_PASSED = ("temperature", "top_p", "user", "metadata", "service_tier", "prompt_cache_key", "safety_identifier")


def needs_chat(body: dict[str, Any]) -> bool:
    return (body.get("n") or 1) > 1 or any(body.get(k) is not None for k in CHAT_ONLY)


def to_responses_request(body: dict[str, Any]) -> dict[str, Any]:
    """A canonical chat body → a Responses request (stateless: ``store: false``)."""
    try:
        items = messages_to_items(body.get("messages") or [])
    except ShapeError as exc:
        raise unsupported(str(exc), exc.param) from None
    req: dict[str, Any] = {"model": body["model"], "input": items, "store": False}
    max_out = body.get("max_completion_tokens") or body.get("max_tokens")
    if max_out is not None:
        req["max_output_tokens"] = max_out
    for name in _PASSED:
        if body.get(name) is not None:
            req[name] = body[name]
    tools = body.get("tools")
    if tools:
        req["tools"] = tools_from_chat(tools)
        if body.get("parallel_tool_calls") is not None:
            req["parallel_tool_calls"] = body["parallel_tool_calls"]
    if body.get("tool_choice") is not None:
        req["tool_choice"] = tool_choice_from_chat(body["tool_choice"])
    text: dict[str, Any] = {}
    if isinstance(body.get("response_format"), dict):
        text["format"] = text_format_from_chat(body["response_format"])
    if body.get("verbosity") is not None:
        text["verbosity"] = body["verbosity"]
    if text:
        req["text"] = text
    if body.get("reasoning_effort") is not None:
        req["reasoning"] = {"effort": body["reasoning_effort"]}
    if body.get("logprobs"):
        req["include"] = ["message.output_text.logprobs"]
        if body.get("top_logprobs") is not None:
            req["top_logprobs"] = body["top_logprobs"]
    if body.get("stream"):
        req["stream"] = True
    return req


def to_chat_completion(data: dict[str, Any], model: str) -> dict[str, Any]:
    """A ``response`` object → a ``chat.completion``."""
    if data.get("status") == "failed":
        raise failure(data.get("error"))
    message = output_to_message(data.get("output") or [])
    finish = finish_from_status(data.get("status"), data.get("incomplete_details"), bool(message.get("tool_calls")))
    rid = str(data.get("id") or "")
    return {
        "id": "chatcmpl-" + rid.removeprefix("resp_"), "object": "chat.completion",
        "created": int(data.get("created_at") or 0), "model": str(data.get("model") or model),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": usage_to_chat(data.get("usage")),
    }


def failure(error: Any) -> ProviderError:
    """A failed response (or an ``error`` event): server-side codes are worth another try."""
    err = error if isinstance(error, dict) else {}
    code = str(err.get("code") or "server_error")
    retryable = code in ("server_error", "rate_limit_exceeded", "vector_store_timeout")
    return ProviderError(f"responses API error {code}: {err.get('message') or 'the response failed'}",
                         status=502 if retryable else 400, retryable=retryable,
                         kind="stream_error" if retryable else "bad_request")


class ResponsesStreamTranslator:
    """Responses API SSE events → ``chat.completion.chunk`` dicts, one event at a time."""

    def __init__(self, model: str, include_usage: bool) -> None:
        self.out = ChunkStream(model, include_usage)
        self.finished = False
        self._calls: dict[int, int] = {}  # output_index -> tool_calls index

    def feed(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        etype = data.get("type")
        if etype in ("response.created", "response.in_progress"):
            response = data.get("response") or {}
            self.out.id = "chatcmpl-" + str(response.get("id") or "").removeprefix("resp_")
            self.out.model = str(response.get("model") or self.out.model)
            return []
        if etype == "response.output_item.added":
            item = data.get("item") or {}
            if item.get("type") != "function_call":
                return []
            idx = self._calls[int(data.get("output_index", 0))] = len(self._calls)
            return self.out.emit({"tool_calls": [{"index": idx, "id": item.get("call_id"), "type": "function",
                                                  "function": {"name": item.get("name"), "arguments": ""}}]})
        if etype == "response.output_text.delta" and data.get("delta"):
            return self.out.emit({"content": data["delta"]})
        if etype in ("response.reasoning_text.delta", "response.reasoning_summary_text.delta") and data.get("delta"):
            return self.out.emit({"reasoning_content": data["delta"]})
        if etype == "response.refusal.delta" and data.get("delta"):
            return self.out.emit({"refusal": data["delta"]})
        if etype == "response.function_call_arguments.delta" and data.get("delta"):
            call = self._calls.get(int(data.get("output_index", 0)))
            if call is None:
                raise ProviderError("responses stream: arguments for an item that is not a function call",
                                    kind="broken_response")
            return self.out.emit({"tool_calls": [{"index": call, "function": {"arguments": data["delta"]}}]})
        if etype in ("response.completed", "response.incomplete"):
            response = data.get("response") or {}
            self.finished = True
            finish = finish_from_status(response.get("status"), response.get("incomplete_details"), bool(self._calls))
            usage = usage_to_chat(response.get("usage"))
            return self.out.emit({}, finish) + (self.out.usage_chunk(usage) if usage else [])
        if etype == "response.failed":
            raise failure((data.get("response") or {}).get("error"))
        if etype == "error":
            raise failure(data)
        return []  # *.done, content_part.*, annotations, keep-alives: nothing new for chat
