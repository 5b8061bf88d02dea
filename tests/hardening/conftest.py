from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
async def upstream() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(name="up1") as fake:
        yield fake


@pytest.fixture
async def upstream2() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(name="up2") as fake:
        yield fake


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=20) as c:
        yield c
