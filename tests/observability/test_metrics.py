"""/metrics: counts that add up across worker processes, bounded labels, gauges from the ledger."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from perimeter.observability.multiprocess import merge, parse
from tests.fakes.gateway import openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "admin-key-0123456789abcdef"
MSG = {"model": "chat", "messages": [{"role": "user", "content": "hello there"}]}


def total(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    out = 0.0
    for fam in parse(text).values():
        for series, v in fam.samples.items():
            if series.split("{", 1)[0] != name:
                continue
            if all(f'{k}="{val}"' in series for k, val in labels.items()):
                out += v
    return out


# ------------------------------------------------------------------------------ the merge itself


def test_merge_sums_counters_and_histograms_and_combines_live_gauges() -> None:
    a = ("# HELP perimeter_requests_total r\n# TYPE perimeter_requests_total counter\n"
         'perimeter_requests_total{alias="chat"} 3\n'
         "# TYPE lat histogram\n"
         'lat_bucket{le="1"} 2\nlat_bucket{le="+Inf"} 3\nlat_sum 1.5\nlat_count 3\n'
         "# TYPE perimeter_breaker_state gauge\n"
         'perimeter_breaker_state{provider="p"} 0\n'
         "# TYPE perimeter_in_flight_requests gauge\n"
         'perimeter_in_flight_requests{provider="p"} 2\n'
         "# TYPE perimeter_audit_chain_ok gauge\nperimeter_audit_chain_ok 1\n")
    b = a.replace("} 3\n", "} 4\n").replace("lat_count 3", "lat_count 4").replace(
        'perimeter_breaker_state{provider="p"} 0', 'perimeter_breaker_state{provider="p"} 2').replace(
        "perimeter_audit_chain_ok 1", "perimeter_audit_chain_ok 0")
    dead = a.replace("} 3\n", "} 1234567\n").replace(
        'perimeter_breaker_state{provider="p"} 0', 'perimeter_breaker_state{provider="p"} 7')
    out = parse(merge([(a, True), (b, True), (dead, False)]))
    assert out["perimeter_requests_total"].samples['perimeter_requests_total{alias="chat"}'] == 3 + 4 + 1234567
    assert out["perimeter_requests_total"].kind == "counter" and out["perimeter_requests_total"].help == "r"
    assert out["lat"].samples["lat_count"] == 3 + 4 + 3 and out["lat"].samples["lat_sum"] == 4.5
    # gauges only from live workers: the worst breaker state, the sum of in-flight, any failed check
    assert out["perimeter_breaker_state"].samples['perimeter_breaker_state{provider="p"}'] == 2
    assert out["perimeter_in_flight_requests"].samples['perimeter_in_flight_requests{provider="p"}'] == 4
    assert out["perimeter_audit_chain_ok"].samples["perimeter_audit_chain_ok"] == 0
    assert "1234567" in merge([(dead, False)])  # big counts are not rounded to 1.23457e+06


# ------------------------------------------------------------------------------ bounded labels


async def test_model_names_a_client_makes_up_create_no_series(tmp_path: Path) -> None:
    """Nothing is counted before the alias is known to exist (issue 12): no label, not even ``other``."""
    async with FakeOpenAI() as up:
        cfg = {"providers": [openai_provider("local", up.base_url)], "models": {"chat": ["local"]},
               "accounting": {"enabled": False}}
        async with running_gateway(cfg) as gw, httpx.AsyncClient() as client:
            before = (await client.get(f"{gw.url}/metrics")).text  # counters are per process: compare
            for i in range(3):
                r = await client.post(f"{gw.base_url}/chat/completions", json={**MSG, "model": f"made-up-{i}"})
                assert r.status_code == 404
            text = (await client.get(f"{gw.url}/metrics")).text
    assert "made-up" not in text
    assert total(text, "perimeter_requests_total", status="404") == total(before, "perimeter_requests_total",
                                                                           status="404")
    assert 'perimeter_provider_info{provider="local",location="on_prem",type="openai_compat"} 1' in text


# ------------------------------------------------------------------------------ several workers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _worker_counts(metrics_dir: Path) -> dict[str, float]:
    out = {}
    for p in metrics_dir.glob("*.prom"):
        with contextlib.suppress(OSError):
            out[p.stem] = total(p.read_text(), "perimeter_requests_total", status="200")
    return out


async def test_two_workers_add_up(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    async with FakeOpenAI() as up:
        cfg = {"server": {"port": _free_port()}, "providers": [openai_provider("local", up.base_url)],
               "models": {"chat": ["local"]}, "privacy": {"enabled": False},
               "accounting": {"enabled": False}, "observability": {"metrics": {"flush_interval": 0.2}}}
        path = tmp_path / "perimeter.yaml"
        path.write_text(yaml.safe_dump(cfg))
        log = (tmp_path / "serve.log").open("wb")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "perimeter", "serve", "--config", str(path), "--workers", "2",
            env={**os.environ, "PERIMETER_METRICS_DIR": str(metrics_dir)}, cwd=str(ROOT),
            stdout=log, stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{cfg['server']['port']}"
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                for _ in range(600):
                    with contextlib.suppress(httpx.HTTPError):
                        if (await client.get(f"{url}/health/ready")).status_code == 200 and \
                                len(list(metrics_dir.glob("*.prom"))) == 2:
                            break
                    assert proc.returncode is None, (tmp_path / "serve.log").read_text()
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("two workers did not start: " + (tmp_path / "serve.log").read_text())
            # A new connection per request, until both workers have served some (bounded).
            sent = 0
            while sent < 300:
                async with httpx.AsyncClient(timeout=10) as one:
                    r = await one.post(f"{url}/v1/chat/completions", json=MSG, headers={"connection": "close"})
                    assert r.status_code == 200
                sent += 1
                if sent % 10 == 0 and sum(1 for n in _worker_counts(metrics_dir).values() if n > 0) == 2:
                    break
            await asyncio.sleep(0.6)  # > flush_interval: every worker's snapshot is current
            per_worker = _worker_counts(metrics_dir)
            assert len(per_worker) == 2 and all(n > 0 for n in per_worker.values()), per_worker
            assert sum(per_worker.values()) == sent
            seen = set()
            for _ in range(8):  # whichever worker answers the scrape, the total is the same
                async with httpx.AsyncClient(timeout=10) as one:
                    text = (await one.get(f"{url}/metrics", headers={"connection": "close"})).text
                seen.add(total(text, "perimeter_requests_total", alias="chat", provider="local", status="200"))
                assert total(text, "gen_ai_server_request_duration_seconds_count", gen_ai_request_model="chat") == sent
                # a gauge every worker reports the same is not doubled
                assert total(text, "perimeter_provider_info") == 1
            assert seen == {float(sent)}
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
            log.close()


# ------------------------------------------------------------------------------ gauges from the ledger


async def _admin(client: httpx.AsyncClient, gw: Any, method: str, path: str, **kw: Any) -> Any:
    r = await client.request(method, f"{gw.url}/admin{path}", headers={"authorization": f"Bearer {ADMIN}"}, **kw)
    assert r.status_code < 300, r.text
    return r.json()


async def _gauge(client: httpx.AsyncClient, gw: Any, name: str, want: float, **labels: str) -> float:
    value = -1.0
    for _ in range(100):
        value = total((await client.get(f"{gw.url}/metrics")).text, name, **labels)
        if abs(value - want) < 1e-6:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name}{labels} stayed at {value}, expected {want}")


async def test_budget_use_and_audit_chain_gauges(tmp_path: Path) -> None:
    async with FakeOpenAI() as up:
        cfg = {"server": {"admin_key": ADMIN},
               "providers": [openai_provider("cloud", up.base_url, location="cloud", model="priced",
                                             price={"input": 1_000_000, "output": 1_000_000})],
               "models": {"chat": ["cloud"]}, "privacy": {"enabled": False},
               "storage": {"data_dir": str(tmp_path)},
               "observability": {"audit_verify_interval": 0.2, "budget_refresh_interval": 0.2}}
        async with running_gateway(cfg) as gw, httpx.AsyncClient() as client:
            key = await _admin(client, gw, "POST", "/keys", json={"name": "team-a bot", "limits": {"budget": 40}})
            auth = {"authorization": f"Bearer {key['key']}"}
            for _ in range(3):
                r = await client.post(f"{gw.base_url}/chat/completions", json=MSG, headers=auth)
                assert r.status_code == 200
            usage = await _admin(client, gw, "GET", "/usage?group_by=key")
            spent = usage["total"]["cost"]
            assert spent > 0  # 1 USD per token: a few dollars
            await _gauge(client, gw, "perimeter_budget_used_ratio", round(spent / 40, 6),
                         scope="key", id=key["key_id"], period="monthly")
            await _gauge(client, gw, "perimeter_audit_chain_ok", 1.0)
            # someone edits an audit entry behind the gateway's back
            with sqlite3.connect(tmp_path / "perimeter.db") as db:
                db.execute("UPDATE audit_log SET data = '{\"edited\":true}' WHERE seq = 1")
            await _gauge(client, gw, "perimeter_audit_chain_ok", 0.0)
            text = (await client.get(f"{gw.url}/metrics")).text
            assert total(text, "perimeter_audit_chain_verified_timestamp_seconds") > time.time() - 30
            assert re.search(r"perimeter_audit_chain_entries \d+", text)


@pytest.mark.parametrize("interval", [0.0])
async def test_background_checks_can_be_turned_off(interval: float, tmp_path: Path) -> None:
    async with FakeOpenAI() as up:
        cfg = {"providers": [openai_provider("local", up.base_url)], "models": {"chat": ["local"]},
               "privacy": {"enabled": False}, "storage": {"data_dir": str(tmp_path)},
               "observability": {"audit_verify_interval": interval, "budget_refresh_interval": interval}}
        async with running_gateway(cfg) as gw:
            assert gw.app.parts is not None
            await asyncio.sleep(0.3)
            names = {t.get_name() for t in asyncio.all_tasks()}
    assert "perimeter-audit-watch" not in names and "perimeter-budget-watch" not in names
