"""The lean Redis client used for admission: parsing, pipelining, timeouts, reconnects."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from perimeter.store import resp
from perimeter.store.resp import PyReader, RedisConnectionError, RedisError, RespClient, encode
from tests.accounting.backends import NEED_REDIS, REDIS_URL

REPLIES = (
    b"+OK\r\n:42\r\n:-7\r\n$5\r\nhello\r\n$-1\r\n$0\r\n\r\n*3\r\n:1\r\n$2\r\nab\r\n*2\r\n+x\r\n$-1\r\n"
    b"*0\r\n*-1\r\n-NOSCRIPT No matching script\r\n$4\r\na\r\nb\r\n"
)
EXPECTED = [b"OK", 42, -7, b"hello", None, b"", [1, b"ab", [b"x", None]], [], None, "NOSCRIPT", b"a\r\nb"]


def _drain(reader: PyReader) -> list[object]:
    out: list[object] = []
    while (v := reader.gets()) is not False:
        out.append(str(v) if isinstance(v, RedisError) else v)
    return out


def test_python_parser_handles_every_reply_type_whole_and_byte_by_byte() -> None:
    whole = PyReader()
    whole.feed(REPLIES)
    assert _drain(whole) == [e if e != "NOSCRIPT" else "NOSCRIPT No matching script" for e in EXPECTED]
    trickle = PyReader()
    got: list[object] = []
    for i in range(len(REPLIES)):
        trickle.feed(REPLIES[i : i + 1])
        got += _drain(trickle)
    assert got == _drain_all(REPLIES)


def _drain_all(data: bytes) -> list[object]:
    r = PyReader()
    r.feed(data)
    return _drain(r)


@pytest.mark.skipif(resp._hiredis is None, reason="hiredis is not installed")
def test_python_parser_agrees_with_hiredis() -> None:
    h = resp._hiredis.Reader(replyError=RedisError)
    h.feed(REPLIES)
    theirs: list[object] = []
    while (v := h.gets()) is not False:
        theirs.append(str(v) if isinstance(v, RedisError) else v)
    assert theirs == _drain_all(REPLIES)


def test_encode_is_a_resp_array_of_bulk_strings() -> None:
    assert encode(("SET", "k", 12, 1.5, b"\x00")) == b"*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n$3\r\n1.5\r\n$1\r\n\x00\r\n"


@pytest.fixture
async def silent_server() -> AsyncIterator[tuple[int, list[int]]]:
    """Accepts connections and reads, but never answers (a hung Redis)."""
    accepted: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        while await reader.read(4096):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port, accepted
    finally:
        server.close()


async def test_a_hung_server_times_out_every_pending_call_and_the_next_call_reconnects(
    silent_server: tuple[int, list[int]],
) -> None:
    port, accepted = silent_server
    client = RespClient(f"redis://127.0.0.1:{port}/0", timeout=0.2)
    try:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        results = await asyncio.gather(*[client.call("GET", f"k{i}") for i in range(5)], return_exceptions=True)
        assert all(isinstance(r, RedisConnectionError) for r in results)
        assert "did not answer" in str(results[0])
        assert loop.time() - t0 < 1.5  # one watchdog, not five timers
        with pytest.raises(RedisConnectionError):
            await client.call("PING")
        assert len(accepted) == 2  # the broken connection was replaced
    finally:
        await client.aclose()


async def test_connection_refused_is_a_connection_error() -> None:
    client = RespClient("redis://127.0.0.1:1/0", connect_timeout=1)
    with pytest.raises(RedisConnectionError, match="cannot connect"):
        await client.call("PING")
    await client.aclose()


async def test_server_closing_the_connection_fails_pending_calls_then_reconnects() -> None:
    served: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served.append(1)
        await reader.read(4096)
        if len(served) == 1:
            writer.close()  # first connection: drop it without answering
            return
        writer.write(b"+PONG\r\n")
        await writer.drain()
        await reader.read(4096)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    client = RespClient(f"redis://127.0.0.1:{server.sockets[0].getsockname()[1]}", timeout=2)
    try:
        with pytest.raises(RedisConnectionError, match="lost"):
            await client.call("PING")
        assert await client.call("PING") == b"PONG"
    finally:
        await client.aclose()
        server.close()


@NEED_REDIS
async def test_many_concurrent_calls_get_their_own_replies(redis_prefix: str) -> None:
    assert REDIS_URL
    client = RespClient(REDIS_URL)
    try:
        keys = [f"{redis_prefix}n{i}" for i in range(200)]
        await asyncio.gather(*[client.call("SET", k, i) for i, k in enumerate(keys)])
        values = await asyncio.gather(*[client.call("GET", k) for k in keys])
        assert values == [str(i).encode() for i in range(200)]
        incr = await asyncio.gather(*[client.call("INCR", f"{redis_prefix}ctr") for _ in range(100)])
        assert sorted(incr) == list(range(1, 101))
        with pytest.raises(RedisError, match="WRONGTYPE"):
            await client.call("LPUSH", keys[0], "v")
        assert await client.call("GET", keys[1]) == b"1"  # still usable after an error reply
    finally:
        await client.aclose()


@NEED_REDIS
async def test_evalsha_loads_a_script_redis_does_not_know(redis_prefix: str) -> None:
    assert REDIS_URL
    client = RespClient(REDIS_URL)
    # A fresh script body (a unique comment) is certainly not in Redis' script cache.
    script = f"-- {uuid.uuid4().hex}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])"
    try:
        assert await client.evalsha(script, [f"{redis_prefix}s"], [5]) == 5
        assert await client.evalsha(script, [f"{redis_prefix}s"], [2]) == 7
    finally:
        await client.aclose()


@NEED_REDIS
async def test_database_number_in_the_url_is_selected(redis_prefix: str) -> None:
    assert REDIS_URL
    import redis

    base = REDIS_URL.rsplit("/", 1)[0]
    client = RespClient(f"{base}/3")
    check: Callable[[], object] = lambda: redis.Redis.from_url(f"{base}/3").get(f"{redis_prefix}db")  # noqa: E731
    try:
        await client.call("SET", f"{redis_prefix}db", "three")
        assert check() == b"three"
        assert redis.Redis.from_url(f"{base}/0").get(f"{redis_prefix}db") is None
    finally:
        await client.call("DEL", f"{redis_prefix}db")
        await client.aclose()
