"""Validation of inbound OpenAI-shaped request bodies.

We check what the gateway itself relies on (types of ``model``, ``messages``, ``stream``,
``n`` …) and pass every other field through untouched, so new OpenAI parameters work the day
they ship.  Each failure names the offending parameter, the way OpenAI does.
"""

from __future__ import annotations

from typing import Any

from perimeter.errors import bad_request

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})


def _type_name(v: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
            type(None): "null"}.get(type(v), type(v).__name__)


def _require_object(body: Any) -> None:
    if not isinstance(body, dict):
        raise bad_request(f"the request body must be a JSON object, got {_type_name(body)}")


def _check_common(body: dict[str, Any]) -> None:
    model = body.get("model")
    if model is None:
        raise bad_request("you must provide a model parameter", param="model", code="missing_required_parameter")
    if not isinstance(model, str) or not model:
        raise bad_request(f"'model' must be a non-empty string, got {_type_name(model)}", param="model")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise bad_request(f"'stream' must be a boolean, got {_type_name(stream)}", param="stream")
    so = body.get("stream_options")
    if so is not None and not isinstance(so, dict):
        raise bad_request("'stream_options' must be an object", param="stream_options")
    for name in ("max_tokens", "max_completion_tokens", "n", "seed", "top_logprobs"):
        v = body.get(name)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
            raise bad_request(f"'{name}' must be an integer, got {_type_name(v)}", param=name)
    n = body.get("n")
    if isinstance(n, int) and not 1 <= n <= 128:
        raise bad_request("'n' must be between 1 and 128", param="n")
    for name in ("temperature", "top_p", "presence_penalty", "frequency_penalty"):
        v = body.get(name)
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool)):
            raise bad_request(f"'{name}' must be a number, got {_type_name(v)}", param=name)
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str) and not (
        isinstance(stop, list) and all(isinstance(s, str) for s in stop)
    ):
        raise bad_request("'stop' must be a string or an array of strings", param="stop")
    user = body.get("user")
    if user is not None and not isinstance(user, str):
        raise bad_request("'user' must be a string", param="user")


def validate_chat(body: Any) -> dict[str, Any]:
    _require_object(body)
    _check_common(body)
    messages = body.get("messages")
    if messages is None:
        raise bad_request("'messages' is required", param="messages", code="missing_required_parameter")
    if not isinstance(messages, list) or not messages:
        raise bad_request("'messages' must be a non-empty array of message objects", param="messages")
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise bad_request(f"messages[{i}] must be an object, got {_type_name(m)}", param=f"messages[{i}]")
        role = m.get("role")
        if role not in _ROLES:
            raise bad_request(
                f"messages[{i}].role must be one of {', '.join(sorted(_ROLES))}, got {role!r}",
                param=f"messages[{i}].role",
            )
        content = m.get("content")
        if content is not None and not isinstance(content, str | list):
            raise bad_request(
                f"messages[{i}].content must be a string or an array of content parts, got {_type_name(content)}",
                param=f"messages[{i}].content",
            )
        if isinstance(content, list):
            for j, part in enumerate(content):
                if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                    raise bad_request(
                        f"messages[{i}].content[{j}] must be an object with a 'type'",
                        param=f"messages[{i}].content[{j}]",
                    )
        tool_calls = m.get("tool_calls")
        if tool_calls is not None and not isinstance(tool_calls, list):
            raise bad_request(f"messages[{i}].tool_calls must be an array", param=f"messages[{i}].tool_calls")
    tools = body.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise bad_request("'tools' must be an array", param="tools")
    rf = body.get("response_format")
    if rf is not None and not isinstance(rf, dict):
        raise bad_request("'response_format' must be an object", param="response_format")
    return body


def validate_completions(body: Any) -> dict[str, Any]:
    _require_object(body)
    _check_common(body)
    prompt = body.get("prompt")
    if prompt is None:
        raise bad_request("'prompt' is required", param="prompt", code="missing_required_parameter")
    if not isinstance(prompt, str | list):
        raise bad_request("'prompt' must be a string or an array", param="prompt")
    return body


def validate_embeddings(body: Any) -> dict[str, Any]:
    _require_object(body)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("'model' must be a non-empty string", param="model")
    inp = body.get("input")
    if inp is None:
        raise bad_request("'input' is required", param="input", code="missing_required_parameter")
    if not isinstance(inp, str | list):
        raise bad_request("'input' must be a string or an array", param="input")
    return body
