"""The headers every upstream call carries besides the vendor's own: request id, trace context, policy.

Real servers are strict about headers a gateway adds.  llama-cpp-python's OpenAI server (through
starlette-context) answers ``400`` with an empty body to an ``x-request-id`` that is not a UUID,
so the request id goes upstream as a canonical UUID — the gateway's own ids already are one, and
a client-chosen id that is not is mapped to a stable UUID derived from it (:func:`upstream_request_id`).

Tracing follows W3C Trace Context: the client's ``traceparent`` (and ``tracestate``) when valid,
otherwise a fresh one whose trace id is the request's UUID, so a trace found upstream leads
straight to the ledger row.  :func:`trace_headers` is the one place that decides; while tracing
is on, the headers of the span open for the upstream call come in as ``span`` and win.

Which client headers are copied upstream is the operator's choice per provider
(:class:`HeaderPolicy`, from ``header_policy`` in the provider's config).  Nothing is forwarded
unless named: a header value is not inspected by the privacy stage, and credentials of the
gateway's own callers must never reach a vendor.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

# Client headers that are never copied upstream, whatever a policy says: credentials, transport
# framing the HTTP client sets itself, and the ids this module manages.
NEVER_FORWARDED = frozenset({
    "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie",
    "host", "content-length", "content-type", "content-encoding", "transfer-encoding", "connection",
    "keep-alive", "te", "trailer", "upgrade", "expect", "accept-encoding",
    "x-request-id", "traceparent", "tracestate",
})

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
# Namespace of the UUIDs derived from client-chosen request ids that are not UUIDs themselves:
# ``uuid5(REQUEST_ID_NAMESPACE, id)``, so anyone can find the upstream id from the ledger's.
REQUEST_ID_NAMESPACE = uuid.UUID("4f1c2a7e-3d5b-5e08-9a61-70e2b3c4d5e6")


def upstream_request_id(request_id: str) -> str:
    """``request_id`` in a form every server accepts: a canonical lowercase UUID.

    The gateway's own ids (``api.http.new_request_id``) pass through unchanged; a client's UUID in another spelling (upper
    case, no dashes, braces) is canonicalised; any other client id maps to ``uuid5`` of itself.
    """
    if len(request_id) == 36 and _UUID.fullmatch(request_id):
        return request_id
    try:
        return str(uuid.UUID(request_id))
    except ValueError:
        return str(uuid.uuid5(REQUEST_ID_NAMESPACE, request_id))


@dataclass(frozen=True, slots=True)
class TraceContext:
    """One W3C ``traceparent``: 32-hex trace id, 16-hex parent (span) id, 2-hex flags."""

    trace_id: str
    span_id: str
    flags: str = "01"

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


def parse_traceparent(value: str | None) -> TraceContext | None:
    """The trace context of a ``traceparent`` header, or None when it is not valid.

    Rules of the W3C recommendation: lowercase hex, version ``ff`` is invalid, all-zero trace
    and parent ids are invalid, version ``00`` has exactly four fields, a later version may
    append fields (which are dropped: we speak version 00).
    """
    if not value:
        return None
    m = _TRACEPARENT.fullmatch(value.strip())
    if m is None:
        return None
    version, trace_id, span_id, flags, rest = m.groups()
    if version == "ff" or (version == "00" and rest) or trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return TraceContext(trace_id, span_id, flags)


def _span_id() -> str:
    # A span id need only be unique, not secret: the Mersenne Twister is fast and per process.
    return f"{random.getrandbits(64) or 1:016x}"


def trace_headers(
    client_headers: Mapping[str, str] | None, request_uuid: str, span: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``traceparent`` (and ``tracestate``) for one upstream call.

    ``span``: the headers of the gateway's own span for this call when tracing is on (what
    :func:`perimeter.observability.propagation.trace_headers` injects); sent as they are.
    Otherwise the client's valid ``traceparent`` is propagated unchanged (no span of ours could
    be its child), and without one a fresh context starts whose trace id is the request's UUID
    and whose ``sampled`` flag is set, so an upstream that samples by its parent still traces.
    ``tracestate`` is carried only alongside the client context it belongs to.
    """
    if span and parse_traceparent(span.get("traceparent")) is not None:
        return {k: v for k, v in span.items() if k in ("traceparent", "tracestate")}
    client = parse_traceparent(client_headers.get("traceparent")) if client_headers else None
    ctx = client or TraceContext(request_uuid.replace("-", ""), _span_id())
    out = {"traceparent": ctx.traceparent}
    if client_headers and client is not None:
        state = client_headers.get("tracestate")
        if state and len(state) <= 512:
            out["tracestate"] = state
    return out


@dataclass(frozen=True, slots=True)
class HeaderPolicy:
    """Per provider: which client headers go upstream and which ids the gateway adds.

    ``forward``: lowercased exact names; ``forward_prefixes``: names ending in ``*`` in the
    config, lowercased without the star.  ``request_id_header``: the header that carries the
    request's UUID (None: not sent).  ``trace_context``: send ``traceparent``/``tracestate``.
    """

    forward: frozenset[str] = frozenset()
    forward_prefixes: tuple[str, ...] = ()
    request_id_header: str | None = "x-request-id"
    trace_context: bool = True

    @classmethod
    def from_names(cls, names: list[str], request_id_header: str | None = "x-request-id",
                   trace_context: bool = True) -> HeaderPolicy:
        exact = frozenset(n.lower() for n in names if not n.endswith("*"))
        prefixes = tuple(n[:-1].lower() for n in names if n.endswith("*"))
        return cls(exact, prefixes, request_id_header.lower() if request_id_header else None, trace_context)

    def forwarded(self, client_headers: Mapping[str, str]) -> dict[str, str]:
        """The client headers this policy copies upstream (``client_headers`` keys are lowercase)."""
        out = {name: client_headers[name] for name in self.forward if name in client_headers}
        if self.forward_prefixes:
            for name, value in client_headers.items():
                if name.startswith(self.forward_prefixes) and name not in NEVER_FORWARDED:
                    out[name] = value
        return out


DEFAULT_POLICY = HeaderPolicy()


def upstream_headers(
    policy: HeaderPolicy, request_id: str, client_headers: Mapping[str, str] | None,
    span: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every per-request header of one upstream call, built in one place (see module docstring)."""
    out = policy.forwarded(client_headers) if client_headers and (policy.forward or policy.forward_prefixes) else {}
    if policy.request_id_header or policy.trace_context:
        rid = upstream_request_id(request_id)
        if policy.request_id_header:
            out[policy.request_id_header] = rid
        if policy.trace_context:
            out.update(trace_headers(client_headers, rid, span))
    return out
