"""Adapter for the Anthropic Messages API (``type: anthropic``).

The gateway speaks OpenAI; this adapter translates each request to ``POST /v1/messages``
(see :mod:`.translate` for the mapping rules) and each answer back, streams
included, so an alias can fall back from Claude to any other vendor without the client seeing
a different shape.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import orjson

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.anthropic.translate import (
    StreamTranslator,
    count_tokens_request,
    error_from_body,
    to_anthropic_request,
    to_openai_response,
)
from perimeter.providers.base import ClientHeaders, Timeouts
from perimeter.providers.client import HTTPProvider, decode_event
from perimeter.providers.extensions import CACHE_CONTROL, THINKING
from perimeter.providers.openai_compat.provider import parse_retry_after

if TYPE_CHECKING:
    from perimeter.providers.anthropic.config import AnthropicProviderConfig


class AnthropicProvider(HTTPProvider):
    extensions = frozenset({THINKING, CACHE_CONTROL})

    def __init__(self, cfg: AnthropicProviderConfig) -> None:
        t = cfg.timeouts
        headers = {"anthropic-version": cfg.anthropic_version, **cfg.headers}
        if cfg.api_key:
            headers["x-api-key"] = cfg.api_key
        super().__init__(
            cfg.name, cfg.location, cfg.model,
            timeouts=Timeouts(connect=t.connect, first_byte=t.first_byte, total=t.total),
            headers=headers, max_connections=cfg.max_connections, header_policy=cfg.header_policy.policy(),
        )
        self.cfg = cfg
        self.url = cfg.base_url.rstrip("/") + "/v1/messages"
        self.count_url = self.url + "/count_tokens"

    def _model(self, body: dict[str, Any]) -> str:
        model = body.get("model") or self.default_model
        if not model:
            raise ProviderError(f"provider '{self.name}': no model given and none configured",
                                status=400, retryable=False, kind="bad_request")
        return str(model)

    def _on_error(self, status: int, raw: bytes, headers: Mapping[str, str]) -> ProviderError:
        return error_from_body(self.name, status, raw, parse_retry_after(headers.get("retry-after")))

    async def chat(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        model = self._model(body)
        req = to_anthropic_request({**body, "stream": False}, model, self.cfg.default_max_tokens)
        data = await self.post_json(self.url, req, self.call_headers(request_id, client_headers), self._on_error)
        if data.get("type") == "error":
            raise self._on_error(500, orjson.dumps(data), {})
        return to_openai_response(data, model)

    async def count_tokens(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> int | None:
        req = count_tokens_request(body, self._model(body))
        data = await self.post_json(self.count_url, req, self.call_headers(request_id, client_headers), self._on_error)
        count = data.get("input_tokens")
        if not isinstance(count, int):
            raise ProviderError(f"provider '{self.name}' answered count_tokens without input_tokens",
                                kind="broken_response")
        return count

    async def chat_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        model = self._model(body)
        req = to_anthropic_request({**body, "stream": True}, model, self.cfg.default_max_tokens)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        tr = StreamTranslator(model, include_usage)
        started = False
        try:
            async for ev in self.post_sse(self.url, req, self.call_headers(request_id, client_headers), self._on_error):
                for chunk in tr.feed(ev.event, decode_event(self.name, ev)):
                    started = True
                    yield chunk
                if tr.finished:
                    break
            if not tr.finished:
                raise ProviderError(f"provider '{self.name}' stream ended without message_stop",
                                    kind="broken_response")
        except ProviderError as err:
            if started:
                raise StreamBroken(err.message, status=err.status, kind=err.kind) from err
            raise
