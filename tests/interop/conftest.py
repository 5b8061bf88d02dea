"""One real llama_cpp.server with SmolLM2 (model load costs seconds) and one gateway process per session.

Client libraries are imported by the test modules with their "phone home" switched off:
LiteLLM fetches its model-cost map from GitHub at import unless LITELLM_LOCAL_MODEL_COST_MAP is
set; nothing else they load needs the network (tests/interop/test_offline.py checks it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.interop.servers import GatewayServer, LlamaServer, smol_provider

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
PRIVACY_SECRET = "interop-test-secret-0123456789"


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
