"""The OpenAI-compatible adapter hands a stream on read by read: what one read completed is one
batch, so the gateway restores, encodes and writes a burst of events at once.

The batches must still be exactly the stream: the same chunks in order whatever the reads, a
failure after some chunks of a batch must come after those chunks (as ``StreamBroken``), and a
subclass that edits chunks one by one (Yandex) must not be bypassed.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.openai_compat.config import OpenAICompatProviderConfig
from perimeter.providers.openai_compat.provider import OpenAICompatProvider
from tests.fakes.raw_upstream import Behaviour, RawUpstream


def event(text: str, finish: str | None = None) -> bytes:
    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
             "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]}
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


def provider(cls: type[OpenAICompatProvider], base_url: str) -> OpenAICompatProvider:
    return cls(OpenAICompatProviderConfig(name="up", type="openai_compat", location="cloud", base_url=base_url))


async def batches_of(pieces: list[bytes], cls: type[OpenAICompatProvider] = OpenAICompatProvider,
                     interval: float = 0.05) -> tuple[list[list[str]], BaseException | None]:
    """The texts of each batch the adapter yields for ``pieces`` (one upstream write each)."""
    out: list[list[str]] = []
    error: BaseException | None = None
    async with RawUpstream(default=Behaviour("pieces", pieces=pieces, interval=interval)) as up:
        p = provider(cls, up.base_url)
        await p.start()
        try:
            body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
            try:
                async for batch in p.chat_stream_batches(body, request_id="r1"):
                    assert batch, "a batch is never empty"
                    out.append([c["choices"][0]["delta"].get("content", "") for c in batch])
            except ProviderError as exc:
                error = exc
        finally:
            await p.aclose()
    return out, error


async def test_a_burst_is_one_batch_and_later_reads_their_own() -> None:
    burst = event("Hello") + event(", ") + event("world")
    out, err = await batches_of([burst, event("!") + event("", "stop") + b"data: [DONE]\n\n"])
    assert err is None
    assert out == [["Hello", ", ", "world"], ["!", ""]]


async def test_a_failure_inside_a_batch_comes_after_the_chunks_before_it() -> None:
    bad = b'data: {"error": {"message": "overloaded"}}\n\n'
    out, err = await batches_of([event("a") + event("b") + bad + event("never")])
    assert out == [["a", "b"]]
    assert isinstance(err, StreamBroken) and "overloaded" in err.message


async def test_a_failure_before_any_chunk_is_not_stream_broken() -> None:
    out, err = await batches_of([b'data: {"error": {"message": "nope"}}\n\n'])
    assert out == []
    assert isinstance(err, ProviderError) and not isinstance(err, StreamBroken)


async def test_a_stream_cut_before_done_is_truncated() -> None:
    out, err = await batches_of([event("a") + event("b", "stop")])
    assert out == [["a", "b"]]
    assert isinstance(err, StreamBroken) and err.kind == "truncated_stream"


class Shouting(OpenAICompatProvider):
    """A subclass that edits every chunk, as Yandex's adapter does."""

    def chat_stream(self, body: dict[str, Any], *, request_id: str, client_headers: Any = None) -> Any:
        async def edit() -> Any:
            async for chunk in super(Shouting, self).chat_stream(body, request_id=request_id,
                                                                 client_headers=client_headers):
                chunk["choices"][0]["delta"]["content"] = chunk["choices"][0]["delta"]["content"].upper()
                yield chunk
        return edit()


async def test_a_subclass_that_edits_chunks_is_not_bypassed() -> None:
    out, err = await batches_of([event("ab") + event("cd", "stop") + b"data: [DONE]\n\n"], Shouting)
    assert err is None
    assert out == [["AB"], ["CD"]]


@pytest.mark.parametrize("cut", [5, 30, 100])
async def test_any_cut_gives_the_same_chunks(cut: int) -> None:
    body = event("x") + event("y") + event("z", "stop") + b"data: [DONE]\n\n"
    pieces = [body[i:i + cut] for i in range(0, len(body), cut)]
    out, err = await batches_of(pieces, interval=0.002)
    assert err is None
    assert [t for batch in out for t in batch] == ["x", "y", "z"]
