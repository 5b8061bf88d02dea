"""Adapter for Yandex AI Studio (``type: yandex``).

Two wire protocols behind one config:

* ``api: openai`` — ``{base_url}/v1/chat/completions`` and ``/v1/embeddings``, the
  OpenAI-compatible endpoint: bodies pass as they are (the OpenAI-compatible adapter does the
  work), with the model name expanded to a model URI and the folder in ``OpenAI-Project``;
* ``api: native`` — ``/foundationModels/v1/completion`` (:mod:`.translate`), its line-delimited
  JSON stream, and ``/foundationModels/v1/textEmbedding`` (one text per call).

Both send ``Authorization: Api-Key …`` or ``Bearer <IAM token>`` and, unless ``data_logging``
is on, ``x-data-logging-enabled: false`` so Yandex keeps no copy of the prompts.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import orjson

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.base import ClientHeaders, Timeouts
from perimeter.providers.client import HTTPProvider
from perimeter.providers.headers import upstream_request_id
from perimeter.providers.openai_compat.provider import OpenAICompatProvider, parse_retry_after
from perimeter.providers.tls import client_context
from perimeter.providers.translate_common import unsupported
from perimeter.providers.yandex.translate import (
    StreamTranslator,
    error_from_body,
    model_uri,
    to_native_request,
    to_openai_response,
)

if TYPE_CHECKING:
    from perimeter.providers.yandex.config import YandexProviderConfig

DATA_LOGGING_HEADER = "x-data-logging-enabled"


class YandexProvider(OpenAICompatProvider):
    def __init__(self, cfg: YandexProviderConfig) -> None:
        t = cfg.timeouts
        headers = {DATA_LOGGING_HEADER: "true" if cfg.data_logging else "false", **cfg.headers}
        if cfg.api == "native":
            headers["x-folder-id"] = cfg.folder_id
        else:
            headers["openai-project"] = cfg.folder_id
        HTTPProvider.__init__(
            self, cfg.name, cfg.location, cfg.model,
            timeouts=Timeouts(connect=t.connect, first_byte=t.first_byte, total=t.total),
            headers=headers, max_connections=cfg.max_connections, ssl_context=client_context(cfg.ca_bundle),
            header_policy=cfg.header_policy.policy(),
        )
        self.ycfg = cfg
        self.base_url = cfg.base_url + "/v1"
        self.native_url = cfg.base_url + "/foundationModels/v1"
        self._token_file: tuple[float, str] | None = None

    # -- credentials ----------------------------------------------------------------------

    def _authorization(self) -> str:
        cfg = self.ycfg
        if cfg.api_key:
            return f"Api-Key {cfg.api_key}"
        if cfg.iam_token:
            return f"Bearer {cfg.iam_token}"
        assert cfg.iam_token_file
        try:
            mtime = os.stat(cfg.iam_token_file).st_mtime
            if self._token_file is None or self._token_file[0] != mtime:
                with open(cfg.iam_token_file, encoding="utf-8") as fh:
                    self._token_file = (mtime, fh.read().strip())
        except OSError as exc:
            raise ProviderError(f"provider '{self.name}': cannot read iam_token_file: {exc}", kind="auth_error") from exc
        return f"Bearer {self._token_file[1]}"

    def _call_headers(self, request_id: str, client_headers: ClientHeaders = None) -> dict[str, str]:
        return {**self.call_headers(request_id, client_headers), "authorization": self._authorization(),
                "x-client-request-id": upstream_request_id(request_id)}

    def _on_error(self, status: int, raw: bytes, headers: Mapping[str, str]) -> ProviderError:
        return error_from_body(self.name, status, raw, parse_retry_after(headers.get("retry-after")))

    def _uri(self, body: dict[str, Any], scheme: str) -> str:
        return model_uri(self.model_for(body), self.ycfg.folder_id, scheme)

    # -- chat -----------------------------------------------------------------------------

    async def chat(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        uri = self._uri(body, "gpt")
        if self.ycfg.api == "openai":
            return await super().chat({**body, "model": uri}, request_id=request_id, client_headers=client_headers)
        req = to_native_request(body, uri, stream=False)
        data = await self.post_json(self.native_url + "/completion", req, self._call_headers(request_id, client_headers),
                                    self._on_error)
        return to_openai_response(data, uri, self.name)

    def chat_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        uri = self._uri(body, "gpt")
        if self.ycfg.api == "openai":
            return self._normalized(super().chat_stream({**body, "model": uri}, request_id=request_id,
                                                        client_headers=client_headers))
        return self._native_stream(body, uri, self._call_headers(request_id, client_headers))

    @staticmethod
    async def _normalized(chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
        """Yandex leaves ``finish_reason`` out of intermediate chunks; OpenAI clients expect ``null``."""
        try:
            async for chunk in chunks:
                for choice in chunk.get("choices") or ():
                    choice.setdefault("finish_reason", None)
                    choice.setdefault("logprobs", None)
                yield chunk
        finally:
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:  # a client that went away stops the upstream call at once
                await aclose()

    async def _native_stream(self, body: dict[str, Any], uri: str, headers: dict[str, str]) -> AsyncIterator[dict[str, Any]]:
        req = to_native_request(body, uri, stream=True)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        tr = StreamTranslator(self.name, uri, include_usage)
        lines = self.post_lines(self.native_url + "/completion", req, headers,
                                self._on_error, "application/json")
        started = False
        try:
            async for line in lines:
                if not line.strip():
                    continue
                try:
                    data = orjson.loads(line)
                except orjson.JSONDecodeError:
                    raise ProviderError(f"provider '{self.name}' sent a malformed stream line",
                                        kind="broken_response") from None
                for chunk in tr.feed(data):
                    started = True
                    yield chunk
                if tr.finished:
                    break
            if not tr.finished:
                raise ProviderError(f"provider '{self.name}' stream ended before a final status",
                                    kind="truncated_stream")
        except ProviderError as err:
            if started and not isinstance(err, StreamBroken):
                raise StreamBroken(err.message, status=err.status, kind=err.kind) from err
            raise
        finally:
            await lines.aclose()
        usage = tr.usage_chunk()
        if usage is not None:
            yield usage

    async def completions(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        raise unsupported("Yandex AI Studio has no legacy /v1/completions; use /v1/chat/completions", "model",
                          code="unsupported_endpoint")

    # -- embeddings and models ------------------------------------------------------------

    async def embeddings(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        uri = self._uri(body, "emb")
        if self.ycfg.api == "openai":
            return await super().embeddings({**body, "model": uri}, request_id=request_id,
                                            client_headers=client_headers)
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else inputs
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise unsupported("Yandex embeds strings only: input must be a string or a list of strings", "input")
        gate = asyncio.Semaphore(self.ycfg.embedding_concurrency)
        headers = self._call_headers(request_id, client_headers)
        url = self.native_url + "/textEmbedding"

        async def one(text: str) -> dict[str, Any]:
            req: dict[str, Any] = {"modelUri": uri, "text": text}
            if body.get("dimensions"):
                req["dim"] = str(int(body["dimensions"]))
            async with gate:
                return await self.post_json(url, req, headers, self._on_error)

        answers = await asyncio.gather(*(one(t) for t in texts))
        tokens = sum(int(a.get("numTokens") or 0) for a in answers)
        data = [{"object": "embedding", "index": i, "embedding": [float(x) for x in a.get("embedding") or []]}
                for i, a in enumerate(answers)]
        return {"object": "list", "data": data, "model": uri,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}

    async def list_models(self, *, request_id: str = "models") -> list[dict[str, Any]]:
        """``GET /v1/models`` of the folder (the native API has no list over HTTP)."""
        data = await self.get_json(self.base_url + "/models", self._call_headers(request_id), self._on_error)
        return [m for m in data.get("data") or [] if isinstance(m, dict)]
