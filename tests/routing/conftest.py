from __future__ import annotations

from typing import Any

import pytest

from perimeter.config import Config, parse_config
from perimeter.context import Principal, RequestContext


def make_config(models: dict[str, Any], **extra: Any) -> Config:
    providers = [
        {"name": "vllm", "type": "openai_compat", "location": "on_prem", "base_url": "http://127.0.0.1:9/v1",
         "model": "qwen"},
        {"name": "ollama", "type": "openai_compat", "location": "on_prem", "base_url": "http://127.0.0.1:9/v1"},
        {"name": "openai", "type": "openai_compat", "location": "cloud", "base_url": "http://127.0.0.1:9/v1",
         "model": "gpt-4o"},
        {"name": "claude", "type": "anthropic", "location": "cloud"},
    ]
    return parse_config({"providers": providers, "models": models, **extra}, "<test>")


def make_ctx(text: str = "hi", *, alias: str = "chat", messages: list[dict[str, Any]] | None = None,
             headers: dict[str, str] | None = None, entities: dict[str, int] | None = None,
             key_id: str | None = "k1", stream: bool = False, **body: Any) -> RequestContext:
    ctx = RequestContext(
        request_id="r", endpoint="chat", alias=alias,
        body={"model": alias, "messages": messages or [{"role": "user", "content": text}], **body},
        headers=headers or {}, stream=stream, principal=Principal(key_id) if key_id else None,
    )
    if entities:
        ctx.entity_counts = dict(entities)
        ctx.require_on_prem = True
    return ctx


@pytest.fixture
def ctx_factory() -> Any:
    return make_ctx
