"""Serve an aiohttp application on a free loopback port (for the small fakes in tests)."""

from __future__ import annotations

from aiohttp import web


async def serve(app: web.Application) -> tuple[web.AppRunner, int]:
    """Start ``app`` on 127.0.0.1 and an OS-chosen port; ``runner.cleanup()`` stops it."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert site._server is not None
    return runner, int(site._server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
