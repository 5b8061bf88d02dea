"""OpenAI Chat Completions ⇄ Yandex Foundation Models ``/foundationModels/v1/completion``.

Pure functions and one stream state machine, no I/O.  The native API is gRPC exposed as JSON
(proto3 JSON mapping): camelCase names, 64-bit integers as strings, one ``{"result": …}``
object per line of a stream.  Its differences from OpenAI:

* ``modelUri`` (``gpt://<folder>/<model>/<branch>``) instead of a model name, and
  ``completionOptions`` (``stream``, ``temperature``, ``maxTokens``, ``reasoningOptions``);
* a message holds exactly one of ``text``, ``toolCallList`` or ``toolResultList``; tool results
  travel in a *user* message and are matched to calls by function name;
* a streamed alternative carries the *whole* text so far, not a delta; ``status`` ends it
  (``ALTERNATIVE_STATUS_FINAL``, ``…_TRUNCATED_FINAL``, ``…_CONTENT_FILTER``, ``…_TOOL_CALLS``);
* usage is ``inputTextTokens`` / ``completionTokens`` / ``totalTokens`` (strings);
* errors are ``{"error": {"grpcCode", "httpCode", "message", "httpStatus", "details"}}``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson

from perimeter.errors import ProviderError
from perimeter.providers.translate_common import (
    text_content,
    tool_arguments,
    transient_error,
    unsupported,
    usage_chunk,
)

FINISH = {
    "ALTERNATIVE_STATUS_FINAL": "stop",
    "ALTERNATIVE_STATUS_TRUNCATED_FINAL": "length",
    "ALTERNATIVE_STATUS_CONTENT_FILTER": "content_filter",
    "ALTERNATIVE_STATUS_TOOL_CALLS": "tool_calls",
}


def model_uri(model: str, folder_id: str, scheme: str) -> str:
    """``yandexgpt`` → ``gpt://<folder>/yandexgpt/latest``; full URIs pass unchanged."""
    if "://" in model:
        return model
    return f"{scheme}://{folder_id}/{model if '/' in model else model + '/latest'}"


def _text(content: Any, where: str) -> str:
    return text_content(content, where, "by the native Yandex API (use api: openai for images)")


def _messages(messages: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    results: list[dict[str, Any]] = []

    def flush() -> None:
        if results:
            out.append({"role": "user", "toolResultList": {"toolResults": list(results)}})
            results.clear()

    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        role = msg.get("role") if isinstance(msg, dict) else None
        if role == "tool":
            call_id = str(msg.get("tool_call_id"))
            name = msg.get("name") or names.get(call_id)
            if not name:
                raise unsupported(f"{where}: tool_call_id '{call_id}' does not match an earlier assistant tool call",
                                  where)
            results.append({"functionResult": {"name": name, "content": _text(msg.get("content"), where)}})
            continue
        flush()
        if role in ("system", "developer", "user"):
            out.append({"role": "system" if role != "user" else "user", "text": _text(msg.get("content"), where)})
        elif role == "assistant":
            text = _text(msg.get("content"), where)
            calls = msg.get("tool_calls") or []
            if text or not calls:
                out.append({"role": "assistant", "text": text})
            if calls:
                tool_calls = []
                for j, call in enumerate(calls):
                    fn = call.get("function") or {}
                    names[str(call.get("id"))] = str(fn.get("name") or "")
                    tool_calls.append({"functionCall": {
                        "name": fn.get("name"), "arguments": tool_arguments(fn.get("arguments"),
                                                                            f"{where}.tool_calls[{j}]")}})
                out.append({"role": "assistant", "toolCallList": {"toolCalls": tool_calls}})
        else:
            raise unsupported(f"{where}.role '{role}' is not supported by the Yandex adapter", where)
    flush()
    if not out:
        raise unsupported("the request has no messages", "messages")
    return out


def to_native_request(body: dict[str, Any], uri: str, stream: bool) -> dict[str, Any]:
    """Translate a canonical OpenAI chat body into a Foundation Models ``CompletionRequest``."""
    if (body.get("n") or 1) > 1:
        raise unsupported("the native Yandex API returns one answer per request (n must be 1)", "n")
    options: dict[str, Any] = {"stream": stream}
    if body.get("temperature") is not None:
        options["temperature"] = body["temperature"]
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    if max_tokens:
        options["maxTokens"] = str(int(max_tokens))
    effort = body.get("reasoning_effort")
    if effort is not None:
        options["reasoningOptions"] = {"mode": "DISABLED" if effort in ("none", "minimal") else "ENABLED_HIDDEN"}
    out: dict[str, Any] = {"modelUri": uri, "completionOptions": options,
                           "messages": _messages(list(body.get("messages") or []))}
    choice = body.get("tool_choice")
    tools = body.get("tools") or []
    if choice not in (None, "auto", "none"):
        raise unsupported("the native Yandex API cannot force a tool call (use api: openai for tool_choice)",
                          "tool_choice")
    if tools and choice != "none":
        decls = []
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict) or tool.get("type", "function") != "function":
                raise unsupported(f"tools[{i}]: only function tools are supported by the Yandex adapter", "tools")
            fn = tool.get("function") or {}
            decls.append({"function": {"name": fn.get("name"), "description": fn.get("description") or "",
                                       "parameters": fn.get("parameters") or {"type": "object", "properties": {}}}})
        out["tools"] = decls
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_object":
        out["jsonObject"] = True
    elif fmt.get("type") == "json_schema":
        out["jsonSchema"] = {"schema": (fmt.get("json_schema") or {}).get("schema") or {}}
    return out


