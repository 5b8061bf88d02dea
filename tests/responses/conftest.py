"""Fixtures: the gateway on loopback in front of the OpenAI fake (chat and Responses wire formats)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.fakes.gateway import RunningGateway, minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
async def upstream() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(name="up") as fake:
        yield fake


@contextlib.asynccontextmanager
async def gateway_for(tmp_path: Path, providers: list[dict[str, Any]], models: dict[str, Any],
                      **extra: Any) -> AsyncIterator[tuple[RunningGateway, openai.AsyncOpenAI]]:
    extra.setdefault("privacy", {"enabled": False})
    extra.setdefault("storage", {"data_dir": str(tmp_path / "data"), "flush_interval": 0.01})
    async with running_gateway(minimal_config(providers, models, **extra)) as gw:
        client = openai.AsyncOpenAI(base_url=gw.base_url, api_key="unused-in-dev", max_retries=0)
        try:
            yield gw, client
        finally:
            await client.close()


@pytest.fixture
async def gw(tmp_path: Path, upstream: FakeOpenAI) -> AsyncIterator[tuple[RunningGateway, openai.AsyncOpenAI]]:
    """Alias ``m`` → the fake's /chat/completions (the gateway translates Responses to chat)."""
    async with gateway_for(tmp_path, [openai_provider("up", upstream.base_url)], {"m": ["up"]}) as pair:
        yield pair


@pytest.fixture
async def native(tmp_path: Path, upstream: FakeOpenAI) -> AsyncIterator[tuple[RunningGateway, openai.AsyncOpenAI]]:
    """Alias ``m`` → the fake's own /v1/responses (``responses: native``)."""
    provider = openai_provider("up", upstream.base_url, location="cloud", responses="native", model="gpt-test")
    async with gateway_for(tmp_path, [provider], {"m": ["up"]}) as pair:
        yield pair
