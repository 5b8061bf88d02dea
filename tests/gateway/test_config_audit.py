"""The audit log records which configuration each replica serves with — and no secret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import orjson

from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI


async def test_config_loaded_is_audited_without_secrets(upstream: FakeOpenAI, client: httpx.AsyncClient,
                                                        tmp_path: Path) -> None:
    cfg = minimal_config(
        [openai_provider("cloud-a", upstream.base_url, location="cloud", api_key="sk-very-secret-123")],
        {"chat": ["cloud-a"]}, storage={"data_dir": str(tmp_path)}, privacy={"enabled": False})
    async with running_gateway(cfg) as gw:
        r = await client.post(f"{gw.base_url}/chat/completions",
                              json={"model": "chat", "messages": [{"role": "user", "content": "hi"}]})
        assert r.status_code == 200
    config_file = tmp_path / "perimeter.yaml"
    config_file.write_text(orjson.dumps(cfg).decode())  # JSON is YAML
    out = subprocess.run([sys.executable, "-m", "perimeter", "audit", "export", "--config", str(config_file)],
                         capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr.decode()
    events = [orjson.loads(line) for line in out.stdout.splitlines() if line.strip()]
    loaded = [e for e in events if e.get("event") == "config_loaded"]
    assert len(loaded) == 1
    assert b"sk-very-secret-123" not in out.stdout
    text = orjson.dumps(loaded[0]).decode()
    assert '"cloud-a":"cloud"' in text and len(loaded[0]["data"]["sha256"]) == 64
    assert any(e.get("event") == "request" for e in events)