def to_openai_usage(usage: dict[str, Any] | None) -> dict[str, Any]:
    u = usage or {}
    prompt, completion = int(u.get("inputTextTokens") or 0), int(u.get("completionTokens") or 0)
    reasoning = int((u.get("completionTokensDetails") or {}).get("reasoningTokens") or 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": int(u.get("totalTokens") or prompt + completion),
            "completion_tokens_details": {"reasoning_tokens": reasoning}}


def _tool_calls(message: dict[str, Any]) -> list[dict[str, Any]]:
    calls = []
    for call in (message.get("toolCallList") or {}).get("toolCalls") or []:
        fc = call.get("functionCall") if isinstance(call, dict) else None
        if isinstance(fc, dict):
            calls.append({"id": "call_" + uuid.uuid4().hex[:24], "type": "function", "function": {
                "name": fc.get("name"), "arguments": orjson.dumps(fc.get("arguments") or {}).decode()}})
    return calls


def _result(data: dict[str, Any], provider: str) -> dict[str, Any]:
    if isinstance(data.get("error"), dict):
        raise error_from_body(provider, int(data["error"].get("httpCode") or 500), orjson.dumps(data), None)
    result = data.get("result")
    if not isinstance(result, dict):
        raise ProviderError(f"provider '{provider}' returned no 'result'", kind="broken_response")
    return result


def to_openai_response(data: dict[str, Any], model: str, provider: str) -> dict[str, Any]:
    result = _result(data, provider)
    choices = []
    for index, alt in enumerate(result.get("alternatives") or []):
        message = alt.get("message") or {}
        calls = _tool_calls(message)
        out: dict[str, Any] = {"role": "assistant", "content": message.get("text") if not calls else
                               (message.get("text") or None), "refusal": None}
        if calls:
            out["tool_calls"] = calls
        choices.append({"index": index, "message": out, "logprobs": None,
                        "finish_reason": FINISH.get(str(alt.get("status")), "stop")})
    if not choices:
        raise ProviderError(f"provider '{provider}' returned no alternatives", kind="broken_response")
    return {"id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": choices, "usage": to_openai_usage(result.get("usage")),
            "system_fingerprint": result.get("modelVersion")}


class StreamTranslator:
    """Cumulative native stream results → OpenAI delta chunks."""

    def __init__(self, provider: str, model: str, include_usage: bool) -> None:
        self.provider = provider
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.model = model
        self.include_usage = include_usage
        self.created = int(time.time())
        self.usage: dict[str, Any] | None = None
        self.finished = False
        self._text = ""
        self._role_sent = False

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        if not self._role_sent:
            self._role_sent = True
            delta = {"role": "assistant", **delta}
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

    def feed(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        result = _result(data, self.provider)
        if isinstance(result.get("usage"), dict):
            self.usage = result["usage"]
        out: list[dict[str, Any]] = []
        alts = result.get("alternatives") or []
        if not alts:
            return out
        alt = alts[0]
        message = alt.get("message") or {}
        text = message.get("text")
        if isinstance(text, str) and text != self._text:
            if not text.startswith(self._text):
                raise ProviderError(f"provider '{self.provider}' sent a stream whose text is not cumulative",
                                    kind="broken_response")
            out.append(self._chunk({"content": text[len(self._text):]}))
            self._text = text
        calls = _tool_calls(message)
        if calls:
            out.append(self._chunk({"tool_calls": [{"index": i, **c} for i, c in enumerate(calls)]}))
        status = str(alt.get("status"))
        if status in FINISH and not self.finished:
            self.finished = True
            out.append(self._chunk({} if self._role_sent else {"content": ""}, FINISH[status]))
        return out

    def usage_chunk(self) -> dict[str, Any] | None:
        if not self.include_usage:
            return None
        return usage_chunk(self.id, self.created, self.model, to_openai_usage(self.usage))


def error_from_body(provider: str, status: int, raw: bytes, retry_after: float | None) -> ProviderError:
    """Map Yandex errors (gRPC-gateway ``{"error": {...}}`` or OpenAI-style) to ProviderError."""
    message = raw[:300].decode("utf-8", errors="replace").strip() or "no body"
    body: Any = None
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and err.get("message"):
            message = str(err["message"])
        elif isinstance(err, str):
            message = err
        elif body.get("message"):
            message = str(body["message"])
    text = f"provider '{provider}' returned HTTP {status}: {message}"
    transient = transient_error(text, status, retry_after)
    if transient is not None:
        return transient
    if status in (401, 403):
        # The gateway's own key or folder is wrong: fall back, never blame the client.
        return ProviderError(text + " (check api_key / iam_token and folder_id)", kind="auth_error")
    return ProviderError(text, status=status, retryable=False, kind="bad_request", body={"error": {
        "message": f"yandex: {message}", "type": "invalid_request_error", "param": None, "code": None}})
