"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import httpx

from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI, Fault

MSG = {"model": "chat", "messages": [{"role": "user", "content": "a b"}]}


async def test_ready_is_about_the_process_not_one_alias(upstream: FakeOpenAI, client: httpx.AsyncClient) -> None:
    """Issue 12 #7: one alias whose only provider is down must not take the replica out."""
    upstream.fail(Fault("status", status=500, times=-1))
    cfg = minimal_config([openai_provider("local", upstream.base_url, retry={"max_retries": 0},
                                          breaker={"failure_threshold": 1, "cooldown": 60})],
                         {"chat": ["local"]})
    async with running_gateway(cfg) as gw:
        assert (await client.get(f"{gw.url}/health/live")).status_code == 200
        r = await client.get(f"{gw.url}/health/ready")
        assert r.status_code == 200 and r.json()["aliases"]["chat"]["usable_providers"] == ["local"]
        assert (await client.post(f"{gw.base_url}/chat/completions", json=MSG)).status_code == 502
        r = await client.get(f"{gw.url}/health/ready")
        assert r.status_code == 200, "readiness must not depend on one alias"
        assert r.json()["unservable_aliases"] == ["chat"]  # dev mode still shows why
        # per-alias health: the admin endpoint and a metric
        h = (await client.get(f"{gw.url}/admin/health")).json()
        assert h["aliases"]["chat"] == {"servable": False, "usable_providers": []}
        assert h["providers"]["local"]["breaker"] == "open"
        text = (await client.get(f"{gw.url}/metrics")).text
        assert 'perimeter_alias_usable_providers{alias="chat"} 0' in text
        # while the breaker is open the gateway answers at once with a clear 503
        r = await client.post(f"{gw.base_url}/chat/completions", json=MSG)
        assert r.status_code == 503 and "circuit open" in r.json()["error"]["message"]


async def test_metrics_exposition(upstream: FakeOpenAI, client: httpx.AsyncClient) -> None:
    cfg = minimal_config([openai_provider("local", upstream.base_url)], {"chat": ["local"]})
    async with running_gateway(cfg) as gw:
        await client.post(f"{gw.base_url}/chat/completions", json=MSG)
        await client.post(f"{gw.base_url}/chat/completions", json={**MSG, "stream": True})
        text = (await client.get(f"{gw.url}/metrics")).text
    assert "# TYPE perimeter_requests_total counter" in text
    assert 'perimeter_requests_total{alias="chat",provider="local",endpoint="chat",status="200"}' in text
    genai = 'gen_ai_operation_name="chat",gen_ai_request_model="chat",perimeter_provider="local"'
    assert f'gen_ai_server_time_to_first_token_seconds_count{{{genai}}} ' in text
    assert f'gen_ai_client_token_usage_count{{{genai},gen_ai_token_type="output"}} ' in text
    assert f'gen_ai_server_request_duration_seconds_bucket{{{genai},error_type="",le="+Inf"}} ' in text
