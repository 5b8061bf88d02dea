"""relay_batches: what a stream has ready leaves in one write, nothing waits for later items,
and a failure or a cancellation still unwinds the source (its ``finally`` runs)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from perimeter.api.coalesce import relay_batches


class Source:
    """An async generator of items; ``plan`` says where it waits (a float: sleep that long)."""

    def __init__(self, plan: list[str | float | Exception], *, slow_cleanup: bool = True) -> None:
        self.plan = plan
        self.slow_cleanup = slow_cleanup
        self.closed = False
        self.produced = 0

    async def run(self) -> AsyncIterator[str]:
        try:
            for step in self.plan:
                if isinstance(step, Exception):
                    raise step
                if isinstance(step, float):
                    await asyncio.sleep(step)
                    continue
                self.produced += 1
                yield step
        finally:
            if self.slow_cleanup:
                await asyncio.sleep(0)  # cleanup that itself awaits, like closing an upstream response
            self.closed = True


async def relay(plan: list[str | float | Exception], *, slow_cleanup: bool = False
                ) -> tuple[list[list[str]], list[str], Source]:
    src = Source(plan, slow_cleanup=slow_cleanup)
    sent: list[list[str]] = []

    async def flush(batch: list[str]) -> None:
        sent.append(list(batch))

    rest = await relay_batches(src.run(), str.upper, flush)
    return sent, rest, src


async def test_a_burst_is_one_batch_left_for_the_closing_write() -> None:
    sent, rest, src = await relay(["a", "b", "c"])
    assert sent == [] and rest == ["A", "B", "C"] and src.closed


async def test_a_source_whose_end_waits_flushes_before_that_wait() -> None:
    sent, rest, src = await relay(["a", "b"], slow_cleanup=True)
    assert sent == [["A", "B"]] and rest == [] and src.closed


async def test_items_before_a_wait_go_out_before_it() -> None:
    sent, rest, _ = await relay(["a", "b", 0.01, "c", 0.0, "d", "e"])
    assert sent == [["A", "B"], ["C"]] and rest == ["D", "E"]


async def test_a_bare_yield_counts_as_a_wait() -> None:
    async def gen() -> AsyncIterator[str]:
        yield "a"
        await asyncio.sleep(0)
        yield "b"

    sent: list[list[str]] = []

    async def flush(batch: list[str]) -> None:
        sent.append(batch)

    assert await relay_batches(gen(), str, flush) == ["b"]
    assert sent == [["a"]]


async def test_an_error_comes_after_the_items_before_it() -> None:
    src = Source(["a", "b", ValueError("upstream broke")])
    sent: list[list[str]] = []

    async def flush(batch: list[str]) -> None:
        sent.append(list(batch))

    with pytest.raises(ValueError, match="upstream broke"):
        await relay_batches(src.run(), str, flush)
    assert sent == [["a", "b"]] and src.closed


async def test_an_error_after_a_wait() -> None:
    src = Source(["a", 0.01, ValueError("late")])
    sent: list[list[str]] = []

    async def flush(batch: list[str]) -> None:
        sent.append(list(batch))

    with pytest.raises(ValueError, match="late"):
        await relay_batches(src.run(), str, flush)
    assert sent == [["a"]] and src.closed


async def test_cancelled_while_the_source_waits_unwinds_the_source() -> None:
    src = Source(["a", 10.0, "never"])

    async def flush(batch: list[str]) -> None:
        return None

    task = asyncio.ensure_future(relay_batches(src.run(), str, flush))
    await asyncio.sleep(0.05)
    assert src.produced == 1 and not src.closed
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert src.closed and src.produced == 1


async def test_a_failing_flush_unwinds_the_suspended_source() -> None:
    src = Source(["a", 10.0, "never"])
    gen = src.run()

    async def flush(batch: list[str]) -> None:
        raise ConnectionError("client gone")

    with pytest.raises(ConnectionError):
        await asyncio.wait_for(relay_batches(gen, str, flush), 5)
    assert src.closed
    await gen.aclose()  # finished, so closing it again is a no-op rather than "already running"


async def test_cancelled_inside_a_slow_flush() -> None:
    src = Source(["a", 10.0, "never"])
    gen = src.run()
    entered = asyncio.Event()

    async def flush(batch: list[str]) -> None:
        entered.set()
        await asyncio.sleep(10)

    task = asyncio.ensure_future(relay_batches(gen, str, flush))
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert src.closed
    await gen.aclose()
