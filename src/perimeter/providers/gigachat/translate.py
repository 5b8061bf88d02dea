"""OpenAI Chat Completions ⇄ GigaChat v1 ``/chat/completions``, for the outbound adapter.

Pure functions and one small stream state machine, no I/O.  GigaChat's wire format looks like
OpenAI's but differs where it matters:

* content is a plain string; system prompts must come first, so every ``system``/``developer``
  message is merged into one leading system message;
* function calling is the older *functions* dialect: ``functions`` / ``function_call``
  (``auto``, ``none`` or ``{"name"}``), an assistant message carries one ``function_call`` whose
  ``arguments`` is a JSON *object*, and results come back as ``role: function`` messages named
  after the function.  There are no call ids: the adapter mints ``call_…`` ids (carrying
  ``functions_state_id`` when GigaChat sends one, so it is returned on the next turn), and
  parallel OpenAI tool calls are replayed as call/result pairs;
* ``finish_reason`` ``function_call`` → ``tool_calls``, ``blacklist`` → ``content_filter``;
* streamed chunks say ``"object": "chat.completion"``, carry no id, deliver a function call whole
  and put ``usage`` on the last chunk before ``data: [DONE]``;
* ``usage.precached_prompt_tokens`` → ``prompt_tokens_details.cached_tokens``;
* errors are ``{"status": 404, "message": "No such model"}``.
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

FINISH_REASONS = {"stop": "stop", "length": "length", "function_call": "tool_calls", "blacklist": "content_filter"}
_STATE_PREFIX = "call_gcs_"  # tool-call ids that carry a GigaChat functions_state_id


def _text(content: Any, where: str) -> str:
    return text_content(content, where, "by the GigaChat adapter (GigaChat takes images only as uploaded files)")


def _call_id(state_id: Any) -> str:
    if isinstance(state_id, str) and state_id:
        return _STATE_PREFIX + state_id
    return "call_" + uuid.uuid4().hex[:24]


def _function_result(content: Any, where: str) -> str:
    """GigaChat wants a function's result as JSON text; plain text is wrapped as ``{"result": …}``."""
    text = _text(content, where)
    try:
        orjson.loads(text)
        return text
    except orjson.JSONDecodeError:
        return orjson.dumps({"result": text}).decode()


def _assistant_turns(msg: dict[str, Any], results: dict[str, dict[str, Any]], where: str) -> list[dict[str, Any]]:
    """An OpenAI assistant turn as GigaChat messages: text, then one call/result pair per tool call."""
    out: list[dict[str, Any]] = []
    text = _text(msg.get("content"), where)
    calls = msg.get("tool_calls") or []
    if text or not calls:
        out.append({"role": "assistant", "content": text})
    for j, call in enumerate(calls):
        fn = call.get("function") or {}
        name = str(fn.get("name") or "")
        turn: dict[str, Any] = {"role": "assistant", "content": "", "function_call": {
            "name": name, "arguments": tool_arguments(fn.get("arguments"), f"{where}.tool_calls[{j}]")}}
        call_id = str(call.get("id") or "")
        if call_id.startswith(_STATE_PREFIX):
            turn["functions_state_id"] = call_id.removeprefix(_STATE_PREFIX)
        out.append(turn)
        result = results.pop(call_id, None)
        if result is not None:
            out.append({"role": "function", "name": name, "content": result["content"]})
    return out


