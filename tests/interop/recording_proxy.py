"""A loopback pass-through in front of a real server that keeps what crossed it.

Privacy tests need to see what a ``cloud`` provider actually received and what the model
actually answered before Perimeter restored it; a real server keeps neither.  This proxy forwards
each request unchanged (bytes, headers that matter, streaming as it arrives) and records the
request body and the raw response bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
from aiohttp import web

_HOP = {"host", "content-length", "transfer-encoding", "connection"}


@dataclass
class Exchange:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int = 0
    response: bytes = b""

    def answer_text(self) -> str:
        """The model's text as it left the server: a JSON answer or the deltas of an SSE stream."""
        if not self.response.startswith(b"data:"):
            data = orjson.loads(self.response)
            return "".join((c.get("message") or {}).get("content") or c.get("text") or "" for c in data["choices"])
        out = []
        for line in self.response.split(b"\n"):
            if line.startswith(b"data: ") and line[6:].strip() != b"[DONE]":
                for c in orjson.loads(line[6:]).get("choices") or []:
                    out.append((c.get("delta") or {}).get("content") or c.get("text") or "")
        return "".join(out)


@dataclass
class RecordingProxy:
    target: str  # e.g. http://127.0.0.1:PORT (no /v1)
    exchanges: list[Exchange] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> RecordingProxy:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300))
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        raw = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        ex = Exchange(request.path, {k.lower(): v for k, v in headers.items()}, orjson.loads(raw) if raw else {})
        self.exchanges.append(ex)
        async with self._session.request(request.method, self.target + request.path_qs, data=raw,
                                         headers=headers) as up:
            ex.status = up.status
            resp = web.StreamResponse(status=up.status, headers={
                k: v for k, v in up.headers.items() if k.lower() not in _HOP})
            await resp.prepare(request)
            async for piece in up.content.iter_any():
                ex.response += piece
                await resp.write(piece)
            await resp.write_eof()
            return resp
