"""Validation of inbound OpenAI-shaped request bodies (chat, completions, embeddings).

Every field OpenAI documents is checked against its documented shape, so nothing malformed
reaches a translator, the privacy walker or an upstream: a bad body is a 400 that names the
parameter, never a 500.  Fields we do not know pass through untouched, so new OpenAI
parameters work the day they ship.  Part and tool *types* we do not know pass as long as they
are objects with a ``type`` (the adapters refuse what they cannot express).
"""

from __future__ import annotations

from typing import Any

from perimeter.api.shape import (
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

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_TOOL_CHOICES = frozenset({"none", "auto", "required"})
_FORMATS = frozenset({"text", "json_object", "json_schema"})


def _require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(f"the request body must be a JSON object, got {type_name(body)}")
    return body


def _model(body: dict[str, Any]) -> None:
    model = body.get("model")
    if model is None:
        raise bad_request("you must provide a model parameter", param="model", code="missing_required_parameter")
    if not isinstance(model, str) or not model:
        raise bad_request(f"'model' must be a non-empty string, got {type_name(model)}", param="model")


def _stream_options(v: Any, where: str) -> None:
    optional(obj(v, where), "include_usage", f"{where}.include_usage", boolean)


def _check_common(body: dict[str, Any]) -> None:
    """Parameters chat and legacy completions share."""
    _model(body)
    optional(body, "stream", "stream", boolean)
    optional(body, "stream_options", "stream_options", _stream_options)
    for name in ("max_tokens", "max_completion_tokens"):
        optional(body, name, name, lambda v, w: integer(v, w, lo=1))
    optional(body, "n", "n", lambda v, w: integer(v, w, lo=1, hi=128))
    optional(body, "seed", "seed", integer)
    optional(body, "temperature", "temperature", lambda v, w: number(v, w, lo=0, hi=2))
    optional(body, "top_p", "top_p", lambda v, w: number(v, w, lo=0, hi=1))
    for name in ("presence_penalty", "frequency_penalty"):
        optional(body, name, name, lambda v, w: number(v, w, lo=-2, hi=2))
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str) and not (
        isinstance(stop, list) and all(isinstance(s, str) for s in stop)
    ):
        raise bad_request("'stop' must be a string or an array of strings", param="stop")
    optional(body, "user", "user", string)
    optional(body, "logit_bias", "logit_bias", _logit_bias)


def _logit_bias(v: Any, where: str) -> None:
    for k, bias in obj(v, where).items():
        number(bias, f"{where}.{k}", lo=-100, hi=100)


# ------------------------------------------------------------------------------------------- chat


def _content_part(part: Any, where: str) -> None:
    p = obj(part, where)
    ptype = string(p.get("type"), f"{where}.type", non_empty=True)
    if ptype == "text":
        string(p.get("text"), f"{where}.text")
    elif ptype == "image_url":
        img = obj(p.get("image_url"), f"{where}.image_url")
        string(img.get("url"), f"{where}.image_url.url", non_empty=True)
        optional(img, "detail", f"{where}.image_url.detail", string)
    elif ptype == "input_audio":
        audio = obj(p.get("input_audio"), f"{where}.input_audio")
        string(audio.get("data"), f"{where}.input_audio.data")
        string(audio.get("format"), f"{where}.input_audio.format")
    elif ptype == "file":
        obj(p.get("file"), f"{where}.file")
    elif ptype == "refusal":
        string(p.get("refusal"), f"{where}.refusal")


def _content(content: Any, where: str) -> None:
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise fail(where, f"must be a string or an array of content parts, got {type_name(content)}")
    for j, part in enumerate(content):
        _content_part(part, f"{where}[{j}]")


def _tool_call(call: Any, where: str) -> None:
    c = obj(call, where)
    ctype = c.get("type", "function")
    string(ctype, f"{where}.type")
    optional(c, "id", f"{where}.id", string)
    if ctype != "function":
        return
    fn = obj(c.get("function"), f"{where}.function")
    string(fn.get("name"), f"{where}.function.name", non_empty=True)
    args = fn.get("arguments")
    if not isinstance(args, str | dict):  # documented as JSON text; some clients send the object itself
        raise fail(f"{where}.function.arguments", f"must be a string of JSON, got {type_name(args)}")


def _message(m: Any, where: str) -> None:
    if not isinstance(m, dict):
        raise bad_request(f"{where} must be an object, got {type_name(m)}", param=where)
    role = m.get("role")
    if not isinstance(role, str) or role not in _ROLES:
        raise bad_request(f"{where}.role must be one of {', '.join(sorted(_ROLES))}, got {role!r}"[:300],
                          param=f"{where}.role")
    content = m.get("content")
    if content is not None:
        _content(content, f"{where}.content")
    optional(m, "name", f"{where}.name", string)
    if role == "assistant":
        calls = m.get("tool_calls")
        if calls is not None:
            for k, call in enumerate(arr(calls, f"{where}.tool_calls")):
                _tool_call(call, f"{where}.tool_calls[{k}]")
        optional(m, "refusal", f"{where}.refusal", string)
        fc = m.get("function_call")
        if fc is not None:
            f = obj(fc, f"{where}.function_call")
            string(f.get("name"), f"{where}.function_call.name", non_empty=True)
            string(f.get("arguments"), f"{where}.function_call.arguments")
        if content is None and not calls and fc is None and m.get("refusal") is None:
            raise fail(f"{where}.content", "is required unless the assistant message has tool_calls",
                       code="missing_required_parameter")
        return
    if content is None:
        raise fail(f"{where}.content", f"is required in a {role} message", code="missing_required_parameter")
    if role == "tool":
        string(m.get("tool_call_id"), f"{where}.tool_call_id", non_empty=True)
    elif role == "function":
        string(m.get("name"), f"{where}.name", non_empty=True)


