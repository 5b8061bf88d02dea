"""HTTP plumbing shared by every remote adapter (OpenAI-compatible, Anthropic, Gemini).

Each adapter translates bodies and then does the same four things: keep one pooled
``aiohttp`` session per provider, honour the configured timeouts (connect, first byte,
total — streams included), turn transport failures into retryable :class:`ProviderError`
and read ``text/event-stream`` responses event by event.  Keeping that here means each
adapter module is only about its vendor's protocol.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncGenerator, Callable, Mapping
from typing import Any, TypeVar

import aiohttp
import orjson

from perimeter.context import Location
from perimeter.errors import GatewayError, ProviderError
from perimeter.observability.propagation import trace_headers as active_trace_headers
from perimeter.providers.base import Provider, Timeouts
from perimeter.providers.headers import DEFAULT_POLICY, HeaderPolicy, upstream_headers
from perimeter.providers.sse import Framer, LineSplitter, SSEEvent, SSEParser
from perimeter.providers.tls import CERTIFICATE_ERRORS, certificate_error

#: The longest streamed line accepted: what aiohttp's own readline() allowed (twice its default
#: 64 KiB read buffer), so a runaway upstream line still fails the stream instead of filling memory.
MAX_LINE = 2 * 2**16

T = TypeVar("T")

# Builds the ProviderError for an HTTP error answer: (status, raw body, response headers).
ErrorMapper = Callable[[int, bytes, Mapping[str, str]], ProviderError]


class HTTPProvider(Provider):
    """A provider reached over HTTP with one pooled session and the configured time limits."""

    def __init__(
        self,
        name: str,
        location: Location,
        default_model: str | None,
        *,
        timeouts: Timeouts,
        headers: dict[str, str],
        max_connections: int,
        ssl_context: ssl.SSLContext | None = None,
        header_policy: HeaderPolicy = DEFAULT_POLICY,
    ) -> None:
        super().__init__(name, location, default_model)
        self.timeouts = timeouts
        self._ssl: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
        self._headers = {"content-type": "application/json", **headers}
        self.header_policy = header_policy
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        # ``sock_read`` bounds the wait for the response head and for each later read, so a
        # silent upstream is noticed after ``first_byte`` seconds; a stream's first content and
        # its total are timers of their own (:class:`StreamDeadlines`), because bytes that carry
        # no content (``:`` keep-alives) restart ``sock_read`` and aiohttp's total does not
        # cover a consumer-paced stream.
        self._client_timeout = aiohttp.ClientTimeout(
            total=None, connect=timeouts.connect, sock_connect=timeouts.connect, sock_read=timeouts.first_byte,
        )
        # Whole-body requests: aiohttp enforces ``total`` itself (cheaper than a timeout
        # context per request, which showed up in profiles of the hot path).
        self._json_timeout = aiohttp.ClientTimeout(
            total=timeouts.total, connect=timeouts.connect, sock_connect=timeouts.connect,
            sock_read=timeouts.first_byte,
        )

    async def start(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_connections, ttl_dns_cache=300, ssl=self._ssl)
            # No cookie jar: a cookie one upstream response sets (OpenAI's edge sets Cloudflare's
            # on every response) would otherwise go back on every later call of every tenant —
            # state shared between clients that share nothing else.
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._client_timeout, cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
                json_serialize=lambda o: orjson.dumps(o).decode(),
            )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def ready(self) -> bool:
        return self._session is not None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise ProviderError(f"provider '{self.name}' is not started", kind="not_started")
        return self._session

    def call_headers(self, request_id: str, client_headers: Mapping[str, str] | None) -> dict[str, str]:
        """The per-request headers of one call: request id, trace context, forwarded client headers.

        The one place they are built: a tracer's current span (``observability.propagation``)
        becomes the ``traceparent`` when tracing is on, unless the header policy turns trace
        context off for this provider.
        """
        span = active_trace_headers() if self.header_policy.trace_context else None
        return upstream_headers(self.header_policy, request_id, client_headers, span or None)

    def model_for(self, body: dict[str, Any]) -> str:
        """The upstream model: the request's, else the provider's default, else a clear 400."""
        model = body.get("model") or self.default_model
        if not model:
            raise ProviderError(f"provider '{self.name}': no model given and none configured",
                                status=400, retryable=False, kind="bad_request")
        return str(model)

    def wrap_exc(self, exc: BaseException) -> ProviderError:
        """Transport failures are the upstream's problem: retryable, named by what happened."""
        if isinstance(exc, ProviderError):
            return exc
        if isinstance(exc, CERTIFICATE_ERRORS):
            return certificate_error(self.name, exc)
        if isinstance(exc, asyncio.TimeoutError | TimeoutError | aiohttp.ServerTimeoutError):
            return ProviderError(f"provider '{self.name}' timed out", status=504, kind="timeout")
        if isinstance(exc, aiohttp.ClientConnectionError):
            return ProviderError(f"provider '{self.name}' connection failed: {exc}", kind="connection_error")
        if isinstance(exc, aiohttp.ClientPayloadError):
            return ProviderError(f"provider '{self.name}' sent a broken response: {exc}", kind="broken_response")
        return ProviderError(f"provider '{self.name}' failed: {exc!r}", kind="upstream_error")

    def encode(self, body: dict[str, Any]) -> bytes:
        """The request bytes.  A body that cannot be encoded is the request's fault, found here
        before anything was sent: a 400, never a (retryable) failure of the provider."""
        try:
            return orjson.dumps(body)
        except (TypeError, orjson.JSONEncodeError) as exc:
            raise GatewayError(400, f"the request cannot be encoded for provider '{self.name}': {exc}",
                               code="unencodable_body") from None

    async def post_json(
        self, url: str, body: dict[str, Any], headers: dict[str, str], on_error: ErrorMapper,
    ) -> dict[str, Any]:
        """POST ``body``; return the decoded JSON object or raise a mapped ProviderError."""
        return await self._json("POST", url, self.encode(body), headers, on_error)

    async def get_json(self, url: str, headers: dict[str, str], on_error: ErrorMapper) -> dict[str, Any]:
        """GET ``url`` (model lists); the decoded JSON object or a mapped ProviderError."""
        return await self._json("GET", url, None, headers, on_error)

    async def _json(self, method: str, url: str, data: bytes | None, headers: dict[str, str],
                    on_error: ErrorMapper) -> dict[str, Any]:
        try:
            async with self.session.request(
                method, url, data=data, headers={**self._headers, **headers},
                timeout=self._json_timeout,
            ) as resp:
                raw = await resp.read()
                if resp.status >= 400:
                    raise on_error(resp.status, raw, resp.headers)
        except Exception as exc:
            raise self.wrap_exc(exc) from exc
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise ProviderError(f"provider '{self.name}' returned invalid JSON", kind="broken_response") from None
        if not isinstance(data, dict):
            raise ProviderError(f"provider '{self.name}' returned a non-object JSON body", kind="broken_response")
        return data

    async def post_sse(
        self, url: str, body: dict[str, Any], headers: dict[str, str], on_error: ErrorMapper,
    ) -> AsyncGenerator[SSEEvent, None]:
        """POST ``body`` and yield the SSE events of the answer one by one (:meth:`post_sse_batches`)."""
        batches = self.post_sse_batches(url, body, headers, on_error)
        try:
            async for batch in batches:
                for ev in batch:
                    yield ev
        finally:
            await batches.aclose()

    def post_sse_batches(
        self, url: str, body: dict[str, Any], headers: dict[str, str], on_error: ErrorMapper,
    ) -> AsyncGenerator[list[SSEEvent], None]:
        """POST ``body`` and yield the SSE events of the answer, those one network read
        completed together as one list (never empty); deadlines as :meth:`post_lines`."""
        return self._post_stream(url, body, {"accept": "text/event-stream", **headers}, on_error,
                                 "text/event-stream", SSEParser(MAX_LINE))

    async def post_lines(
        self, url: str, body: dict[str, Any], headers: dict[str, str], on_error: ErrorMapper, content_type: str,
    ) -> AsyncGenerator[bytes, None]:
        """POST ``body`` and yield the raw lines of a streamed answer of ``content_type``.

        SSE (:meth:`post_sse`) and newline-delimited JSON streams (Yandex's native API) share
        the reading (:meth:`_post_stream`).  ``timeouts.first_byte`` bounds the wait for the
        first line that carries content (not blank, not an SSE ``:`` comment) and
        ``timeouts.total`` is a wall-clock deadline for the whole stream.  Both are timers that
        fail the read in progress, so an upstream that trickles keep-alives — each of which
        restarts aiohttp's read timer — cannot hold a request past them.  HTTP errors and
        transport failures raise :class:`ProviderError` (the caller decides whether anything
        was already sent downstream and upgrades to ``StreamBroken``).
        """
        batches = self._post_stream(url, body, headers, on_error, content_type, LineSplitter(MAX_LINE))
        try:
            async for batch in batches:
                for line in batch:
                    yield line
        finally:
            await batches.aclose()

    async def _post_stream(
        self, url: str, body: dict[str, Any], headers: dict[str, str], on_error: ErrorMapper, content_type: str,
        framer: Framer[T],
    ) -> AsyncGenerator[list[T], None]:
        """POST ``body``; yield what ``framer`` makes of each read of the streamed answer.

        The items are cut from whatever one read brought (a burst of events is one read), not
        with one aiohttp ``readline()`` per line, and leave as one list: same items, same line
        length limit, a fraction of the per-item cost.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + self.timeouts.total
        data = self.encode(body)
        hdrs = {**self._headers, **headers}
        guard: StreamDeadlines | None = None
        try:
            async with asyncio.timeout_at(deadline):
                resp = await self.session.post(url, data=data, headers=hdrs)
            async with resp:
                if resp.status >= 400:
                    async with asyncio.timeout_at(deadline):
                        raw = await resp.read()
                    raise on_error(resp.status, raw, resp.headers)
                ctype = resp.headers.get("content-type", "")
                if content_type not in ctype:
                    raise ProviderError(
                        f"provider '{self.name}' answered a stream request with "
                        f"'{ctype or 'no content-type'}' instead of {content_type}",
                        kind="broken_response",
                    )
                guard = StreamDeadlines(loop, resp, started + self.timeouts.first_byte, deadline)
                try:
                    async for piece in resp.content.iter_any():
                        guard.check()
                        items = framer.feed(piece)
                        if framer.content_seen and guard.waiting_for_content:
                            guard.content_arrived()
                        if items:
                            yield items
                            guard.check()
                    guard.check()  # the timer may have ended the body as it fired
                    items = framer.end()
                    if framer.content_seen and guard.waiting_for_content:
                        guard.content_arrived()
                    if items:
                        yield items
                finally:
                    guard.cancel()
        except (GeneratorExit, asyncio.CancelledError):
            raise
        except Exception as exc:
            if guard is not None and guard.expired is not None:
                raise self._deadline_error(guard.expired) from exc
            raise self.wrap_exc(exc) from exc

    def _deadline_error(self, which: str) -> ProviderError:
        if which == "first_byte":
            what = f"sent no content within the first-byte timeout of {self.timeouts.first_byte:g}s"
        else:
            what = f"stream exceeded the total timeout of {self.timeouts.total:g}s"
        return ProviderError(f"provider '{self.name}' {what}", status=504, kind="timeout")


class StreamDeadlines:
    """Two timers over one streamed response: first content, and the wall-clock total.

    When one fires it fails the response's reader, waking whatever read is pending; a timer
    costs nothing per chunk (a timeout context around every read cost 5-10% of streaming CPU).
    """

    __slots__ = ("_first", "_resp", "_total", "expired")

    def __init__(self, loop: asyncio.AbstractEventLoop, resp: aiohttp.ClientResponse, first_deadline: float,
                 deadline: float) -> None:
        self._resp = resp
        self.expired: str | None = None
        self._first: asyncio.TimerHandle | None = loop.call_at(min(first_deadline, deadline), self._fire,
                                                               "first_byte" if first_deadline < deadline else "total")
        self._total = loop.call_at(deadline, self._fire, "total")

    @property
    def waiting_for_content(self) -> bool:
        return self._first is not None

    def content_arrived(self) -> None:
        if self._first is not None:
            self._first.cancel()
            self._first = None

    def _fire(self, which: str) -> None:
        if self.expired is None:
            self.expired = which
            self._resp.content.set_exception(TimeoutError(which))
            self._resp.close()

    def check(self) -> None:
        if self.expired is not None:
            raise TimeoutError(self.expired)

    def cancel(self) -> None:
        self.content_arrived()
        self._total.cancel()


def decode_event(provider: str, ev: SSEEvent) -> dict[str, Any]:
    """The JSON object carried by one SSE event, or a ProviderError naming the provider."""
    try:
        data = orjson.loads(ev.data)
    except orjson.JSONDecodeError:
        raise ProviderError(f"provider '{provider}' sent a malformed stream event", kind="broken_response") from None
    if not isinstance(data, dict):
        raise ProviderError(f"provider '{provider}' sent a non-object stream event", kind="broken_response")
    return data
