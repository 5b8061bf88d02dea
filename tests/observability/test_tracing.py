"""Traces through the real gateway, exported over OTLP/HTTP to a loopback collector.

One span per stage, GenAI attributes, the client's trace continued, the attempt's
``traceparent`` sent upstream — and not one byte of the prompt, the completion or a detected
value in anything exported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.gateway import openai_provider, running_gateway
from tests.fakes.openai_server import FakeOpenAI, Fault
from tests.observability.otlp_receiver import OTLPReceiver, ReceivedSpan

CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"
EMAIL = "ivan.petrov.1987@example.org"
PHONE = "+7 916 123-45-67"
PROMPT = f"Напишите письмо на {EMAIL} и позвоните по {PHONE}, пожалуйста"
SERVER, CLIENT = 2, 3  # OTLP SpanKind values


def _config(upstream: FakeOpenAI, receiver: OTLPReceiver | None, tmp: Path, **tracing: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "providers": [openai_provider("cloud", upstream.base_url, location="cloud", model="gpt-test",
                                      retry={"max_retries": 1, "backoff_base": 0.01, "backoff_max": 0.02})],
        "models": {"chat": ["cloud"]},
        "privacy": {"secret": "tracing-test-secret-0123456789", "default_action": "pseudonymize"},
        "storage": {"data_dir": str(tmp)},
    }
    if receiver is not None:
        cfg["observability"] = {"tracing": {"enabled": True, "endpoint": receiver.endpoint,
                                            "export_interval": 0.05, **tracing}}
    return cfg


def _by_name(spans: list[ReceivedSpan]) -> dict[str, list[ReceivedSpan]]:
    out: dict[str, list[ReceivedSpan]] = {}
    for s in spans:
        out.setdefault(s.name, []).append(s)
    return out


async def test_a_request_is_one_trace_with_a_span_per_stage(tmp_path: Path) -> None:
    async with FakeOpenAI(name="cloud") as upstream, OTLPReceiver() as receiver:
        async with running_gateway(_config(upstream, receiver, tmp_path)) as gw, httpx.AsyncClient() as client:
            r = await client.post(f"{gw.base_url}/chat/completions", json={
                "model": "chat", "max_tokens": 50, "temperature": 0.2,
                "messages": [{"role": "user", "content": PROMPT}]},
                headers={"traceparent": f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"})
            assert r.status_code == 200
            answer = r.json()["choices"][0]["message"]["content"]
            assert EMAIL in answer  # restored for the client
        # the gateway flushed its spans on shutdown
        spans = _by_name(receiver.spans)

    root = spans["chat chat"][0]
    assert root.kind == SERVER
    assert root.trace_id == CLIENT_TRACE and root.parent_span_id == CLIENT_SPAN  # the client's trace goes on
    assert root.resource["service.name"] == "perimeter"
    a = root.attributes
    assert a["gen_ai.operation.name"] == "chat" and a["gen_ai.request.model"] == "chat"
    assert a["gen_ai.response.model"] == "gpt-test"
    assert a["gen_ai.response.finish_reasons"] == ["stop"]
    assert a["gen_ai.usage.input_tokens"] > 0 and a["gen_ai.usage.output_tokens"] > 0
    assert a["gen_ai.request.max_tokens"] == 50 and a["gen_ai.request.temperature"] == 0.2
    assert a["gen_ai.provider.name"] == "openai_compatible"
    assert a["perimeter.location"] == "cloud" and a["perimeter.provider"] == "cloud"
    assert a["perimeter.entities.EMAIL"] == 1 and a["perimeter.entities.PHONE"] == 1
    assert a["http.response.status_code"] == 200 and a["perimeter.route.reason"] == "primary"

    for stage in ("perimeter.auth", "perimeter.scan", "perimeter.route", "perimeter.restore", "perimeter.account"):
        (span,) = spans[stage]
        assert span.trace_id == CLIENT_TRACE and span.parent_span_id == root.span_id, stage
    scan = spans["perimeter.scan"][0].attributes
    assert scan["perimeter.privacy.action"] == "pseudonymize" and scan["perimeter.entities.EMAIL"] == 1
    (attempt,) = spans["chat gpt-test"]
    assert attempt.kind == CLIENT and attempt.parent_span_id == root.span_id
    assert attempt.attributes["gen_ai.request.model"] == "gpt-test"
    assert attempt.attributes["server.address"] == "127.0.0.1"
    assert attempt.attributes["server.port"] == upstream.port
    assert attempt.attributes["perimeter.location"] == "cloud"

    # W3C trace context reached the upstream: same trace, parent = the attempt span
    (seen,) = upstream.headers_seen
    assert seen["traceparent"] == f"00-{CLIENT_TRACE}-{attempt.span_id}-01"

    # nothing the user wrote, nothing the model answered, no detected value, no surrogate
    sent_upstream = upstream.requests[0]["messages"][0]["content"]
    exported = b"".join(receiver.bodies)
    for secret in (EMAIL, PHONE, "ivan.petrov", PROMPT[:20], answer[:20], "echo:", sent_upstream[:20]):
        assert secret.encode() not in exported, secret


async def test_retries_are_separate_attempt_spans_and_streams_are_traced(tmp_path: Path) -> None:
    async with FakeOpenAI(name="cloud") as upstream, OTLPReceiver() as receiver:
        upstream.fail(Fault("status", status=503))
        async with running_gateway(_config(upstream, receiver, tmp_path)) as gw, httpx.AsyncClient() as client:
            r = await client.post(f"{gw.base_url}/chat/completions", json={
                "model": "chat", "stream": True, "messages": [{"role": "user", "content": PROMPT}]})
            assert r.status_code == 200 and "[DONE]" in r.text
        spans = _by_name(receiver.spans)
    first, second = sorted(spans["chat gpt-test"], key=lambda s: s.attributes["perimeter.attempt"])
    assert first.attributes["error.type"] == "upstream_5xx" and first.attributes["http.response.status_code"] == 503
    assert first.status_code == 2  # STATUS_CODE_ERROR
    assert "error.type" not in second.attributes
    assert len({h["traceparent"] for h in upstream.headers_seen}) == 2  # each attempt its own parent span
    root = spans["chat chat"][0]
    assert root.attributes["perimeter.attempts"] == 2 and root.attributes["perimeter.stream"] is True
    assert root.attributes["gen_ai.response.finish_reasons"] == ["stop"]
    assert spans["perimeter.restore"][0].parent_span_id == root.span_id
    assert EMAIL.encode() not in b"".join(receiver.bodies)


async def test_refused_requests_are_traced_with_the_error_kind(tmp_path: Path) -> None:
    async with FakeOpenAI(name="cloud") as upstream, OTLPReceiver() as receiver:
        upstream.fail(Fault("status", status=400, message="the upstream refuses this request"))
        async with running_gateway(_config(upstream, receiver, tmp_path)) as gw, httpx.AsyncClient() as client:
            r = await client.post(f"{gw.base_url}/chat/completions",
                                  json={"model": "chat", "messages": [{"role": "user", "content": "hi"}]})
            assert r.status_code == 400
            r = await client.post(f"{gw.base_url}/chat/completions",
                                  json={"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]})
            assert r.status_code == 404
        spans = _by_name(receiver.spans)
    root = spans["chat chat"][0]
    assert root.attributes["http.response.status_code"] == 400
    assert root.attributes["error.type"] == "invalid_request_error"
    # an alias that does not exist is refused before anything is counted or traced (issue 12)
    assert not [name for name in spans if "no-such-model" in name]


async def test_sampled_out_requests_export_nothing_but_still_propagate(tmp_path: Path) -> None:
    async with FakeOpenAI(name="cloud") as upstream, OTLPReceiver() as receiver:
        cfg = _config(upstream, receiver, tmp_path, sample_ratio=0.0)
        async with running_gateway(cfg) as gw, httpx.AsyncClient() as client:
            r = await client.post(f"{gw.base_url}/chat/completions",
                                  json={"model": "chat", "messages": [{"role": "user", "content": "hello"}]})
            assert r.status_code == 200
        assert receiver.spans == []
        # an unsampled trace still travels (sampled bit clear), so the upstream can join the same trace id
        version, trace_id, _, flags = upstream.headers_seen[0]["traceparent"].split("-")
        assert version == "00" and len(trace_id) == 32 and int(flags, 16) & 1 == 0


async def test_tracing_off_propagates_the_clients_trace_context_unchanged(tmp_path: Path) -> None:
    """With no span of ours, the client's context passes through as it came (providers/headers.py)."""
    async with FakeOpenAI(name="cloud") as upstream:
        async with running_gateway(_config(upstream, None, tmp_path)) as gw, httpx.AsyncClient() as client:
            r = await client.post(f"{gw.base_url}/chat/completions",
                                  json={"model": "chat", "messages": [{"role": "user", "content": "hello"}]},
                                  headers={"traceparent": f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"})
            assert r.status_code == 200
        assert upstream.headers_seen[0]["traceparent"] == f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"


@pytest.mark.parametrize("ratio", [1.5, -0.1])
def test_a_bad_sample_ratio_is_a_config_error(ratio: float, tmp_path: Path) -> None:
    from perimeter.config import ConfigError, parse_config

    with pytest.raises(ConfigError, match="sample_ratio"):
        parse_config({"providers": [openai_provider("a", "http://127.0.0.1:9/v1")], "models": {"m": ["a"]},
                      "observability": {"tracing": {"enabled": True, "sample_ratio": ratio}}}, "<test>")
