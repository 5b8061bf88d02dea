"""CoalescingTransport: a response head leaves in the same write as the bytes after it, and is
never reordered, lost or held past the event-loop iteration that wrote it."""

from __future__ import annotations

import asyncio

import httpx

from perimeter.cli.http_writes import CoalescingTransport
from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI


class Recorder:
    """The transport under the proxy: what reached the socket, write by write."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def proxy() -> tuple[CoalescingTransport, Recorder]:
    rec = Recorder()
    return CoalescingTransport(rec, asyncio.get_running_loop()), rec  # type: ignore[arg-type]


async def test_head_and_body_written_in_one_iteration_are_one_write() -> None:
    t, rec = proxy()
    t.write(HEAD)
    assert rec.writes == []
    t.write(b"{}")
    assert rec.writes == [HEAD + b"{}"]
    t.write(b"more")  # later bytes go straight through
    assert rec.writes == [HEAD + b"{}", b"more"]
    await asyncio.sleep(0)
    assert rec.writes == [HEAD + b"{}", b"more"]  # the scheduled flush finds nothing left


async def test_a_lone_head_goes_out_at_the_end_of_the_iteration() -> None:
    t, rec = proxy()
    t.write(HEAD)
    await asyncio.sleep(0)
    assert rec.writes == [HEAD]
    t.write(b"{}")
    assert rec.writes == [HEAD, b"{}"]


async def test_close_writes_a_held_head_first_and_abort_drops_it() -> None:
    t, rec = proxy()
    t.write(HEAD)
    t.close()
    assert rec.writes == [HEAD] and rec.closed
    t2, rec2 = proxy()
    t2.write(HEAD)
    t2.abort()
    await asyncio.sleep(0)
    assert rec2.writes == [] and rec2.aborted


async def test_continue_and_other_calls_pass_through() -> None:
    t, rec = proxy()
    t.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    assert rec.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    t.writelines([HEAD, b"{}"])
    await asyncio.sleep(0)
    assert rec.writes[-1] == HEAD + b"{}"
    assert t.get_extra_info("peername") == "info:peername"
    assert t.is_closing() is False


async def test_the_gateway_answers_whole_over_keep_alive(upstream: FakeOpenAI) -> None:
    cfg = minimal_config([openai_provider("up", upstream.base_url)], {"chat": {"targets": ["up"]}},
                         privacy={"enabled": False})
    body = {"model": "chat", "messages": [{"role": "user", "content": "hi"}]}
    async with running_gateway(cfg) as gw, httpx.AsyncClient(timeout=10) as c:
        for stream in (False, True, False, True):
            r = await c.post(f"{gw.base_url}/chat/completions", json={**body, "stream": stream})
            assert r.status_code == 200
            if stream:
                assert r.text.endswith("data: [DONE]\n\n")
            else:
                assert r.json()["choices"][0]["message"]["content"]
