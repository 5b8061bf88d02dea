from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from perimeter.cli.route import route
from perimeter.routing.router import HybridRouter
from tests.routing.conftest import make_config, make_ctx

SEMANTIC: dict[str, Any] = {
    "coder": ["ollama"],
    "chat": {
        "targets": ["vllm", "openai"],
        "routing": {"semantic": {"threshold": 0.45, "routes": [{
            "name": "code", "target": "coder",
            "examples": ["write a python function", "fix this bug in my javascript code",
                         "how do I sort a list in Python", "refactor this class", "write a SQL query"],
        }]}},
    },
}


async def test_semantic_route_sends_code_to_the_code_alias() -> None:
    r = HybridRouter(make_config(SEMANTIC))
    code = await r.decide(make_ctx("Can you write a Python function that merges two sorted lists?"))
    assert code.reason == "semantic:code" and [list(t.providers) for t in code.targets] == [["ollama"]]
    other = await r.decide(make_ctx("What a lovely sunny morning, any plans for the weekend?"))
    assert other.reason == "primary" and [list(t.providers) for t in other.targets] == [["vllm"], ["openai"]]
    assert any("semantic: best 'code'" in s for s in other.trail)


async def test_semantic_route_keeps_sensitive_requests_on_prem() -> None:
    models = {**SEMANTIC, "coder": ["openai"]}  # the code alias is cloud-only
    r = HybridRouter(make_config(models))
    d = await r.decide(make_ctx("Can you write a Python function that merges two sorted lists? Passport 4510 123456",
                                entities={"RU_PASSPORT": 1}))
    assert [list(t.providers) for t in d.targets] == [["vllm"]]
    assert any("no healthy on-prem provider; ignored" in s for s in d.trail)


def write_config(tmp_path: Path, models: dict[str, Any]) -> Path:
    cfg = make_config(models)
    data = {"providers": [p.model_dump(exclude_none=True) for p in cfg.providers], "models": models}
    path = tmp_path / "perimeter.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_cli_explains_a_difficulty_decision(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, {"chat": {"targets": ["vllm", "openai"],
                                           "routing": {"difficulty": {"threshold": 0.5}}}})
    req = tmp_path / "request.json"
    req.write_text(json.dumps({"model": "chat", "messages": [{"role": "user", "content":
                   "Prove that every bounded monotone sequence converges, step by step."}]}), encoding="utf-8")
    res = CliRunner().invoke(route, ["--explain", str(req), "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    assert "alias chat -> openai (cloud)" in res.output
    assert "difficulty: score" in res.output and "fallback chain:" in res.output
    res = CliRunner().invoke(route, [str(req), "--config", str(cfg), "--entity", "RU_PASSPORT", "--json"])
    out = json.loads(res.output)
    assert out["reason"] == "sensitive:RU_PASSPORT" and out["targets"][0]["location"] == ["on_prem"]


def test_cli_reports_fail_closed_and_bad_input(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, {"chat": ["vllm", "openai"]})
    req = tmp_path / "r.json"
    req.write_text(json.dumps({"body": {"model": "chat", "messages": [{"role": "user", "content": "x"}]},
                               "entity_counts": {"SECRET": 1}}), encoding="utf-8")
    res = CliRunner().invoke(route, ["--explain", str(req), "--config", str(cfg), "--down", "vllm"])
    assert res.exit_code == 2 and "HTTP 503 no_on_prem_provider" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    res = CliRunner().invoke(route, [str(bad), "--config", str(cfg)])
    assert res.exit_code != 0 and "not valid JSON" in res.output
