"""Issue 12 defect 9: `config check` and `serve` share one check and agree; `serve` refuses
without a traceback; `keys` and `audit` do not need the server's secrets; every imported
package is declared."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, cfg: dict[str, Any]) -> Path:
    path = tmp_path / "perimeter.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _base(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {"providers": [{"name": "up", "type": "openai_compat", "base_url": "http://127.0.0.1:9/v1",
                           "location": "on_prem"}],
            "models": {"chat": ["up"]}, "storage": {"data_dir": str(tmp_path / "data")}, **extra}


def _perimeter(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perimeter", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, cwd=ROOT)


BROKEN = [
    ({"server": {"mode": "production"}}, "server.admin_key"),
    ({"server": {"mode": "production", "admin_key": "0123456789abcdef0123"}, "accounting": {"enabled": False}},
     "accounting.enabled"),
    ({"server": {"admin_key": "short"}}, "too short"),
    ({"providers": [{"name": "up", "type": "llamacpp", "model_path": "/nonexistent/model.gguf"}]},
     "model file not found"),
]


@pytest.mark.parametrize(("change", "message"), BROKEN, ids=["no-admin-key", "no-accounting", "short-key", "no-model"])
def test_config_check_and_serve_refuse_the_same_configs(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    path = _write(tmp_path, {**_base(tmp_path), **change})
    check = _perimeter("config", "check", str(path))
    assert check.returncode == 1 and message in check.stderr, check.stderr
    serve = _perimeter("serve", "--config", str(path), "--port", "0")
    assert serve.returncode == 1 and message in serve.stderr, serve.stderr
    assert "Traceback" not in serve.stderr and "will not start" in serve.stderr


def test_a_good_config_passes_config_check(tmp_path: Path) -> None:
    check = _perimeter("config", "check", str(_write(tmp_path, _base(tmp_path))))
    assert check.returncode == 0 and "OK" in check.stdout, check.stderr


def test_keys_and_audit_do_not_need_the_privacy_secret(tmp_path: Path) -> None:
    cfg = _base(tmp_path, privacy={"enabled": True, "secret": "${PERIMETER_PRIVACY_SECRET}"})
    path = _write(tmp_path, cfg)
    env = {k: v for k, v in os.environ.items() if k != "PERIMETER_PRIVACY_SECRET"}
    created = subprocess.run([sys.executable, "-m", "perimeter", "keys", "create", "-c", str(path), "--name", "ci"],
                             capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("pk-")
    listed = subprocess.run([sys.executable, "-m", "perimeter", "keys", "list", "-c", str(path)],
                            capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert listed.returncode == 0 and "ci" in listed.stdout, listed.stderr
    verified = subprocess.run([sys.executable, "-m", "perimeter", "audit", "verify", "-c", str(path)],
                              capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stderr
    # the server itself still refuses without it
    serve = subprocess.run([sys.executable, "-m", "perimeter", "config", "check", str(path)],
                           capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert serve.returncode == 1 and "PERIMETER_PRIVACY_SECRET" in serve.stderr


def _imported_top_level(src: Path) -> set[str]:
    names: set[str] = set()
    for f in src.rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"perimeter", "__future__"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_declared() -> None:
    """`regex` was imported and not declared: a clean install would break at run time."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # The core dependencies and the optional features' extras (not the dev tools: src never imports them).
    wanted = project["dependencies"] + [d for extra, deps in project["optional-dependencies"].items()
                                        if extra != "dev" for d in deps]
    declared = {_norm(re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0]) for d in wanted}
    # Packages the Makefile installs with --no-deps (their own metadata would pull torch) count too.
    makefile = (ROOT / "Makefile").read_text()
    wheels = re.search(r"^MODEL_WHEELS\s*:=(.*)$", makefile, re.MULTILINE)
    no_deps = re.findall(r"--no-deps ([A-Za-z0-9_.-]+)==", makefile) + (wheels.group(1).split() if wheels else [])
    declared |= {_norm(w.split("==")[0]) for w in no_deps}
    providers = importlib.metadata.packages_distributions()
    missing = []
    for module in sorted(_imported_top_level(ROOT / "src" / "perimeter")):
        dists = {_norm(d) for d in providers.get(module, [])}
        if not dists & declared:
            missing.append(f"{module} (from {sorted(dists) or 'no installed distribution'})")
    assert not missing, f"imported but not declared in pyproject.toml dependencies: {missing}"
