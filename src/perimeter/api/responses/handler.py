"""HTTP handlers of the Responses API: create (plain and streaming), retrieve, delete, input items.

Create runs the shared request flow of :func:`perimeter.api.openai.handle` with two hooks: the
Responses body becomes the canonical chat body before validation, and once the caller is
admitted the stored conversation of ``previous_response_id`` (theirs only) is put in front
of this turn — so the privacy stage scans the whole conversation and a cloud provider sees
it only as the privacy policy allows.  With ``store`` (the default, as at OpenAI) the
finished response is written to the gateway's database before the client receives it.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import parse_qs

from perimeter.api.http import (
    Receive,
    Scope,
    Send,
    bearer_token,
    encode_headers,
    header_map,
    send_error,
    send_json,
)
from perimeter.api.openai import Exchange, handle, response_headers, stream_sse
from perimeter.api.responses.events import ResponsesStreamEncoder
from perimeter.api.responses.request import ResponsesRequest, parse_request, previous_turns
from perimeter.api.responses.response import from_chat_completion, response_object
from perimeter.api.schema import validate_chat
from perimeter.api.state import GatewayState
from perimeter.context import Principal, RequestContext
from perimeter.errors import GatewayError
from perimeter.stages import StoredResponse

log = logging.getLogger("perimeter.api.responses")

def owner_of(principal: Principal | None) -> str:
    """Stored responses belong to a tenant; keyless dev mode has one, ``default``."""
    return principal.tenant if principal is not None else "default"


class _Create:
    """One ``POST /v1/responses``: the state its hooks share."""

    def __init__(self) -> None:
        self.req: ResponsesRequest | None = None
        self.created_at = time.time()

    def translate(self, body: Any) -> dict[str, Any]:
        self.req, chat = parse_request(body)
        return chat

    def _shell(self, ctx: RequestContext) -> Any:
        assert self.req is not None
        req, created = self.req, self.created_at
        return lambda **kw: response_object(req, ctx.alias, created, **kw)

    async def run(self, gw: GatewayState, ctx: RequestContext, ex: Exchange, send: Send) -> None:
        req = self.req
        assert req is not None
        ctx.note_dropped(req.dropped)
        if req.previous_id is not None:
            await self._prepend_history(gw, ctx, req)
        if not ctx.body["messages"]:
            raise GatewayError(400, "the request has no input", param="input", code="missing_required_parameter")
        if ctx.stream:
            enc = ResponsesStreamEncoder(self._shell(ctx))

            async def finish() -> bytes:
                tail, response = enc.close()
                await self._store(gw, ctx, req, response)
                return tail + enc.terminal(response)

            it = await gw.pipeline.chat_stream_batches(ctx)
            await stream_sse(ctx, ex, send, it, encode=enc.feed, done=None, error_event=enc.failed, finish=finish)
            return
        result = await gw.pipeline.chat(ctx)
        response = from_chat_completion(req, ctx.alias, self.created_at, result)
        await self._store(gw, ctx, req, response)
        ex.started = True
        ex.ack()
        await send_json(send, 200, response, encode_headers(response_headers(ctx)))
        ex.completed = True

    async def _prepend_history(self, gw: GatewayState, ctx: RequestContext, req: ResponsesRequest) -> None:
        assert req.previous_id is not None
        chain = await gw.responses.chain(owner_of(ctx.principal), req.previous_id)
        if chain is None:
            raise GatewayError(404, f"Previous response with id '{req.previous_id}' not found (or a response "
                                    "earlier in its conversation was deleted or has expired).",
                               param="previous_response_id", code="previous_response_not_found")
        history, dropped = previous_turns(chain)
        ctx.note_dropped(dropped)
        messages = ctx.body["messages"]
        lead = 1 if req.instructions else 0  # this turn's instructions stay first
        ctx.body["messages"] = [*messages[:lead], *history, *messages[lead:]]

    async def _store(self, gw: GatewayState, ctx: RequestContext, req: ResponsesRequest,
                     response: dict[str, Any]) -> None:
        if not req.store:
            return
        record = StoredResponse(req.response_id, owner_of(ctx.principal), self.created_at, ctx.alias,
                                req.previous_id, req.input_items, response["output"], response)
        try:
            await gw.responses.save(record)
        except Exception as exc:  # the answer exists and is paid for: deliver it, say so in the log
            log.error("request %s: storing response %s failed (%s): previous_response_id and retrieval "
                      "will not find it", ctx.request_id, req.response_id, exc)


async def create(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /v1/responses``."""
    call = _Create()
    await handle(gw, scope, receive, send, "responses", validate_chat, to_request=call.translate, run=call.run)


# ------------------------------------------------------------------------------ stored objects


async def by_id(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    """``GET|DELETE /v1/responses/{id}`` and ``GET /v1/responses/{id}/input_items``."""
    headers = header_map(scope)
    method, parts = scope["method"], scope["path"].removeprefix("/v1/responses/").split("/")
    try:
        principal = await gw.pipeline.identify(bearer_token(headers))
        owner = owner_of(principal)
        if len(parts) == 1 and method in ("GET", "DELETE"):
            await (_retrieve if method == "GET" else _delete)(gw, send, owner, parts[0])
        elif len(parts) == 2 and parts[1] == "input_items" and method == "GET":
            await _input_items(gw, scope, send, owner, parts[0])
        elif len(parts) == 2 and parts[1] == "cancel" and method == "POST":
            raise GatewayError(400, "only background responses can be cancelled, and this gateway does not run "
                                    "responses in the background", code="unsupported_parameter")
        else:
            raise GatewayError(404, f"no such endpoint: {method} {scope['path']}", code="unknown_url")
    except GatewayError as err:
        await send_error(send, err)


def _missing(response_id: str) -> GatewayError:
    return GatewayError(404, f"No response found with id '{response_id}'.", param="response_id",
                        code="response_not_found")


async def _retrieve(gw: GatewayState, send: Send, owner: str, response_id: str) -> None:
    rec = await gw.responses.get(owner, response_id)
    if rec is None:
        raise _missing(response_id)
    await send_json(send, 200, rec.response)


async def _delete(gw: GatewayState, send: Send, owner: str, response_id: str) -> None:
    if not await gw.responses.delete(owner, response_id):
        raise _missing(response_id)
    await send_json(send, 200, {"id": response_id, "object": "response.deleted", "deleted": True})


async def _input_items(gw: GatewayState, scope: Scope, send: Send, owner: str, response_id: str) -> None:
    rec = await gw.responses.get(owner, response_id)
    if rec is None:
        raise _missing(response_id)
    query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
    try:
        limit = max(1, min(100, int(query.get("limit", 20))))
    except ValueError:
        raise GatewayError(400, "limit must be an integer between 1 and 100", param="limit") from None
    items = list(rec.input_items)
    if query.get("order", "desc") == "desc":
        items.reverse()
    after = query.get("after")
    if after:
        ids = [i.get("id") for i in items]
        items = items[ids.index(after) + 1:] if after in ids else []
    page = items[:limit]
    await send_json(send, 200, {"object": "list", "data": page, "first_id": page[0]["id"] if page else None,
                                "last_id": page[-1]["id"] if page else None, "has_more": len(items) > limit})

