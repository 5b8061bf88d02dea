from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.gateway import openai_provider
from tests.fakes.openai_server import FakeOpenAI

ADMIN = "console-admin-key-0123456789"
EMAIL = "maria.ivanova.1990@example.org"
PHONE = "+7 916 765-43-21"
PII_PROMPT = f"Напишите письмо на {EMAIL} и позвоните по {PHONE}, пожалуйста"


def chat_request(alias: str, content: str) -> str:
    """An OpenAI chat request body as pasted into the playground."""
    return json.dumps({"model": alias, "messages": [{"role": "user", "content": content}]}, ensure_ascii=False)


def console_config(local: FakeOpenAI, cloud: FakeOpenAI, data_dir: Path, **extra: Any) -> dict[str, Any]:
    """An on-prem alias ``chat`` and a cloud alias ``gpt``, privacy on, keys + ledger on SQLite."""
    server = {"admin_key": ADMIN, **extra.pop("server", {})}
    return {
        "server": server,
        "providers": [openai_provider("local", local.base_url, model="qwen-local"),
                      openai_provider("cloud", cloud.base_url, location="cloud", model="gpt-test")],
        "models": {"chat": ["local"], "gpt": ["cloud"]},
        "privacy": {"secret": "console-test-secret-0123456789"},
        "storage": {"data_dir": str(data_dir)},
        "observability": {"audit_verify_interval": 0},
        **extra,
    }


@pytest.fixture
async def upstreams() -> AsyncIterator[tuple[FakeOpenAI, FakeOpenAI]]:
    async with FakeOpenAI(name="local") as local, FakeOpenAI(name="cloud") as cloud:
        yield local, cloud
