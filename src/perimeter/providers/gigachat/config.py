"""Config of ``type: gigachat`` providers (Sber's GigaChat REST API v1)."""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from pydantic import Field, field_validator

from perimeter.jurisdiction import Jurisdiction
from perimeter.providers.config import HTTPProviderConfig
from perimeter.providers.tls import check_ca_bundle

SCOPES = ("GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP")


class GigaChatProviderConfig(HTTPProviderConfig):
    type: Literal["gigachat"]
    #: Sber processes requests in Russia.
    jurisdiction: Jurisdiction | None = "RU"
    base_url: str = "https://gigachat.devices.sberbank.ru/api/v1"
    auth_url: str = "https://ngw.devices.sberbank.ru:9443/api/v2/oauth"
    #: The *authorization key* from the GigaChat studio: base64 of ``client_id:client_secret``.
    credentials: str
    #: API version the key belongs to: ``PERS`` (individuals), ``B2B`` (prepaid), ``CORP`` (postpaid).
    scope: str = "GIGACHAT_API_PERS"
    #: PEM file with the root GigaChat's chain ends at (the Russian Trusted Root CA), trusted
    #: instead of the system store for this provider.  Verification cannot be turned off.
    ca_bundle: str | None = None
    #: Refresh the access token this many seconds before it expires (tokens live 30 minutes).
    refresh_margin: float = Field(60.0, ge=0, le=900)
    #: GigaChat's own censorship filter (``profanity_check``); ``None`` leaves the vendor default.
    profanity_check: bool | None = None

    @field_validator("credentials")
    @classmethod
    def _credentials(cls, v: str) -> str:
        v = v.strip().removeprefix("Basic ").strip()
        if not v:
            raise ValueError("is empty (set it to the authorization key, e.g. ${GIGACHAT_CREDENTIALS})")
        try:
            decoded = base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if b":" not in decoded:
            raise ValueError("must be the authorization key from the GigaChat studio (base64 of "
                             "client_id:client_secret), not the client secret itself")
        return v

    @field_validator("scope")
    @classmethod
    def _scope(cls, v: str) -> str:
        full = v.strip().upper()
        if not full.startswith("GIGACHAT_API_"):
            full = "GIGACHAT_API_" + full
        if full not in SCOPES:
            raise ValueError(f"'{v}' is not a GigaChat scope (one of {', '.join(SCOPES)}, or PERS/B2B/CORP)")
        return full

    @field_validator("ca_bundle")
    @classmethod
    def _ca(cls, v: str | None) -> str | None:
        return check_ca_bundle(v)

    @field_validator("base_url", "auth_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for a local test server)")
        return v.rstrip("/")
