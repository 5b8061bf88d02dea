"""Adapter for any server speaking the OpenAI HTTP API.

OpenAI itself, vLLM, Ollama's ``/v1``, llama.cpp's server, LM Studio, TGI's Messages API,
Mistral, DeepSeek, YandexGPT's compatible endpoint … all accept the canonical body as is, so
this adapter mostly forwards bytes: it sets the upstream model name, applies timeouts, maps
failures to :class:`ProviderError` and parses SSE into chunk dicts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.base import Provider
from perimeter.providers.sse import iter_sse

if TYPE_CHECKING:
    from perimeter.config import OpenAICompatProviderConfig


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form; HTTP dates are rare upstream)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def error_from_status(provider: str, status: int, body: bytes, retry_after: str | None) -> ProviderError:
    """Map an upstream HTTP error to a ProviderError, keeping the vendor's message."""
    parsed: dict[str, Any] | None = None
    message = body[:500].decode("utf-8", errors="replace").strip()
    try:
        candidate = orjson.loads(body)
        if isinstance(candidate, dict):
            parsed = candidate
            err = candidate.get("error")
            if isinstance(err, dict) and err.get("message"):
                message = str(err["message"])
            elif isinstance(err, str):
                message = err
    except orjson.JSONDecodeError:
        pass
    retryable = status == 429 or status >= 500 or status in (408, 409)
    kind = "rate_limited" if status == 429 else ("upstream_5xx" if status >= 500 else "bad_request")
    return ProviderError(
        f"provider '{provider}' returned HTTP {status}: {message or 'no body'}",
        status=status,
        retryable=retryable,
        retry_after=parse_retry_after(retry_after),
        body=parsed,
        kind=kind,
    )


class OpenAICompatProvider(Provider):
    def __init__(self, cfg: OpenAICompatProviderConfig) -> None:
        super().__init__(cfg.name, cfg.location, cfg.model)
        self.cfg = cfg
        self.base_url = cfg.base_url
        self._headers = {"content-type": "application/json", **cfg.headers}
        if cfg.api_key:
            self._headers["authorization"] = f"Bearer {cfg.api_key}"
        self._session: aiohttp.ClientSession | None = None
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=cfg.timeouts.connect, sock_connect=cfg.timeouts.connect,
            sock_read=cfg.timeouts.first_byte,
        )

    async def start(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self.cfg.max_connections, ttl_dns_cache=300,
                                             enable_cleanup_closed=True)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, json_serialize=lambda o: orjson.dumps(o).decode(),
                skip_auto_headers=("User-Agent",), auto_decompress=True,
            )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise ProviderError(f"provider '{self.name}' is not started", kind="not_started")
        return self._session

    def _wrap_exc(self, exc: BaseException) -> ProviderError:
        if isinstance(exc, ProviderError):
            return exc
        if isinstance(exc, asyncio.TimeoutError | TimeoutError | aiohttp.ServerTimeoutError):
            return ProviderError(f"provider '{self.name}' timed out", status=504, kind="timeout")
        if isinstance(exc, aiohttp.ClientConnectionError):
            return ProviderError(f"provider '{self.name}' connection failed: {exc}", kind="connection_error")
        if isinstance(exc, aiohttp.ClientPayloadError):
            return ProviderError(f"provider '{self.name}' sent a broken response: {exc}", kind="broken_response")
        return ProviderError(f"provider '{self.name}' failed: {exc!r}", kind="upstream_error")

    async def _post_json(self, path: str, body: dict[str, Any], request_id: str) -> dict[str, Any]:
        headers = {**self._headers, "x-request-id": request_id}
        try:
            async with asyncio.timeout(self.cfg.timeouts.total):
                async with self.session.post(self.base_url + path, data=orjson.dumps(body), headers=headers) as resp:
                    raw = await resp.read()
                    if resp.status >= 400:
                        raise error_from_status(self.name, resp.status, raw, resp.headers.get("retry-after"))
        except Exception as exc:
            raise self._wrap_exc(exc) from exc
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise ProviderError(f"provider '{self.name}' returned invalid JSON", kind="broken_response") from None
        if not isinstance(data, dict):
            raise ProviderError(f"provider '{self.name}' returned a non-object JSON body", kind="broken_response")
        if "error" in data and "choices" not in data and "data" not in data:
            raise ProviderError(f"provider '{self.name}' returned an error: {data['error']}", kind="upstream_error")
        return data

    async def chat(self, body: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        return await self._post_json("/chat/completions", body, request_id)

    async def completions(self, body: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        return await self._post_json("/completions", body, request_id)

    async def embeddings(self, body: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        return await self._post_json("/embeddings", body, request_id)

    def chat_stream(self, body: dict[str, Any], *, request_id: str) -> AsyncIterator[dict[str, Any]]:
        return self._stream("/chat/completions", body, request_id)

    def completions_stream(self, body: dict[str, Any], *, request_id: str) -> AsyncIterator[dict[str, Any]]:
        return self._stream("/completions", body, request_id)

    async def _stream(self, path: str, body: dict[str, Any], request_id: str) -> AsyncIterator[dict[str, Any]]:
        headers = {**self._headers, "x-request-id": request_id, "accept": "text/event-stream"}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.cfg.timeouts.total
        started = False
        done = False
        try:
            async with asyncio.timeout_at(deadline):
                resp = await self.session.post(self.base_url + path, data=orjson.dumps(body), headers=headers)
            async with resp:
                if resp.status >= 400:
                    async with asyncio.timeout_at(deadline):
                        raw = await resp.read()
                    raise error_from_status(self.name, resp.status, raw, resp.headers.get("retry-after"))
                ctype = resp.headers.get("content-type", "")
                if "text/event-stream" not in ctype:
                    raise ProviderError(
                        f"provider '{self.name}' answered a stream request with '{ctype or 'no content-type'}'"
                        " instead of text/event-stream", kind="broken_response",
                    )
                events = iter_sse(resp.content.__aiter__())
                while True:
                    async with asyncio.timeout_at(deadline):
                        try:
                            ev = await anext(events)
                        except StopAsyncIteration:
                            break
                    if ev.data == "[DONE]":
                        done = True
                        break
                    try:
                        chunk = orjson.loads(ev.data)
                    except orjson.JSONDecodeError:
                        raise ProviderError(f"provider '{self.name}' sent a malformed stream event",
                                            kind="broken_response") from None
                    if not isinstance(chunk, dict):
                        continue
                    if "error" in chunk and not chunk.get("choices"):
                        err = chunk["error"]
                        msg = err.get("message") if isinstance(err, dict) else str(err)
                        raise ProviderError(f"provider '{self.name}' stream error: {msg}", kind="stream_error")
                    started = True
                    yield chunk
        except (GeneratorExit, asyncio.CancelledError):
            raise
        except Exception as exc:
            err = self._wrap_exc(exc)
            if started:
                raise StreamBroken(err.message, kind=err.kind) from exc
            raise err from exc
        if not done:
            msg = f"provider '{self.name}' stream ended without [DONE]"
            if started:
                raise StreamBroken(msg, kind="truncated_stream")
            raise ProviderError(msg, kind="truncated_stream")