def _messages(messages: list[Any]) -> list[dict[str, Any]]:
    system: list[str] = []
    out: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    i = 0
    while i < len(messages):
        msg, where = messages[i], f"messages[{i}]"
        role = msg.get("role") if isinstance(msg, dict) else None
        if role in ("system", "developer"):
            system.append(_text(msg.get("content"), where))
        elif role == "user":
            out.append({"role": "user", "content": _text(msg.get("content"), where)})
        elif role == "assistant":
            # The tool results that answer this turn follow it; pair each with its call.
            results: dict[str, dict[str, Any]] = {}
            k = i + 1
            while k < len(messages) and isinstance(messages[k], dict) and messages[k].get("role") == "tool":
                tm = messages[k]
                results[str(tm.get("tool_call_id"))] = {
                    "content": _function_result(tm.get("content"), f"messages[{k}]")}
                k += 1
            for call in msg.get("tool_calls") or []:
                names[str(call.get("id"))] = str((call.get("function") or {}).get("name") or "")
            out.extend(_assistant_turns(msg, results, where))
            for call_id, result in results.items():  # results for calls of an earlier turn
                if call_id not in names:
                    raise unsupported(f"{where}: tool_call_id '{call_id}' does not match an earlier assistant "
                                      "tool call", where)
                out.append({"role": "function", "name": names[call_id], "content": result["content"]})
            i = k
            continue
        elif role == "tool":
            call_id = str(msg.get("tool_call_id"))
            name = msg.get("name") or names.get(call_id)
            if not name:
                raise unsupported(f"{where}: tool_call_id '{call_id}' does not match an earlier assistant tool call",
                                  where)
            out.append({"role": "function", "name": name, "content": _function_result(msg.get("content"), where)})
        else:
            raise unsupported(f"{where}.role '{role}' is not supported by the GigaChat adapter", where)
        i += 1
    if system:
        out.insert(0, {"role": "system", "content": "\n\n".join(s for s in system if s)})
    if not any(m["role"] != "system" for m in out):
        raise unsupported("GigaChat needs at least one user message", "messages")
    return out


def _function_call(choice: Any, functions: list[dict[str, Any]]) -> Any:
    if choice is None or choice in ("auto", "none"):
        return choice
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return {"name": choice["function"].get("name")}
    if choice == "required" and len(functions) == 1:
        return {"name": functions[0]["name"]}
    raise unsupported("GigaChat can force a call only of one named function: use tool_choice "
                      "{type: function, function: {name}} (or 'auto'/'none')", "tool_choice")


def to_gigachat_request(body: dict[str, Any], model: str, profanity_check: bool | None) -> dict[str, Any]:
    """Translate a canonical OpenAI chat body into a GigaChat ``Chat`` request."""
    out: dict[str, Any] = {"model": model, "messages": _messages(list(body.get("messages") or []))}
    for key in ("temperature", "top_p", "n", "repetition_penalty", "update_interval"):
        if body.get(key) is not None:
            out[key] = body[key]
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    if max_tokens:
        out["max_tokens"] = max_tokens
    if profanity_check is not None:
        out["profanity_check"] = profanity_check
    functions = []
    for i, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool, dict) or tool.get("type", "function") != "function":
            raise unsupported(f"tools[{i}]: only function tools are supported by the GigaChat adapter", "tools")
        fn = tool.get("function") or {}
        decl: dict[str, Any] = {"name": fn.get("name")}
        if fn.get("description"):
            decl["description"] = fn["description"]
        decl["parameters"] = fn.get("parameters") or {"type": "object", "properties": {}}
        functions.append(decl)
    if functions:
        out["functions"] = functions
        call = _function_call(body.get("tool_choice"), functions)
        if call is not None:
            out["function_call"] = call
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        rf: dict[str, Any] = {"type": "json_schema", "schema": spec.get("schema") or {}}
        if spec.get("strict") is not None:
            rf["strict"] = spec["strict"]
        out["response_format"] = rf
    elif fmt.get("type") == "json_object":
        raise unsupported("GigaChat takes response_format json_schema only (give a schema)", "response_format")
    if body.get("stream"):
        out["stream"] = True
    return out


def to_openai_usage(usage: dict[str, Any] | None) -> dict[str, Any]:
    u = usage or {}
    prompt, completion = int(u.get("prompt_tokens") or 0), int(u.get("completion_tokens") or 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": int(u.get("total_tokens") or prompt + completion),
            "prompt_tokens_details": {"cached_tokens": int(u.get("precached_prompt_tokens") or 0)}}


