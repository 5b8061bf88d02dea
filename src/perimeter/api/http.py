"""Minimal ASGI plumbing: read a bounded JSON body, send JSON, SSE and errors.

Written against raw ASGI rather than a framework because the gateway's hot path is a handful
of routes and every microsecond of per-request overhead shows up in saturation throughput.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

import orjson

from perimeter.errors import GatewayError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
RawHeaders = list[tuple[bytes, bytes]]

JSON_CT = (b"content-type", b"application/json")
SSE_HEADERS: RawHeaders = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


def header_map(scope: Scope) -> dict[str, str]:
    """Request headers as a lowercased ``str -> str`` dict (last value wins)."""
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}


# Request ids: canonical version-4 UUIDs (what strict upstreams accept in ``x-request-id``, see
# providers/headers.py) made of a random per-process prefix and a 48-bit counter.  Unique across
# replicas and restarts (74 random bits) without a getrandom() system call per request (uuid4()
# per request showed up in profiles).
_ID_PREFIX = str(uuid.uuid4())[:24]  # "xxxxxxxx-xxxx-4xxx-yxxx-"
_id_counter = itertools.count(1)


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_id_counter) & 0xFFFFFFFFFFFF:012x}"


def bearer_token(headers: dict[str, str]) -> str | None:
    """The credential of a request: ``Authorization: Bearer …`` (OpenAI SDKs) or ``x-api-key`` (Anthropic SDKs)."""
    auth = headers.get("authorization")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return headers.get("x-api-key") or None


def request_id_from(headers: dict[str, str]) -> str:
    """The client's ``x-request-id`` when it is sane (so traces join up), else a new one."""
    rid = headers.get("x-request-id", "")
    if 0 < len(rid) <= 128 and rid.isascii() and rid.isprintable():
        return rid
    return new_request_id()


class ClientDisconnected(Exception):
    """The client went away before its request was complete: nothing to answer, nothing to log loudly."""


async def read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes:
    """Read the whole request body, refusing more than ``limit`` bytes with a 413."""
    declared = headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise _too_large(limit)
        except ValueError:
            raise GatewayError(400, "invalid Content-Length header") from None
    chunks: list[bytes] = []
    size = 0
    while True:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            raise ClientDisconnected("the client disconnected while sending the body")
        data = msg.get("body", b"")
        if data:
            size += len(data)
            if size > limit:
                raise _too_large(limit)
            chunks.append(data)
        if not msg.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large(limit: int) -> GatewayError:
    return GatewayError(413, f"request body is larger than the limit of {limit} bytes "
                             "(server.max_body_bytes in the config)", code="request_too_large")


#: Default nesting limit for request bodies.  orjson cannot encode deeper than 254 levels, and
#: the gateway re-encodes every body it forwards, so anything near that would fail *after* it
#: was accepted (as a fake upstream failure).  Real requests, JSON schemas of tools included,
#: stay far below 64.
MAX_JSON_DEPTH = 64


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests containers more than ``limit`` deep (iterative: no recursion)."""
    if type(value) is not dict and type(value) is not list:
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > limit:
            return True
        children = node.values() if type(node) is dict else node
        for child in children:
            t = type(child)
            if t is dict or t is list:
                push((child, depth + 1))
    return False


def parse_json(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decode a JSON body with errors a person can act on; refuse bodies nested past ``max_depth``."""
    if not raw:
        raise GatewayError(400, "the request body is empty; send a JSON object", code="invalid_json")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as ue:
            raise GatewayError(
                400, f"the request body is not valid UTF-8 (invalid byte at position {ue.start})",
                code="invalid_encoding") from None
        raise GatewayError(400, f"the request body is not valid JSON: {exc}", code="invalid_json") from None
    if json_depth_exceeds(value, max_depth):
        raise GatewayError(400, f"the request body nests JSON more than {max_depth} levels deep "
                                "(server.max_json_depth in the config)", code="json_too_deep")
    return value


def encode_headers(extra: dict[str, str]) -> RawHeaders:
    return [(k.encode("latin-1"), v.encode("latin-1", errors="replace")) for k, v in extra.items()]


async def send_bytes(send: Send, status: int, body: bytes, headers: Iterable[tuple[bytes, bytes]],
                     content_type: tuple[bytes, bytes] = JSON_CT) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [content_type, (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


async def send_json(send: Send, status: int, obj: Any, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    await send_bytes(send, status, orjson.dumps(obj), headers)


async def send_error(send: Send, err: GatewayError, headers: dict[str, str] | None = None,
                     body: bytes | None = None) -> None:
    merged = {**(headers or {}), **err.headers}
    await send_bytes(send, err.status, body if body is not None else err.to_json(), encode_headers(merged))


#: How long a request runs before a watcher for the client going away is started.  Most requests
#: are done long before (a task per request, started and cancelled, was a visible share of a fast
#: request's CPU); a client that leaves a long generation is still noticed within this time.
WATCH_AFTER = 0.05


async def run_until_disconnect(receive: Receive, work: Awaitable[None], *, watch_after: float = WATCH_AFTER) -> bool:
    """Run ``work`` while watching for the client going away; cancel ``work`` if it does.

    Returns True if the client disconnected (so the caller skips writing a response).
    Cancelling the work cancels the upstream request with it: an abandoned generation stops
    costing GPU time and tokens.

    ``work`` runs in the caller's own task, and only the watcher gets a task of its own — and
    only once the work has run for ``watch_after`` seconds: a timer costs a fraction of a task
    started and cancelled per request.  A disconnect before that is seen when the watcher starts
    (uvicorn remembers it).  The watcher can only act while this task is suspended inside
    ``work``, so its cancellation always lands in ``work`` and is taken back here.
    """
    me = asyncio.current_task()
    if me is None:  # not in a task (never under an ASGI server): watch nothing
        await work
        return False
    gone = False
    watcher: asyncio.Future[None] | None = None

    async def watch() -> None:
        nonlocal gone
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                gone = True
                me.cancel()
                return

    def start() -> None:
        nonlocal watcher
        if not me.done():
            watcher = asyncio.ensure_future(watch())

    timer = asyncio.get_running_loop().call_later(watch_after, start)
    try:
        await work
    except asyncio.CancelledError:
        if not gone:
            raise  # cancelled from outside (server shutdown): not ours to swallow
        me.uncancel()
        return True
    except Exception:
        if not gone:
            raise
        me.uncancel()  # whatever the cancelled work raised on its way out: nobody is left to tell
        return True
    finally:
        timer.cancel()
        if watcher is not None:
            watcher.cancel()
    if gone:  # the work swallowed the cancellation and finished anyway
        me.uncancel()
    return gone
