from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

from tests.bench.fake_server import Behaviour, make_app


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Behaviour], Any]]:
    """Start the fake server in the test's own loop (no GIL contention distorting timings)."""
    runners: list[web.AppRunner] = []

    async def start(b: Behaviour) -> str:
        runner = web.AppRunner(make_app(b), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}/v1"

    yield start
    for r in runners:
        await r.cleanup()
