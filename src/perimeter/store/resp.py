"""A small asyncio Redis client for the one hot-path call per request (admission).

Why not redis-py's asyncio client: each command there goes through a connection pool, a lock,
retry and response-callback machinery — measured at ~70 µs of gateway CPU per admit+release
on the development machine, more than the rest of accounting together.  This client is one
connection speaking RESP2 directly:

* **Auto-pipelining.** Commands issued in the same event-loop iteration are written with one
  ``write(2)``; replies are matched to callers in order.  Under load, dozens of concurrent
  admissions cost one syscall each way.
* **One timer, not one per call.** A watchdog fails every pending call (and drops the
  connection) when the oldest has waited longer than ``timeout``; callers see
  :class:`RedisConnectionError` and the gatekeeper applies ``storage.on_redis_down``.
* **Reconnects lazily.** A broken connection is replaced by the next call.

Replies are parsed by ``hiredis`` when it is installed, else by the pure-Python parser below
(the replies we read are a few small integers, strings and arrays).  It supports
``redis://[user:password@]host[:port][/db]``, ``rediss://`` (TLS, default context) and
``unix:///path.sock[?db=N]``.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import ssl
import time
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

_hiredis: Any
try:  # optional C parser
    import hiredis as _hiredis
except ImportError:  # pragma: no cover - exercised where hiredis is absent
    _hiredis = None


class RedisError(Exception):
    """An error reply from Redis (``-ERR …``); the connection stays usable."""


class RedisConnectionError(ConnectionError):
    """Redis cannot be reached, the connection broke, or a reply took longer than the timeout."""


class _Incomplete(Exception):
    pass


class PyReader:
    """RESP2 reply parser with ``hiredis.Reader``'s interface: ``feed(bytes)``, ``gets()``."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._pos = 0

    def feed(self, data: bytes) -> None:
        self._buf += data

    def gets(self) -> Any:
        """The next complete reply, or ``False`` when more bytes are needed."""
        try:
            value, pos = self._parse(self._pos)
        except _Incomplete:
            return False
        self._pos = pos
        if pos > 65536 or pos == len(self._buf):
            del self._buf[:pos]
            self._pos = 0
        return value

    def _line(self, pos: int) -> tuple[bytes, int]:
        end = self._buf.find(b"\r\n", pos)
        if end < 0:
            raise _Incomplete
        return bytes(self._buf[pos:end]), end + 2

    def _parse(self, pos: int) -> tuple[Any, int]:
        if pos >= len(self._buf):
            raise _Incomplete
        kind = self._buf[pos]
        line, pos = self._line(pos + 1)
        if kind == 58:  # ':'
            return int(line), pos
        if kind == 36:  # '$'
            n = int(line)
            if n < 0:
                return None, pos
            if len(self._buf) < pos + n + 2:
                raise _Incomplete
            return bytes(self._buf[pos : pos + n]), pos + n + 2
        if kind == 42:  # '*'
            n = int(line)
            if n < 0:
                return None, pos
            out = []
            for _ in range(n):
                v, pos = self._parse(pos)
                out.append(v)
            return out, pos
        if kind == 43:  # '+'
            return line, pos
        if kind == 45:  # '-'
            return RedisError(line.decode("utf-8", "replace")), pos
        raise RedisConnectionError(f"unexpected RESP type byte {kind!r}")


def _reader() -> Any:
    if _hiredis is not None:
        return _hiredis.Reader(replyError=RedisError)
    return PyReader()


