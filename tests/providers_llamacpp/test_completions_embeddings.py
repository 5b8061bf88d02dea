"""/v1/completions and /v1/embeddings on the same in-process model."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

import pytest

from perimeter.errors import ProviderError
from perimeter.providers.llamacpp.provider import LlamaCppProvider

from .conftest import ProviderFactory


async def test_completion_text_usage_and_stream_agree(provider: LlamaCppProvider) -> None:
    body: dict[str, Any] = {"model": "tiny", "prompt": "hello world", "max_tokens": 10, "temperature": 0}
    resp = await provider.completions(body, request_id="t")
    assert resp["object"] == "text_completion"
    choice = resp["choices"][0]
    assert choice["text"] and choice["finish_reason"] == "length"
    assert resp["usage"] == {"prompt_tokens": len(provider.tokenize("hello world")), "completion_tokens": 10,
                             "total_tokens": len(provider.tokenize("hello world")) + 10}
    chunks = [c async for c in provider.completions_stream(
        {**body, "stream": True, "stream_options": {"include_usage": True}}, request_id="t")]
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == choice["text"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == resp["usage"]


async def test_completion_defaults_to_16_tokens_and_supports_echo_and_logprobs(provider: LlamaCppProvider) -> None:
    resp = await provider.completions({"model": "tiny", "prompt": "the data", "temperature": 0, "echo": True,
                                       "logprobs": 2}, request_id="t")
    choice = resp["choices"][0]
    assert resp["usage"]["completion_tokens"] == 16
    assert choice["text"].startswith("the data") and len(choice["text"]) > len("the data")
    lp = choice["logprobs"]
    assert len(lp["tokens"]) == len(lp["token_logprobs"]) == len(lp["top_logprobs"]) == 16
    assert "".join(lp["tokens"]) == choice["text"][len("the data"):]
    assert lp["text_offset"][0] == len("the data")
    assert all(len(t) <= 2 for t in lp["top_logprobs"])


async def test_several_prompts_make_several_choices(provider: LlamaCppProvider) -> None:
    resp = await provider.completions({"model": "tiny", "prompt": ["hello", "привет мир"], "max_tokens": 3,
                                       "temperature": 0}, request_id="t")
    assert [c["index"] for c in resp["choices"]] == [0, 1]
    assert resp["usage"]["prompt_tokens"] == len(provider.tokenize("hello")) + len(provider.tokenize("привет мир"))
    assert resp["usage"]["completion_tokens"] == 6


async def test_embeddings_are_normalized_and_deterministic(make_provider: ProviderFactory) -> None:
    provider = await make_provider(embeddings=True)
    resp = await provider.embeddings({"model": "tiny", "input": ["hello world", "привет мир", "hello world"]},
                                     request_id="t")
    vectors = [d["embedding"] for d in resp["data"]]
    assert [d["index"] for d in resp["data"]] == [0, 1, 2]
    assert all(len(v) == 64 for v in vectors)
    assert all(abs(math.sqrt(sum(x * x for x in v)) - 1.0) < 1e-4 for v in vectors)
    assert vectors[0] == pytest.approx(vectors[2], abs=1e-6)
    assert vectors[0] != pytest.approx(vectors[1], abs=1e-3)
    tokens = sum(len(provider.tokenize(t)) for t in ["hello world", "привет мир", "hello world"])
    assert resp["usage"] == {"prompt_tokens": tokens, "total_tokens": tokens}
    b64 = await provider.embeddings({"model": "tiny", "input": "hello world", "encoding_format": "base64"},
                                    request_id="t")
    raw = base64.b64decode(b64["data"][0]["embedding"])
    assert list(struct.unpack("<64f", raw)) == pytest.approx(vectors[0], abs=1e-6)


async def test_embeddings_off_by_default_with_a_clear_error(provider: LlamaCppProvider) -> None:
    with pytest.raises(ProviderError) as info:
        await provider.embeddings({"model": "tiny", "input": "x"}, request_id="t")
    assert info.value.status == 400 and not info.value.retryable
    assert "embeddings: true" in info.value.message
