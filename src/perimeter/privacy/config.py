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

Entity type names are checked: a typo (``PASSPORT: local``) would otherwise silently disable
the rule, so an unknown name is a config error that lists the valid ones.  The global section
(:class:`PrivacyConfig`) also holds the operator's **known values** (exact values that must
never leave: client lists, employee names, contract numbers; they may name their own entity
type) and **canaries** (values planted to prove nothing leaks: one seen in a body bound for a
cloud provider refuses the request).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from perimeter.privacy.entities import CANONICAL_TYPES, EXTRA_TYPES
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

    def unknown_entity_types(self, declared: frozenset[str] = frozenset()) -> list[str]:
        """Names in ``entities`` that are neither built-in types nor in ``declared``."""
        valid = BUILTIN_TYPES | declared
        return sorted(t for t in self.entities if t not in valid)

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
        data = self.model_dump(include=set(PrivacyPolicyConfig.model_fields))
        for name in override.model_fields_set:
            value = getattr(override, name)
            if name in ("entities", "residency"):
                data[name] = {**getattr(self, name), **value}
            else:
                data[name] = value
        return PrivacyPolicyConfig.model_validate(data)

    def action_for(self, entity_type: str) -> Action:
        return self.entities.get(entity_type, self.default_action)


BUILTIN_TYPES: frozenset[str] = frozenset((*CANONICAL_TYPES, *EXTRA_TYPES))


def unknown_types_message(unknown: list[str], declared: frozenset[str] = frozenset()) -> str:
    valid = ", ".join([*CANONICAL_TYPES, *EXTRA_TYPES, *sorted(declared)])
    names = ", ".join(f"'{t}'" for t in unknown)
    return (f"unknown entity type {names}: a misspelt type would silently disable its rule; valid types are "
            f"{valid} (declare your own with privacy.known_values)")


class ValueList(BaseModel):
    """Exact values, inline and/or from a file with one value per line (``#`` starts a comment)."""

    model_config = ConfigDict(extra="forbid")

    values: list[str] = Field(default_factory=list)
    file: Path | None = None

    @model_validator(mode="after")
    def _readable(self) -> ValueList:
        if self.file is not None:
            try:
                self.file.read_bytes()
            except OSError as exc:
                raise ValueError(f"file {self.file}: cannot read it ({exc.strerror})") from None
        return self

    def load(self) -> list[str]:
        """Every value, stripped; blank lines and ``#`` comments in the file are skipped."""
        out = [v.strip() for v in self.values if v.strip()]
        if self.file is not None:
            for line in self.file.read_text("utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    out.append(line)
        return out


class KnownValues(ValueList):
    """Values of one entity type that must be found wherever they appear (matched as literals)."""

    type: str

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if not _TYPE_NAME.match(v):
            raise ValueError(f"entity type '{v}' must be an upper-case name such as PERSON or CLIENT_ID")
        return v


class PrivacyConfig(PrivacyPolicyConfig):
    """The global ``privacy:`` section: a policy plus the operator's dictionaries."""

    #: Exact values to detect, each list with its entity type (built-in or your own).
    known_values: list[KnownValues] = Field(default_factory=list)
    #: Planted values that must never reach a cloud provider: the request is refused, an audit
    #: event and the ``perimeter_privacy_canary_hits_total`` metric record it.
    canaries: ValueList = Field(default_factory=ValueList)
    #: Run the learned name/address tagger beside the rules (privacy/detect/tagger.py).  On text
    #: nobody trained on it lowers the document leak rate by 4-11 points; it costs ~1 ms of scan
    #: CPU per KB (~0.3 ms on a short prompt).  ``false`` trades that recall for speed.
    tagger: bool = True

    def declared_types(self) -> frozenset[str]:
        return frozenset(k.type for k in self.known_values)

    @model_validator(mode="after")
    def _known_entity_types(self) -> PrivacyConfig:
        unknown = self.unknown_entity_types(self.declared_types())
        if unknown:
            raise ValueError(unknown_types_message(unknown, self.declared_types()))
        return self
