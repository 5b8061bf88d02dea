"""Start-up leaves the heap settled: built objects frozen out of the collector, thresholds raised."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from perimeter.app import GC_THRESHOLDS
from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def default_gc() -> Iterator[None]:
    """Python's defaults before the test, whatever an earlier test left; put back afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()
    try:
        yield
    finally:
        gc.set_threshold(*before)


@pytest.mark.usefixtures("default_gc")
async def test_startup_freezes_the_heap_and_raises_the_thresholds(upstream: FakeOpenAI) -> None:
    cfg = minimal_config([openai_provider("local", upstream.base_url)], {"chat": ["local"]})
    async with running_gateway(cfg):
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert GC_THRESHOLDS[0] > 700  # the point of it: fewer young collections than the default


def test_cyclic_garbage_is_still_collected() -> None:
    """Raised thresholds delay collections; they never turn the collector off."""
    assert gc.isenabled()
    assert all(t > 0 for t in GC_THRESHOLDS)
