"""OpenAI Chat Completions ⇄ Gemini ``generateContent``, for the outbound Gemini adapter.

Pure functions and one small state machine, no I/O.  The bridging rules:

* roles: ``assistant`` → ``model``; system/developer → ``systemInstruction``; tool results
  → ``functionResponse`` parts in a user turn (Gemini matches them by function *name*, so the
  name is recovered from the earlier assistant ``tool_calls``);
* Gemini has no tool-call ids: the adapter mints ``call_…`` ids (or uses ``functionCall.id``
  when the API sends one) and function calls arrive whole, one delta each;
* sampling parameters → ``generationConfig``; ``response_format`` → ``responseMimeType`` /
  ``responseJsonSchema``;
* a blocked prompt (``promptFeedback.blockReason``) or a candidate stopped for safety with
  nothing to show becomes a clear, non-retryable ``safety_block`` error;
* ``usageMetadata`` → usage, with ``cachedContentTokenCount`` as ``cached_tokens`` and
  ``thoughtsTokenCount`` counted as (reasoning) completion tokens.
"""

from __future__ import annotations

import mimetypes
import time
import uuid
from typing import Any

import orjson

from perimeter.errors import ProviderError
from perimeter.providers.translate_common import tool_arguments, unsupported

FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
}
_SAFETY = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}
# JSON Schema keywords Gemini's OpenAPI-subset ``parameters`` rejects.
_SCHEMA_DROP = {"$schema", "additionalProperties", "strict", "$id", "$comment"}


_bad = unsupported


def _clean_schema(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _clean_schema(v) for k, v in schema.items() if k not in _SCHEMA_DROP}
    if isinstance(schema, list):
        return [_clean_schema(v) for v in schema]
    return schema


def _image_part(url: str) -> dict[str, Any]:
    if url.startswith("data:"):
        header, _, data = url.partition(",")
        if ";base64" not in header:
            raise _bad("image_url data URLs must be base64-encoded", "messages")
        return {"inlineData": {"mimeType": header[5:].split(";", 1)[0] or "image/png", "data": data}}
    mime = mimetypes.guess_type(url.split("?", 1)[0])[0] or "image/jpeg"
    return {"fileData": {"mimeType": mime, "fileUri": url}}


def _parts(content: Any, where: str) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    if not isinstance(content, list):
        raise _bad(f"{where}.content must be a string or a list of parts", where)
    parts: list[dict[str, Any]] = []
    for i, part in enumerate(content):
        ptype = part.get("type") if isinstance(part, dict) else None
        if ptype == "text":
            if part.get("text"):
                parts.append({"text": str(part["text"])})
        elif ptype == "image_url":
            img = part.get("image_url")
            url = img.get("url") if isinstance(img, dict) else img
            if not isinstance(url, str):
                raise _bad(f"{where}.content[{i}].image_url.url must be a string", where)
            parts.append(_image_part(url))
        else:
            raise _bad(f"{where}.content[{i}]: part type '{ptype}' is not supported by the Gemini adapter", where)
    return parts


def _append(contents: list[dict[str, Any]], role: str, parts: list[dict[str, Any]]) -> None:
    if not parts:
        return
    if contents and contents[-1]["role"] == role:
        contents[-1]["parts"].extend(parts)
    else:
        contents.append({"role": role, "parts": parts})




def _tool_config(choice: Any) -> dict[str, Any] | None:
    if choice is None:
        return None
    if choice in ("auto", "none", "required"):
        mode = {"auto": "AUTO", "none": "NONE", "required": "ANY"}[choice]
        return {"functionCallingConfig": {"mode": mode}}
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [choice["function"].get("name")]}}
    raise _bad("tool_choice must be 'auto', 'none', 'required' or {type: function, function: {name}}", "tool_choice")


