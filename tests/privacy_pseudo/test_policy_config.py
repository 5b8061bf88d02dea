"""Policy validation: a misspelt entity type is a config error that lists the valid types."""

from __future__ import annotations

from pathlib import Path

import pytest

from perimeter.config import ConfigError, parse_config
from perimeter.privacy.entities import CANONICAL_TYPES


def _cfg(**privacy: object) -> dict[str, object]:
    return {
        "providers": [{"name": "cloud", "type": "openai_compat", "location": "cloud", "base_url": "http://127.0.0.1:9/v1"}],
        "models": {"chat": {"targets": ["cloud"]}},
        "privacy": privacy,
    }


@pytest.mark.parametrize("typo", ["PASSPORT", "CREDITCARD", "RU_PASPORT"])
def test_unknown_global_entity_type_is_an_error_listing_valid_types(typo: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(_cfg(entities={typo: "local"}), "<test>")
    message = str(err.value)
    assert f"'{typo}'" in message
    assert all(t in message for t in CANONICAL_TYPES)


def test_unknown_alias_entity_type_names_its_path() -> None:
    cfg = _cfg()
    cfg["models"] = {"chat": {"targets": ["cloud"], "privacy": {"entities": {"CREDITCARD": "block"}}}}
    with pytest.raises(ConfigError) as err:
        parse_config(cfg, "<test>")
    assert "models.chat.privacy.entities.CREDITCARD" in str(err.value).replace("[", ".").replace("]", "")
    assert "CREDIT_CARD" in str(err.value)


def test_types_declared_by_known_values_are_valid_everywhere(tmp_path: Path) -> None:
    f = tmp_path / "clients.txt"
    f.write_text("# clients\nООО Ромашка\n\nAcme Widgets\n", "utf-8")
    cfg = _cfg(entities={"CLIENT": "block", "LOCATION": "allow"},
               known_values=[{"type": "CLIENT", "file": str(f), "values": ["Вектор-М"]}],
               canaries={"values": ["CANARY-0001"]})
    cfg["models"] = {"chat": {"targets": ["cloud"], "privacy": {"entities": {"CLIENT": "local"}}}}
    parsed = parse_config(cfg, "<test>")
    assert parsed.privacy.known_values[0].load() == ["Вектор-М", "ООО Ромашка", "Acme Widgets"]
    assert parsed.privacy.canaries.load() == ["CANARY-0001"]


def test_known_values_only_in_the_global_section_and_files_must_exist(tmp_path: Path) -> None:
    cfg = _cfg()
    cfg["models"] = {"chat": {"targets": ["cloud"], "privacy": {"known_values": []}}}
    with pytest.raises(ConfigError, match="known_values"):
        parse_config(cfg, "<test>")
    with pytest.raises(ConfigError, match="cannot read"):
        parse_config(_cfg(known_values=[{"type": "CLIENT", "file": str(tmp_path / "missing.txt")}]), "<test>")
