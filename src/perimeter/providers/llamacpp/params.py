"""Turn OpenAI request bodies into what the in-process llama.cpp engine needs.

The gateway's own validation (:mod:`perimeter.api.schema`) checks types; this module checks what
only a local model cares about (image parts, tools, ``logit_bias`` …) and refuses it with a
400 that names the parameter, instead of silently generating something the client did not
ask for.
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


def parse_chat(body: dict[str, Any]) -> ChatRequest:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("'messages' must be a non-empty array", "messages")
    tools = body.get("tools") or body.get("functions")
    if tools and body.get("tool_choice") != "none":
        raise invalid(
            "tool calling is not supported by the in-process llama.cpp provider; "
            "send the request without 'tools' or route it to a provider that supports them", "tools",
        )
    fmt = body.get("response_format")
    if fmt is not None and not (isinstance(fmt, dict) and fmt.get("type") == "text"):
        raise invalid("only response_format {'type': 'text'} is supported by the llama.cpp provider",
                      "response_format")
    out: list[dict[str, Any]] = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise invalid(f"messages[{i}] must be an object with a 'role'", "messages")
        role = "system" if m["role"] == "developer" else m["role"]
        out.append({"role": role, "content": _text_content(m.get("content"), f"messages[{i}]")})
    params = _common(body)
    logprobs = body.get("logprobs")
    if logprobs is not None and not isinstance(logprobs, bool):
        raise invalid("'logprobs' must be a boolean", "logprobs")
    top = _int(body, "top_logprobs", 0, MAX_TOP_LOGPROBS)
    if top is not None and not logprobs:
        raise invalid("'top_logprobs' requires 'logprobs': true", "top_logprobs")
    params.logprobs = bool(logprobs)
    params.top_logprobs = top or 0
    return ChatRequest(out, params, _int(body, "n", 1, MAX_N) or 1, _include_usage(body))


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
