"""Streamed upstream answers split into lines by the provider client, whatever the TCP reads.

The client splits the lines itself from each read (not one aiohttp ``readline`` per line), so
these check the edges: events cut mid-line and mid-``data:``, CRLF endings, a burst of events in
one write, a last line without a newline, and a runaway line, which must fail the stream
rather than grow without bound.
"""

from __future__ import annotations

import itertools

import httpx
import orjson
import pytest

from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.raw_upstream import Behaviour, RawUpstream


def event(text: str, finish: str | None = None) -> bytes:
    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
             "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]}
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


async def stream_text(pieces: list[bytes]) -> tuple[int, str]:
    async with RawUpstream(default=Behaviour("pieces", pieces=pieces, interval=0.01)) as up:
        cfg = minimal_config([openai_provider("up", up.base_url)],
                             {"chat": {"targets": ["up"]}}, privacy={"enabled": False})
        async with running_gateway(cfg) as gw, httpx.AsyncClient(timeout=10) as c:
            body = {"model": "chat", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
            async with c.stream("POST", f"{gw.base_url}/chat/completions", json=body) as r:
                raw = (await r.aread()).decode()
                if r.status_code != 200:
                    return r.status_code, raw
    text = ""
    for line in raw.splitlines():
        if line.startswith("data: {"):
            chunk = orjson.loads(line[6:])
            for ch in chunk.get("choices") or ():
                text += ch["delta"].get("content") or ""
    return 200, text


def chunks_of(data: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(points)]


async def test_lines_cut_anywhere_arrive_whole() -> None:
    body = event("Hello") + event(", wor") + event("ld!") + event("", "stop") + b"data: [DONE]\n\n"
    for cuts in ([3], [7, 8, 9, 50], [len(body) - 3], list(range(1, len(body), 17))):
        assert await stream_text(chunks_of(body, cuts)) == (200, "Hello, world!"), cuts


async def test_crlf_endings_and_one_burst() -> None:
    body = (event("a") + event("b") + event("", "stop") + b"data: [DONE]\n\n").replace(b"\n", b"\r\n")
    assert await stream_text([body]) == (200, "ab")


async def test_a_last_line_without_its_newline_still_counts() -> None:
    assert await stream_text([event("x") + event("", "stop") + b"data: [DONE]"]) == (200, "x")


@pytest.mark.timeout(30)
async def test_a_runaway_line_fails_the_stream() -> None:
    status, raw = await stream_text([b"data: {\"x\": \"" + b"y" * 70_000, b"y" * 70_000, b"y" * 70_000])
    assert status == 502, raw
