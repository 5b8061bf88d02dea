"""Config of ``type: gemini`` providers (generateContent API)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from perimeter.providers.config import ProviderCommonConfig


class GeminiProviderConfig(ProviderCommonConfig):
    type: Literal["gemini"]
    base_url: str = "https://generativelanguage.googleapis.com"
    api_key: str | None = None
    api_version: str = "v1beta"
    headers: dict[str, str] = {}
    max_connections: int = Field(256, ge=1)
