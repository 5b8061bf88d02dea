"""A loopback OpenTelemetry collector: OTLP/HTTP traces, protobuf, as the OTLP spec frames them.

``POST /v1/traces`` with ``content-type: application/x-protobuf`` carries an
``ExportTraceServiceRequest``; the answer is an ``ExportTraceServiceResponse`` (200).  The raw
bodies are kept too, so a test can search every exported byte for text that must not be there.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.fakes.loopback import serve


def _value(v: AnyValue) -> Any:
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    return getattr(v, kind) if kind else None


@dataclass
class ReceivedSpan:
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    attributes: dict[str, Any]
    status_code: int
    resource: dict[str, Any]


@dataclass
class OTLPReceiver:
    port: int = 0
    bodies: list[bytes] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    spans: list[ReceivedSpan] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/traces"

    async def __aenter__(self) -> OTLPReceiver:
        app = web.Application()
        app.router.add_post("/v1/traces", self._traces)
        self._runner, self.port = await serve(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _traces(self, request: web.Request) -> web.Response:
        if request.content_type != "application/x-protobuf":
            return web.Response(status=415, text="expected application/x-protobuf")
        raw = await request.read()
        self.bodies.append(raw)
        self.headers.append(dict(request.headers))
        req = ExportTraceServiceRequest()
        req.ParseFromString(raw)
        for rs in req.resource_spans:
            resource = {a.key: _value(a.value) for a in rs.resource.attributes}
            for ss in rs.scope_spans:
                for s in ss.spans:
                    self.spans.append(ReceivedSpan(
                        s.name, s.trace_id.hex(), s.span_id.hex(), s.parent_span_id.hex(), s.kind,
                        {a.key: _value(a.value) for a in s.attributes}, s.status.code, resource))
        return web.Response(body=ExportTraceServiceResponse().SerializeToString(),
                            content_type="application/x-protobuf")

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        for _ in range(int(timeout / 0.05)):
            if predicate(self.spans):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"spans never matched; got {[s.name for s in self.spans]}")
