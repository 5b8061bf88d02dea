"""A real server going away: killed mid-stream, hung or dead before the first byte, restarted under load.

Each test starts its own llama_cpp.server (the shared one keeps serving as the fallback) and
does to it what happens to real servers: SIGKILL, SIGSTOP, a restart on the same port.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.gateway import minimal_config, running_gateway
from tests.interop.servers import MODEL_ALIAS, LlamaServer, smol_provider

STORY = [{"role": "user", "content": "Write a long story about a dragon who learns to cook."}]


@pytest.fixture
async def victim(interop_dir: Path) -> AsyncIterator[LlamaServer]:
    server = LlamaServer(interop_dir)
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.kill)


async def test_server_killed_mid_stream_ends_with_an_error_event_and_no_done(
    victim: LlamaServer, llama: LlamaServer,
) -> None:
    # A fallback target exists, but once bytes went out the answer cannot move: it must end loudly.
    cfg = minimal_config([smol_provider("victim", victim), smol_provider("smol", llama)],
                         {"chat": {"targets": ["victim", "smol"]}})
    events: list[str] = []
    async with running_gateway(cfg) as gw, httpx.AsyncClient(timeout=60) as c:
        body = {"model": "chat", "messages": STORY, "max_tokens": 400, "temperature": 0, "stream": True}
        async with c.stream("POST", gw.base_url + "/chat/completions", json=body) as r:
            assert r.status_code == 200 and r.headers["x-perimeter-route"] == "victim"
            async for line in r.aiter_lines():
                if line.startswith("data: "):
                    events.append(line[6:])
                    if len(events) == 4:
                        await asyncio.to_thread(victim.kill)
    assert len(events) > 4 and "[DONE]" not in events
    last = json.loads(events[-1])
    assert last["error"]["type"] == "upstream_error" and "victim" in last["error"]["message"], last
    assert all("choices" in json.loads(e) for e in events[:-1])


async def read_stream_while_another_request_arrives(url: str, model: str) -> tuple[list[str], int]:
    """Stream a long answer; after 3 events send a second request; read to the end."""
    events: list[str] = []
    async with httpx.AsyncClient(timeout=60) as c:
        body = {"model": model, "messages": STORY, "max_tokens": 200, "temperature": 0, "stream": True}
        other: asyncio.Task[httpx.Response] | None = None
        async with c.stream("POST", url + "/chat/completions", json=body, headers={"x-request-id": str(uuid.uuid4())}) as r:
            async for line in r.aiter_lines():
                if line.startswith("data: "):
                    events.append(line[6:])
                    if len(events) == 3:
                        other = asyncio.create_task(c.post(url + "/chat/completions", headers={
                            "x-request-id": str(uuid.uuid4())}, json={**body, "stream": False, "max_tokens": 4}))
        assert other is not None
        return events, (await other).status_code


async def test_an_answer_the_server_cuts_short_is_an_error_not_a_done(interop_dir: Path) -> None:
    """llama_cpp.server's default ``interrupt_requests`` ends a running stream with ``[DONE]`` (and
    no finish_reason) when another request arrives; the gateway must not pass that on as done."""
    server = LlamaServer(interop_dir, interrupt_requests=True)
    await asyncio.to_thread(server.start)
    try:
        raw, status = await read_stream_while_another_request_arrives(server.base_url, MODEL_ALIAS)
        assert status == 200 and raw[-1] == "[DONE]"
        assert not any(c.get("finish_reason") for e in raw[:-1] for c in json.loads(e)["choices"])  # silently cut
        cfg = minimal_config([smol_provider("interrupting", server)], {"chat": {"targets": ["interrupting"]}})
        async with running_gateway(cfg) as gw:
            events, status = await read_stream_while_another_request_arrives(gw.base_url, "chat")
    finally:
        await asyncio.to_thread(server.kill)
    assert status == 200 and "[DONE]" not in events
    assert json.loads(events[-1])["error"]["code"] == "truncated_stream", events[-1]


@pytest.mark.parametrize("how", ["hung", "dead"])
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_fallback_before_the_first_byte(victim: LlamaServer, llama: LlamaServer, how: str, stream: bool) -> None:
    """Hung (SIGSTOP: connections are accepted, nothing answers) or dead (connection refused)."""
    cfg = minimal_config([smol_provider("victim", victim, timeouts={"first_byte": 1.5}, retry={"max_retries": 0}),
                          smol_provider("smol", llama)], {"chat": {"targets": ["victim", "smol"]}})
    if how == "hung":
        victim.pause()
    else:  # the process is gone: its port refuses connections
        await asyncio.to_thread(victim.kill)
    body = {"model": "chat", "messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 8, "temperature": 0}
    async with running_gateway(cfg) as gw, httpx.AsyncClient(timeout=60) as c:
        t0 = time.monotonic()
        if stream:
            async with c.stream("POST", gw.base_url + "/chat/completions", json={**body, "stream": True}) as r:
                data = [line[6:] async for line in r.aiter_lines() if line.startswith("data: ")]
            assert data[-1] == "[DONE]"
        else:
            r = await c.post(gw.base_url + "/chat/completions", json=body)
            assert r.json()["choices"][0]["message"]["content"]
        took = time.monotonic() - t0
    assert r.status_code == 200 and r.headers["x-perimeter-route"] == "smol"
    assert took < 30, took  # the hung server cost one first-byte timeout, not a hang


async def test_server_restarting_under_load(interop_dir: Path, llama: LlamaServer) -> None:
    """Requests keep flowing while the primary restarts on the same port: none hangs, none fails
    silently (the fallback takes what had not started), and the primary serves again once back."""
    flaky = LlamaServer(interop_dir)
    await asyncio.to_thread(flaky.start)
    cfg = minimal_config(
        [smol_provider("flaky", flaky, retry={"max_retries": 0}, breaker={"failure_threshold": 1, "cooldown": 0.5},
                       timeouts={"first_byte": 20}),
         smol_provider("smol", llama)],
        {"chat": {"targets": ["flaky", "smol"]}})
    results: list[tuple[float, str, str, bool]] = []
    phase = {"restarted_at": float("inf")}
    stop = asyncio.Event()

    async def worker(c: httpx.AsyncClient, n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            body = {"model": "chat", "messages": [{"role": "user", "content": f"Count to {n + i}."}],
                    "max_tokens": 6, "temperature": 0}
            url = gw.base_url + "/chat/completions"
            if i % 2:
                r = await c.post(url, json=body)
                ok = r.status_code == 200 and bool(r.json()["choices"][0]["message"]["content"])
                outcome = "ok" if ok else f"http {r.status_code}"
            else:
                async with c.stream("POST", url, json={**body, "stream": True}) as r:
                    data = [line[6:] async for line in r.aiter_lines() if line.startswith("data: ")]
                if r.status_code != 200:
                    outcome = f"http {r.status_code}"
                elif data[-1:] == ["[DONE]"]:
                    outcome = "ok"
                elif data and "error" in json.loads(data[-1]):
                    outcome = "stream error event"  # broke after its first byte: it cannot move any more
                else:
                    outcome = "truncated silently"  # a failure hidden behind a 200
            results.append((time.monotonic(), outcome, r.headers.get("x-perimeter-route", "?"), i % 2 == 0))

    try:
        async with running_gateway(cfg) as gw, httpx.AsyncClient(timeout=60) as c:
            tasks = [asyncio.create_task(worker(c, n * 100)) for n in range(3)]
            await asyncio.sleep(2.0)
            await asyncio.to_thread(flaky.stop)
            await asyncio.sleep(1.0)  # requests arrive while nothing listens on the port
            flaky = LlamaServer(interop_dir, port=flaky.port)
            await asyncio.to_thread(flaky.start)
            phase["restarted_at"] = time.monotonic()
            await asyncio.sleep(4.0)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 90)
    finally:
        await asyncio.to_thread(flaky.kill)
    outcomes = collections.Counter(o for _, o, _, _ in results)
    # Plain requests all succeed (nothing was sent yet when the server went: they fall back). A
    # stream can only fail visibly — one that was streaming from the server when it stopped ends
    # with an error event, one per client at most — never silently, never with an HTTP error.
    assert all(o == "ok" for _, o, _, stream in results if not stream), outcomes
    assert set(outcomes) <= {"ok", "stream error event"} and outcomes["stream error event"] <= 3, outcomes
    routes = collections.Counter(route for _, _, route, _ in results)
    assert routes["smol"] > 0, routes  # the outage went to the fallback
    after = [route for t, _, route, _ in results if t > phase["restarted_at"] + 1.0]
    assert "flaky" in after, (routes, after)  # and the restarted primary took traffic again
    assert len(results) >= 10