def to_gemini_request(body: dict[str, Any]) -> dict[str, Any]:
    """Translate a canonical OpenAI chat body into a Gemini ``GenerateContentRequest``."""
    system: list[dict[str, Any]] = []
    contents: list[dict[str, Any]] = []
    call_names: dict[str, str] = {}
    for i, msg in enumerate(body.get("messages") or []):
        where = f"messages[{i}]"
        role = msg.get("role") if isinstance(msg, dict) else None
        if role in ("system", "developer"):
            system.extend(_parts(msg.get("content"), where))
        elif role == "user":
            _append(contents, "user", _parts(msg.get("content"), where))
        elif role == "assistant":
            parts = _parts(msg.get("content"), where)
            for j, call in enumerate(msg.get("tool_calls") or []):
                fn = call.get("function") or {}
                call_names[str(call.get("id"))] = str(fn.get("name"))
                parts.append({"functionCall": {"name": fn.get("name"),
                                               "args": tool_arguments(fn.get("arguments"), f"{where}.tool_calls[{j}]")}})
            _append(contents, "model", parts)
        elif role == "tool":
            call_id = str(msg.get("tool_call_id"))
            name = msg.get("name") or call_names.get(call_id)
            if not name:
                raise _bad(f"{where}: tool_call_id '{call_id}' does not match an earlier assistant tool call", where)
            content = msg.get("content")
            text = content if isinstance(content, str) else "".join(
                str(p.get("text", "")) for p in content or [] if isinstance(p, dict))
            try:
                parsed = orjson.loads(text)
            except orjson.JSONDecodeError:
                parsed = None
            response = parsed if isinstance(parsed, dict) else {"content": text}
            _append(contents, "user", [{"functionResponse": {"name": name, "response": response}}])
        else:
            raise _bad(f"{where}.role '{role}' is not supported by the Gemini adapter", where)
    if not contents:
        raise _bad("the Gemini API needs at least one user or assistant message", "messages")
    out: dict[str, Any] = {"contents": contents}
    if system:
        out["systemInstruction"] = {"parts": system}
    gen: dict[str, Any] = {}
    for src, dst in (("temperature", "temperature"), ("top_p", "topP"), ("top_k", "topK"),
                     ("presence_penalty", "presencePenalty"), ("frequency_penalty", "frequencyPenalty"),
                     ("seed", "seed"), ("n", "candidateCount")):
        if body.get(src) is not None:
            gen[dst] = body[src]
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    if max_tokens:
        gen["maxOutputTokens"] = max_tokens
    stop = body.get("stop")
    if stop:
        gen["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    fmt = body.get("response_format") or {}
    if fmt.get("type") in ("json_object", "json_schema"):
        gen["responseMimeType"] = "application/json"
        schema = (fmt.get("json_schema") or {}).get("schema")
        if schema:
            gen["responseJsonSchema"] = schema
    if gen:
        out["generationConfig"] = gen
    tools = body.get("tools")
    if tools:
        decls = []
        for t in tools:
            fn = t.get("function") or {}
            decl: dict[str, Any] = {"name": fn.get("name")}
            if fn.get("description"):
                decl["description"] = fn["description"]
            if fn.get("parameters"):
                decl["parameters"] = _clean_schema(fn["parameters"])
            decls.append(decl)
        out["tools"] = [{"functionDeclarations": decls}]
    tool_config = _tool_config(body.get("tool_choice"))
    if tool_config and tools:
        out["toolConfig"] = tool_config
    return out


def to_openai_usage(meta: dict[str, Any] | None) -> dict[str, Any]:
    m = meta or {}
    prompt = int(m.get("promptTokenCount") or 0) + int(m.get("toolUsePromptTokenCount") or 0)
    thoughts = int(m.get("thoughtsTokenCount") or 0)
    completion = int(m.get("candidatesTokenCount") or 0) + thoughts
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": int(m.get("cachedContentTokenCount") or 0)},
        "completion_tokens_details": {"reasoning_tokens": thoughts},
    }


def _ratings(ratings: Any) -> str:
    bad = [f"{r.get('category')}: {r.get('probability')}" for r in ratings or []
           if isinstance(r, dict) and (r.get("blocked") or r.get("probability") in ("MEDIUM", "HIGH"))]
    return f" ({', '.join(bad)})" if bad else ""


def check_prompt_blocked(data: dict[str, Any]) -> None:
    """Raise ``safety_block`` when Gemini refused the prompt itself."""
    feedback = data.get("promptFeedback") or {}
    reason = feedback.get("blockReason")
    if reason and not data.get("candidates"):
        raise _bad(f"Gemini blocked the prompt: {reason}{_ratings(feedback.get('safetyRatings'))}"
                   f"{' — ' + feedback['blockReasonMessage'] if feedback.get('blockReasonMessage') else ''}",
                   "messages", code="safety_block")


def safety_error(candidate: dict[str, Any]) -> ProviderError:
    return _bad(f"Gemini stopped the answer: {candidate.get('finishReason')}"
                f"{_ratings(candidate.get('safetyRatings'))}", "messages", code="safety_block")


def new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:24]


