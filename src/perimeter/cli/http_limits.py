"""uvicorn's httptools protocol with bounds on the request head: size (431) and time (408).

uvicorn bounds neither with httptools: a client can send a header of any size (the parser
buffers it all) or send a head one byte at a time forever, and every such connection holds
memory.  This protocol counts the bytes received before the head is complete and arms a
timer when a head starts; past ``server.max_header_bytes`` it answers 431, past
``server.header_timeout`` 408, in the OpenAI error shape, and closes the connection.

The limits come from the application (``Gateway.http_limits``), so worker processes started
by uvicorn, which build their own app, get them too.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from perimeter.cli.http_writes import CoalescingTransport

DEFAULT_MAX_HEADER_BYTES = 32 * 1024
DEFAULT_HEADER_TIMEOUT = 10.0


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        app = self.app
        while not hasattr(app, "http_limits") and hasattr(app, "app"):  # uvicorn's middleware wrappers
            app = app.app
        limits: tuple[int, float] = getattr(app, "http_limits", None) or (DEFAULT_MAX_HEADER_BYTES,
                                                                           DEFAULT_HEADER_TIMEOUT)
        self.max_header_bytes, self.header_timeout = limits
        self._head_bytes = 0
        self._in_head = True
        self._head_timer: asyncio.TimerHandle | None = None

    # -- connection ---------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # Response heads go out with their first body bytes: one write per answer (.http_writes).
        super().connection_made(cast(asyncio.Transport, CoalescingTransport(transport, self.loop)))
        self._arm()  # a connection that never sends a request line is not kept either

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_timer is None:
                self._arm()
        super().data_received(data)
        # Checked after parsing: a chunk that completes a small head and carries body bytes
        # is fine; only bytes still waiting for the end of the head count against the limit.
        if self._in_head and self._head_bytes > self.max_header_bytes and not self.transport.is_closing():
            self._reject(431, "request_header_fields_too_large",
                         f"the request line and headers are larger than {self.max_header_bytes} bytes "
                         "(server.max_header_bytes)")

    # -- parser callbacks ---------------------------------------------------------------------
    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # the next request's head starts here; its timer on its first byte
        self._head_bytes = 0

    # -- limits ----------------------------------------------------------------------------------
    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm()  # a pipelined head behind a response still being written: wait for it
            return
        if self._head_bytes == 0 and self.cycle is not None:
            self.transport.close()  # an idle keep-alive connection: uvicorn's keep-alive case
            return
        self._reject(408, "request_timeout",
                     f"the request headers did not arrive within {self.header_timeout:g}s (server.header_timeout)")

    def _reject(self, status: int, code: str, message: str) -> None:
        self._disarm()
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # never interleave with a response in progress
            return
        self.logger.warning("closing connection from %s: %s", self.client, message)
        body = orjson.dumps({"error": {"message": message, "type": "invalid_request_error", "param": None,
                                       "code": code}})
        head = [STATUS_LINE[status], b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode() + b"\r\n", b"connection: close\r\n", b"\r\n"]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
