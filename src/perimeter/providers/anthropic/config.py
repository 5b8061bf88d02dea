"""Config of ``type: anthropic`` providers (Messages API)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from perimeter.providers.config import HTTPProviderConfig


class AnthropicProviderConfig(HTTPProviderConfig):
    type: Literal["anthropic"]
    base_url: str = "https://api.anthropic.com"
    api_key: str | None = None
    anthropic_version: str = "2023-06-01"
    default_max_tokens: int = Field(4096, ge=1)
