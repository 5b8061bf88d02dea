"""Config of ``type: yandex`` providers (Yandex AI Studio / Foundation Models)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from perimeter.jurisdiction import Jurisdiction
from perimeter.providers.config import HTTPProviderConfig
from perimeter.providers.tls import check_ca_bundle


class YandexProviderConfig(HTTPProviderConfig):
    type: Literal["yandex"]
    #: Yandex Cloud processes Foundation Models requests in Russia.
    jurisdiction: Jurisdiction | None = "RU"
    #: ``openai``: ``/v1/chat/completions`` (tools, every model of the gallery); ``native``:
    #: ``/foundationModels/v1/completion`` (the YandexGPT family's own API).
    api: Literal["openai", "native"] = "openai"
    base_url: str = "https://llm.api.cloud.yandex.net"
    #: The Yandex Cloud folder the models are billed to; short model names become
    #: ``gpt://<folder_id>/<model>`` (``emb://`` for embeddings).
    folder_id: str = Field(min_length=1)
    #: Exactly one of: an API key (``Authorization: Api-Key …``), an IAM token (``Bearer …``),
    #: or a file holding an IAM token that something else keeps fresh (re-read when it changes).
    api_key: str | None = None
    iam_token: str | None = None
    iam_token_file: str | None = None
    #: ``false`` (the default) sends ``x-data-logging-enabled: false``: Yandex does not keep prompts.
    data_logging: bool = False
    ca_bundle: str | None = None
    #: Native embeddings take one text per call; this many run at once for a batch.
    embedding_concurrency: int = Field(4, ge=1, le=32)

    @field_validator("ca_bundle")
    @classmethod
    def _ca(cls, v: str | None) -> str | None:
        return check_ca_bundle(v)

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for a local test server)")
        return v.rstrip("/").removesuffix("/v1")

    @model_validator(mode="after")
    def _one_credential(self) -> YandexProviderConfig:
        given = [k for k in ("api_key", "iam_token", "iam_token_file") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("set exactly one of api_key, iam_token or iam_token_file "
                             f"(got {', '.join(given) or 'none'})")
        return self
