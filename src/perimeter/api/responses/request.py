"""A ``POST /v1/responses`` body: validated, then translated into the canonical chat body.

What is translated, what is ignored and what is refused is listed in docs/responses.md; the
rule is that nothing the client asked for is silently lost: a parameter the gateway cannot
honour is refused with a 400 naming it, a parameter that only tunes an OpenAI-side feature is
ignored and documented, and an unknown parameter is refused as OpenAI refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perimeter.errors import GatewayError, bad_request
from perimeter.providers.openai_compat.responses_dialect import (
    ShapeError,
    items_to_messages,
    new_id,
    text_format_to_chat,
    tool_choice_to_chat,
    tools_to_chat,
)

#: Parameters that tune OpenAI-side features with no effect on what a model is asked: accepted
#: and ignored (docs/responses.md says why for each).
IGNORED = frozenset({
    "service_tier", "max_tool_calls", "truncation", "stream_options", "include", "prompt_cache_key",
    "prompt_cache_retention", "safety_identifier", "client_metadata",
})
TRANSLATED = frozenset({
    "model", "input", "instructions", "stream", "store", "previous_response_id", "max_output_tokens",
    "temperature", "top_p", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls", "text", "reasoning",
    "metadata", "user", "background",
})
#: Features that need state or services at OpenAI: refused with a message saying so.
REFUSED = {
    "conversation": "conversations are not supported; use previous_response_id or send the whole input",
    "prompt": "stored prompt templates are not supported; send instructions and input instead",
}
_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")


@dataclass(slots=True)
class ResponsesRequest:
    """What the edge keeps of a Responses request beyond the chat body it becomes."""

    raw: dict[str, Any]
    input_items: list[dict[str, Any]]
    instructions: str | None
    previous_id: str | None
    store: bool
    response_id: str = field(default_factory=lambda: new_id("resp"))
    dropped: list[str] = field(default_factory=list)


def _type_name(v: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
            type(None): "null"}.get(type(v), type(v).__name__)


def _typed(body: dict[str, Any], name: str, kinds: type | tuple[type, ...], what: str) -> Any:
    v = body.get(name)
    if v is None:
        return None
    if not isinstance(v, kinds) or (isinstance(v, bool) and kinds is not bool):
        raise bad_request(f"'{name}' must be {what}, got {_type_name(v)}", param=name)
    return v


def _number(body: dict[str, Any], name: str, lo: float, hi: float) -> float | None:
    v = _typed(body, name, (int, float), "a number")
    if v is not None and not lo <= v <= hi:
        raise bad_request(f"'{name}' must be between {lo:g} and {hi:g}, got {v}", param=name)
    return v


def normalize_input(value: Any) -> list[dict[str, Any]]:
    """``input`` as a list of items (a string is one user message), each with an ``id``."""
    if isinstance(value, str):
        items: list[Any] = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]}]
    elif isinstance(value, list):
        items = value
    else:
        raise bad_request(f"'input' must be a string or an array of input items, got {_type_name(value)}",
                          param="input")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad_request(f"input[{i}] must be an object, got {_type_name(item)}", param=f"input[{i}]")
        if "id" not in item:
            item = {"id": new_id("fco" if item.get("type") == "function_call_output" else "msg"), **item}
        out.append(item)
    return out


def _check_params(body: dict[str, Any]) -> None:
    for name in body:
        if name in REFUSED and body[name] is not None:
            raise bad_request(f"'{name}': {REFUSED[name]}", param=name, code="unsupported_parameter")
        if name not in TRANSLATED and name not in IGNORED and name not in REFUSED:
            raise bad_request(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")
    if body.get("background"):
        raise bad_request("'background': background responses are not supported by this gateway; "
                          "stream the response instead", param="background", code="unsupported_parameter")


def parse_request(body: Any) -> tuple[ResponsesRequest, dict[str, Any]]:
    """Validate a Responses request; return it and the canonical chat body it becomes.

    The chat body holds this turn only; the handler prepends the stored conversation of
    ``previous_response_id`` once the caller is authenticated (it is theirs to read).
    """
    if not isinstance(body, dict):
        raise bad_request(f"the request body must be a JSON object, got {_type_name(body)}")
    _check_params(body)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("you must provide a model parameter", param="model", code="missing_required_parameter")
    instructions = _typed(body, "instructions", str, "a string")
    previous_id = _typed(body, "previous_response_id", str, "a string")
    store = _typed(body, "store", bool, "a boolean")
    stream = _typed(body, "stream", bool, "a boolean")
    if body.get("input") is None:
        if previous_id is None:
            raise bad_request("'input' is required (a string or an array of input items)", param="input",
                              code="missing_required_parameter")
        items: list[dict[str, Any]] = []
    else:
        items = normalize_input(body["input"])
    req = ResponsesRequest(body, items, instructions, previous_id, True if store is None else store)
    try:
        messages, req.dropped = items_to_messages(items)
        chat = _chat_body(body, model, messages, instructions, bool(stream), req.dropped)
    except ShapeError as exc:
        raise bad_request(str(exc), param=exc.param) from None
    return req, chat


def _chat_body(body: dict[str, Any], model: str, messages: list[dict[str, Any]], instructions: str | None,
               stream: bool, dropped: list[str]) -> dict[str, Any]:
    if instructions:
        messages = [{"role": "system", "content": instructions}, *messages]
    chat: dict[str, Any] = {"model": model, "messages": messages}
    if stream:
        chat["stream"] = True
        chat["stream_options"] = {"include_usage": True}
    max_out = _typed(body, "max_output_tokens", int, "an integer")
    if max_out is not None:
        if max_out < 1:
            raise bad_request("'max_output_tokens' must be at least 1", param="max_output_tokens")
        chat["max_completion_tokens"] = max_out
    for name, hi in (("temperature", 2.0), ("top_p", 1.0)):
        v = _number(body, name, 0.0, hi)
        if v is not None:
            chat[name] = v
    top = _typed(body, "top_logprobs", int, "an integer")
    if top is not None:
        if not 0 <= top <= 20:
            raise bad_request("'top_logprobs' must be between 0 and 20", param="top_logprobs")
        chat["logprobs"] = True
        chat["top_logprobs"] = top
    if "message.output_text.logprobs" in (body.get("include") or ()):
        chat["logprobs"] = True
    _tools(body, chat, dropped)
    text = _typed(body, "text", dict, "an object")
    if text:
        if text.get("format") is not None:
            rf = text_format_to_chat(text["format"])
            if rf["type"] != "text":
                chat["response_format"] = rf
        if text.get("verbosity") is not None:
            chat["verbosity"] = text["verbosity"]
    reasoning = _typed(body, "reasoning", dict, "an object")
    if reasoning and reasoning.get("effort") is not None:
        if reasoning["effort"] not in _EFFORTS:
            raise bad_request(f"reasoning.effort must be one of {', '.join(_EFFORTS)}", param="reasoning.effort")
        chat["reasoning_effort"] = reasoning["effort"]
    metadata = _typed(body, "metadata", dict, "an object")
    if metadata and (len(metadata) > 16 or not all(isinstance(v, str) for v in metadata.values())):
        raise bad_request("'metadata' holds at most 16 string values", param="metadata")
    user = _typed(body, "user", str, "a string") or _typed(body, "safety_identifier", str, "a string")
    if user:
        chat["user"] = user
    return chat


def _function_tools(tools: Any, dropped: list[str]) -> list[dict[str, Any]]:
    """The function tools; hosted tools (web search, file search, code interpreter, MCP …) and
    namespaces run inside a vendor's cloud or agent runtime: dropped, and named in the header."""
    if not isinstance(tools, list):
        raise bad_request(f"'tools' must be an array, got {_type_name(tools)}", param="tools")
    kept = []
    for k, t in enumerate(tools):
        ttype = t.get("type") if isinstance(t, dict) else None
        if ttype == "function":
            kept.append(t)
        elif isinstance(ttype, str):
            dropped.append(f"tools.{ttype}")
        else:
            raise bad_request(f"tools[{k}] must be an object with a 'type'", param=f"tools[{k}]")
    return tools_to_chat(kept)


