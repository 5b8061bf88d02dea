"""Residency rules on their own, the router's residency rule, the config and ``route --explain``."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from perimeter.cli.main import cli
from perimeter.config import ConfigError, parse_config
from perimeter.context import RequestContext
from perimeter.errors import GatewayError
from perimeter.privacy.entities import Entity
from perimeter.privacy.residency import (
    clouds_for_local,
    compile_rules,
    may_need_surrogate,
    original_allowed,
    surrogates_for,
)
from perimeter.routing.router import HybridRouter

RULES = compile_rules({"PERSON": ["on_prem", "RU"], "RU_*": ["RU", "KZ"], "RU_INN": ["RU"], "EMAIL": ["EU"]})


def test_exact_names_win_over_patterns_and_groups_expand() -> None:
    assert RULES.places("RU_INN") == {"RU"}
    assert RULES.places("RU_SNILS") == {"RU", "KZ"}
    assert RULES.places("PHONE") is None
    places = RULES.places("EMAIL")
    assert places is not None and {"DE", "FR", "EU"} <= places and "US" not in places


@pytest.mark.parametrize(("etype", "action", "where", "expected"), [
    ("PERSON", "local", "RU", True), ("PERSON", "local", "US", False), ("PERSON", "local", None, False),
    ("PHONE", "pseudonymize", "RU", False),  # no rule: surrogates everywhere, as before
    ("PHONE", "allow", "US", True),  # no rule: allow stays allow
    ("EMAIL", "allow", "US", False), ("EMAIL", "allow", "DE", True),  # a rule restricts allow
    ("RU_SNILS", "pseudonymize", "KZ", True),
])
def test_the_composition_table(etype: str, action: str, where: str | None, expected: bool) -> None:
    assert original_allowed(RULES, etype, action, where) is expected


def test_local_types_must_all_agree_and_spans_follow_the_destination() -> None:
    assert clouds_for_local(RULES, ["PERSON", "RU_INN"]) == {"RU"}
    assert clouds_for_local(RULES, ["PERSON", "SECRET"]) == frozenset()  # SECRET has no rule: on-prem only
    assert may_need_surrogate(RULES, "EMAIL", "allow") and not may_need_surrogate(RULES, "PHONE", "allow")
    found = [[Entity("PERSON", 0, 4, "Иван", 0.9, "t"), Entity("RU_INN", 5, 15, "7707083893", 0.9, "t")]]
    actions = {"PERSON": "pseudonymize", "RU_INN": "pseudonymize"}
    _, ru = surrogates_for(found, RULES, actions, "RU")
    kz_spans, kz = surrogates_for(found, RULES, actions, "KZ")
    assert ru == frozenset() and kz == {"PERSON", "RU_INN"} and len(kz_spans[0]) == 2


def test_config_validates_keys_places_and_on_prem_jurisdiction() -> None:
    base = {"providers": [{"name": "v", "type": "openai_compat", "location": "on_prem", "base_url": "http://x/v1"}],
            "models": {"m": ["v"]}}
    cfg = parse_config({**base, "server": {"jurisdiction": "ru"}, "privacy": {"residency": {"RU_*": ["ru", "eea"]}}})
    assert cfg.providers[0].jurisdiction == "RU" and cfg.privacy.residency == {"RU_*": ["RU", "EEA"]}
    with pytest.raises(ConfigError, match="country code"):
        parse_config({**base, "privacy": {"residency": {"PERSON": ["Russia"]}}})
    with pytest.raises(ConfigError, match="prefix pattern"):
        parse_config({**base, "privacy": {"residency": {"person": ["RU"]}}})
    bad = {**base, "server": {"jurisdiction": "RU"}}
    bad["providers"] = [{**base["providers"][0], "jurisdiction": "DE"}]
    with pytest.raises(ConfigError, match=r"providers\[0\]\.jurisdiction: an on_prem provider"):
        parse_config(bad)


def _router(difficulty: bool = False) -> HybridRouter:
    alias: dict[str, object] = {"targets": ["vllm", "openai", "gigachat"]}
    if difficulty:
        alias["routing"] = {"difficulty": {"threshold": 0.0}}
    cfg = parse_config({
        "server": {"jurisdiction": "RU"},
        "providers": [{"name": "vllm", "type": "openai_compat", "location": "on_prem", "base_url": "http://x/v1"},
                      {"name": "openai", "type": "openai", "location": "cloud", "jurisdiction": "US",
                       "base_url": "http://x/v1"},
                      {"name": "gigachat", "type": "gigachat", "location": "cloud", "credentials": "aWQ6cw=="}],
        "models": {"chat": alias}})
    return HybridRouter(cfg)


def _ctx(allows: frozenset[str]) -> RequestContext:
    ctx = RequestContext("r", "chat", "chat", {"model": "chat", "messages": [
        {"role": "user", "content": "Prove the Riemann hypothesis step by step with full rigour."}]}, {})
    ctx.require_on_prem, ctx.entity_counts, ctx.residency_allows = True, {"PERSON": 1}, allows
    return ctx


async def test_router_residency_rule() -> None:
    router = _router()
    healthy = await router.decide(_ctx(frozenset({"RU"})))
    assert [t.providers for t in healthy.targets] == [["vllm"], ["gigachat"]]  # on-prem first, RU as fallback
    router.is_healthy = lambda name: name != "vllm"
    down = await router.decide(_ctx(frozenset({"RU"})))
    assert down.reason == "residency:RU" and down.targets[0].providers == ["gigachat"]
    assert all("openai" not in t.providers for t in down.targets)
    with pytest.raises(GatewayError) as err:  # no residency: the old answer, 503
        await router.decide(_ctx(frozenset()))
    assert err.value.status == 503
    weak = await _router(difficulty=True).decide(_ctx(frozenset({"RU"})))
    assert weak.reason.startswith("residency:RU+difficulty") and weak.targets[0].providers == ["gigachat"]


def test_route_explain_shows_the_jurisdiction_reasoning(tmp_path: Path) -> None:
    cfg = tmp_path / "p.yaml"
    cfg.write_text(orjson.dumps({
        "server": {"jurisdiction": "RU"},
        "providers": [{"name": "vllm", "type": "openai_compat", "location": "on_prem", "base_url": "http://x/v1"},
                      {"name": "gigachat", "type": "gigachat", "location": "cloud", "credentials": "aWQ6cw=="}],
        "models": {"chat": ["vllm", "gigachat"]},
        "privacy": {"residency": {"PERSON": ["on_prem", "RU"]}}}).decode())
    req = tmp_path / "r.json"
    req.write_text('{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}')
    res = CliRunner().invoke(cli, ["route", "--explain", str(req), "--config", str(cfg), "--entity", "PERSON",
                                    "--down", "vllm"])
    assert res.exit_code == 0, res.output
    assert "reason: residency:RU" in res.output and "only in RU (residency policy)" in res.output
    assert "gigachat [cloud; RU]" in res.output and "instead of 503" in res.output
    res2 = CliRunner().invoke(cli, ["route", "--explain", str(req), "--config", str(cfg), "--entity", "SECRET",
                                     "--down", "vllm"])
    assert res2.exit_code == 2 and "no_on_prem_provider" in res2.output
