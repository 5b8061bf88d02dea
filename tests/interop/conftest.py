"""One real llama_cpp.server with SmolLM2 for the whole session (model load costs seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.interop.servers import LlamaServer


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
