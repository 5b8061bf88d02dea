"""The GigaChat adapter against a loopback server speaking its OAuth and v1 REST protocol."""

from __future__ import annotations

import asyncio
import base64
import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from perimeter.errors import ProviderError
from perimeter.providers.gigachat.config import GigaChatProviderConfig
from perimeter.providers.gigachat.provider import GigaChatProvider
from perimeter.providers.headers import upstream_request_id
from tests.fakes.gigachat_server import FakeGigaChat, GigaFault
from tests.fakes.tls import CertAuthority, make_ca
from tests.providers.openai_stream import assemble, check_stream_shape

USER = {"role": "user", "content": "Привет, как дела?"}
TOOL = {"type": "function", "function": {"name": "weather", "description": "Weather in a city",
                                         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}


def make(fake: FakeGigaChat, **extra: Any) -> GigaChatProvider:
    cfg = GigaChatProviderConfig.model_validate({
        "name": "giga", "type": "gigachat", "location": "cloud", "base_url": fake.base_url,
        "auth_url": fake.auth_url, "credentials": fake.credentials, "model": "GigaChat-2-Max",
        "timeouts": {"connect": 2, "first_byte": 3, "total": 10}, **extra})
    return GigaChatProvider(cfg)


@pytest.fixture
async def fake() -> AsyncIterator[FakeGigaChat]:
    async with FakeGigaChat() as server:
        yield server


@pytest.fixture
async def giga(fake: FakeGigaChat) -> AsyncIterator[GigaChatProvider]:
    p = make(fake)
    await p.start()
    yield p
    await p.aclose()


async def stream(p: GigaChatProvider, body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c async for c in p.chat_stream(body, request_id="r1")]


async def test_plain_chat_translates_both_ways(giga: GigaChatProvider, fake: FakeGigaChat) -> None:
    body = {"messages": [{"role": "system", "content": "Кратко."}, USER, {"role": "developer", "content": "RU"}],
            "temperature": 0.2, "max_completion_tokens": 64, "stop": ["x"]}
    resp = await giga.chat(body, request_id="req-1")
    sent = fake.requests[-1]
    assert sent["messages"] == [{"role": "system", "content": "Кратко.\n\nRU"}, USER]
    assert sent["model"] == "GigaChat-2-Max" and sent["max_tokens"] == 64 and sent["temperature"] == 0.2
    assert "stop" not in sent and "stream" not in sent
    assert fake.headers_seen[-1]["x-request-id"] == upstream_request_id("req-1")  # a UUID, as GigaChat wants
    assert resp["object"] == "chat.completion" and resp["id"].startswith("chatcmpl-")
    assert resp["choices"][0]["message"]["content"] == "echo: Привет, как дела?"
    assert resp["choices"][0]["finish_reason"] == "stop"
    assert resp["model"] == "GigaChat-2-Max:2.0.28.2"
    u = resp["usage"]
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"] and u["prompt_tokens_details"] == {
        "cached_tokens": 1}


async def test_stream_is_a_well_formed_openai_stream(giga: GigaChatProvider, fake: FakeGigaChat) -> None:
    chunks = await stream(giga, {"messages": [USER], "stream_options": {"include_usage": True}})
    check_stream_shape(chunks, include_usage=True)
    assert assemble(chunks)["content"] == "echo: Привет, как дела?"
    assert fake.requests[-1]["stream"] is True
    assert fake.headers_seen[-1]["accept"] == "text/event-stream"


async def test_function_calling_dialect_round_trip(giga: GigaChatProvider, fake: FakeGigaChat) -> None:
    fake.function_calls.append({"name": "weather", "arguments": {"city": "Москва"}})
    body: dict[str, Any] = {"messages": [USER], "tools": [TOOL],
                            "tool_choice": {"type": "function", "function": {"name": "weather"}}}
    resp = await giga.chat(body, request_id="r")
    sent = fake.requests[-1]
    assert sent["functions"] == [TOOL["function"]] and sent["function_call"] == {"name": "weather"}
    msg = resp["choices"][0]["message"]
    assert resp["choices"][0]["finish_reason"] == "tool_calls"
    call = msg["tool_calls"][0]
    assert call["function"] == {"name": "weather", "arguments": '{"city":"Москва"}'}
    # Next turn: the client sends the call back with a plain-text result.
    body["messages"] = [USER, msg, {"role": "tool", "tool_call_id": call["id"], "content": "+5, облачно"}]
    body["tool_choice"] = "auto"
    resp2 = await giga.chat(body, request_id="r")
    sent2 = fake.requests[-1]["messages"]
    assert sent2[1]["function_call"] == {"name": "weather", "arguments": {"city": "Москва"}}
    assert sent2[1]["functions_state_id"]  # returned to GigaChat through the minted call id
    assert sent2[2] == {"role": "function", "name": "weather", "content": '{"result":"+5, облачно"}'}
    assert resp2["choices"][0]["message"]["content"] == 'result: {"result":"+5, облачно"}'