def _tool_call(message: dict[str, Any]) -> dict[str, Any] | None:
    fc = message.get("function_call")
    if not isinstance(fc, dict):
        return None
    args = fc.get("arguments")
    text = args if isinstance(args, str) else orjson.dumps(args or {}).decode()
    return {"id": _call_id(message.get("functions_state_id")), "type": "function",
            "function": {"name": fc.get("name"), "arguments": text}}


def _finish(reason: Any, provider: str) -> str:
    if reason == "error":
        raise ProviderError(f"provider '{provider}': GigaChat stopped the answer with finish_reason 'error'",
                            kind="upstream_error")
    return FINISH_REASONS.get(str(reason), "stop")


def to_openai_response(data: dict[str, Any], provider: str) -> dict[str, Any]:
    choices = []
    for pos, choice in enumerate(data.get("choices") or []):
        message = choice.get("message") or {}
        call = _tool_call(message)
        out_msg: dict[str, Any] = {"role": "assistant", "content": message.get("content") if not call else
                                   (message.get("content") or None), "refusal": None}
        if call:
            out_msg["tool_calls"] = [call]
        choices.append({"index": int(choice.get("index", pos)), "message": out_msg, "logprobs": None,
                        "finish_reason": _finish(choice.get("finish_reason"), provider)})
    if not choices:
        raise ProviderError(f"provider '{provider}' returned no choices", kind="broken_response")
    return {"id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion",
            "created": int(data.get("created") or time.time()), "model": data.get("model"),
            "choices": choices, "usage": to_openai_usage(data.get("usage")), "system_fingerprint": None}


class StreamTranslator:
    """GigaChat stream events → OpenAI chunk dicts (with a stable id GigaChat does not send)."""

    def __init__(self, provider: str, model: str, include_usage: bool) -> None:
        self.provider = provider
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.model = model
        self.include_usage = include_usage
        self.created = int(time.time())
        self.usage: dict[str, Any] | None = None
        self._role_sent: set[int] = set()
        self._calls: dict[int, int] = {}

    def _chunk(self, index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        if index not in self._role_sent:
            self._role_sent.add(index)
            delta = {"role": "assistant", **delta}
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}]}

    def feed(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        if data.get("model"):
            self.model = str(data["model"])
        if isinstance(data.get("usage"), dict):
            self.usage = data["usage"]
        out: list[dict[str, Any]] = []
        for pos, choice in enumerate(data.get("choices") or []):
            index = int(choice.get("index", pos))
            delta = choice.get("delta") or {}
            content = delta.get("content")
            call = _tool_call(delta)
            if content:
                out.append(self._chunk(index, {"content": content}))
            if call is not None:
                n = self._calls.get(index, 0)
                self._calls[index] = n + 1
                out.append(self._chunk(index, {"tool_calls": [{"index": n, **call}]}))
            reason = choice.get("finish_reason")
            if reason:
                out.append(self._chunk(index, {} if index in self._role_sent else {"content": ""},
                                       _finish(reason, self.provider)))
        return out

    def usage_chunk(self) -> dict[str, Any] | None:
        if not self.include_usage:
            return None
        return usage_chunk(self.id, self.created, self.model, to_openai_usage(self.usage))


def error_from_body(provider: str, status: int, raw: bytes, retry_after: float | None) -> ProviderError:
    """Map GigaChat's ``{"status", "message"}`` error bodies to ProviderError."""
    message = raw[:300].decode("utf-8", errors="replace").strip() or "no body"
    try:
        body = orjson.loads(raw)
        if isinstance(body, dict) and body.get("message"):
            message = str(body["message"])
    except orjson.JSONDecodeError:
        pass
    text = f"provider '{provider}' returned HTTP {status}: {message}"
    if status == 401:
        return ProviderError(text, kind="token_rejected")
    transient = transient_error(text, status, retry_after)
    if transient is not None:
        return transient
    if status == 402:
        return ProviderError(text + " (the GigaChat token package of this model is used up)", kind="quota_exhausted")
    if status == 403:
        return ProviderError(text, kind="auth_error")
    return ProviderError(text, status=status, retryable=False, kind="bad_request", body={"error": {
        "message": f"gigachat: {message}", "type": "invalid_request_error", "param": None, "code": None}})