def _tool(t: Any, where: str) -> None:
    tool = obj(t, where)
    ttype = string(tool.get("type", "function"), f"{where}.type", non_empty=True)
    if ttype != "function":
        return
    fn = obj(tool.get("function"), f"{where}.function")
    string(fn.get("name"), f"{where}.function.name", non_empty=True)
    optional(fn, "description", f"{where}.function.description", string)
    optional(fn, "parameters", f"{where}.function.parameters", obj)
    optional(fn, "strict", f"{where}.function.strict", boolean)


def _tool_choice(v: Any, where: str) -> None:
    if isinstance(v, str):
        one_of(v, where, _TOOL_CHOICES)
        return
    choice = obj(v, where)
    ctype = string(choice.get("type"), f"{where}.type", non_empty=True)
    if ctype == "function":
        fn = obj(choice.get("function"), f"{where}.function")
        string(fn.get("name"), f"{where}.function.name", non_empty=True)


def _response_format(v: Any, where: str) -> None:
    rf = obj(v, where)
    rtype = one_of(rf.get("type"), f"{where}.type", _FORMATS)
    if rtype == "json_schema":
        js = obj(rf.get("json_schema"), f"{where}.json_schema")
        string(js.get("name"), f"{where}.json_schema.name", non_empty=True)
        optional(js, "schema", f"{where}.json_schema.schema", obj)
        optional(js, "strict", f"{where}.json_schema.strict", boolean)


def _metadata(v: Any, where: str) -> None:
    for k, val in obj(v, where).items():
        string(val, f"{where}.{k}")


def validate_chat(body: Any) -> dict[str, Any]:
    body = _require_object(body)
    _check_common(body)
    messages = body.get("messages")
    if messages is None:
        raise bad_request("'messages' is required", param="messages", code="missing_required_parameter")
    if not isinstance(messages, list) or not messages:
        raise bad_request("'messages' must be a non-empty array of message objects", param="messages")
    for i, m in enumerate(messages):
        _message(m, f"messages[{i}]")
    tools = body.get("tools")
    if tools is not None:
        for k, t in enumerate(arr(tools, "tools")):
            _tool(t, f"tools[{k}]")
    optional(body, "tool_choice", "tool_choice", _tool_choice)
    optional(body, "parallel_tool_calls", "parallel_tool_calls", boolean)
    optional(body, "response_format", "response_format", _response_format)
    optional(body, "logprobs", "logprobs", boolean)
    optional(body, "top_logprobs", "top_logprobs", lambda v, w: integer(v, w, lo=0, hi=20))
    optional(body, "metadata", "metadata", _metadata)
    optional(body, "store", "store", boolean)
    optional(body, "modalities", "modalities", strings)
    optional(body, "reasoning_effort", "reasoning_effort", string)
    optional(body, "service_tier", "service_tier", string)
    return body


# ------------------------------------------------------------------------------------------- others


def _token_input(v: Any, where: str, *, what: str) -> None:
    """A string, an array of strings, an array of token ids, or an array of token-id arrays."""
    if isinstance(v, str):
        return
    if not isinstance(v, list) or not v:
        raise fail(where, f"must be a string or a non-empty array ({what}), got {type_name(v)}")
    first = v[0]
    if isinstance(first, str):
        strings(v, where)
    elif isinstance(first, int) and not isinstance(first, bool):
        for i, tok in enumerate(v):
            integer(tok, f"{where}[{i}]", lo=0)
    elif isinstance(first, list):
        for i, seq in enumerate(v):
            for j, tok in enumerate(arr(seq, f"{where}[{i}]", non_empty=True)):
                integer(tok, f"{where}[{i}][{j}]", lo=0)
    else:
        raise fail(f"{where}[0]", f"must be a string, a token id or an array of token ids, got {type_name(first)}")


def validate_completions(body: Any) -> dict[str, Any]:
    body = _require_object(body)
    _check_common(body)
    prompt = body.get("prompt")
    if prompt is None:
        raise bad_request("'prompt' is required", param="prompt", code="missing_required_parameter")
    _token_input(prompt, "prompt", what="prompts")
    optional(body, "echo", "echo", boolean)
    optional(body, "best_of", "best_of", lambda v, w: integer(v, w, lo=1, hi=20))
    optional(body, "logprobs", "logprobs", lambda v, w: integer(v, w, lo=0, hi=5))
    optional(body, "suffix", "suffix", string)
    return body


def validate_embeddings(body: Any) -> dict[str, Any]:
    body = _require_object(body)
    _model(body)
    inp = body.get("input")
    if inp is None:
        raise bad_request("'input' is required", param="input", code="missing_required_parameter")
    _token_input(inp, "input", what="inputs")
    optional(body, "encoding_format", "encoding_format", lambda v, w: one_of(v, w, ("float", "base64")))
    optional(body, "dimensions", "dimensions", lambda v, w: integer(v, w, lo=1))
    optional(body, "user", "user", string)
    return body
