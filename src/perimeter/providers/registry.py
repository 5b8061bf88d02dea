"""Build provider adapters from config, importing each vendor module only when used."""

from __future__ import annotations

import importlib
from typing import Any

from perimeter.providers.base import Provider

# config ``type`` -> (module, class)
ADAPTERS: dict[str, tuple[str, str]] = {
    "openai_compat": ("perimeter.providers.openai_compat.provider", "OpenAICompatProvider"),
    "openai": ("perimeter.providers.openai_compat.provider", "OpenAICompatProvider"),
    "anthropic": ("perimeter.providers.anthropic.provider", "AnthropicProvider"),
    "gemini": ("perimeter.providers.gemini.provider", "GeminiProvider"),
    "llamacpp": ("perimeter.providers.llamacpp.provider", "LlamaCppProvider"),
    "gigachat": ("perimeter.providers.gigachat.provider", "GigaChatProvider"),
    "yandex": ("perimeter.providers.yandex.provider", "YandexProvider"),
}


def build_provider(cfg: Any) -> Provider:
    module_name, cls_name = ADAPTERS[cfg.type]
    cls = getattr(importlib.import_module(module_name), cls_name)
    provider = cls(cfg)
    assert isinstance(provider, Provider)
    provider.jurisdiction = cfg.jurisdiction
    return provider
