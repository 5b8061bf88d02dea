"""The concurrency bound (bounded queue, 429 when full) and prompt cancellation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from typing import Any, cast

import pytest

from perimeter.errors import ProviderError
from perimeter.providers.llamacpp.provider import LlamaCppProvider

from .conftest import ProviderFactory

MESSAGES = [{"role": "user", "content": "hello"}]


def _body(**extra: Any) -> dict[str, Any]:
    return {"model": "tiny", "messages": MESSAGES, "temperature": 0, **extra}


async def _wait_idle(provider: LlamaCppProvider, timeout: float = 10.0) -> float:
    """Seconds until every model instance is back in the pool (the worker thread ended)."""
    started = time.perf_counter()
    while provider._idle is None or provider._idle.qsize() < provider.cfg.max_concurrency:
        if time.perf_counter() - started > timeout:
            raise AssertionError("model instance never returned to the pool")
        await asyncio.sleep(0.005)
    return time.perf_counter() - started


async def test_queue_full_gives_429_and_queued_request_is_served(make_provider: ProviderFactory) -> None:
    provider = await make_provider(max_concurrency=1, max_queue=1)
    running = asyncio.create_task(provider.chat(_body(max_tokens=300), request_id="a"))
    await asyncio.sleep(0)  # a takes the only instance
    queued = asyncio.create_task(provider.chat(_body(max_tokens=2), request_id="b"))
    await asyncio.sleep(0)  # b waits in the queue
    with pytest.raises(ProviderError) as info:
        await provider.chat(_body(max_tokens=2), request_id="c")
    err = info.value
    assert err.status == 429 and err.retryable and err.kind == "queue_full"
    assert "max_queue" in err.message
    # The streaming path enforces the same bound, before yielding anything.
    with pytest.raises(ProviderError) as info:
        await anext(provider.chat_stream(_body(max_tokens=2, stream=True), request_id="d"))
    assert info.value.status == 429
    a, b = await asyncio.gather(running, queued)
    assert a["usage"]["completion_tokens"] == 300
    assert b["usage"]["completion_tokens"] == 2
    # Once idle, the provider takes requests again.
    assert (await provider.chat(_body(max_tokens=1), request_id="e"))["usage"]["completion_tokens"] == 1


async def test_two_instances_serve_two_requests_at_once(make_provider: ProviderFactory) -> None:
    provider = await make_provider(max_concurrency=2, max_queue=0)
    a = asyncio.create_task(provider.chat(_body(max_tokens=200), request_id="a"))
    b = asyncio.create_task(provider.chat(_body(max_tokens=200), request_id="b"))
    await asyncio.sleep(0)
    with pytest.raises(ProviderError) as info:
        await provider.chat(_body(max_tokens=1), request_id="c")
    assert info.value.kind == "queue_full"
    ra, rb = await asyncio.gather(a, b)
    assert ra["choices"][0]["message"]["content"] == rb["choices"][0]["message"]["content"]


async def test_closing_a_stream_stops_generation(make_provider: ProviderFactory) -> None:
    provider = await make_provider(n_ctx=2048, max_concurrency=1)
    engine = provider._engines[0]
    prompt_len = len(provider.tokenize(provider.format_chat(MESSAGES), special=True))
    # No max_tokens: without cancellation this would run to the end of the 2048-token context.
    stream = cast(AsyncGenerator[dict[str, Any], None], provider.chat_stream(_body(stream=True), request_id="s"))
    got = 0
    async for chunk in stream:
        if chunk["choices"][0]["delta"].get("content"):
            got += 1
            if got == 3:
                break
    await stream.aclose()  # what the ASGI layer does when the client disconnects
    await _wait_idle(provider)
    generated = engine.llama.n_tokens - prompt_len
    assert generated < 200, f"generation kept running after the client left ({generated} tokens)"


async def test_cancelling_a_request_stops_generation(make_provider: ProviderFactory) -> None:
    provider = await make_provider(n_ctx=2048, max_concurrency=1)
    engine = provider._engines[0]
    prompt_len = len(provider.tokenize(provider.format_chat(MESSAGES), special=True))
    task = asyncio.create_task(provider.chat(_body(), request_id="c"))
    while engine.llama.n_tokens <= prompt_len:  # wait until it is really generating
        await asyncio.sleep(0.002)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _wait_idle(provider)
    assert engine.llama.n_tokens - prompt_len < 200
    # The instance is usable afterwards and gives the same answer as a fresh one.
    again = await provider.chat(_body(max_tokens=6), request_id="d")
    fresh = await (await make_provider(n_ctx=2048)).chat(_body(max_tokens=6), request_id="e")
    assert again["choices"][0]["message"]["content"] == fresh["choices"][0]["message"]["content"]


async def test_event_loop_stays_responsive_during_generation(provider: LlamaCppProvider) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    t = asyncio.create_task(ticker())
    try:
        await provider.chat(_body(max_tokens=300), request_id="a")
    finally:
        t.cancel()
    assert ticks >= 5  # the loop kept running other tasks while the model generated
