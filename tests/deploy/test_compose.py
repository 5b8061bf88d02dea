"""compose.yaml: two replicas of one image and one config behind the shipped HAProxy config,
sharing PostgreSQL and Redis.  No container engine runs here, so this checks the file's wiring;
the load-balancer config itself is served by real HAProxy in test_scaleout.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from perimeter.config import parse_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _gateways(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in compose["services"].items() if n.startswith("gateway-")}


def test_two_replicas_of_one_image_and_config(compose: dict[str, Any]) -> None:
    gateways = _gateways(compose)
    assert len(gateways) == 2
    images = {s["image"] for s in gateways.values()}
    assert len(images) == 1
    for name, svc in gateways.items():
        mounts = {v.split(":")[0]: v.split(":")[1] for v in svc["volumes"]}
        assert mounts["./deploy/compose/perimeter.yaml"] == "/etc/perimeter/perimeter.yaml"
        assert (ROOT / "deploy/compose/perimeter.yaml").exists()
        data = [v for v in svc["volumes"] if v.endswith(":/var/lib/perimeter")]
        assert len(data) == 1 and data[0].split(":")[0] == f"{name}-data", "each replica keeps its own journal"
        assert svc["read_only"] is True and svc["cap_drop"] == ["ALL"] and svc["user"].split(":")[0] != "0"
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert svc["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "/health/ready" in " ".join(svc["healthcheck"]["test"])


def test_the_balancer_sends_to_exactly_the_replicas(compose: dict[str, Any]) -> None:
    lb = compose["services"]["lb"]
    (mount,) = [v for v in lb["volumes"] if "haproxy.cfg" in v]
    conf = (ROOT / mount.split(":")[0]).read_text()
    servers = re.findall(r"^\s*server ([\w-]+) ([\w-]+):8080$", conf, flags=re.M)
    assert {name for name, _ in servers} == {host for _, host in servers} == set(_gateways(compose))


def test_the_gateway_config_loads_and_uses_the_shared_services(compose: dict[str, Any],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    env = next(iter(_gateways(compose).values()))["environment"]
    for name in env:
        monkeypatch.setenv(name, "test-secret-0123456789abcdef")
    cfg = parse_config(yaml.safe_load((ROOT / "deploy/compose/perimeter.yaml").read_text()), "compose")
    assert cfg.storage.is_postgres and cfg.storage.database_url is not None
    assert "@postgres:5432/" in cfg.storage.database_url and "test-secret" in cfg.storage.database_url
    assert cfg.storage.redis_url == "redis://redis:6379/0"
    assert {"postgres", "redis"} <= set(compose["services"])
    assert cfg.server.mode == "production"
