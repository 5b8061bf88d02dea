"""Stickiness shared through Redis (runs when PERIMETER_TEST_REDIS_URL is set, as in .ci/run)."""

from __future__ import annotations

import os

import pytest

from perimeter.routing.stickiness import ConversationKeys, RedisStickyStore, Stickiness
from tests.routing.conftest import make_ctx

REDIS_URL = os.environ.get("PERIMETER_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="PERIMETER_TEST_REDIS_URL is not set (no Redis to test against)")


async def test_two_replicas_share_the_mark_through_redis() -> None:
    assert REDIS_URL
    keys = ConversationKeys(os.urandom(32))  # replicas share the secret (PERIMETER_STICKY_SECRET)
    a = Stickiness(RedisStickyStore(REDIS_URL, prefix="perimeter:test-sticky:"), keys, ttl=30)
    b = Stickiness(RedisStickyStore(REDIS_URL, prefix="perimeter:test-sticky:"), keys, ttl=30)
    try:
        history = [{"role": "user", "content": "passport 4510 123456"}]
        assert await a.apply(make_ctx(messages=history, entities={"RU_PASSPORT": 1})) is False
        later = [*history, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "and now?"}]
        assert await b.apply(make_ctx(messages=later)) is True
        assert await b.apply(make_ctx(messages=[{"role": "user", "content": "and now?"}])) is False
    finally:
        await a.store.aclose()
        await b.store.aclose()
