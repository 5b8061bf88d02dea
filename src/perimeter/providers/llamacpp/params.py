"""Turn OpenAI request bodies into what the in-process llama.cpp engine needs.

The gateway's own validation (:mod:`perimeter.api.schema`) checks types; this module checks what
only a local model cares about (image parts, the shape of tools and ``response_format``,
``logit_bias`` …) and refuses it with a 400 that names the parameter, instead of silently
generating something the client did not ask for.  Tools and JSON output are served through
grammars (:mod:`.structured`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perimeter.errors import ProviderError

MAX_N = 16
MAX_STOP = 16
MAX_TOP_LOGPROBS = 20
MAX_LEGACY_LOGPROBS = 5


@dataclass(slots=True)
class SamplingParams:
    """Sampling knobs in OpenAI terms (``temperature=0`` means greedy)."""

    max_tokens: int | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    logprobs: bool = False
    top_logprobs: int = 0


@dataclass(slots=True)
class ChatRequest:
    messages: list[dict[str, Any]]
    params: SamplingParams
    n: int = 1
    include_usage: bool = False
    #: Function tools on offer (after ``tool_choice`` narrowed them), and whether a call is forced.
    tools: list[dict[str, Any]] = field(default_factory=list)
    forced: bool = False
    parallel: bool = True
    response_format: dict[str, Any] | None = None


@dataclass(slots=True)
class CompletionRequest:
    prompts: list[str]
    params: SamplingParams
    n: int = 1
    include_usage: bool = False
    echo: bool = False


@dataclass(slots=True)
class EmbeddingRequest:
    inputs: list[str]
    encoding_format: str = "float"


def invalid(message: str, param: str | None = None, code: str | None = None) -> ProviderError:
    """A client error: not retryable, passed back with OpenAI's error body."""
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return ProviderError(message, status=400, retryable=False, body=body, kind="invalid_request")


def _number(body: dict[str, Any], name: str, default: float, lo: float, hi: float) -> float:
    v = body.get(name)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise invalid(f"'{name}' must be a number", name)
    if not lo <= v <= hi:
        raise invalid(f"'{name}' must be between {lo:g} and {hi:g}, got {v}", name)
    return float(v)


def _int(body: dict[str, Any], name: str, lo: int, hi: int | None = None) -> int | None:
    v = body.get(name)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise invalid(f"'{name}' must be an integer", name)
    if v < lo or (hi is not None and v > hi):
        bound = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise invalid(f"'{name}' must be {bound}, got {v}", name)
    return v


def _stop(body: dict[str, Any]) -> list[str]:
    stop = body.get("stop")
    if stop is None:
        return []
    items = [stop] if isinstance(stop, str) else stop
    if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
        raise invalid("'stop' must be a string or an array of strings", "stop")
    if len(items) > MAX_STOP:
        raise invalid(f"'stop' may hold at most {MAX_STOP} strings", "stop")
    return [s for s in items if s]


def _include_usage(body: dict[str, Any]) -> bool:
    so = body.get("stream_options")
    return isinstance(so, dict) and so.get("include_usage") is True


def _common(body: dict[str, Any]) -> SamplingParams:
    max_tokens = _int(body, "max_completion_tokens", 1)
    if max_tokens is None:
        max_tokens = _int(body, "max_tokens", 1)
    bias = body.get("logit_bias")
    if bias:
        raise invalid("'logit_bias' is not supported by the in-process llama.cpp provider", "logit_bias")
    return SamplingParams(
        max_tokens=max_tokens,
        temperature=_number(body, "temperature", 1.0, 0.0, 2.0),
        top_p=_number(body, "top_p", 1.0, 0.0, 1.0),
        stop=_stop(body),
        seed=_int(body, "seed", -(2**63)),
        presence_penalty=_number(body, "presence_penalty", 0.0, -2.0, 2.0),
        frequency_penalty=_number(body, "frequency_penalty", 0.0, -2.0, 2.0),
    )


def _text_content(content: Any, where: str) -> str:
    """Flatten OpenAI message content (string or array of parts) to text."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out: list[str] = []
        for part in content:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                out.append(part["text"])
            else:
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise invalid(
                    f"{where}: content part of type '{kind}' is not supported by the llama.cpp provider "
                    "(text only)", "messages",
                )
        return "".join(out)
    raise invalid(f"{where}: 'content' must be a string or an array of content parts", "messages")


def _tools(body: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The function tools the answer may call, and whether it must call one (``tool_choice``)."""
    tools = body.get("tools")
    if tools is None and body.get("functions") is not None:  # the legacy form
        tools = [{"type": "function", "function": f} for f in body["functions"] or ()]
    choice = body.get("tool_choice", body.get("function_call"))
    if not tools or choice == "none":
        return [], False
    if not isinstance(tools, list):
        raise invalid("'tools' must be an array", "tools")
    for k, t in enumerate(tools):
        fn = t.get("function") if isinstance(t, dict) and t.get("type", "function") == "function" else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise invalid(f"tools[{k}] must be a function tool with a name", f"tools[{k}]")
        if fn.get("parameters") is not None and not isinstance(fn["parameters"], dict):
            raise invalid(f"tools[{k}].function.parameters must be a JSON schema object", f"tools[{k}]")
    if choice in (None, "auto"):
        return tools, False
    if choice == "required":
        return tools, True
    name = (choice.get("name") or (choice.get("function") or {}).get("name")) if isinstance(choice, dict) else None
    chosen = [t for t in tools if t["function"]["name"] == name]
    if not chosen:
        raise invalid(f"tool_choice names '{name}', which is not one of the tools", "tool_choice")
    return chosen, True


