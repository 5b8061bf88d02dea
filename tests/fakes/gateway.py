"""Run the real gateway (uvicorn + Perimeter's ASGI app) on a loopback port inside a test."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import tempfile
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from perimeter.app import Gateway, create_app
from perimeter.cli.serve import HTTP_PROTOCOL
from perimeter.config import parse_config


class RunningGateway:
    def __init__(self, app: Gateway, port: int) -> None:
        self.app = app
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"


def minimal_config(providers: list[dict[str, Any]], models: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"providers": providers, "models": models, **extra}


def openai_provider(name: str, base_url: str, location: str = "on_prem", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "openai_compat", "location": location, "base_url": base_url, **extra}


@contextlib.asynccontextmanager
async def running_gateway(config: dict[str, Any]) -> AsyncIterator[RunningGateway]:
    """Start the gateway for ``config`` (a dict as the YAML would give) and stop it afterwards.

    A config without a ``storage.data_dir`` gets a fresh temporary one, so no test shares a
    database, journal or audit key with another run through the repository's ``./data``.
    """
    storage = config.get("storage") or {}
    scratch = None
    if "data_dir" not in storage and "database_url" not in storage:
        scratch = tempfile.TemporaryDirectory(prefix="perimeter-test-")
        config = {**config, "storage": {**storage, "data_dir": scratch.name}}
    cfg = parse_config(config, "<test>")
    app = create_app(cfg)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # The same HTTP protocol `perimeter serve` uses (bounded request heads: 431 / 408).
    ucfg = uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False, loop="asyncio",
                          http=HTTP_PROTOCOL, timeout_graceful_shutdown=5)
    server = uvicorn.Server(ucfg)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if task.done():
        task.result()
        raise RuntimeError("gateway did not start")
    try:
        yield RunningGateway(app, port)
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 15)
        sock.close()
        if scratch is not None:
            scratch.cleanup()
