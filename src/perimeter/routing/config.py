"""Per-alias routing strategy config (``models.<alias>.routing``).

Every strategy is optional and they compose in a fixed order (see ``docs/routing.md``)::

    routing:
      tiers:                     # optional: default splits targets by provider location
        local: [vllm]            # provider names or other aliases
        cloud: [openai]
      sticky: true               # sensitive conversations stay on-prem on later turns
      client_hints: true         # honour ``x-perimeter-prefer: local|cloud``
      semantic:
        threshold: 0.5
        routes:
          - {name: code, target: coder, examples: ["write a python function", ...]}
      difficulty:
        cloud_share: 0.3         # or ``threshold: 0.6``
        embeddings: false
      cascade:
        min_confidence: -0.6
      budget:
        on_exhausted: local      # or ``refuse``
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TiersConfig(_Strict):
    """Which targets are the light local model and which the strong cloud one.

    Entries are provider names (looked up in the alias's own targets, or used with the
    provider's default model) or names of other aliases (their targets, in order).  When a list
    is omitted, the alias's targets are split by the location of their providers.
    """

    local: list[str] | None = None
    cloud: list[str] | None = None


class SemanticRoute(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$")
    # Another alias whose targets serve requests that match this route.
    target: str
    examples: list[str] = Field(min_length=1)
    threshold: float | None = Field(None, ge=-1.0, le=1.0)


class SemanticConfig(_Strict):
    """Named routes defined by example utterances (cosine similarity of MiniLM embeddings)."""

    routes: list[SemanticRoute] = Field(min_length=1)
    threshold: float = Field(0.5, ge=-1.0, le=1.0)
    # Alias used when no route clears its threshold; ``None`` = continue with this alias.
    default: str | None = None


class DifficultyConfig(_Strict):
    """Score how much a request needs the strong model; high scores go to the cloud tier.

    Exactly one of ``cloud_share`` (self-calibrating quantile threshold) or ``threshold``.
    """

    cloud_share: float | None = Field(None, ge=0.0, le=1.0)
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    # Add MiniLM similarity to labelled examples to the score (slower: ~ms per request).
    embeddings: bool = False
    # Extra labelled examples (JSONL ``{"text", "label": "easy"|"hard"}``) to adapt the scorer.
    examples_file: str | None = None
    # How many recent scores the calibration keeps (ring buffer per alias).
    window: int = Field(2000, ge=50, le=1_000_000)

    @model_validator(mode="after")
    def _one_of(self) -> DifficultyConfig:
        if (self.cloud_share is None) == (self.threshold is None):
            raise ValueError("set exactly one of 'cloud_share' (e.g. 0.3) or 'threshold' (e.g. 0.6)")
        return self


class CascadeConfig(_Strict):
    """Try the local tier first; escalate to the cloud on error, refusal or low confidence."""

    # Mean token log-probability below which the local answer is escalated.
    min_confidence: float = Field(-0.6, le=0.0)
    escalate_on: list[Literal["error", "refusal", "low_confidence"]] = ["error", "refusal", "low_confidence"]
    # Streaming requests cascade only when buffered (the client sees the answer at the end).
    stream: Literal["buffer", "off"] = "off"
    # Ask the local model for logprobs so confidence can be measured.
    request_logprobs: bool = True


class BudgetConfig(_Strict):
    """What to do when the key's or team's cloud budget is spent."""

    on_exhausted: Literal["local", "refuse"] = "local"


class AliasRoutingConfig(_Strict):
    tiers: TiersConfig = TiersConfig()
    sticky: bool = True
    client_hints: bool = True
    semantic: SemanticConfig | None = None
    difficulty: DifficultyConfig | None = None
    cascade: CascadeConfig | None = None
    budget: BudgetConfig = BudgetConfig()
