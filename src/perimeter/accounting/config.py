"""Accounting config (``accounting:``): limits, budgets, prices, retention, tokenizers.

Example::

    accounting:
      currency: USD
      reference_model: gpt-4o          # "savings vs all-cloud" is priced on this model
      default_key_limits: {rpm: 600, tpm: 200000, max_concurrent: 20}
      teams:
        research: {rpm: 1000, budget: 500, budget_period: monthly}
      prices:                          # per 1M tokens, override or extend the built-in table
        my-finetune: {input: 0.5, output: 1.5, cached: 0.25}
      retention: {store_prompts: false}

Per-key limits are stored with the key (``perimeter keys create --rpm …``); a key's own
limit wins over ``default_key_limits``.  Team limits apply to all keys of the team together.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LimitsConfig(_Strict):
    """Limits of one key or team; ``None`` means unlimited."""

    #: Requests per minute (fixed one-minute windows, UTC).
    rpm: int | None = Field(default=None, ge=1)
    #: Tokens (prompt + completion) per minute; checked before the call, counted after it.
    tpm: int | None = Field(default=None, ge=1)
    #: Requests in flight at the same time.
    max_concurrent: int | None = Field(default=None, ge=1)
    #: Spend budget in ``accounting.currency`` per ``budget_period`` (reset at 00:00 UTC / the 1st).
    budget: float | None = Field(default=None, ge=0)
    budget_period: Literal["daily", "monthly"] = "monthly"

    def is_empty(self) -> bool:
        return self.rpm is None and self.tpm is None and self.max_concurrent is None and self.budget is None


class PriceConfig(_Strict):
    """Price per 1M tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    #: Cached prompt tokens (cache reads); defaults to ``input``.
    cached: float | None = Field(default=None, ge=0)
    #: Prompt-cache writes with a 5-minute lifetime (Anthropic: 1.25x input); defaults to ``input``.
    cache_write: float | None = Field(default=None, ge=0)
    #: Prompt-cache writes with a 1-hour lifetime (Anthropic: 2x input); defaults to ``cache_write``.
    cache_write_1h: float | None = Field(default=None, ge=0)
    currency: str = "USD"


class RetentionConfig(_Strict):
    """Prompts are not stored unless this opts in."""

    #: Store the request messages in the ledger row (``content`` column).
    store_prompts: bool = False
    #: Delete ledger rows older than this many days (checked at start and hourly); ``None`` keeps them.
    days: int | None = Field(default=None, ge=1)


class AccountingConfig(_Strict):
    """Keys, limits, budgets and prices."""

    #: ``false`` turns keys, limits, the ledger and the audit log off entirely (benchmark
    #: baselines, throwaway local runs); the gateway then serves without authentication.
    enabled: bool = True
    #: Currency of budgets and reported costs.  Prices in other currencies are converted with
    #: ``exchange_rates`` (units of that currency per 1 USD).
    currency: str = "USD"
    exchange_rates: dict[str, float] = Field(default_factory=dict)
    #: Extra or overriding prices per model (per 1M tokens).
    prices: dict[str, PriceConfig] = Field(default_factory=dict)
    #: Cloud model that "savings vs all-cloud" compares on-prem requests against.
    reference_model: str | None = "gpt-4o"
    #: Limits for keys that set none of their own.
    default_key_limits: LimitsConfig = LimitsConfig()
    teams: dict[str, LimitsConfig] = Field(default_factory=dict)
    #: Seconds a key lookup is cached in memory (revocations reach other replicas within this).
    key_cache_ttl: float = Field(default=5.0, ge=0, le=3600)
    retention: RetentionConfig = RetentionConfig()
    #: Directory with tiktoken encoding files (``o200k_base.tiktoken``, ``cl100k_base.tiktoken``);
    #: without them token counts are estimated offline (see docs/keys-ledger-audit.md).
    tokenizer_dir: str | None = None
