"""Typed configuration: one YAML file, ``${ENV}`` interpolation, validated with clear messages.

A config error names the file, the key path and what is wrong, e.g.::

    examples/perimeter.yaml: models.chat.targets[0].provider: unknown provider 'vlm' (known: vllm, openai)

and the server refuses to start.  Section models owned by other packages (privacy, routing,
storage, accounting) live next to the code that uses them and are imported here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from perimeter.accounting.config import AccountingConfig
from perimeter.privacy.config import PrivacyPolicyConfig
from perimeter.routing.config import AliasRoutingConfig
from perimeter.store.config import StorageConfig


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeoutsConfig(_Strict):
    connect: float = Field(5.0, gt=0)
    first_byte: float = Field(60.0, gt=0)
    total: float = Field(600.0, gt=0)


class RetryConfig(_Strict):
    """Retries of one provider before the fallback moves on to the next."""

    max_retries: int = Field(1, ge=0, le=10)
    backoff_base: float = Field(0.2, ge=0)
    backoff_max: float = Field(5.0, ge=0)
    # Honour an upstream ``Retry-After`` only up to this many seconds; longer waits fall back.
    max_retry_after: float = Field(10.0, ge=0)


class BreakerConfig(_Strict):
    """Circuit breaker: open after ``failure_threshold`` consecutive failures, probe after ``cooldown``."""

    failure_threshold: int = Field(5, ge=1)
    cooldown: float = Field(10.0, gt=0)


class _ProviderCommon(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$")
    location: Literal["on_prem", "cloud"]
    model: str | None = None
    timeouts: TimeoutsConfig = TimeoutsConfig()
    retry: RetryConfig = RetryConfig()
    breaker: BreakerConfig = BreakerConfig()
    # Price per 1M tokens (overrides the built-in price table for this provider's model).
    price: dict[str, float] | None = None


class OpenAICompatProviderConfig(_ProviderCommon):
    """Any server speaking the OpenAI HTTP API: OpenAI, vLLM, Ollama /v1, llama.cpp server, ..."""

    type: Literal["openai_compat", "openai"]
    base_url: str
    api_key: str | None = None
    headers: dict[str, str] = {}
    max_connections: int = Field(256, ge=1)

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^https?://", v):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")


class AnthropicProviderConfig(_ProviderCommon):
    type: Literal["anthropic"]
    base_url: str = "https://api.anthropic.com"
    api_key: str | None = None
    anthropic_version: str = "2023-06-01"
    default_max_tokens: int = Field(4096, ge=1)
    headers: dict[str, str] = {}
    max_connections: int = Field(256, ge=1)


class GeminiProviderConfig(_ProviderCommon):
    type: Literal["gemini"]
    base_url: str = "https://generativelanguage.googleapis.com"
    api_key: str | None = None
    api_version: str = "v1beta"
    headers: dict[str, str] = {}
    max_connections: int = Field(256, ge=1)


class LlamaCppProviderConfig(_ProviderCommon):
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


ProviderConfig = Annotated[
    OpenAICompatProviderConfig | AnthropicProviderConfig | GeminiProviderConfig | LlamaCppProviderConfig,
    Field(discriminator="type"),
]


class TargetConfig(_Strict):
    """One step of an alias's fallback chain.

    ``provider`` is one provider name, or a list of names that serve the same model: requests
    are balanced across that list (least outstanding requests), and the list fails over as one.
    """

    provider: str | list[str]
    model: str | None = None

    def provider_names(self) -> list[str]:
        return [self.provider] if isinstance(self.provider, str) else list(self.provider)


class AliasConfig(_Strict):
    """A client-facing model name and how it is served."""

    targets: list[TargetConfig] = Field(min_length=1)
    description: str | None = None
    privacy: PrivacyPolicyConfig | None = None
    routing: AliasRoutingConfig | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # ``chat: [vllm, openai]`` and ``targets: [vllm, {provider: openai, model: x}]``
        if isinstance(data, list):
            data = {"targets": data}
        if isinstance(data, dict) and isinstance(data.get("targets"), list):
            data = dict(data)
            data["targets"] = [{"provider": t} if isinstance(t, str | list) else t for t in data["targets"]]
        return data


class ServerConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024)
    # Seconds in-flight requests get to finish on shutdown.
    shutdown_grace: float = Field(30.0, ge=0)
    # dev: keyless allowed (with a loud warning); production: an admin key is required.
    mode: Literal["dev", "production"] = "dev"
    admin_key: str | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    access_log: bool = False
    workers: int = Field(1, ge=1)


class Config(_Strict):
    server: ServerConfig = ServerConfig()
    providers: list[ProviderConfig] = Field(min_length=1)
    models: dict[str, AliasConfig] = Field(min_length=1)
    privacy: PrivacyPolicyConfig = PrivacyPolicyConfig()
    storage: StorageConfig = StorageConfig()
    accounting: AccountingConfig = AccountingConfig()
    source: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _cross_refs(self) -> Config:
        names: dict[str, int] = {}
        for i, p in enumerate(self.providers):
            if p.name in names:
                raise _PathError(("providers", i, "name"), f"duplicate provider name '{p.name}'")
            names[p.name] = i
        known = ", ".join(sorted(names))
        for alias, a in self.models.items():
            for ti, t in enumerate(a.targets):
                for pn in t.provider_names():
                    if pn not in names:
                        raise _PathError(
                            ("models", alias, "targets", ti, "provider"),
                            f"unknown provider '{pn}' (known: {known})",
                        )
        return self

    def provider(self, name: str) -> ProviderConfig:
        for p in self.providers:
            if p.name == name:
                return p
        raise KeyError(name)


class _PathError(ValueError):
    def __init__(self, path: tuple[Any, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _interpolate(value: Any, path: tuple[Any, ...], missing: list[str]) -> Any:
    if isinstance(value, str):
        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            missing.append(f"{_fmt_path(path)}: environment variable ${{{name}}} is not set")
            return ""

        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {k: _interpolate(v, (*path, k), missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, (*path, i), missing) for i, v in enumerate(value)]
    return value


def _fmt_path(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"


def parse_config(data: Any, source: str = "<config>") -> Config:
    """Validate already-loaded YAML data; raise :class:`ConfigError` with file and key path."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping with 'providers' and 'models'")
    missing: list[str] = []
    data = _interpolate(data, (), missing)
    if missing:
        raise ConfigError("\n".join(f"{source}: {m}" for m in missing))
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.endswith("Config")))
            ctx = err.get("ctx") or {}
            inner = ctx.get("error")
            if isinstance(inner, _PathError):
                lines.append(f"{source}: {_fmt_path(inner.path)}: {inner.message}")
                continue
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check the spelling; see the README for the allowed keys)"
            elif err["type"] == "missing":
                msg = "required key is missing"
            lines.append(f"{source}: {_fmt_path(loc)}: {msg}")
        raise ConfigError("\n".join(dict.fromkeys(lines))) from None
    cfg.source = source
    return cfg


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load the config from ``path``, else ``$PERIMETER_CONFIG``."""
    path = path or os.environ.get("PERIMETER_CONFIG")
    if not path:
        raise ConfigError("no config file: pass --config FILE or set PERIMETER_CONFIG")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: invalid YAML: {exc}") from None
    cfg = parse_config(data, str(p))
    # Relative model paths are relative to the config file, so examples work from any cwd.
    for prov in cfg.providers:
        if isinstance(prov, LlamaCppProviderConfig) and not os.path.isabs(prov.model_path):
            candidate = (p.parent / prov.model_path).resolve()
            if candidate.exists() or not Path(prov.model_path).exists():
                prov.model_path = str(candidate)
    return cfg
