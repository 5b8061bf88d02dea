"""Relay a stream in batches: whatever is ready without waiting goes out in one write.

An upstream often delivers several SSE events in one network read (a burst from a loaded vLLM,
the whole answer from a cache or a mock).  Sending each as its own ASGI message costs one
``transport.write`` — one system call, one TCP segment for the client to read — per event.
:func:`relay_batches` steps the source iterator by hand: while it produces items without
waiting they are collected; the moment it would wait, the collected batch is flushed first, then
the wait happens.  A token-by-token upstream therefore sees no change at all (batches of one,
sent at once), and nothing is ever held back waiting for more.

Stepping a coroutine by hand means doing what an asyncio task does: await the future it waits
on, then resume it (its own ``await`` reads the outcome), and if the relay itself is cancelled
or fails while the source is suspended, unwind the source with that exception before leaving,
so that the source's ``finally`` blocks (closing the upstream response) run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
B = TypeVar("B")


async def relay_batches(source: AsyncIterator[T], prepare: Callable[[T], B],
                        flush: Callable[[list[B]], Awaitable[None]]) -> list[B]:
    """Feed ``prepare(item)`` of every item of ``source`` to ``flush``, in batches.

    Returns the last batch unsent (possibly empty), so the caller can send it together with
    whatever ends the stream.  An exception from ``source`` is raised after the items before
    it were flushed.
    """
    batch: list[B] = []
    while True:
        step: Coroutine[Any, Any, T] = source.__anext__()  # type: ignore[assignment]
        try:
            waiting = step.send(None)
        except StopIteration as done:
            batch.append(prepare(done.value))
            continue
        except StopAsyncIteration:
            return batch
        except Exception:
            if batch:
                await flush(batch)
            raise
        # The source has to wait: what is ready goes out now, then we wait with it.
        if batch:
            try:
                await flush(batch)
            except BaseException as exc:
                await _unwind(step, exc)
                raise
            batch = []
        try:
            item = await _resume(step, waiting)
        except StopAsyncIteration:
            return batch
        batch.append(prepare(item))


async def _resume(step: Coroutine[Any, Any, T], waiting: Any) -> T:
    """Run ``step`` to its end as a task would: wait for what it waits on, then resume it."""
    while True:
        try:
            if waiting is None:
                await asyncio.sleep(0)  # a bare yield: the coroutine only gave up its turn
            else:
                # As a task does with a future a coroutine yields: take its "blocking" mark,
                # wait for it, then resume the coroutine, which reads the outcome itself.
                waiting._asyncio_future_blocking = False
                await waiting
        except BaseException as exc:
            if waiting is None or not waiting.done():
                # This task was cancelled while ``step`` waited: hand the cancellation to it.
                try:
                    waiting = step.throw(exc)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]
                continue
            # Otherwise the future failed or was cancelled: ``step`` reads that outcome itself.
        try:
            waiting = step.send(None)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


async def _unwind(step: Coroutine[Any, Any, Any], exc: BaseException) -> None:
    """Raise ``exc`` inside the suspended ``step`` and let it run its cleanup to the end."""
    try:
        waiting = step.throw(exc)
    except BaseException:
        return
    try:
        await _resume(step, waiting)
    except BaseException:
        return
