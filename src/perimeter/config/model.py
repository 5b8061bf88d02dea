"""The typed configuration tree: server, providers, model aliases and the sections of each stage.

Section models owned by other packages (each provider's own keys, privacy, routing, storage,
accounting) live next to the code that uses them and are joined here; :mod:`.load` reads
YAML into it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from perimeter.accounting.config import AccountingConfig
from perimeter.console.config import ConsoleConfig
from perimeter.jurisdiction import Jurisdiction
from perimeter.observability.config import ObservabilityConfig
from perimeter.privacy.config import PrivacyConfig, PrivacyPolicyConfig, unknown_types_message
from perimeter.providers.anthropic.config import AnthropicProviderConfig
from perimeter.providers.gemini.config import GeminiProviderConfig
from perimeter.providers.gigachat.config import GigaChatProviderConfig
from perimeter.providers.llamacpp.config import LlamaCppProviderConfig
from perimeter.providers.openai_compat.config import OpenAICompatProviderConfig
from perimeter.providers.yandex.config import YandexProviderConfig
from perimeter.routing.config import AliasRoutingConfig
from perimeter.store.config import StorageConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


ProviderConfig = Annotated[
    OpenAICompatProviderConfig | AnthropicProviderConfig | GeminiProviderConfig | LlamaCppProviderConfig
    | GigaChatProviderConfig | YandexProviderConfig,
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
    # Deeper JSON is a 400 at the edge (the gateway must be able to re-encode what it accepts).
    max_json_depth: int = Field(64, ge=8, le=128)
    # Request line plus headers: more is a 431; headers not complete within header_timeout, a 408.
    max_header_bytes: int = Field(32 * 1024, ge=1024, le=1024 * 1024)
    header_timeout: float = Field(10.0, gt=0, le=300)
    # Seconds in-flight requests get to finish on shutdown.
    shutdown_grace: float = Field(30.0, ge=0)
    # dev: keyless allowed (with a loud warning); production: an admin key is required.
    mode: Literal["dev", "production"] = "dev"
    admin_key: str | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    access_log: bool = False
    workers: int = Field(1, ge=1)
    #: The deployment's own jurisdiction (ISO country code): on-prem providers inherit it, and the
    #: cross-border transfer report counts everything sent elsewhere as leaving it.
    jurisdiction: Jurisdiction | None = None


class Config(_Strict):
    server: ServerConfig = ServerConfig()
    providers: list[ProviderConfig] = Field(min_length=1)
    models: dict[str, AliasConfig] = Field(min_length=1)
    privacy: PrivacyConfig = PrivacyConfig()
    storage: StorageConfig = StorageConfig()
    accounting: AccountingConfig = AccountingConfig()
    observability: ObservabilityConfig = ObservabilityConfig()
    console: ConsoleConfig = ConsoleConfig()
    source: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _cross_refs(self) -> Config:
        names: dict[str, int] = {}
        for i, p in enumerate(self.providers):
            if p.name in names:
                raise PathError(("providers", i, "name"), f"duplicate provider name '{p.name}'")
            names[p.name] = i
            self._inherit_jurisdiction(i, p)
        known = ", ".join(sorted(names))
        for alias, a in self.models.items():
            for ti, t in enumerate(a.targets):
                for pn in t.provider_names():
                    if pn not in names:
                        raise PathError(
                            ("models", alias, "targets", ti, "provider"),
                            f"unknown provider '{pn}' (known: {known})",
                        )
            declared = self.privacy.declared_types()
            unknown = a.privacy.unknown_entity_types(declared) if a.privacy is not None else []
            if unknown:
                raise PathError(("models", alias, "privacy", "entities", unknown[0]),
                                unknown_types_message(unknown, declared))
        return self

    def _inherit_jurisdiction(self, index: int, p: ProviderConfig) -> None:
        """On-prem providers are where the deployment is: they take (and must not contradict) its jurisdiction."""
        home = self.server.jurisdiction
        if p.location != "on_prem":
            return
        if p.jurisdiction is None:
            p.jurisdiction = home
        elif home is not None and p.jurisdiction != home:
            raise PathError(("providers", index, "jurisdiction"),
                            f"an on_prem provider is in the deployment's jurisdiction (server.jurisdiction: {home}), "
                            f"not {p.jurisdiction}; a provider in another country is location: cloud")

    def provider(self, name: str) -> ProviderConfig:
        for p in self.providers:
            if p.name == name:
                return p
        raise KeyError(name)


class PathError(ValueError):
    """A cross-reference problem at a key path (the loader prints it as ``file: path: message``)."""

    def __init__(self, path: tuple[Any, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
