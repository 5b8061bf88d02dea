"""Config models every provider shares: timeouts, retries, the circuit breaker, the common keys.

Each vendor's own config model lives in its folder (``providers/<vendor>/config.py``) and
extends :class:`ProviderCommonConfig` (in-process) or :class:`HTTPProviderConfig` (reached over
HTTP); :mod:`perimeter.config.model` joins them in one union.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from perimeter.jurisdiction import Jurisdiction
from perimeter.providers.headers import NEVER_FORWARDED, HeaderPolicy

# RFC 9110 field-name token; values may not contain CR, LF or NUL (header injection).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


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
    # With ``storage.redis_url`` set, one replica's verdict (open / closed again) holds for every
    # replica (perimeter.resilience.shared); ``false`` keeps this provider's breaker per replica.
    shared: bool = True


class ProviderCommonConfig(_Strict):
    """What every provider entry has: a name, where data goes, limits on time and retries."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$")
    location: Literal["on_prem", "cloud"]
    #: The country whose law governs the data this provider receives.  On-prem providers inherit
    #: ``server.jurisdiction``; a cloud provider without one is "unknown" and matches no
    #: residency rule, so it only ever receives what may go anywhere.
    jurisdiction: Jurisdiction | None = None
    model: str | None = None
    timeouts: TimeoutsConfig = TimeoutsConfig()
    retry: RetryConfig = RetryConfig()
    breaker: BreakerConfig = BreakerConfig()
    # Price per 1M tokens (overrides the built-in price table for this provider's model).
    price: dict[str, float] | None = None


class HeaderPolicyConfig(_Strict):
    """Which client headers a provider receives and which ids the gateway adds (docs/providers.md)."""

    # Client header names copied upstream as they came; ``x-foo-*`` matches a prefix.  Their
    # values are not scanned by the privacy stage, so name nothing that may carry personal data
    # for a cloud provider.
    forward: list[str] = []
    # The header that carries the request id (always a UUID); null: send none.
    request_id_header: str | None = "x-request-id"
    # W3C ``traceparent``/``tracestate``: the client's when valid, else a fresh one.
    trace_context: bool = True

    @field_validator("forward")
    @classmethod
    def _forward(cls, names: list[str]) -> list[str]:
        for name in names:
            if not _TOKEN.fullmatch(name.removesuffix("*")):
                raise ValueError(f"'{name}' is not a header name (letters, digits and -, optionally ending in *)")
            if name.lower() in NEVER_FORWARDED:
                raise ValueError(
                    f"'{name}' cannot be forwarded: credentials and transport headers never leave the "
                    "gateway, and request id / trace context are set by request_id_header / trace_context")
        return names

    @field_validator("request_id_header")
    @classmethod
    def _rid(cls, name: str | None) -> str | None:
        if name is not None and not _TOKEN.fullmatch(name):
            raise ValueError(f"'{name}' is not a header name")
        return name

    def policy(self) -> HeaderPolicy:
        return HeaderPolicy.from_names(self.forward, self.request_id_header, self.trace_context)


class HTTPProviderConfig(ProviderCommonConfig):
    """A provider reached over HTTP: static headers, the header policy, the connection pool."""

    # Added to every request (e.g. a beta flag, a routing key the upstream's proxy expects).
    headers: dict[str, str] = {}
    header_policy: HeaderPolicyConfig = HeaderPolicyConfig()
    max_connections: int = Field(256, ge=1)

    @field_validator("headers")
    @classmethod
    def _headers(cls, headers: dict[str, str]) -> dict[str, str]:
        for name, value in headers.items():
            if not _TOKEN.fullmatch(name):
                raise ValueError(f"'{name}' is not a header name")
            if any(c in value for c in "\r\n\0"):
                raise ValueError(f"the value of header '{name}' contains a line break or NUL")
        return headers