def _split_parts(parts: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Visible text (thought summaries excluded) and function calls of one candidate."""
    text = "".join(str(p.get("text", "")) for p in parts if "text" in p and not p.get("thought"))
    calls = []
    for p in parts:
        fc = p.get("functionCall")
        if isinstance(fc, dict):
            calls.append({"id": fc.get("id") or new_call_id(), "type": "function", "function": {
                "name": fc.get("name"), "arguments": orjson.dumps(fc.get("args") or {}).decode()}})
    return text, calls


def _finish(reason: Any, has_calls: bool) -> str:
    if has_calls and reason in (None, "STOP"):
        return "tool_calls"
    return FINISH_REASONS.get(str(reason), "stop")


def to_openai_response(data: dict[str, Any], model: str) -> dict[str, Any]:
    check_prompt_blocked(data)
    choices = []
    for pos, cand in enumerate(data.get("candidates") or []):
        text, calls = _split_parts((cand.get("content") or {}).get("parts") or [])
        if not text and not calls and cand.get("finishReason") in _SAFETY:
            raise safety_error(cand)
        message: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
        if calls:
            message["tool_calls"] = calls
        choices.append({"index": int(cand.get("index", pos)), "message": message, "logprobs": None,
                        "finish_reason": _finish(cand.get("finishReason"), bool(calls))})
    if not choices:
        raise ProviderError("Gemini returned no candidates", kind="broken_response")
    return {
        "id": "chatcmpl-" + str(data.get("responseId") or uuid.uuid4().hex),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(data.get("modelVersion") or model),
        "choices": choices,
        "usage": to_openai_usage(data.get("usageMetadata")),
    }


def retry_delay(error: dict[str, Any]) -> float | None:
    """``google.rpc.RetryInfo.retryDelay`` ("7s", "0.5s") from an error's details."""
    for d in error.get("details") or []:
        if isinstance(d, dict) and str(d.get("@type", "")).endswith("RetryInfo"):
            try:
                return float(str(d.get("retryDelay", "")).rstrip("s"))
            except ValueError:
                return None
    return None


def error_from_body(provider: str, status: int, raw: bytes, retry_after: float | None) -> ProviderError:
    """Google's ``{"error":{"code","message","status","details"}}`` → ProviderError."""
    gstatus, message, err = "", raw[:500].decode("utf-8", errors="replace").strip(), {}
    try:
        parsed = orjson.loads(raw)
        if isinstance(parsed, list) and parsed:  # some Google front ends wrap errors in a list
            parsed = parsed[0]
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
            err = parsed["error"]
            gstatus, message = str(err.get("status") or ""), str(err.get("message") or message)
    except orjson.JSONDecodeError:
        pass
    text = f"provider '{provider}' (gemini) returned HTTP {status} {gstatus}: {message or 'no body'}"
    delay = retry_after if retry_after is not None else retry_delay(err)
    reasons = {str(d.get("reason")) for d in err.get("details") or [] if isinstance(d, dict)}
    if status == 429:
        return ProviderError(text, status=429, retry_after=delay, kind="rate_limited")
    if status == 503:
        return ProviderError(text, status=503, retry_after=delay, kind="overloaded")
    if status >= 500 or status == 408:
        return ProviderError(text, status=status, retry_after=delay,
                             kind="timeout" if status in (408, 504) else "upstream_5xx")
    if status in (401, 403) or "API_KEY_INVALID" in reasons:
        return ProviderError(text, status=502, kind="auth_error")
    return ProviderError(
        text, status=status, retryable=False, kind="bad_request",
        body={"error": {"message": f"gemini: {message}", "type": "invalid_request_error", "param": None,
                        "code": gstatus.lower() or None}},
    )


class StreamTranslator:
    """Gemini ``GenerateContentResponse`` stream events → OpenAI chunk dicts.

    Each event carries the *new* text of each candidate; function calls arrive whole.  The
    finish reason and the final ``usageMetadata`` ride on the last event; there is no end
    marker, so the stream is complete once every candidate has a finish reason.
    """

    def __init__(self, model: str, include_usage: bool) -> None:
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.model = model
        self.created = int(time.time())
        self.include_usage = include_usage
        self.usage: dict[str, Any] | None = None
        self.started = False
        self._role_sent: set[int] = set()
        self._tools: dict[int, int] = {}  # choice index -> tool calls so far
        self._open: set[int] = set()
        self._done: set[int] = set()

    @property
    def finished(self) -> bool:
        return bool(self._done) and not (self._open - self._done)

    def _chunk(self, index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        if index not in self._role_sent:
            self._role_sent.add(index)
            delta = {"role": "assistant", **delta}
            if "content" not in delta and "tool_calls" not in delta:
                delta["content"] = ""
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}]}

    def feed(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        if isinstance(data.get("error"), dict):
            err = data["error"]
            raise ProviderError(f"gemini stream error {err.get('status')}: {err.get('message')}",
                                retryable=err.get("code") in (429, 500, 503, 504), kind="stream_error")
        if not self.started:
            check_prompt_blocked(data)
        if data.get("modelVersion"):
            self.model = str(data["modelVersion"])
        if data.get("usageMetadata"):
            self.usage = data["usageMetadata"]
        out: list[dict[str, Any]] = []
        for pos, cand in enumerate(data.get("candidates") or []):
            index = int(cand.get("index", pos))
            self._open.add(index)
            text, calls = _split_parts((cand.get("content") or {}).get("parts") or [])
            reason = cand.get("finishReason")
            if reason in _SAFETY and not self.started and not text and not calls:
                raise safety_error(cand)
            if text:
                out.append(self._chunk(index, {"content": text}))
            for call in calls:
                n = self._tools.get(index, 0)
                self._tools[index] = n + 1
                out.append(self._chunk(index, {"tool_calls": [{"index": n, **call}]}))
            if reason and index not in self._done:
                self._done.add(index)
                out.append(self._chunk(index, {}, _finish(reason, bool(self._tools.get(index)))))
        if out:
            self.started = True
        return out

    def usage_chunk(self) -> dict[str, Any] | None:
        if not self.include_usage:
            return None
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
                "choices": [], "usage": to_openai_usage(self.usage)}
