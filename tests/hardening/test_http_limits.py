"""Issue 12 defect 4: request heads are bounded in size (431) and in time (408)."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest

from tests.fakes.gateway import RunningGateway, minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
async def gw(upstream: FakeOpenAI):  # type: ignore[no-untyped-def]
    cfg = minimal_config([openai_provider("local", upstream.base_url)], {"chat": ["local"]},
                         server={"max_header_bytes": 16384, "header_timeout": 0.5})
    async with running_gateway(cfg) as g:
        yield g


async def _exchange(gw: RunningGateway, data: bytes, *, wait: float = 5.0) -> tuple[int, dict[str, object], bool]:
    """Send raw bytes; return (status, JSON body, whether the server closed the connection)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
    try:
        writer.write(data)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(65536), wait)
        while b"\r\n\r\n" not in raw:
            more = await asyncio.wait_for(reader.read(65536), wait)
            if not more:
                break
            raw += more
        head, _, body = raw.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        closed = await asyncio.wait_for(reader.read(1), wait) == b"" if b"connection: close" in head.lower() else False
        small = body.startswith(b"{") and len(body) < 4096  # an error body, not a big echo
        return status, (orjson.loads(body) if small else {}), closed
    finally:
        writer.close()


async def test_oversized_headers_are_431_and_the_connection_is_closed(gw: RunningGateway) -> None:
    # an unterminated header far beyond the limit, sent in pieces
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
    writer.write(b"GET /health/live HTTP/1.1\r\nhost: x\r\nx-big: ")
    try:
        for _ in range(64):
            writer.write(b"a" * 4096)
            await writer.drain()
    except ConnectionError:
        pass  # the server may close while we are still sending: that is the point
    raw = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    assert raw.startswith(b"HTTP/1.1 431"), raw[:200]
    body = orjson.loads(raw.partition(b"\r\n\r\n")[2])
    assert body["error"]["code"] == "request_header_fields_too_large"
    assert "max_header_bytes" in body["error"]["message"]


async def test_headers_within_the_limit_and_big_bodies_are_fine(gw: RunningGateway) -> None:
    status, _, _ = await _exchange(gw, b"GET /health/live HTTP/1.1\r\nhost: x\r\nx-ok: " + b"a" * 12000 + b"\r\n\r\n")
    assert status == 200
    # small head, large body in the same write: only head bytes count against the limit
    body = orjson.dumps({"model": "chat", "messages": [{"role": "user", "content": "x" * 200_000}]})
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n\r\n").encode()
    status, _, _ = await _exchange(gw, head + body)
    assert status == 200


async def test_a_head_that_never_completes_is_408_after_header_timeout(gw: RunningGateway) -> None:
    t0 = time.perf_counter()
    status, body, closed = await _exchange(gw, b"GET /health/live HTTP/1.1\r\nhost: x\r\nx-slow: a")
    took = time.perf_counter() - t0
    assert status == 408 and body["error"]["code"] == "request_timeout" and closed
    assert 0.4 < took < 3


async def test_a_connection_that_sends_nothing_is_not_kept(gw: RunningGateway) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
    try:
        raw = await asyncio.wait_for(reader.read(65536), 5)
        assert raw.startswith(b"HTTP/1.1 408")
        assert await asyncio.wait_for(reader.read(1), 5) == b""
    finally:
        writer.close()


async def test_keep_alive_requests_each_get_their_own_head_budget(gw: RunningGateway) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.port)
    try:
        for _ in range(3):
            writer.write(b"GET /health/live HTTP/1.1\r\nhost: x\r\nx-h: " + b"a" * 12000 + b"\r\n\r\n")
            await writer.drain()
            raw = await asyncio.wait_for(reader.readuntil(b'"ok"}'), 5)
            assert raw.startswith(b"HTTP/1.1 200"), raw[:100]
            await asyncio.sleep(0.3)  # idle between requests is not head time
    finally:
        writer.close()
