"""The Grafana dashboard and the alert rules only use metrics a running gateway exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import yaml

from perimeter.observability.multiprocess import parse
from tests.fakes.gateway import openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "observability"
METRIC = re.compile(r"\b((?:perimeter|gen_ai)_[a-z0-9_]+)")
ADMIN = "deploy-admin-key-0123456789"


def _exprs() -> dict[str, str]:
    dash = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    out = {f"panel {p['title']}": t["expr"] for p in dash["panels"] for t in p["targets"]}
    rules = yaml.safe_load((DEPLOY / "alerts.yaml").read_text())
    out.update({f"alert {r['alert']}": r["expr"] for g in rules["groups"] for r in g["rules"]})
    return out


def test_the_alerts_the_issue_asks_for_are_there() -> None:
    alerts = {k for k in _exprs() if k.startswith("alert ")}
    assert {"alert PerimeterBreakerOpen", "alert PerimeterHighErrorRatio", "alert PerimeterBudget80Percent",
            "alert PerimeterCanarySeen", "alert PerimeterAuditVerifyFailing"} <= alerts


async def test_every_metric_in_the_dashboard_and_alerts_is_exported(tmp_path: Path) -> None:
    async with FakeOpenAI() as up:
        cfg = {"server": {"admin_key": ADMIN}, "providers": [openai_provider("local", up.base_url)],
               "models": {"chat": {"targets": ["local"], "routing": {}}}, "storage": {"data_dir": str(tmp_path)},
               "observability": {"audit_verify_interval": 0.1, "budget_refresh_interval": 0.1}}
        async with running_gateway(cfg) as gw, httpx.AsyncClient() as c:
            r = await c.post(f"{gw.url}/admin/keys", json={"limits": {"rpm": 1, "budget": 5}},
                             headers={"authorization": f"Bearer {ADMIN}"})
            auth = {"authorization": f"Bearer {r.json()['key']}"}
            msg = {"model": "chat", "stream": True, "messages": [{"role": "user", "content": "mail me: a.b@example.org"}]}
            assert (await c.post(f"{gw.base_url}/chat/completions", json=msg, headers=auth)).status_code == 200
            assert (await c.post(f"{gw.base_url}/chat/completions", json=msg, headers=auth)).status_code == 429
            families = {}
            for _ in range(100):  # until the background checks have published their gauges
                families = parse((await c.get(f"{gw.url}/metrics")).text)
                if "perimeter_audit_chain_ok" in families and families["perimeter_budget_used_ratio"].samples:
                    break
    labels = {m for fam in families.values() for s in fam.samples for m in re.findall(r'([a-z_]+)="', s)}
    missing = {}
    for where, expr in _exprs().items():
        for name in set(METRIC.findall(expr)) - labels:
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            fam = families.get(name) or families.get(base)
            if fam is None or (fam.name != name and fam.kind != "histogram"):
                missing.setdefault(where, []).append(name)
    assert not missing, missing
