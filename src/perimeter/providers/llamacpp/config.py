"""Config of ``type: llamacpp`` providers (in-process GGUF through llama-cpp-python)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from perimeter.providers.config import ProviderCommonConfig


class LlamaCppProviderConfig(ProviderCommonConfig):
    """In-process llama.cpp (GGUF) via llama-cpp-python (see docs/llamacpp.md)."""

    type: Literal["llamacpp"]
    # In-process: data never leaves this host, so the location is always on_prem.
    location: Literal["on_prem"] = "on_prem"
    model_path: str
    n_ctx: int = Field(2048, ge=16)
    n_threads: int | None = Field(None, ge=1)
    # Prompt tokens evaluated per llama.cpp decode call.
    n_batch: int = Field(512, ge=1)
    # Loaded model instances = generations that run at once (each holds its own KV cache).
    max_concurrency: int = Field(1, ge=1)
    # Requests allowed to wait for a free instance; one more gets a 429 (queue_full).
    max_queue: int = Field(16, ge=0)
    # None: the GGUF's own tokenizer.chat_template; else 'chatml' or a Jinja chat template.
    chat_format: str | None = None
    seed: int | None = None
    # Also load an embedding instance (mean pooling) to serve /v1/embeddings.
    embeddings: bool = False
