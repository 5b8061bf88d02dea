"""Config models every provider shares: timeouts, retries, the circuit breaker, the common keys.

Each vendor's own config model lives in its folder (``providers/<vendor>/config.py``) and
extends :class:`ProviderCommonConfig`; :mod:`perimeter.config.model` joins them in one union.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from perimeter.jurisdiction import Jurisdiction


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