async def test_parallel_openai_tool_calls_become_call_result_pairs(giga: GigaChatProvider,
                                                                   fake: FakeGigaChat) -> None:
    calls = [{"id": f"c{i}", "type": "function", "function": {"name": "weather", "arguments": f'{{"city": "{c}"}}'}}
             for i, c in enumerate(["A", "B"])]
    body = {"messages": [USER, {"role": "assistant", "content": None, "tool_calls": calls},
                         {"role": "tool", "tool_call_id": "c1", "content": '{"t": 2}'},
                         {"role": "tool", "tool_call_id": "c0", "content": '{"t": 1}'}], "tools": [TOOL]}
    await giga.chat(body, request_id="r")
    roles = [(m["role"], m.get("content")) for m in fake.requests[-1]["messages"]]
    assert roles == [("user", USER["content"]), ("assistant", ""), ("function", '{"t": 1}'), ("assistant", ""),
                     ("function", '{"t": 2}')]


async def test_streamed_function_call(giga: GigaChatProvider, fake: FakeGigaChat) -> None:
    fake.function_calls.append({"name": "weather", "arguments": {"city": "Казань"}})
    chunks = await stream(giga, {"messages": [USER], "tools": [TOOL]})
    check_stream_shape(chunks, include_usage=False)
    got = assemble(chunks)
    assert got["finish_reason"] == "tool_calls"
    assert orjson.loads(got["tool_calls"][0]["function"]["arguments"]) == {"city": "Казань"}


async def test_concurrent_requests_share_one_token_exchange(fake: FakeGigaChat) -> None:
    fake.oauth_delay = 0.2
    p = make(fake)
    await p.start()
    try:
        results = await asyncio.gather(*(p.chat({"messages": [USER]}, request_id=f"r{i}") for i in range(20)))
    finally:
        await p.aclose()
    assert len(results) == 20 and fake.oauth_calls == 1 and fake.unauthorized == 0


async def test_token_is_refreshed_before_it_expires(fake: FakeGigaChat) -> None:
    fake.token_ttl = 1.0  # the server honours it for 1 s; the adapter stops using it after 0.5 s
    p = make(fake, refresh_margin=0.5)
    await p.start()
    try:
        await p.chat({"messages": [USER]}, request_id="a")
        await p.chat({"messages": [USER]}, request_id="b")
        assert fake.oauth_calls == 1
        await asyncio.sleep(0.6)
        await p.chat({"messages": [USER]}, request_id="c")
    finally:
        await p.aclose()
    assert fake.oauth_calls == 2 and fake.unauthorized == 0  # refreshed proactively, never refused


async def test_token_expiring_mid_stream_does_not_break_it(fake: FakeGigaChat) -> None:
    fake.token_ttl = 0.6
    fake.chunk_delay = 0.15  # the stream lasts ~0.9 s, past the token's server-side expiry
    p = make(fake, refresh_margin=0.3)
    await p.start()
    try:
        chunks = await stream(p, {"messages": [{"role": "user", "content": "one two three four five"}]})
        assert assemble(chunks)["content"] == "echo: one two three four five"
        assert fake.oauth_calls == 1  # the stream outlived its token (server checks at the start)
        await p.chat({"messages": [USER]}, request_id="next")
    finally:
        await p.aclose()
    assert fake.oauth_calls == 2 and fake.unauthorized == 0


@pytest.mark.parametrize("streaming", [False, True])
async def test_401_refreshes_and_retries_once(giga: GigaChatProvider, fake: FakeGigaChat, streaming: bool) -> None:
    await giga.chat({"messages": [USER]}, request_id="warm")
    fake.revoke_all()
    if streaming:
        assert assemble(await stream(giga, {"messages": [USER]}))["content"].startswith("echo:")
    else:
        await giga.chat({"messages": [USER]}, request_id="after-revoke")
    assert fake.unauthorized == 1 and fake.oauth_calls == 2


async def test_a_second_401_is_an_auth_error_not_a_loop(fake: FakeGigaChat) -> None:
    fake.token_ttl = 0.0  # every token is dead on arrival
    p = make(fake)
    await p.start()
    try:
        with pytest.raises(ProviderError) as err:
            await p.chat({"messages": [USER]}, request_id="r")
    finally:
        await p.aclose()
    assert err.value.kind == "auth_error" and err.value.retryable
    assert fake.unauthorized == 2 and fake.oauth_calls == 2


