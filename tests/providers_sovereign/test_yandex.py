"""The Yandex AI Studio adapter against a loopback server speaking both of its HTTP APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from perimeter.errors import ProviderError
from perimeter.providers.headers import upstream_request_id
from perimeter.providers.yandex.config import YandexProviderConfig
from perimeter.providers.yandex.provider import YandexProvider
from tests.fakes.yandex_server import FakeYandex
from tests.providers.openai_stream import assemble, check_stream_shape

USER = {"role": "user", "content": "Расскажи про утконоса коротко"}
TOOL = {"type": "function", "function": {"name": "lookup", "description": "Find",
                                         "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}


def make(fake: FakeYandex, **extra: Any) -> YandexProvider:
    cfg = YandexProviderConfig.model_validate({
        "name": "ya", "type": "yandex", "location": "cloud", "base_url": fake.base_url, "folder_id": fake.folder_id,
        "model": "yandexgpt", "timeouts": {"connect": 2, "first_byte": 3, "total": 10},
        **({"api_key": fake.api_key} if not {"iam_token", "iam_token_file"} & set(extra) else {}), **extra})
    return YandexProvider(cfg)


@pytest.fixture
async def fake() -> AsyncIterator[FakeYandex]:
    async with FakeYandex() as server:
        yield server


@pytest.fixture(params=["native", "openai"])
async def ya(fake: FakeYandex, request: pytest.FixtureRequest) -> AsyncIterator[YandexProvider]:
    p = make(fake, api=request.param)
    await p.start()
    yield p
    await p.aclose()


async def test_plain_chat_both_apis(ya: YandexProvider, fake: FakeYandex) -> None:
    resp = await ya.chat({"messages": [{"role": "system", "content": "Кратко."}, USER], "max_tokens": 100,
                          "temperature": 0.3}, request_id="rid-1")
    assert resp["choices"][0]["message"]["content"] == f"echo: {USER['content']}"
    assert resp["choices"][0]["finish_reason"] == "stop"
    u = resp["usage"]
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"] > 0
    sent, headers = fake.requests[-1], fake.headers_seen[-1]
    assert headers["authorization"] == f"Api-Key {fake.api_key}" and headers["x-data-logging-enabled"] == "false"
    assert headers["x-client-request-id"] == upstream_request_id("rid-1")  # a UUID (providers/headers.py)
    if ya.ycfg.api == "native":
        assert fake.paths[-1] == "/foundationModels/v1/completion" and headers["x-folder-id"] == fake.folder_id
        assert sent["modelUri"] == f"gpt://{fake.folder_id}/yandexgpt/latest"
        assert sent["completionOptions"] == {"stream": False, "temperature": 0.3, "maxTokens": "100"}
        assert sent["messages"][0] == {"role": "system", "text": "Кратко."}
    else:
        assert fake.paths[-1] == "/v1/chat/completions" and headers["openai-project"] == fake.folder_id
        assert sent["model"] == f"gpt://{fake.folder_id}/yandexgpt/latest"


async def test_stream_both_apis(ya: YandexProvider, fake: FakeYandex) -> None:
    chunks = [c async for c in ya.chat_stream({"messages": [USER], "stream": True,
                                                "stream_options": {"include_usage": True}}, request_id="r")]
    check_stream_shape(chunks, include_usage=True)
    assert assemble(chunks)["content"] == f"echo: {USER['content']}"  # cumulative native text became deltas
    if ya.ycfg.api == "native":
        assert len(chunks) > 4 and fake.requests[-1]["completionOptions"]["stream"] is True


async def test_tool_calls_both_apis(ya: YandexProvider, fake: FakeYandex) -> None:
    fake.tool_calls.append({"name": "lookup", "arguments": {"q": "утконос"}})
    resp = await ya.chat({"messages": [USER], "tools": [TOOL]}, request_id="r")
    msg = resp["choices"][0]["message"]
    assert resp["choices"][0]["finish_reason"] == "tool_calls"
    call = msg["tool_calls"][0]
    assert orjson.loads(call["function"]["arguments"]) == {"q": "утконос"}
    follow = {"messages": [USER, msg, {"role": "tool", "tool_call_id": call["id"], "content": "найдено"}],
              "tools": [TOOL]}
    resp2 = await ya.chat(follow, request_id="r")
    assert resp2["choices"][0]["message"]["content"] == "result: найдено"
    if ya.ycfg.api == "native":
        sent = fake.requests[-1]
        assert sent["tools"][0]["function"]["name"] == "lookup"
        assert sent["messages"][1] == {"role": "assistant", "toolCallList": {"toolCalls": [
            {"functionCall": {"name": "lookup", "arguments": {"q": "утконос"}}}]}}
        assert sent["messages"][2] == {"role": "user", "toolResultList": {"toolResults": [
            {"functionResult": {"name": "lookup", "content": "найдено"}}]}}


async def test_streamed_native_tool_call(fake: FakeYandex) -> None:
    fake.tool_calls.append({"name": "lookup", "arguments": {"q": "x"}})
    p = make(fake, api="native")
    await p.start()
    try:
        chunks = [c async for c in p.chat_stream({"messages": [USER], "tools": [TOOL]}, request_id="r")]
    finally:
        await p.aclose()
    check_stream_shape(chunks, include_usage=False)
    assert assemble(chunks)["finish_reason"] == "tool_calls"


async def test_embeddings_both_apis(ya: YandexProvider, fake: FakeYandex) -> None:
    resp = await ya.embeddings({"model": "text-search-doc", "input": ["раз два", "три"]}, request_id="r")
    assert [d["embedding"][0] for d in resp["data"]] == [7.0, 3.0]
    assert resp["model"] == f"emb://{fake.folder_id}/text-search-doc/latest"
    if ya.ycfg.api == "native":
        assert fake.paths[-2:] == ["/foundationModels/v1/textEmbedding"] * 2
        assert resp["usage"]["prompt_tokens"] == 5


async def test_errors_are_mapped(fake: FakeYandex) -> None:
    p = make(fake, api="native")
    bad_key = make(fake, api="native", api_key="wrong")
    await p.start()
    await bad_key.start()
    try:
        fake.faults.append((429, "3"))
        with pytest.raises(ProviderError) as rl:
            await p.chat({"messages": [USER]}, request_id="r")
        assert rl.value.kind == "rate_limited" and rl.value.retry_after == 3.0 and "quota" in rl.value.message
        with pytest.raises(ProviderError) as auth:
            await bad_key.chat({"messages": [USER]}, request_id="r")
        assert auth.value.kind == "auth_error" and auth.value.retryable
        with pytest.raises(ProviderError) as other_folder:
            await p.chat({"model": "gpt://b1gother/yandexgpt/latest", "messages": [USER]}, request_id="r")
        assert other_folder.value.kind == "auth_error"
        with pytest.raises(ProviderError) as n2:
            await p.chat({"messages": [USER], "n": 2}, request_id="r")
        assert n2.value.status == 400 and not n2.value.retryable
    finally:
        await p.aclose()
        await bad_key.aclose()


async def test_iam_token_file_is_reread_when_it_changes(fake: FakeYandex, tmp_path: Path) -> None:
    token_file = tmp_path / "iam"
    token_file.write_text("t1.iam-token\n")
    p = make(fake, iam_token_file=str(token_file), data_logging=True)
    await p.start()
    try:
        await p.chat({"messages": [USER]}, request_id="r")
        assert fake.headers_seen[-1]["authorization"] == "Bearer t1.iam-token"
        assert fake.headers_seen[-1]["x-data-logging-enabled"] == "true"
        fake.iam_tokens.add("t1.rotated")
        token_file.write_text("t1.rotated")
        import os
        os.utime(token_file, (1, 1))
        await p.chat({"messages": [USER]}, request_id="r")
        assert fake.headers_seen[-1]["authorization"] == "Bearer t1.rotated"
        models = await p.list_models()
        assert models[0]["id"] == f"gpt://{fake.folder_id}/yandexgpt/latest"
    finally:
        await p.aclose()


def test_config_needs_exactly_one_credential() -> None:
    base = {"name": "y", "type": "yandex", "location": "cloud", "folder_id": "b1g"}
    with pytest.raises(ValidationError, match="exactly one"):
        YandexProviderConfig.model_validate(base)
    with pytest.raises(ValidationError, match="exactly one"):
        YandexProviderConfig.model_validate({**base, "api_key": "a", "iam_token": "b"})
    cfg = YandexProviderConfig.model_validate({**base, "api_key": "a", "base_url": "https://llm.api.cloud.yandex.net/v1"})
    assert cfg.base_url == "https://llm.api.cloud.yandex.net" and cfg.jurisdiction == "RU" and not cfg.data_logging
