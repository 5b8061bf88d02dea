"""Config of ``type: gemini`` providers (generateContent API)."""

from __future__ import annotations

from typing import Literal

from perimeter.providers.config import HTTPProviderConfig


class GeminiProviderConfig(HTTPProviderConfig):
    type: Literal["gemini"]
    base_url: str = "https://generativelanguage.googleapis.com"
    api_key: str | None = None
    api_version: str = "v1beta"
