"""Privacy policy config: what to do with each kind of sensitive data, per alias.

The same model is used for the global ``privacy:`` section and for ``models.<alias>.privacy``.
An alias section only overrides the keys it sets (``entities`` is merged key by key), so a
policy is written once and tightened or relaxed where one alias needs it::

    privacy:
      secret: ${PERIMETER_PRIVACY_SECRET}
      default_action: pseudonymize
      entities: {SECRET: block, RU_PASSPORT: local}
    models:
      internal-chat:
        targets: [vllm]
        privacy: {default_action: allow}

Actions: ``pseudonymize`` (cloud providers get realistic surrogates or placeholders, answers are
restored), ``block`` (4xx naming the entity types, never their values), ``allow`` (sent as is),
``local`` (the request may only go to ``on_prem`` providers, with its original body).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from perimeter.privacy.residency import check_rules

Action = Literal["pseudonymize", "block", "allow", "local"]
FailureAction = Literal["block", "local"]

_TYPE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class PrivacyPolicyConfig(BaseModel):
    """One privacy policy (global, or the overrides of one alias)."""

    model_config = ConfigDict(extra="forbid")

    #: Scan requests at all.  ``false`` sends everything as is (only for trusted, on-prem aliases).
    enabled: bool = True
    #: Action for entity types not listed in ``entities``.
    default_action: Action = "pseudonymize"
    #: Per entity type action, e.g. ``{SECRET: block, PERSON: pseudonymize}``.
    entities: dict[str, Action] = Field(default_factory=dict)
    #: ``realistic``: a value of the same kind and format (name of the same gender, valid ИНН, ...);
    #: ``placeholder``: a typed token such as ``<PERSON_3f9a1c>``.
    surrogates: Literal["realistic", "placeholder"] = "realistic"
    #: HMAC secret that makes surrogates deterministic (same original → same surrogate across
    #: turns and replicas) and unlinkable across tenants.  Use ``${PERIMETER_PRIVACY_SECRET}``;
    #: when unset, a random per-process secret is used (replicas and restarts then disagree).
    secret: str | None = None
    #: Time budget of one scan, seconds; past it the request is treated as sensitive.
    scan_timeout: float = Field(2.0, gt=0, le=60)
    #: What a failed or timed-out scan (or unscannable content) means: refuse, or on-prem only.
    on_scan_failure: FailureAction = "block"
    #: Content that cannot be scanned (images, audio, files, token-id arrays): ``fail`` applies
    #: ``on_scan_failure``; ``allow`` sends it on unscanned (the text parts are still scanned).
    unscannable: Literal["fail", "allow"] = "fail"
    #: Add ``x-perimeter-entities: PERSON=2,RU_INN=1`` (counts only, never values) to responses.
    entities_header: bool = True
    #: Where originals of each entity type may go besides on-prem, by jurisdiction, e.g.
    #: ``{PERSON: [on_prem, RU], "RU_*": [on_prem, RU]}`` (see :mod:`perimeter.privacy.residency`).
    residency: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("entities")
    @classmethod
    def _type_names(cls, v: dict[str, Action]) -> dict[str, Action]:
        for name in v:
            if not _TYPE_NAME.match(name):
                raise ValueError(
                    f"entity type '{name}' must be an upper-case name such as PERSON or RU_INN"
                )
        return v

    @field_validator("residency")
    @classmethod
    def _residency(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        return check_rules(v)

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if len(v) < 16:
            raise ValueError("must be at least 16 characters (use a random value from a secret store)")
        return v

    def merged(self, override: PrivacyPolicyConfig | None) -> PrivacyPolicyConfig:
        """This policy with the keys ``override`` sets explicitly replaced (``entities`` merged)."""
        if override is None:
            return self
        data = self.model_dump()
        for name in override.model_fields_set:
            value = getattr(override, name)
            if name in ("entities", "residency"):
                data[name] = {**getattr(self, name), **value}
            else:
                data[name] = value
        return PrivacyPolicyConfig.model_validate(data)

    def action_for(self, entity_type: str) -> Action:
        return self.entities.get(entity_type, self.default_action)
