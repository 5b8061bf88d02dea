"""run_until_disconnect: a request that ends quickly never starts a watcher; a longer one is
watched, and a client that left is noticed and the work cancelled (the upstream call with it)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from perimeter.api.http import run_until_disconnect


class Client:
    """An ASGI ``receive`` whose client has (or has not) gone away."""

    def __init__(self, gone: bool) -> None:
        self.gone = gone
        self.calls = 0

    async def receive(self) -> dict[str, Any]:
        self.calls += 1
        if self.gone:
            return {"type": "http.disconnect"}
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")


async def test_a_quick_request_starts_no_watcher() -> None:
    client = Client(gone=True)
    done = []

    async def work() -> None:
        await asyncio.sleep(0.001)
        done.append(True)

    assert await run_until_disconnect(client.receive, work(), watch_after=0.2) is False
    assert done == [True] and client.calls == 0
    await asyncio.sleep(0.3)  # the timer was cancelled: nothing starts later either
    assert client.calls == 0


async def test_a_client_that_left_cancels_a_long_request() -> None:
    client = Client(gone=True)
    cancelled = []

    async def work() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    t0 = time.monotonic()
    assert await run_until_disconnect(client.receive, work(), watch_after=0.05) is True
    assert cancelled == [True] and client.calls == 1
    assert time.monotonic() - t0 < 2
    assert not asyncio.current_task().cancelling()  # type: ignore[union-attr]


async def test_a_client_still_there_lets_a_long_request_finish() -> None:
    client = Client(gone=False)

    async def work() -> None:
        await asyncio.sleep(0.15)

    assert await run_until_disconnect(client.receive, work(), watch_after=0.02) is False
    assert client.calls == 1  # watched, and the watcher was stopped afterwards