def _tools(body: dict[str, Any], chat: dict[str, Any], dropped: list[str]) -> None:
    tools = _function_tools(body["tools"], dropped) if body.get("tools") is not None else []
    choice = body.get("tool_choice")
    if choice is not None:
        choice, tools = tool_choice_to_chat(choice, tools)
        if isinstance(choice, dict) and choice["function"]["name"] not in {t["function"]["name"] for t in tools}:
            raise bad_request(f"tool_choice names '{choice['function']['name']}', which is not one of the "
                              "function tools", param="tool_choice")
        if tools or choice == "none":
            chat["tool_choice"] = choice
    if tools:
        chat["tools"] = tools
    parallel = _typed(body, "parallel_tool_calls", bool, "a boolean")
    if parallel is not None and tools:
        chat["parallel_tool_calls"] = parallel


def previous_turns(records: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The chat messages of a stored conversation (each turn's input, then its output)."""
    items: list[dict[str, Any]] = []
    for rec in records:
        items.extend(rec.input_items)
        items.extend(rec.output)
    try:
        return items_to_messages(items, "previous_response")
    except ShapeError as exc:  # a stored turn from an older build: say which, never a 500
        raise GatewayError(409, f"the stored conversation cannot be replayed: {exc}",
                           param="previous_response_id", code="previous_response_unusable") from None
