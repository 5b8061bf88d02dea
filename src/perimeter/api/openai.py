"""OpenAI-compatible endpoints: chat/completions, completions, embeddings, models.

Each handler: read and validate the body → build a RequestContext → run the pipeline →
write JSON or SSE.  Streams send their response head only once the first chunk is in hand,
so a failure before the first byte can still fall back or become a proper HTTP error; a
failure after it ends the stream with an OpenAI-style error event, never a silent truncation.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from perimeter.api.coalesce import relay_batches
from perimeter.api.http import (
    SSE_HEADERS,
    ClientDisconnected,
    Receive,
    Scope,
    Send,
    bearer_token,
    encode_headers,
    header_map,
    parse_json,
    read_body,
    request_id_from,
    run_until_disconnect,
    send_error,
    send_json,
)
from perimeter.api.schema import validate_chat, validate_completions, validate_embeddings
from perimeter.api.state import GatewayState
from perimeter.context import Endpoint, RequestContext
from perimeter.errors import GatewayError, ProviderError
from perimeter.providers.sse import SSE_DONE, sse_data

log = logging.getLogger("perimeter.api")


def response_headers(ctx: RequestContext) -> dict[str, str]:
    h = {"x-perimeter-request-id": ctx.request_id}
    if ctx.provider:
        h["x-perimeter-route"] = ctx.provider
    if ctx.route_reason:
        h["x-perimeter-reason"] = ctx.route_reason
    h.update(ctx.response_headers)
    return h


class Exchange:
    """State shared between a handler and its disconnect watcher."""

    __slots__ = ("_ack", "completed", "started")

    def __init__(self, ack: Callable[[], None] | None = None) -> None:
        self.started = False
        self.completed = False
        self._ack = ack

    def ack(self) -> None:
        """Call right before the last bytes go out: the ledger row is durable before the client
        holds a complete answer, so no acknowledged request can be missing from the ledger."""
        if self._ack is not None:
            self._ack()
            self._ack = None


Validator = Callable[[Any], dict[str, Any]]


async def handle(gw: GatewayState, scope: Scope, receive: Receive, send: Send, endpoint: Endpoint,
                 validator: Validator | None = None, *,
                 error_body: Callable[[GatewayError], bytes] | None = None,
                 to_request: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                 run: Callable[[GatewayState, RequestContext, Exchange, Send], Awaitable[None]] | None = None) -> None:
    """Shared request flow for every model endpoint (OpenAI and Anthropic shapes).

    Order matters: the key is checked before the body is even read, and nothing is counted
    (metrics, ledger) until the caller is authenticated and names an alias that exists — so
    an unauthenticated client learns nothing about the deployment and costs nothing.
    """
    headers = header_map(scope)
    rid = request_id_from(headers)
    ctx = RequestContext(request_id=rid, endpoint=endpoint, alias="", body={}, headers=headers,
                         api_key=bearer_token(headers))
    counted = admitted = False
    ex = Exchange()
    try:
        await gw.pipeline.authenticate(ctx)
        server = gw.config.server
        raw = await read_body(receive, headers, server.max_body_bytes)
        body = parse_json(raw, server.max_json_depth)
        if to_request is not None:
            body = to_request(body)
        body = (validator or _VALIDATORS[endpoint])(body)
        ctx.alias, ctx.body, ctx.stream = body["model"], body, bool(body.get("stream"))
        gw.pipeline.alias_config(ctx)
        counted = True
        await gw.pipeline.admit(ctx)
        admitted = True
        ex._ack = _acknowledger(gw, ctx)
        runner = run or _run_openai
        disconnected = await run_until_disconnect(receive, runner(gw, ctx, ex, send))
        if disconnected and not ex.completed:
            _client_gone(ctx)
    except ClientDisconnected:
        _client_gone(ctx)
    except Exception as exc:
        if isinstance(exc, GatewayError):
            err = exc
        else:  # a bug: answer in the API's error shape and keep serving, never a bare 500 page
            log.exception("request %s: unexpected error", rid)
            err = GatewayError(500, f"internal gateway error (request id {rid}); the server log has the details",
                               type="server_error", code="internal_error")
        ctx.status = err.status
        ctx.error_code = err.code or err.type
        if not ex.started:
            hdrs = response_headers(ctx) if counted else {"x-perimeter-request-id": rid}
            await send_error(send, err, hdrs, error_body(err) if error_body else None)
    finally:
        if counted:
            await gw.pipeline.finish(ctx, admitted)


def _client_gone(ctx: RequestContext) -> None:
    ctx.status = 499
    ctx.error_code = "client_disconnected"
    log.info("request %s: client disconnected; upstream call cancelled", ctx.request_id)


async def _run_openai(gw: GatewayState, ctx: RequestContext, ex: Exchange, send: Send) -> None:
    if ctx.stream and ctx.endpoint in ("chat", "completions"):
        it = await (gw.pipeline.chat_stream_batches(ctx) if ctx.endpoint == "chat"
                    else gw.pipeline.completions_stream_batches(ctx))
        await stream_sse(ctx, ex, send, it, encode=sse_data, done=SSE_DONE, error_event=openai_error_event)
        return
    if ctx.endpoint == "chat":
        result = await gw.pipeline.chat(ctx)
    elif ctx.endpoint == "completions":
        result = await gw.pipeline.completions(ctx)
    else:
        result = await gw.pipeline.embeddings(ctx)
    ex.started = True
    ex.ack()
    await send_json(send, 200, result, encode_headers(response_headers(ctx)))
    ex.completed = True


def _acknowledger(gw: GatewayState, ctx: RequestContext) -> Callable[[], None]:
    return lambda: gw.pipeline.record(ctx)


def openai_error_event(err: GatewayError) -> bytes:
    return sse_data(err.body())


async def stream_sse(ctx: RequestContext, ex: Exchange, send: Send, it: AsyncIterator[list[dict[str, Any]]], *,
                     encode: Callable[[dict[str, Any]], bytes], done: bytes | None,
                     error_event: Callable[[GatewayError], bytes],
                     finish: Callable[[], Awaitable[bytes]] | None = None) -> None:
    """Relay batches of chunks (the pipeline's ``*_stream_batches``) as SSE; the head goes out
    with the first batch.  ``encode`` makes the bytes of one chunk.

    ``finish`` (instead of a fixed ``done``) writes the closing events once the stream ended
    — after whatever must happen first, such as storing the finished response.
    """
    async def head() -> None:
        if not ex.started:
            ex.started = True
            await send({"type": "http.response.start", "status": 200,
                        "headers": [*SSE_HEADERS, *encode_headers(response_headers(ctx))]})

    async def flush(events: list[bytes]) -> None:
        await head()
        await send({"type": "http.response.body", "body": b"".join(events), "more_body": True})

    try:
        # Events that arrive together leave together (one write); none waits for a later one.
        rest = await relay_batches(it, lambda batch: b"".join([encode(c) for c in batch]), flush)
    except (GatewayError, ProviderError) as exc:
        err = exc if isinstance(exc, GatewayError) else GatewayError(
            502, f"the upstream stream broke: {exc.message}", type="upstream_error", code=exc.kind)
        if not ex.started:
            raise err from None
        ctx.status = 502
        ctx.error_code = err.code
        log.warning("request %s: stream broke after it started: %s", ctx.request_id, err.message)
        ex.ack()
        await send({"type": "http.response.body", "body": error_event(err), "more_body": False})
        ex.completed = True
        return
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            await aclose()
    if finish is not None and rest:
        await flush(rest)  # the client has every event before the closing work starts
        rest = []
    await head()  # an empty stream is still a valid (empty) SSE response
    tail = await finish() if finish is not None else done or b""
    ex.ack()
    await send({"type": "http.response.body", "body": b"".join(rest) + tail, "more_body": False})
    ex.completed = True


_VALIDATORS: dict[str, Validator] = {
    "chat": validate_chat, "completions": validate_completions, "embeddings": validate_embeddings,
}

async def list_models(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """``GET /v1/models``: authenticated like every model endpoint; a key sees only its aliases."""
    headers = header_map(scope)
    ctx = RequestContext(request_id=request_id_from(headers), endpoint="chat", alias="", body={}, headers=headers,
                         api_key=bearer_token(headers))
    try:
        await gw.pipeline.authenticate(ctx)
    except GatewayError as err:
        await send_error(send, err, {"x-perimeter-request-id": ctx.request_id})
        return
    models = gw.config.models
    data = [
        {"id": alias, "object": "model", "created": 0, "owned_by": "perimeter",
         **({"description": models[alias].description} if models[alias].description else {})}
        for alias in gw.pipeline.visible_aliases(ctx)
    ]
    await send_json(send, 200, {"object": "list", "data": data})
