"""The one interface every provider adapter implements.

Requests and responses cross this boundary in the canonical OpenAI shape (plain dicts, as
decoded by orjson): ``chat`` takes a Chat Completions request body and returns a
``chat.completion`` object; ``chat_stream`` yields ``chat.completion.chunk`` objects.  An
adapter for another vendor (Anthropic, Gemini, in-process llama.cpp) translates inside itself,
so fallback can cross vendors without the rest of the gateway noticing.

Adapters raise :class:`perimeter.errors.ProviderError` for every upstream failure, with
``retryable`` set so the fallback loop can decide what to do next.  A stream that fails before
yielding anything must raise before its first ``yield``; once a chunk has been yielded, a
failure raises :class:`perimeter.errors.StreamBroken`.

``request_id`` and ``client_headers`` say which request a call belongs to: an HTTP adapter turns
them into its upstream headers under its header policy (:mod:`perimeter.providers.headers`).
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from perimeter.context import Location

# The caller's request headers (lowercased names), for the provider's header policy: which of them
# go upstream and which trace context the call continues (providers/headers.py).
ClientHeaders = Mapping[str, str] | None


@dataclass(slots=True, frozen=True)
class Timeouts:
    """Per-provider time limits in seconds.

    ``connect``: TCP/TLS connect; ``first_byte``: until the response head (or the first stream
    event) arrives; ``total``: the whole call, streams included.
    """

    connect: float = 5.0
    first_byte: float = 60.0
    total: float = 600.0


class Provider(abc.ABC):
    """A configured upstream model server."""

    #: The provider's name in the config (``providers[].name``).
    name: str
    #: Where data sent to this provider ends up: privacy policy is written against this.
    location: Location
    #: The upstream model name used when the alias target does not override it.
    default_model: str | None
    #: ISO country code of where data sent here is processed (``None``: unknown); set from config.
    jurisdiction: str | None = None
    #: Canonical-body extensions this adapter passes on (:mod:`perimeter.providers.extensions`);
    #: the pipeline removes the others before calling it, and says so in a header.
    extensions: frozenset[str] = frozenset()

    def __init__(self, name: str, location: Location, default_model: str | None = None) -> None:
        self.name = name
        self.location = location
        self.default_model = default_model

    @abc.abstractmethod
    async def chat(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        """Non-streaming chat completion; ``body['model']`` is already the upstream model."""

    @abc.abstractmethod
    def chat_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Streaming chat completion: yields OpenAI ``chat.completion.chunk`` dicts.

        If the request asked for ``stream_options.include_usage`` the adapter yields the final
        usage chunk (``choices: []``) as OpenAI does.
        """

    def chat_stream_batches(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """:meth:`chat_stream` with the chunks that arrived together as one list (never empty).

        The gateway relays a stream batch by batch, so a burst of events read at once is
        restored, encoded and written at once.  This default makes a batch of every chunk;
        adapters that parse whole network reads override it.
        """
        return one_by_one(self.chat_stream(body, request_id=request_id, client_headers=client_headers))

    def completions_stream_batches(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """:meth:`completions_stream` in batches (see :meth:`chat_stream_batches`)."""
        return one_by_one(self.completions_stream(body, request_id=request_id, client_headers=client_headers))

    async def completions(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        """Legacy text completion (``/v1/completions``)."""
        from perimeter.errors import ProviderError

        raise ProviderError(
            f"provider '{self.name}' does not support /v1/completions", status=400, retryable=False,
            kind="unsupported_endpoint",
        )

    def completions_stream(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> AsyncIterator[dict[str, Any]]:
        from perimeter.errors import ProviderError

        raise ProviderError(
            f"provider '{self.name}' does not support streaming /v1/completions", status=400,
            retryable=False, kind="unsupported_endpoint",
        )

    async def embeddings(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> dict[str, Any]:
        from perimeter.errors import ProviderError

        raise ProviderError(
            f"provider '{self.name}' does not support /v1/embeddings", status=400, retryable=False,
            kind="unsupported_endpoint",
        )

    async def count_tokens(
        self, body: dict[str, Any], *, request_id: str, client_headers: ClientHeaders = None,
    ) -> int | None:
        """Exact prompt tokens of a chat body, as this provider's model counts them; ``None``
        when the provider has no way to count (the gateway then estimates)."""
        return None

    async def start(self) -> None:
        """Open pools / load models.  Called once when the gateway starts."""

    async def aclose(self) -> None:
        """Release pools / models.  Called once on shutdown."""

    def ready(self) -> bool:
        """Whether the provider can take requests now (model loaded, pool open)."""
        return True


async def one_by_one(chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[list[dict[str, Any]]]:
    """A stream of chunks as batches of one (closing the stream however the relay ends)."""
    try:
        async for chunk in chunks:
            yield [chunk]
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()


async def chunk_by_chunk(batches: AsyncIterator[list[dict[str, Any]]]) -> AsyncIterator[dict[str, Any]]:
    """Batches as single chunks, for callers of the one-chunk-at-a-time interface."""
    try:
        async for batch in batches:
            for chunk in batch:
                yield chunk
    finally:
        aclose = getattr(batches, "aclose", None)
        if aclose is not None:
            await aclose()
