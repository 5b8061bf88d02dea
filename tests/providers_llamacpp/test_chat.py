"""Real llama.cpp inference on the tiny GGUF: chat, streaming, usage, template, stop, logprobs."""

from __future__ import annotations

from typing import Any

import pytest

from perimeter.providers.llamacpp.provider import LlamaCppProvider

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "hello world, what is privacy?"},
]
CHATML = (
    "<|im_start|>system\nYou are terse.<|im_end|>\n"
    "<|im_start|>user\nhello world, what is privacy?<|im_end|>\n"
    "<|im_start|>assistant\n"
)


def _body(**extra: Any) -> dict[str, Any]:
    return {"model": "tiny", "messages": MESSAGES, "temperature": 0, **extra}


async def _collect(provider: LlamaCppProvider, body: dict[str, Any]) -> list[dict[str, Any]]:
    return [chunk async for chunk in provider.chat_stream(body, request_id="t")]


def _content(chunks: list[dict[str, Any]], index: int = 0) -> str:
    return "".join(
        c["delta"].get("content") or "" for ch in chunks for c in ch["choices"] if c["index"] == index
    )


async def test_ggufs_chat_template_is_applied(provider: LlamaCppProvider) -> None:
    assert provider.format_chat(MESSAGES) == CHATML
    resp = await provider.chat(_body(max_tokens=4), request_id="t")
    # prompt_tokens is the tokenization of exactly the ChatML prompt (control tokens parsed).
    expected = provider.tokenize(CHATML, special=True)
    assert resp["usage"]["prompt_tokens"] == len(expected)
    assert len(expected) < len(provider.tokenize(CHATML, special=False))


async def test_non_streaming_returns_text_and_exact_usage(provider: LlamaCppProvider) -> None:
    resp = await provider.chat(_body(max_tokens=12), request_id="t")
    assert resp["object"] == "chat.completion"
    assert resp["model"] == "tiny"
    choice = resp["choices"][0]
    assert choice["message"]["role"] == "assistant"
    text = choice["message"]["content"]
    assert text.strip()
    assert choice["finish_reason"] == "length"
    usage = resp["usage"]
    assert usage["completion_tokens"] == 12
    assert usage["total_tokens"] == usage["prompt_tokens"] + 12
    # The completion re-tokenizes to at most as many tokens as were generated.
    assert 0 < len(provider.tokenize(text)) <= 12


async def test_max_completion_tokens_wins_and_is_respected(provider: LlamaCppProvider) -> None:
    resp = await provider.chat(_body(max_tokens=20, max_completion_tokens=3), request_id="t")
    assert resp["usage"]["completion_tokens"] == 3
    assert resp["choices"][0]["finish_reason"] == "length"


async def test_stream_equals_non_stream_and_is_well_formed(provider: LlamaCppProvider) -> None:
    full = await provider.chat(_body(max_tokens=16), request_id="t")
    chunks = await _collect(provider, _body(max_tokens=16, stream=True, stream_options={"include_usage": True}))
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    first = chunks[0]["choices"][0]
    assert first["delta"]["role"] == "assistant" and first["finish_reason"] is None
    assert _content(chunks) == full["choices"][0]["message"]["content"]
    finals = [c for ch in chunks for c in ch["choices"] if c["finish_reason"]]
    assert [c["finish_reason"] for c in finals] == ["length"]
    last = chunks[-1]
    assert last["choices"] == [] and last["usage"] == full["usage"]
    assert sum(1 for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")) >= 2


async def test_stream_without_include_usage_has_no_usage_chunk(provider: LlamaCppProvider) -> None:
    chunks = await _collect(provider, _body(max_tokens=4, stream=True))
    assert all(c["choices"] for c in chunks)
    assert all("usage" not in c for c in chunks)


async def test_stop_string_cuts_text_in_both_modes(provider: LlamaCppProvider) -> None:
    text = (await provider.chat(_body(max_tokens=24), request_id="t"))["choices"][0]["message"]["content"]
    cut = len(text) // 2
    stop = text[cut:cut + 3]
    expected = text[: text.index(stop)]
    resp = await provider.chat(_body(max_tokens=24, stop=[stop, "never-there"]), request_id="t")
    assert resp["choices"][0]["message"]["content"] == expected
    assert resp["choices"][0]["finish_reason"] == "stop"
    assert resp["usage"]["completion_tokens"] < 24
    chunks = await _collect(provider, _body(max_tokens=24, stop=stop, stream=True))
    assert _content(chunks) == expected
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


async def test_seed_makes_sampling_reproducible(provider: LlamaCppProvider) -> None:
    body = {"model": "tiny", "messages": MESSAGES, "temperature": 1.0, "max_tokens": 24}
    a = await provider.chat({**body, "seed": 11}, request_id="t")
    b = await provider.chat({**body, "seed": 11}, request_id="t")
    c = await provider.chat({**body, "seed": 12}, request_id="t")
    text = [r["choices"][0]["message"]["content"] for r in (a, b, c)]
    assert text[0] == text[1]
    assert text[0] != text[2]


async def test_logprobs_are_reported_per_token(provider: LlamaCppProvider) -> None:
    resp = await provider.chat(_body(max_tokens=8, logprobs=True, top_logprobs=3), request_id="t")
    choice = resp["choices"][0]
    content = choice["logprobs"]["content"]
    assert len(content) == resp["usage"]["completion_tokens"] == 8
    assert "".join(e["token"] for e in content) == choice["message"]["content"]
    for e in content:
        assert e["logprob"] <= 0.0
        tops = e["top_logprobs"]
        assert len(tops) == 3
        assert [t["logprob"] for t in tops] == sorted((t["logprob"] for t in tops), reverse=True)
        # temperature 0 is greedy: the chosen token is the most likely one.
        assert tops[0]["token"] == e["token"] and abs(tops[0]["logprob"] - e["logprob"]) < 1e-6
    streamed = await _collect(provider, _body(max_tokens=8, logprobs=True, stream=True))
    lps = [e["logprob"] for ch in streamed for c in ch["choices"] if c.get("logprobs")
           for e in c["logprobs"]["content"]]
    # (the second request reuses the KV cache of the prompt, so allow float rounding)
    assert lps == pytest.approx([e["logprob"] for e in content], abs=1e-4)


async def test_n_choices_are_generated_sequentially(provider: LlamaCppProvider) -> None:
    resp = await provider.chat(_body(max_tokens=5, n=2), request_id="t")
    assert [c["index"] for c in resp["choices"]] == [0, 1]
    assert resp["choices"][0]["message"]["content"] == resp["choices"][1]["message"]["content"]
    assert resp["usage"]["completion_tokens"] == 10
    chunks = await _collect(provider, _body(max_tokens=5, n=2, stream=True))
    assert _content(chunks, 0) == _content(chunks, 1) == resp["choices"][0]["message"]["content"]


async def test_russian_conversation(provider: LlamaCppProvider) -> None:
    messages = [{"role": "user", "content": [{"type": "text", "text": "Привет! Мой паспорт 4510 123456."}]}]
    resp = await provider.chat({"model": "tiny", "messages": messages, "max_tokens": 6, "temperature": 0},
                               request_id="t")
    prompt = provider.format_chat(messages)
    assert "Привет! Мой паспорт 4510 123456." in prompt
    assert resp["usage"]["prompt_tokens"] == len(provider.tokenize(prompt, special=True))
