"""An OpenAI-compatible SSE chat server on loopback with known, injected delays.

It is the ground truth for the accuracy tests: the first content chunk is written ``ttft``
seconds after the request arrives and chunk ``k`` at ``ttft + k * itl`` (an absolute schedule,
so a late wake-up does not shift every later token).  ``mode`` makes it misbehave the way real
servers do: 401s, JSON instead of SSE, malformed events, streams cut off mid-answer.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web


@dataclass
class Behaviour:
    ttft: float = 0.05
    itl: float = 0.01
    default_tokens: int = 16
    mode: str = "ok"  # ok | auth | json | malformed | truncate | error500 | no_usage
    api_key: str | None = None
    # Server-side truth: (arrival, first chunk written, last chunk written) per request.
    timings: list[tuple[float, float, float]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)


def make_app(b: Behaviour) -> web.Application:
    async def chat(request: web.Request) -> web.StreamResponse:
        arrived = time.perf_counter()
        b.arrivals.append(arrived)
        body = await request.json()
        if b.api_key is not None and request.headers.get("authorization") != f"Bearer {b.api_key}":
            return web.json_response({"error": {"message": "Incorrect API key provided", "type":
                                      "invalid_request_error", "code": "invalid_api_key", "param": None}},
                                     status=401)
        if b.mode == "error500":
            return web.json_response({"error": {"message": "engine overloaded", "type": "server_error"}},
                                     status=500)
        n = int(body.get("max_tokens") or b.default_tokens)
        if b.mode == "json":
            return web.json_response({"id": "x", "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}]})
        resp = web.StreamResponse(headers={"content-type": "text/event-stream", "cache-control": "no-cache"})
        await resp.prepare(request)
        first = last = 0.0
        for k in range(n):
            due = arrived + b.ttft + k * b.itl
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if b.mode == "malformed" and k == 1:
                await resp.write(b"data: {this is not json\n\n")
                await resp.write_eof()
                return resp
            if b.mode == "truncate" and k == n // 2:
                # Stop mid-answer without finish_reason or [DONE] and close the connection.
                request.transport.close() if request.transport else None
                return resp
            chunk = {"id": "c", "object": "chat.completion.chunk", "model": body.get("model"),
                     "choices": [{"index": 0, "delta": {"content": f" t{k}"},
                                  "finish_reason": "length" if k == n - 1 else None}]}
            await resp.write(b"data: " + orjson.dumps(chunk) + b"\n\n")
            last = time.perf_counter()
            if k == 0:
                first = last
        include = (body.get("stream_options") or {}).get("include_usage")
        if include and b.mode != "no_usage":
            usage = {"prompt_tokens": 7, "completion_tokens": n, "total_tokens": n + 7}
            await resp.write(b"data: " + orjson.dumps({"id": "c", "object": "chat.completion.chunk",
                                                       "choices": [], "usage": usage}) + b"\n\n")
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        b.timings.append((arrived, first, last))
        return resp

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    return app


class ServerThread:
    """Runs the fake server in its own thread and loop, so CLI code may call ``asyncio.run``."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        self._runner = web.AppRunner(make_app(self.behaviour), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server: Any = site._server
        self.port = server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> ServerThread:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._runner is not None
        fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        fut.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