async def test_429_carries_retry_after_and_errors_map(giga: GigaChatProvider, fake: FakeGigaChat) -> None:
    fake.faults.extend([GigaFault(429, "Too many requests", retry_after="7"), GigaFault(402, "Payment Required"),
                        GigaFault(503, "Service Unavailable")])
    kinds = []
    for _ in range(3):
        with pytest.raises(ProviderError) as err:
            await giga.chat({"messages": [USER]}, request_id="r")
        kinds.append((err.value.kind, err.value.retryable, err.value.retry_after))
    assert kinds == [("rate_limited", True, 7.0), ("quota_exhausted", True, None), ("upstream_5xx", True, None)]
    with pytest.raises(ProviderError) as bad:
        await giga.chat({"model": "NoSuchModel", "messages": [USER]}, request_id="r")
    assert bad.value.status == 404 and not bad.value.retryable
    assert bad.value.to_gateway_error().message == "gigachat: No such model"


async def test_oauth_errors_name_the_fix(fake: FakeGigaChat) -> None:
    for extra, needle in (({"scope": "CORP"}, "scope GIGACHAT_API_CORP"),
                          ({"credentials": base64.b64encode(b"x:y").decode()}, "credentials")):
        p = make(fake, **extra)
        await p.start()
        try:
            with pytest.raises(ProviderError) as err:
                await p.chat({"messages": [USER]}, request_id="r")
        finally:
            await p.aclose()
        assert err.value.kind == "auth_error" and needle in err.value.message


async def test_embeddings_and_models(giga: GigaChatProvider, fake: FakeGigaChat) -> None:
    resp = await giga.embeddings({"model": "Embeddings", "input": ["один два", "три"]}, request_id="r")
    assert fake.requests[-1] == {"model": "Embeddings", "input": ["один два", "три"]}
    assert [d["embedding"][0] for d in resp["data"]] == [8.0, 3.0]
    assert resp["usage"] == {"prompt_tokens": 5, "total_tokens": 5}
    b64 = await giga.embeddings({"model": "Embeddings", "input": "три", "encoding_format": "base64"}, request_id="r")
    assert struct.unpack("<3f", base64.b64decode(b64["data"][0]["embedding"])) == (3.0, 0.5, -0.25)
    models = await giga.list_models()
    assert {m["id"] for m in models} == {"GigaChat-2-Max", "Embeddings"}
    with pytest.raises(ProviderError) as err:
        await giga.embeddings({"model": "Embeddings", "input": [[1, 2]]}, request_id="r")
    assert err.value.status == 400


async def test_tls_against_a_custom_root_ca(tmp_path: Path) -> None:
    ca: CertAuthority = make_ca(tmp_path)
    async with FakeGigaChat(ssl_context=ca.server_context()) as fake:
        trusted = make(fake, ca_bundle=str(ca.ca_pem))
        untrusted = make(fake)
        await trusted.start()
        await untrusted.start()
        try:
            resp = await trusted.chat({"messages": [USER]}, request_id="r")
            assert resp["choices"][0]["message"]["content"].startswith("echo:")
            with pytest.raises(ProviderError) as err:
                await untrusted.chat({"messages": [USER]}, request_id="r")
        finally:
            await trusted.aclose()
            await untrusted.aclose()
    assert err.value.kind == "tls_error" and err.value.retryable
    assert "could not be verified" in err.value.message and "ca_bundle" in err.value.message


def test_config_rejects_what_would_fail_later(tmp_path: Path) -> None:
    base = {"name": "g", "type": "gigachat", "location": "cloud"}
    with pytest.raises(ValidationError, match="authorization key"):
        GigaChatProviderConfig.model_validate({**base, "credentials": "just-the-secret"})
    cfg = GigaChatProviderConfig.model_validate({**base, "credentials": base64.b64encode(b"id:s").decode(),
                                                 "scope": "b2b"})
    assert cfg.scope == "GIGACHAT_API_B2B" and cfg.jurisdiction == "RU"
    with pytest.raises(ValidationError, match="does not exist"):
        GigaChatProviderConfig.model_validate({**base, "credentials": cfg.credentials,
                                               "ca_bundle": str(tmp_path / "missing.pem")})
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(ValidationError, match="PEM"):
        GigaChatProviderConfig.model_validate({**base, "credentials": cfg.credentials, "ca_bundle": str(junk)})
