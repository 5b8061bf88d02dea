"""``perimeter serve``: run the gateway under uvicorn (uvloop + httptools, bounded request heads)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import click

from perimeter.config import Config, ConfigError, check_serving, load_config

#: uvicorn's protocol with header size and header time limits (431 / 408).
HTTP_PROTOCOL = "perimeter.cli.http_limits:BoundedHttpToolsProtocol"


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def app_factory() -> object:
    """Used by uvicorn when running several worker processes (each builds its own app)."""
    from perimeter.app import create_app

    return create_app(load_config(os.environ.get("PERIMETER_CONFIG")))


def uvicorn_options(cfg: Config, *, loop: str = "uvloop") -> dict[str, Any]:
    """The uvicorn settings every way of serving uses (the tests' in-process server too)."""
    return dict(
        loop=loop, http=HTTP_PROTOCOL, lifespan="on",
        access_log=cfg.server.access_log, log_level=cfg.server.log_level, server_header=False,
        date_header=False, timeout_graceful_shutdown=int(cfg.server.shutdown_grace) or None,
        timeout_keep_alive=30, backlog=4096, proxy_headers=False,
    )


@contextlib.contextmanager
def shared_metrics_dir(cfg: Config) -> Iterator[str]:
    """One directory where every worker leaves its metrics snapshot, so /metrics adds them up.

    A configured ``observability.metrics.multiprocess_dir`` is emptied of old snapshots
    first (counts of an earlier run must not add in); otherwise a temporary directory lives
    as long as this server.
    """
    from perimeter.assembly import METRICS_DIR_ENV

    configured = os.environ.get(METRICS_DIR_ENV) or cfg.observability.metrics.multiprocess_dir
    if configured:
        os.makedirs(configured, exist_ok=True)
        for name in os.listdir(configured):
            if name.endswith((".prom", ".tmp")):
                os.unlink(os.path.join(configured, name))
        os.environ[METRICS_DIR_ENV] = configured
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix="perimeter-metrics-") as tmp:
        os.environ[METRICS_DIR_ENV] = tmp
        try:
            yield tmp
        finally:
            os.environ.pop(METRICS_DIR_ENV, None)


@click.command("serve")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="PERIMETER_CONFIG",
              help="YAML config file (default: $PERIMETER_CONFIG).")
@click.option("--host", default=None, help="Bind address (default: server.host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: server.port, 8080).")
@click.option("--workers", type=int, default=None, help="Worker processes (default: server.workers, 1).")
def serve(config_path: str | None, host: str | None, port: int | None, workers: int | None) -> None:
    """Run the gateway (OpenAI- and Anthropic-compatible HTTP API)."""
    try:
        cfg: Config = load_config(config_path)
        check_serving(cfg)  # the same check as `perimeter config check`, before anything starts
    except ConfigError as exc:
        raise click.ClickException(f"invalid config — the server will not start:\n{exc}") from None
    _configure_logging(cfg.server.log_level)
    import uvicorn

    host = host or cfg.server.host
    port = cfg.server.port if port is None else port
    workers = workers or cfg.server.workers
    common = dict(host=host, port=port, **uvicorn_options(cfg))
    click.echo(f"perimeter: serving {len(cfg.models)} model(s) on http://{host}:{port}/v1 "
               f"(config {cfg.source}, {workers} worker(s))", err=True)
    if workers > 1:
        os.environ["PERIMETER_CONFIG"] = str(config_path)
        with shared_metrics_dir(cfg):
            uvicorn.run("perimeter.cli.serve:app_factory", factory=True, workers=workers, **common)  # type: ignore[arg-type]
        return
    from perimeter.app import create_app

    uvicorn.run(create_app(cfg), **common)  # type: ignore[arg-type]
