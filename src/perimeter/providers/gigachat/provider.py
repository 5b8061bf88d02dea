"""Adapter for Sber's GigaChat REST API v1 (``type: gigachat``).

Every call carries ``Authorization: Bearer <access token>`` from :mod:`.auth` (OAuth exchange,
cached, refreshed before expiry, one refresh at a time).  A 401 means the token died early: it
is invalidated, a new one fetched and the call retried once; a second 401 is an ``auth_error``
(retryable, so the alias falls back).  TLS is verified against ``ca_bundle`` when set.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.base import ClientHeaders, Timeouts
from perimeter.providers.client import HTTPProvider, decode_event
from perimeter.providers.gigachat.auth import TokenSource
from perimeter.providers.gigachat.translate import (
    StreamTranslator,
    error_from_body,
    to_gigachat_request,
    to_openai_response,
)
from perimeter.providers.openai_compat.provider import parse_retry_after
from perimeter.providers.sse import SSEEvent
from perimeter.providers.tls import client_context
from perimeter.providers.translate_common import unsupported

if TYPE_CHECKING:
    from perimeter.providers.gigachat.config import GigaChatProviderConfig

T = TypeVar("T")


class GigaChatProvider(HTTPProvider):
    def __init__(self, cfg: GigaChatProviderConfig) -> None:
        t = cfg.timeouts
        super().__init__(
            cfg.name, cfg.location, cfg.model,
            timeouts=Timeouts(connect=t.connect, first_byte=t.first_byte, total=t.total),
            headers=dict(cfg.headers), max_connections=cfg.max_connections, ssl_context=client_context(cfg.ca_bundle),
            header_policy=cfg.header_policy.policy(),
        )
        self.cfg = cfg
        self.base_url = cfg.base_url
        self.tokens = TokenSource(cfg.name, cfg.auth_url, cfg.credentials, cfg.scope, cfg.refresh_margin)
        self._auth_timeout = aiohttp.ClientTimeout(total=min(t.total, 30.0), connect=t.connect,
                                                   sock_connect=t.connect, sock_read=t.first_byte)

    def _on_error(self, status: int, raw: bytes, headers: Mapping[str, str]) -> ProviderError:
        return error_from_body(self.name, status, raw, parse_retry_after(headers.get("retry-after")))

    async def _authorized(self, call: Callable[[dict[str, str]], Awaitable[T]], request_id: str,
                          client_headers: ClientHeaders = None) -> T:
        """Run ``call(headers)`` with a valid token; on 401 refresh once and retry once."""
        headers = self.call_headers(request_id, client_headers)
        for attempt in (1, 2):
            token = await self.tokens.get(self.session, self._auth_timeout)
            try:
                return await call({**headers, "authorization": f"Bearer {token}"})
            except ProviderError as exc:
                if exc.kind != "token_rejected":
                    raise
                self.tokens.invalidate(token)
                if attempt == 2:
                    raise ProviderError(f"{exc.message} (a freshly issued access token was refused too)",
                                        kind="auth_error") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def chat(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        req = to_gigachat_request({**body, "stream": False}, self.model_for(body), self.cfg.profanity_check)
        url = self.base_url + "/chat/completions"
        data = await self._authorized(lambda h: self.post_json(url, req, h, self._on_error), request_id, client_headers)
        return to_openai_response(data, self.name)

    async def _open_stream(self, url: str, req: dict[str, Any], headers: dict[str, str]) -> tuple[
            SSEEvent, AsyncIterator[SSEEvent]]:
        events = self.post_sse(url, req, {**headers, "cache-control": "no-store"}, self._on_error)
        try:
            first = await anext(events)
        except StopAsyncIteration:
            raise ProviderError(f"provider '{self.name}' returned an empty stream", kind="empty_stream") from None
        except BaseException:
            await events.aclose()
            raise
        return first, events

    async def chat_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        model = self.model_for(body)
        req = to_gigachat_request({**body, "stream": True}, model, self.cfg.profanity_check)
        url = self.base_url + "/chat/completions"
        first, events = await self._authorized(lambda h: self._open_stream(url, req, h), request_id, client_headers)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        tr = StreamTranslator(self.name, model, include_usage)
        started = done = False
        try:
            ev: SSEEvent | None = first
            while ev is not None:
                if ev.data == "[DONE]":
                    done = True
                    break
                for chunk in tr.feed(decode_event(self.name, ev)):
                    started = True
                    yield chunk
                ev = await anext(events, None)
            if not done:
                raise ProviderError(f"provider '{self.name}' stream ended without [DONE]", kind="truncated_stream")
        except ProviderError as err:
            if started and not isinstance(err, StreamBroken):
                raise StreamBroken(err.message, status=err.status, kind=err.kind) from err
            raise
        finally:
            aclose = getattr(events, "aclose", None)
            if aclose is not None:
                await aclose()
        usage = tr.usage_chunk()
        if usage is not None:
            yield usage

    async def embeddings(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        model = self.model_for(body)
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else inputs
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise unsupported("GigaChat embeds strings only: input must be a string or a list of strings", "input")
        if body.get("dimensions") is not None:
            raise unsupported("GigaChat embedding models have a fixed size; remove 'dimensions'", "dimensions")
        fmt = body.get("encoding_format") or "float"
        url = self.base_url + "/embeddings"
        req = {"model": model, "input": texts}
        data = await self._authorized(lambda h: self.post_json(url, req, h, self._on_error), request_id, client_headers)
        items, tokens = [], 0
        for pos, item in enumerate(data.get("data") or []):
            vector = [float(x) for x in item.get("embedding") or []]
            tokens += int((item.get("usage") or {}).get("prompt_tokens") or 0)
            items.append({"object": "embedding", "index": int(item.get("index", pos)),
                          "embedding": _base64(vector) if fmt == "base64" else vector})
        if len(items) != len(texts):
            raise ProviderError(f"provider '{self.name}' returned {len(items)} embeddings for {len(texts)} inputs",
                                kind="broken_response")
        return {"object": "list", "data": items, "model": data.get("model") or model,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}

    async def list_models(self, *, request_id: str = "models") -> list[dict[str, Any]]:
        """``GET /models``: what this key may call (id, type ``chat``/``embedder``/…)."""
        url = self.base_url + "/models"
        data = await self._authorized(lambda h: self.get_json(url, h, self._on_error), request_id)
        return [m for m in data.get("data") or [] if isinstance(m, dict)]


def _base64(vector: list[float]) -> str:
    """OpenAI's ``encoding_format: base64``: little-endian float32, base64-encoded."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()



