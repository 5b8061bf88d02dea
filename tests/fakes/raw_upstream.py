"""A loopback OpenAI-compatible upstream on a raw socket, for faults a framework cannot produce.

aiohttp (``openai_server.FakeOpenAI``) always frames its answers properly; real upstreams and
the networks in between do not.  This server reads each HTTP/1.1 request itself and answers in
OpenAI's wire format — or misbehaves exactly as told, per request, in order:

* ``ok``            a proper ``chat.completion`` (or SSE stream ending with ``[DONE]``);
* ``reset_mid_body`` the head and half of the declared body, then a TCP reset;
* ``trickle``       a stream head, then only ``:`` keep-alive comments, one every ``interval`` s;
* ``trickle_after_content`` one content chunk, then keep-alives forever;
* ``trickle_body``  a JSON head, then the body one byte every ``interval`` s;
* ``hang``          reads the request and never answers;
* ``malformed``     ``200 application/json`` whose body is not JSON;
* ``status``        an OpenAI error body with ``status`` (and ``Retry-After`` when given);
* ``pieces``        an SSE head, then exactly the bytes of ``pieces``, one write each with a pause
                    of ``interval`` s between them (each its own read on the other side), then close.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import orjson


@dataclass
class Behaviour:
    kind: str = "ok"
    status: int = 500
    retry_after: str | None = None
    interval: float = 0.2
    pieces: list[bytes] = field(default_factory=list)


@dataclass
class RawUpstream:
    name: str = "raw"
    #: What to do for the next requests, in order; ``default`` once the script is used up.
    script: list[Behaviour] = field(default_factory=list)
    default: Behaviour = field(default_factory=Behaviour)
    requests: list[dict[str, Any]] = field(default_factory=list)
    open_connections: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> RawUpstream:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            with contextlib.suppress(BaseException):
                await t
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    def _next(self) -> Behaviour:
        return self.script.pop(0) if self.script else self.default

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self.open_connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v.strip())
                body = orjson.loads(await reader.readexactly(length)) if length else {}
                self.requests.append(body)
                if not await self._answer(self._next(), body, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self.open_connections -= 1
            self._tasks.discard(task)  # type: ignore[arg-type]
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(self, b: Behaviour, body: dict[str, Any], writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection must not be reused."""
        stream = bool(body.get("stream"))
        if b.kind == "ok":
            if stream:
                writer.write(_head(200, "text/event-stream"))
                for c in _chunks(self.name, body):
                    writer.write(_chunked(b"data: " + orjson.dumps(c) + b"\n\n"))
                writer.write(_chunked(b"data: [DONE]\n\n") + b"0\r\n\r\n")
            else:
                payload = orjson.dumps(_completion(self.name, body))
                writer.write(_head(200, "application/json", len(payload)) + payload)
            await writer.drain()
            return True
        if b.kind == "status":
            payload = orjson.dumps({"error": {"message": f"{self.name} says {b.status}", "type": "server_error",
                                              "param": None, "code": None}})
            extra = {"retry-after": b.retry_after} if b.retry_after else {}
            writer.write(_head(b.status, "application/json", len(payload), extra) + payload)
            await writer.drain()
            return True
        if b.kind == "malformed":
            payload = b'{"id": "chatcmpl-x", "choices": [ {not json'
            writer.write(_head(200, "application/json", len(payload)) + payload)
            await writer.drain()
            return True
        if b.kind == "reset_mid_body":
            payload = orjson.dumps(_completion(self.name, body))
            writer.write(_head(200, "application/json", len(payload)) + payload[: len(payload) // 2])
            await writer.drain()
            _reset(writer)
            return False
        if b.kind == "hang":
            await asyncio.sleep(3600)
            return False
        if b.kind in ("trickle", "trickle_after_content"):
            writer.write(_head(200, "text/event-stream"))
            if b.kind == "trickle_after_content":
                first = _chunks(self.name, body)[0]
                writer.write(_chunked(b"data: " + orjson.dumps(first) + b"\n\n"))
            while True:
                writer.write(_chunked(b": keep-alive\n\n"))
                await writer.drain()
                await asyncio.sleep(b.interval)
        if b.kind == "pieces":
            writer.write(_head(200, "text/event-stream", extra={"connection": "close"}, close_delimited=True))
            for piece in b.pieces:
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(b.interval)
            return False
        if b.kind == "trickle_body":
            payload = orjson.dumps(_completion(self.name, body))
            writer.write(_head(200, "application/json", len(payload)))
            for i in range(len(payload)):
                writer.write(payload[i : i + 1])
                await writer.drain()
                await asyncio.sleep(b.interval)
            return True
        raise AssertionError(f"unknown behaviour {b.kind}")


def _head(status: int, ctype: str, length: int | None = None, extra: dict[str, str] | None = None,
          close_delimited: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"content-type: {ctype}"]
    if not close_delimited:  # a body that ends when the connection closes has neither
        lines.append(f"content-length: {length}" if length is not None else "transfer-encoding: chunked")
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _completion(name: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"chatcmpl-{name}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model"), "choices": [{"index": 0, "message": {"role": "assistant",
                                                                            "content": f"{name} answers"},
                                                      "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}


def _chunks(name: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    base = {"id": f"chatcmpl-{name}", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": body.get("model")}
    out = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": f"{name} "},
                                 "finish_reason": None}]},
           {**base, "choices": [{"index": 0, "delta": {"content": "answers"}, "finish_reason": None}]},
           {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
    if (body.get("stream_options") or {}).get("include_usage"):
        out.append({**base, "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}})
    return out