def encode(args: tuple[Any, ...]) -> bytes:
    """One command as a RESP array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, bytes):
            b = a
        elif isinstance(a, str):
            b = a.encode()
        elif isinstance(a, float):
            b = repr(a).encode()
        else:
            b = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class _Protocol(asyncio.Protocol):
    def __init__(self, owner: RespClient) -> None:
        self.owner = owner
        self.transport: asyncio.Transport | None = None
        self.reader = _reader()
        self.waiters: collections.deque[tuple[asyncio.Future[Any], float]] = collections.deque()
        self.out: list[bytes] = []
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        waiters = self.waiters
        while True:
            try:
                reply = self.reader.gets()
            except Exception as exc:  # protocol error: the stream cannot be trusted any more
                self.fail(RedisConnectionError(f"bad reply from Redis: {exc}"))
                return
            if reply is False:
                return
            if not waiters:
                self.fail(RedisConnectionError("Redis sent a reply nobody asked for"))
                return
            fut, _ = waiters.popleft()
            if not fut.done():
                if isinstance(reply, RedisError):
                    fut.set_exception(reply)
                else:
                    fut.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(RedisConnectionError(f"connection to Redis lost: {exc or 'closed'}"))

    def fail(self, exc: Exception) -> None:
        self.closed = True
        while self.waiters:
            fut, _ = self.waiters.popleft()
            if not fut.done():
                fut.set_exception(exc)
        if self.transport is not None:
            self.transport.abort()
        if self.owner._proto is self:
            self.owner._proto = None

    def flush(self) -> None:
        out, self.out = self.out, []
        if out and not self.closed and self.transport is not None:
            self.transport.write(b"".join(out))


class RespClient:
    """One auto-pipelined Redis connection.  ``await client.call("GET", key)``."""

    def __init__(self, url: str, *, timeout: float = 2.0, connect_timeout: float = 2.0) -> None:
        self.url = url
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._proto: _Protocol | None = None
        self._connecting: asyncio.Future[_Protocol] | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self._scripts: dict[str, str] = {}
        u = urlsplit(url)
        self._scheme = u.scheme
        q = parse_qs(u.query)
        self._host = u.hostname or "127.0.0.1"
        self._port = u.port or 6379
        self._path = unquote(u.path) if u.scheme == "unix" else ""
        db = q.get("db", [""])[0] if u.scheme == "unix" else u.path.lstrip("/")
        self._db = int(db) if db else 0
        self._user = unquote(u.username) if u.username else None
        self._password = unquote(u.password) if u.password else None

    # -- connection -----------------------------------------------------------------------
    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        try:
            if self._scheme == "unix":
                coro = loop.create_unix_connection(lambda: _Protocol(self), self._path)
            else:
                tls = ssl.create_default_context() if self._scheme == "rediss" else None
                coro = loop.create_connection(lambda: _Protocol(self), self._host, self._port, ssl=tls)
            _, proto = await asyncio.wait_for(coro, self.connect_timeout)
        except (OSError, TimeoutError) as exc:
            raise RedisConnectionError(f"cannot connect to Redis at {self._where()}: {exc or 'timeout'}") from None
        hello: list[tuple[Any, ...]] = []
        if self._password is not None:
            hello.append(("AUTH", self._user, self._password) if self._user else ("AUTH", self._password))
        if self._db:
            hello.append(("SELECT", self._db))
        for cmd in hello:
            fut = self._send(proto, cmd)
            proto.flush()
            try:
                await asyncio.wait_for(fut, self.timeout)
            except BaseException:
                proto.fail(RedisConnectionError("Redis handshake failed"))
                raise
        return proto

    def _where(self) -> str:
        return self._path if self._scheme == "unix" else f"{self._host}:{self._port}"

    async def _get(self) -> _Protocol:
        proto = self._proto
        if proto is not None and not proto.closed:
            return proto
        if self._connecting is None:
            fut: asyncio.Future[_Protocol] = asyncio.get_running_loop().create_future()
            self._connecting = fut
            try:
                proto = await self._connect()
                self._proto = proto
                fut.set_result(proto)
            except BaseException as exc:
                fut.set_exception(exc)
                fut.exception()  # retrieved: other waiters may not exist
                raise
            finally:
                self._connecting = None
            return proto
        return await asyncio.shield(self._connecting)

    # -- commands -------------------------------------------------------------------------
    def _send(self, proto: _Protocol, args: tuple[Any, ...]) -> asyncio.Future[Any]:
        return self._send_payload(proto, encode(args))

    def _send_payload(self, proto: _Protocol, payload: bytes) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        if not proto.out:
            loop.call_soon(proto.flush)  # everything queued in this loop iteration goes in one write
        proto.out.append(payload)
        proto.waiters.append((fut, time.monotonic()))
        if self._watchdog is None:
            self._watchdog = loop.call_later(self.timeout / 2, self._check_timeouts)
        return fut

    def _check_timeouts(self) -> None:
        self._watchdog = None
        proto = self._proto
        if proto is None or not proto.waiters:
            return
        if time.monotonic() - proto.waiters[0][1] > self.timeout:
            proto.fail(RedisConnectionError(f"Redis at {self._where()} did not answer within {self.timeout:g}s"))
            return
        self._watchdog = asyncio.get_running_loop().call_later(self.timeout / 2, self._check_timeouts)

    async def call(self, *args: Any) -> Any:
        """Send one command (pipelined with others issued in the same loop iteration)."""
        proto = self._proto
        if proto is None or proto.closed:
            proto = await self._get()
        return await self._send(proto, args)

    async def connected(self) -> None:
        """Connect now if needed (so that :meth:`send` can be used)."""
        proto = self._proto
        if proto is None or proto.closed:
            await self._get()

    def send(self, *args: Any) -> asyncio.Future[Any]:
        """Queue a command on the live connection without a coroutine (after :meth:`connected`)."""
        proto = self._proto
        if proto is None or proto.closed:
            raise RedisConnectionError(f"not connected to Redis at {self._where()}")
        return self._send(proto, args)

    async def call_payload(self, payload: bytes) -> Any:
        """Send a command already encoded with :func:`encode` (hot paths cache the bytes)."""
        proto = self._proto
        if proto is None or proto.closed:
            proto = await self._get()
        return await self._send_payload(proto, payload)

    @staticmethod
    def script_sha(script: str) -> str:
        return hashlib.sha1(script.encode()).hexdigest()

    async def evalsha_payload(self, script: str, payload: bytes) -> Any:
        """Run ``payload`` (an encoded ``EVALSHA`` of ``script``); if Redis lost its script cache
        (restart, ``SCRIPT FLUSH``) load the script and try once more."""
        try:
            return await self.call_payload(payload)
        except RedisError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        await self.call("SCRIPT", "LOAD", script)
        return await self.call_payload(payload)

    async def evalsha(self, script: str, keys: list[str], args: list[Any]) -> Any:
        """Run a Lua script by its SHA-1 (loaded on first ``NOSCRIPT``)."""
        sha = self._scripts.get(script)
        if sha is None:
            sha = self._scripts[script] = self.script_sha(script)
        return await self.evalsha_payload(script, encode(("EVALSHA", sha, len(keys), *keys, *args)))

    async def aclose(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        proto, self._proto = self._proto, None
        if proto is not None and not proto.closed:
            proto.flush()
            if proto.waiters:
                with_timeout = [w for w, _ in proto.waiters]
                await asyncio.wait(with_timeout, timeout=self.timeout)
            proto.closed = True
            if proto.transport is not None:
                proto.transport.close()
