"""Adapter for any server speaking the OpenAI HTTP API.

OpenAI itself, vLLM, Ollama's ``/v1``, llama.cpp's server, LM Studio, TGI's Messages API,
Mistral, DeepSeek, YandexGPT's compatible endpoint … all accept the canonical body as is, so
this adapter mostly forwards: it sets the upstream model name, maps failures to
:class:`ProviderError` and turns SSE events into chunk dicts.  Pooling, timeouts and SSE
reading are shared with the other remote adapters (:mod:`perimeter.providers.client`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

import orjson

from perimeter.errors import ProviderError, StreamBroken
from perimeter.providers.base import ClientHeaders, Timeouts, chunk_by_chunk
from perimeter.providers.client import HTTPProvider, decode_event
from perimeter.providers.openai_compat.responses_native import (
    ResponsesStreamTranslator,
    needs_chat,
    to_chat_completion,
    to_responses_request,
)
from perimeter.providers.openai_compat.tool_deltas import ToolCallDeltas
from perimeter.providers.sse import SSEEvent

if TYPE_CHECKING:
    from perimeter.providers.openai_compat.config import OpenAICompatProviderConfig


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date form)."""
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


class OpenAICompatProvider(HTTPProvider):
    #: Call the upstream's own ``/v1/responses`` (``responses: native``); subclasses for other
    #: vendors' OpenAI-compatible endpoints keep chat completions.
    responses_native = False
    _fill_max_tokens = False  # see __init__

    def __init__(self, cfg: OpenAICompatProviderConfig) -> None:
        headers = dict(cfg.headers)
        if cfg.api_key:
            headers["authorization"] = f"Bearer {cfg.api_key}"
        t = cfg.timeouts
        super().__init__(cfg.name, cfg.location, cfg.model, timeouts=Timeouts(t.connect, t.first_byte, t.total),
                         headers=headers, max_connections=cfg.max_connections,
                         header_policy=cfg.header_policy.policy())
        self.cfg = cfg
        self.base_url = cfg.base_url
        self.responses_native = cfg.responses == "native"
        # Current clients (LangChain's ChatOpenAI, the openai SDK's newer examples) send only
        # ``max_completion_tokens``, which OpenAI introduced to replace ``max_tokens``; servers
        # that predate it (llama-cpp-python's, older vLLM, Ollama) ignore it and generate until
        # EOS.  For ``openai_compat`` the limit is sent under both names; ``type: openai`` (the
        # real API, whose reasoning models reject ``max_tokens``) gets the body as it came.
        self._fill_max_tokens = cfg.type == "openai_compat"

    def _on_error(self, status: int, raw: bytes, headers: Mapping[str, str]) -> ProviderError:
        return error_from_status(self.name, status, raw, headers.get("retry-after"))

    def _call_headers(self, request_id: str, client_headers: ClientHeaders) -> dict[str, str]:
        """Per-call headers: the header policy's (:mod:`perimeter.providers.headers`); adapters whose
        credentials change over time add theirs here."""
        return self.call_headers(request_id, client_headers)

    async def _post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        data = await self.post_json(self.base_url + path, body, headers, self._on_error)
        if "error" in data and "choices" not in data and "data" not in data:
            raise ProviderError(f"provider '{self.name}' returned an error: {data['error']}", kind="upstream_error")
        return data

    def _native(self, body: dict[str, Any]) -> bool:
        return self.responses_native and not needs_chat(body)

    def _chat_body(self, body: dict[str, Any]) -> dict[str, Any]:
        if self._fill_max_tokens and "max_completion_tokens" in body and "max_tokens" not in body:
            return {**body, "max_tokens": body["max_completion_tokens"]}
        return body

    async def chat(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        headers = self._call_headers(request_id, client_headers)
        if self._native(body):
            data = await self.post_json(self.base_url + "/responses", to_responses_request(body), headers,
                                        self._on_error)
            return to_chat_completion(data, str(body.get("model")))
        return await self._post("/chat/completions", self._chat_body(body), headers)

    async def completions(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        return await self._post("/completions", body, self._call_headers(request_id, client_headers))

    async def embeddings(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        return await self._post("/embeddings", body, self._call_headers(request_id, client_headers))

    def chat_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        return chunk_by_chunk(self._chat_batches(body, request_id, client_headers))

    def chat_stream_batches(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        if type(self).chat_stream is not OpenAICompatProvider.chat_stream:
            # A subclass that edits the chunks (Yandex) must see every one: no shortcut past it.
            return super().chat_stream_batches(body, request_id=request_id, client_headers=client_headers)
        return self._chat_batches(body, request_id, client_headers)

    def _chat_batches(self, body: dict[str, Any], request_id: str,
                      client_headers: ClientHeaders) -> AsyncIterator[list[dict[str, Any]]]:
        headers = self._call_headers(request_id, client_headers)
        if self._native(body):
            return self._stream_responses(body, headers)
        return self._stream("/chat/completions", self._chat_body(body), headers)

    def _stream_responses(self, body: dict[str, Any], headers: dict[str, str]) -> AsyncIterator[list[dict[str, Any]]]:
        """Chunks translated from the upstream's Responses events, until its terminal event."""
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        tr = ResponsesStreamTranslator(str(body.get("model")), include_usage)
        events = self.post_sse_batches(self.base_url + "/responses", to_responses_request(body), headers,
                                       self._on_error)
        return self._relay(events, lambda ev: (tr.feed(decode_event(self.name, ev)), tr.finished),
                           f"provider '{self.name}' responses stream ended without response.completed")

    def completions_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        return chunk_by_chunk(self.completions_stream_batches(body, request_id=request_id,
                                                                client_headers=client_headers))

    def completions_stream_batches(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        if type(self).completions_stream is not OpenAICompatProvider.completions_stream:
            return super().completions_stream_batches(body, request_id=request_id, client_headers=client_headers)
        return self._stream("/completions", body, self._call_headers(request_id, client_headers))

    def _stream(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> AsyncIterator[list[dict[str, Any]]]:
        """Chunks until ``data: [DONE]``; a stream that ends without it is truncated, not done."""
        events = self.post_sse_batches(self.base_url + path, body, headers, self._on_error)
        return self._relay(events, ChatStreamEvents(self.name).feed,
                           f"provider '{self.name}' stream ended without [DONE]")

    async def _relay(self, events: AsyncGenerator[list[SSEEvent], None],
                     translate: Callable[[SSEEvent], tuple[list[dict[str, Any]], bool]],
                     unfinished: str) -> AsyncIterator[list[dict[str, Any]]]:
        """Batches of chunks translated from batches of SSE events, until ``translate`` says the
        stream is complete.

        A failure once a chunk went out is :class:`StreamBroken` — the chunks translated before
        it in the same batch go out first, as they would one by one; a stream that just stops
        before its terminal event is truncated, not done.
        """
        started = False
        try:
            async for batch in events:
                out: list[dict[str, Any]] = []
                done = False
                failed: ProviderError | None = None
                for ev in batch:
                    try:
                        chunks, done = translate(ev)
                    except ProviderError as exc:
                        failed = exc
                        break
                    out += chunks
                    if done:
                        break
                if out:
                    started = True
                    yield out
                if failed is not None:
                    raise failed
                if done:
                    return
            raise ProviderError(unfinished, kind="truncated_stream")
        except ProviderError as exc:
            if started and not isinstance(exc, StreamBroken):
                raise StreamBroken(exc.message, kind=exc.kind) from exc
            raise
        finally:
            await events.aclose()


class ChatStreamEvents:
    """One chat/completions stream's SSE events as OpenAI chunks, with what real servers get wrong.

    A ``[DONE]`` before any ``finish_reason`` is a cut answer, not a complete one: every
    OpenAI-compatible server names why an answer ended, except when it cut it short —
    llama-cpp-python's server, by default (``interrupt_requests``), ends a stream that way as soon
    as another request arrives, and passing that on would be a 200 hiding a truncated answer.
    Repeated tool-call identities are dropped (:class:`ToolCallDeltas`).
    """

    __slots__ = ("finished", "provider", "tool_deltas")

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.finished = False
        self.tool_deltas = ToolCallDeltas()

    def feed(self, ev: SSEEvent) -> tuple[list[dict[str, Any]], bool]:
        if ev.data == "[DONE]":
            if not self.finished:
                raise ProviderError(f"provider '{self.provider}' ended the stream before any finish_reason "
                                    "(an interrupted answer)", kind="truncated_stream")
            return [], True
        chunk = decode_event(self.provider, ev)
        if "error" in chunk and not chunk.get("choices"):
            err = chunk["error"]
            msg = err.get("message") if isinstance(err, dict) else str(err)
            raise ProviderError(f"provider '{self.provider}' stream error: {msg}", kind="stream_error")
        if not self.finished:
            self.finished = any(isinstance(c, dict) and c.get("finish_reason") for c in chunk.get("choices") or ())
        self.tool_deltas.fix(chunk)
        return [chunk], False
