"""Config validation: errors name the file, the key path and the problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from perimeter.config import ConfigError, load_config, parse_config

GOOD = {
    "providers": [{"name": "vllm", "type": "openai_compat", "location": "on_prem", "base_url": "http://127.0.0.1:8000/v1"},
                  {"name": "openai", "type": "openai", "location": "cloud", "base_url": "https://api.openai.com/v1",
                   "api_key": "${TEST_OPENAI_KEY}"}],
    "models": {"chat": {"targets": ["vllm", {"provider": "openai", "model": "gpt-4o-mini"}]}},
}


def test_env_interpolation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_OPENAI_KEY", "sk-test")
    cfg = parse_config(GOOD, "x.yaml")
    assert cfg.provider("openai").api_key == "sk-test"  # type: ignore[union-attr]
    assert cfg.models["chat"].targets[1].model == "gpt-4o-mini"


def test_missing_env_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_OPENAI_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"x.yaml: providers\[1\].api_key: environment variable \$\{TEST_OPENAI_KEY\}"):
        parse_config(GOOD, "x.yaml")


def test_env_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE", raising=False)
    data = {**GOOD, "providers": [{**GOOD["providers"][0], "api_key": "${NOPE:-fallback}"}],  # type: ignore[dict-item]
            "models": {"chat": ["vllm"]}}
    assert parse_config(data).provider("vllm").api_key == "fallback"  # type: ignore[union-attr]


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["models"]["chat"]["targets"].append("vlm"), r"models.chat.targets\[2\].provider: unknown provider 'vlm' \(known: openai, vllm\)"),
    (lambda d: d["providers"][0].update(location="moon"), r"providers\[0\].*location"),
    (lambda d: d["providers"][0].update(base_url="localhost:8000"), r"providers\[0\].*base_url: must start with http"),
    (lambda d: d["providers"][0].update(timeoutz=1), r"providers\[0\].*timeoutz: unknown key"),
    (lambda d: d["providers"].append(dict(d["providers"][0])), r"providers\[2\].name: duplicate provider name 'vllm'"),
    (lambda d: d["providers"][0].pop("location"), r"providers\[0\].*location: required key is missing"),
])
def test_errors_have_key_paths(monkeypatch: pytest.MonkeyPatch, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    import copy

    monkeypatch.setenv("TEST_OPENAI_KEY", "k")
    data = copy.deepcopy(GOOD)
    mutate(data)
    with pytest.raises(ConfigError, match=expected):
        parse_config(data, "x.yaml")


def test_load_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("providers: [\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no config file"):
        monkeypatch.delenv("PERIMETER_CONFIG", raising=False)
        load_config(None)


def test_serve_refuses_invalid_config(tmp_path: Path) -> None:
    bad = tmp_path / "perimeter.yaml"
    bad.write_text("providers:\n  - {name: a, type: openai_compat, location: cloud, base_url: 'http://x'}\nmodels:\n  chat: [b]\n")
    proc = subprocess.run([sys.executable, "-m", "perimeter", "serve", "--config", str(bad), "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert f"{bad}: models.chat.targets[0].provider: unknown provider 'b'" in proc.stderr


def test_cli_help_lists_every_command() -> None:
    proc = subprocess.run([sys.executable, "-m", "perimeter", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for cmd in ("serve", "scan", "route", "bench", "tco", "keys", "audit"):
        assert f"  {cmd} " in proc.stdout
