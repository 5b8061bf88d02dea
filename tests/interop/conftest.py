"""One real llama_cpp.server with SmolLM2 (model load costs seconds) and one gateway process per session.

Client libraries are imported by the test modules with their "phone home" switched off:
LiteLLM fetches its model-cost map from GitHub at import unless LITELLM_LOCAL_MODEL_COST_MAP is
set; nothing else they load or do needs the network, which the audit hook below enforces.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.interop.servers import GatewayServer, LlamaServer, smol_provider

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
PRIVACY_SECRET = "interop-test-secret-0123456789"
_GUARD = {"on": False}


def _loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str) or host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _no_network(event: str, args: tuple[object, ...]) -> None:
    """While armed, a DNS lookup or a connection to anything but loopback raises, so a client
    library that phones home fails its test instead of quietly needing the network."""
    if not _GUARD["on"]:
        return
    if event == "socket.getaddrinfo" and not _loopback(args[0]):
        raise OSError(f"network access from an interop test: DNS lookup of {args[0]!r}")
    if event == "socket.connect":
        addr = args[1]
        if isinstance(addr, tuple) and addr and not _loopback(addr[0]):
            raise OSError(f"network access from an interop test: connect to {addr!r}")


sys.addaudithook(_no_network)
_GUARD["on"] = True
try:  # imported here, under the guard: a library that downloads at import time fails collection
    import langchain_openai  # noqa: F401
    import litellm  # noqa: F401
    import llama_index.llms.openai_like  # noqa: F401
finally:
    _GUARD["on"] = False


@pytest.fixture(autouse=True)
def no_network() -> Iterator[None]:
    _GUARD["on"] = True
    try:
        yield
    finally:
        _GUARD["on"] = False


@pytest.fixture(scope="session")
def interop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("interop")


@pytest.fixture(scope="session")
def llama(interop_dir: Path) -> Iterator[LlamaServer]:
    """The shared server: tests that kill, pause or restart a server start their own."""
    server = LlamaServer(interop_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def gateway(llama: LlamaServer, interop_dir: Path) -> Iterator[GatewayServer]:
    """The real ``perimeter serve`` in its own process, for client libraries that block.

    ``smol``: the real server on-prem.  ``smol-cloud``: the same server declared ``cloud``, so
    requests to it are pseudonymised and answers restored.
    """
    config = {
        "server": {"mode": "dev", "log_level": "warning"},
        "storage": {"data_dir": str(interop_dir / "gateway-data")},
        "privacy": {"secret": PRIVACY_SECRET},
        "providers": [smol_provider("smol", llama), smol_provider("smol-cloud", llama, location="cloud")],
        "models": {"smol": {"targets": ["smol"]}, "smol-cloud": {"targets": ["smol-cloud"]}},
    }
    server = GatewayServer(interop_dir, config)
    server.start()
    try:
        yield server
    finally:
        server.stop()
