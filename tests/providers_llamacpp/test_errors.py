"""Bad input and misconfiguration fail with errors a person can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from perimeter.config import ConfigError, parse_config
from perimeter.errors import ProviderError
from perimeter.providers.llamacpp.provider import LlamaCppProvider

from .conftest import ProviderFactory, make_config


def _chat(**extra: Any) -> dict[str, Any]:
    return {"model": "tiny", "messages": [{"role": "user", "content": "hi"}], **extra}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (_chat(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]),
         "messages"),
        (_chat(tools=[{"type": "function", "function": {"name": ""}}]), "tools[0]"),
        (_chat(tools=[{"type": "function", "function": {"name": "f"}}], tool_choice={
            "type": "function", "function": {"name": "g"}}), "tool_choice"),
        (_chat(temperature=3), "temperature"),
        (_chat(max_tokens=0), "max_tokens"),
        (_chat(top_logprobs=2), "top_logprobs"),
        (_chat(logit_bias={"5": 10}), "logit_bias"),
        (_chat(response_format={"type": "xml"}), "response_format"),
        (_chat(response_format={"type": "json_schema", "json_schema": {"name": "x"}}), "response_format"),
        (_chat(messages=[]), "messages"),
    ],
)
async def test_unsupported_or_invalid_parameters_are_400(provider: LlamaCppProvider, body: dict[str, Any],
                                                          param: str) -> None:
    with pytest.raises(ProviderError) as info:
        await provider.chat(body, request_id="t")
    err = info.value
    assert err.status == 400 and not err.retryable
    assert err.body is not None and err.body["error"]["param"] == param
    gateway = err.to_gateway_error()
    assert gateway.status == 400 and gateway.param == param


async def test_prompt_longer_than_context_is_context_length_exceeded(make_provider: ProviderFactory) -> None:
    provider = await make_provider(n_ctx=64)
    body = _chat(messages=[{"role": "user", "content": "hello world " * 80}])
    with pytest.raises(ProviderError) as info:
        await provider.chat(body, request_id="t")
    assert info.value.status == 400
    assert info.value.body is not None and info.value.body["error"]["code"] == "context_length_exceeded"
    with pytest.raises(ProviderError) as info:  # streams fail before the first chunk
        await anext(provider.chat_stream({**body, "stream": True}, request_id="t"))
    assert info.value.body is not None and info.value.body["error"]["code"] == "context_length_exceeded"


async def test_max_tokens_beyond_context_stops_at_the_context_end(make_provider: ProviderFactory) -> None:
    provider = await make_provider(n_ctx=64)
    resp = await provider.chat(_chat(max_tokens=1000, temperature=0), request_id="t")
    usage = resp["usage"]
    assert usage["total_tokens"] == 64 and resp["choices"][0]["finish_reason"] == "length"


async def test_not_ready_before_start_and_missing_file_is_clear(tiny_model: Path, tmp_path: Path) -> None:
    provider = LlamaCppProvider(make_config(tiny_model))
    assert not provider.ready()
    with pytest.raises(ProviderError) as info:
        await provider.chat(_chat(), request_id="t")
    assert info.value.status == 503 and info.value.retryable
    await provider.start()
    assert provider.ready()
    await provider.aclose()
    assert not provider.ready()
    missing = LlamaCppProvider(make_config(tmp_path / "nope.gguf"))
    with pytest.raises(ProviderError) as info:
        await missing.start()
    assert "model file not found" in info.value.message and "nope.gguf" in info.value.message


async def test_chat_format_override(make_provider: ProviderFactory, tiny_model: Path) -> None:
    custom = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}[assistant] "
    provider = await make_provider(chat_format=custom)
    assert provider.format_chat([{"role": "user", "content": "hi"}]) == "[user] hi\n[assistant] "
    resp = await provider.chat(_chat(max_tokens=2), request_id="t")
    assert resp["usage"]["prompt_tokens"] == len(provider.tokenize("[user] hi\n[assistant] "))
    bad = LlamaCppProvider(make_config(tiny_model, chat_format="vicuna-ish"))
    with pytest.raises(ProviderError) as info:
        await bad.start()
    assert "chat_format" in info.value.message


def test_config_is_on_prem_and_rejects_cloud(tiny_model: Path) -> None:
    base = {"models": {"local": ["llm"]}}
    cfg = parse_config({**base, "providers": [{"name": "llm", "type": "llamacpp", "model_path": str(tiny_model)}]})
    assert cfg.providers[0].location == "on_prem"
    assert LlamaCppProvider(cfg.providers[0]).location == "on_prem"  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="location"):
        parse_config({**base, "providers": [{"name": "llm", "type": "llamacpp", "location": "cloud",
                                             "model_path": str(tiny_model)}]})
