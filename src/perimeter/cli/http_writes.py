"""One ``write(2)`` per response instead of two: the response head waits for its body.

uvicorn writes a response's status line and headers the moment the application sends
``http.response.start`` and the body with the next message, so every answer costs two
system calls and two TCP segments — on loopback and short links the write itself (the whole
TCP path runs in the writer's context) was the largest single item of a request's CPU.  The
gateway always sends the first body bytes right after the head, in the same event-loop
iteration (a JSON answer, or a stream's head with its first events), so
:class:`CoalescingTransport` holds a head back and writes it together with the next bytes.

A held head never waits longer than the current loop iteration (a ``call_soon`` flush), and
closing the connection writes it first: nothing is reordered, lost or delayed past the
iteration that produced it.
"""

from __future__ import annotations

import asyncio
from typing import Any


class CoalescingTransport:
    """A connection's transport whose response heads go out with the bytes that follow them."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + bytes(data))
            return
        if data[:5] == b"HTTP/" and data[:12] != b"HTTP/1.1 100":  # a head (not a 100 Continue)
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
            return
        self._transport.write(data)

    def writelines(self, lines: Any) -> None:
        self.write(b"".join(lines))

    def flush(self) -> None:
        """Write a held head now (the end of the loop iteration that wrote it, or a close)."""
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        # Everything else (is_closing, pause_reading, get_extra_info, ...) is the transport's own.
        return getattr(self._transport, name)
