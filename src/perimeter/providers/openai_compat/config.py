"""Config of ``type: openai_compat`` / ``type: openai`` providers."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator

from perimeter.providers.config import HTTPProviderConfig


class OpenAICompatProviderConfig(HTTPProviderConfig):
    """Any server speaking the OpenAI HTTP API: OpenAI, vLLM, Ollama /v1, llama.cpp server, ..."""

    type: Literal["openai_compat", "openai"]
    base_url: str
    api_key: str | None = None
    #: ``native``: call the upstream through its own ``/v1/responses`` (OpenAI, and servers
    #: whose models exist only there); ``translate`` (default): ``/chat/completions`` for
    #: everything, ``/v1/responses`` clients included (the gateway translates).
    responses: Literal["translate", "native"] = "translate"

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^https?://", v):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")