def _response_format(body: dict[str, Any]) -> dict[str, Any] | None:
    fmt = body.get("response_format")
    if fmt is None or (isinstance(fmt, dict) and fmt.get("type") == "text"):
        return None
    if not isinstance(fmt, dict) or fmt.get("type") not in ("json_object", "json_schema"):
        raise invalid("response_format.type must be 'text', 'json_object' or 'json_schema'", "response_format")
    if fmt["type"] == "json_schema" and not isinstance((fmt.get("json_schema") or {}).get("schema"), dict):
        raise invalid("response_format.json_schema.schema must be a JSON schema object", "response_format")
    return fmt


def _message(m: Any, i: int) -> dict[str, Any]:
    """A message as the chat template sees it: text content, tool calls, tool results."""
    if not isinstance(m, dict) or not isinstance(m.get("role"), str):
        raise invalid(f"messages[{i}] must be an object with a 'role'", "messages")
    role = "system" if m["role"] == "developer" else m["role"]
    out: dict[str, Any] = {"role": role, "content": _text_content(m.get("content"), f"messages[{i}]")}
    calls = m.get("tool_calls")
    if role == "assistant" and isinstance(calls, list) and calls:
        for c in calls:
            fn = c.get("function") if isinstance(c, dict) else None
            if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                raise invalid(f"messages[{i}].tool_calls: each call needs a function with a name", "messages")
        out["tool_calls"] = [{"id": c.get("id"), "type": "function", "function": {
            "name": c["function"]["name"], "arguments": c["function"].get("arguments") or "{}"}} for c in calls]
    if role == "tool" and m.get("tool_call_id") is not None:
        out["tool_call_id"] = str(m["tool_call_id"])
    return out


def parse_chat(body: dict[str, Any]) -> ChatRequest:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("'messages' must be a non-empty array", "messages")
    tools, forced = _tools(body)
    out = [_message(m, i) for i, m in enumerate(messages)]
    params = _common(body)
    logprobs = body.get("logprobs")
    if logprobs is not None and not isinstance(logprobs, bool):
        raise invalid("'logprobs' must be a boolean", "logprobs")
    top = _int(body, "top_logprobs", 0, MAX_TOP_LOGPROBS)
    if top is not None and not logprobs:
        raise invalid("'top_logprobs' requires 'logprobs': true", "top_logprobs")
    params.logprobs = bool(logprobs)
    params.top_logprobs = top or 0
    return ChatRequest(out, params, _int(body, "n", 1, MAX_N) or 1, _include_usage(body), tools, forced,
                       body.get("parallel_tool_calls") is not False, _response_format(body))


def parse_completion(body: dict[str, Any]) -> CompletionRequest:
    prompt = body.get("prompt")
    if isinstance(prompt, str):
        prompts = [prompt]
    elif isinstance(prompt, list) and prompt and all(isinstance(p, str) for p in prompt):
        prompts = list(prompt)
    else:
        raise invalid("'prompt' must be a string or a non-empty array of strings "
                      "(token arrays are not supported by the llama.cpp provider)", "prompt")
    if body.get("suffix"):
        raise invalid("'suffix' (fill-in-the-middle) is not supported by the llama.cpp provider", "suffix")
    echo = body.get("echo") is True
    params = _common(body)
    if params.max_tokens is None:
        params.max_tokens = 16  # the legacy endpoint's documented default
    top = _int(body, "logprobs", 0, MAX_LEGACY_LOGPROBS)
    params.logprobs = top is not None
    params.top_logprobs = top or 0
    return CompletionRequest(prompts, params, _int(body, "n", 1, MAX_N) or 1, _include_usage(body), echo)


def parse_embeddings(body: dict[str, Any]) -> EmbeddingRequest:
    raw = body.get("input")
    if isinstance(raw, str):
        inputs = [raw]
    elif isinstance(raw, list) and raw and all(isinstance(s, str) for s in raw):
        inputs = list(raw)
    else:
        raise invalid("'input' must be a string or a non-empty array of strings "
                      "(token arrays are not supported by the llama.cpp provider)", "input")
    if any(not s for s in inputs):
        raise invalid("'input' must not contain empty strings", "input")
    fmt = body.get("encoding_format") or "float"
    if fmt not in ("float", "base64"):
        raise invalid("'encoding_format' must be 'float' or 'base64'", "encoding_format")
    if body.get("dimensions") is not None:
        raise invalid("'dimensions' is not supported by the llama.cpp provider", "dimensions")
    return EmbeddingRequest(inputs, fmt)
