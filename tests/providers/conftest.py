"""Loopback vendor fakes shared by the adapter and end-to-end tests of this folder."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
async def fake_claude() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as f:
        yield f


@pytest.fixture
async def fake_gemini() -> AsyncIterator[FakeGemini]:
    async with FakeGemini() as f:
        yield f


@pytest.fixture
async def fake_oai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(name="oai") as f:
        yield f
