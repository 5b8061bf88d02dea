"""Adapter for the Google Gemini API (``type: gemini``): generateContent / streamGenerateContent.

Requests go to ``{base_url}/{api_version}/models/{model}:generateContent`` (streams:
``:streamGenerateContent?alt=sse``) with the key in ``x-goog-api-key``.  The mapping rules
live in :mod:`.gemini_translate`; this module is the HTTP side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.base import ClientHeaders, Timeouts
from perimeter.providers.client import HTTPProvider, decode_event
from perimeter.providers.gemini.translate import (
    StreamTranslator,
    error_from_body,
    to_gemini_request,
    to_openai_response,
)
from perimeter.providers.openai_compat.provider import parse_retry_after

if TYPE_CHECKING:
    from perimeter.providers.gemini.config import GeminiProviderConfig


class GeminiProvider(HTTPProvider):
    def __init__(self, cfg: GeminiProviderConfig) -> None:
        t = cfg.timeouts
        headers = dict(cfg.headers)
        if cfg.api_key:
            headers["x-goog-api-key"] = cfg.api_key
        super().__init__(
            cfg.name, cfg.location, cfg.model,
            timeouts=Timeouts(connect=t.connect, first_byte=t.first_byte, total=t.total),
            headers=headers, max_connections=cfg.max_connections, header_policy=cfg.header_policy.policy(),
        )
        self.cfg = cfg
        self.root = f"{cfg.base_url.rstrip('/')}/{cfg.api_version}/models/"

    def _model(self, body: dict[str, Any]) -> str:
        model = body.get("model") or self.default_model
        if not model:
            raise ProviderError(f"provider '{self.name}': no model given and none configured",
                                status=400, retryable=False, kind="bad_request")
        return str(model).removeprefix("models/")

    def _on_error(self, status: int, raw: bytes, headers: Mapping[str, str]) -> ProviderError:
        return error_from_body(self.name, status, raw, parse_retry_after(headers.get("retry-after")))

    async def chat(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        model = self._model(body)
        url = f"{self.root}{quote(model)}:generateContent"
        data = await self.post_json(url, to_gemini_request(body), self.call_headers(request_id, client_headers), self._on_error)
        return to_openai_response(data, model)

    async def chat_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        model = self._model(body)
        req = to_gemini_request(body)
        url = f"{self.root}{quote(model)}:streamGenerateContent?alt=sse"
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        tr = StreamTranslator(model, include_usage)
        started = False
        try:
            async for ev in self.post_sse(url, req, self.call_headers(request_id, client_headers), self._on_error):
                for chunk in tr.feed(decode_event(self.name, ev)):
                    started = True
                    yield chunk
            if not tr.finished:
                raise ProviderError(f"provider '{self.name}' stream ended before a finishReason",
                                    kind="broken_response")
        except ProviderError as err:
            if started:
                raise StreamBroken(err.message, status=err.status, kind=err.kind) from err
            raise
        usage = tr.usage_chunk()
        if usage is not None:
            yield usage
