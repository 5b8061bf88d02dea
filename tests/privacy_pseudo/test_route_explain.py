"""``perimeter route --explain`` scans the request the way the gateway does."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from perimeter.cli.route import route

CONFIG = {
    "providers": [
        {"name": "vllm", "type": "openai_compat", "location": "on_prem", "base_url": "http://127.0.0.1:9/v1"},
        {"name": "openai", "type": "openai_compat", "location": "cloud", "base_url": "http://127.0.0.1:9/v1"},
    ],
    "models": {"chat": {"targets": ["openai", "vllm"]}},
    "privacy": {"entities": {"RU_PASSPORT": "local", "SECRET": "block"}},
    "accounting": {"enabled": False},
}


def _run(tmp_path: Path, body: dict[str, object], *args: str) -> tuple[int, str]:
    cfg = tmp_path / "perimeter.yaml"
    cfg.write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    req = tmp_path / "request.json"
    req.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    res = CliRunner().invoke(route, [str(req), "--config", str(cfg), *args])
    return res.exit_code, res.output


def test_a_local_type_found_by_the_scan_keeps_the_route_on_prem(tmp_path: Path) -> None:
    # The passport hides in a field the old walk never read: the explanation must still see it.
    body = {"model": "chat", "messages": [{"role": "user", "content": "проверь клиента"}],
            "metadata": {"note": "паспорт 4510 123456"}}
    code, out = _run(tmp_path, body, "--explain")
    assert code == 0, out
    assert "alias chat -> vllm (on_prem)" in out
    assert "privacy: RU_PASSPORT=1 (action: local); only on-prem providers may serve it" in out
    code, out = _run(tmp_path, body, "--json")
    data = json.loads(out[out.index("{"):])
    assert data["privacy"]["entities"] == {"RU_PASSPORT": 1} and data["targets"][0]["location"] == ["on_prem"]


def test_clean_and_pseudonymized_requests_go_to_the_cloud(tmp_path: Path) -> None:
    code, out = _run(tmp_path, {"model": "chat", "messages": [{"role": "user", "content": "Звонил Иван Петров"}]},
                     "--explain")
    assert code == 0 and "alias chat -> openai (cloud)" in out
    assert "PERSON=1 (action: pseudonymize)" in out


def test_a_block_type_is_refused_as_the_gateway_refuses_it(tmp_path: Path) -> None:
    body = {"model": "chat", "messages": [{"role": "user", "content": "key sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d"}]}
    code, out = _run(tmp_path, body, "--explain")
    assert code == 2 and "HTTP 400 sensitive_data_blocked" in out and "SECRET" in out
