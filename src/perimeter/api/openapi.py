"""The OpenAPI 3.1 description of ``/v1/*`` and ``/admin/*`` (shipped in the package).

Served at ``GET /openapi.json`` in dev mode only: in production the deployment describes
nothing to anonymous clients (the file is in the package for anyone who needs it).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import orjson
import yaml

from perimeter.api.http import Receive, Scope, Send, send_bytes, send_error
from perimeter.api.state import GatewayState
from perimeter.errors import GatewayError


@functools.cache
def spec() -> dict[str, Any]:
    """The description as a dict (``perimeter/api/openapi.yaml``)."""
    text = resources.files("perimeter.api").joinpath("openapi.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@functools.cache
def _spec_json() -> bytes:
    return orjson.dumps(spec())


async def serve(gw: GatewayState, scope: Scope, receive: Receive, send: Send) -> None:
    if gw.config.server.mode == "production":
        await send_error(send, GatewayError(404, f"no such endpoint: GET {scope['path']}", code="unknown_url"))
        return
    await send_bytes(send, 200, _spec_json(), ())
