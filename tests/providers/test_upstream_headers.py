"""The headers Perimeter adds upstream: request id as a UUID, W3C trace context, the header policy.

Unit checks of :mod:`perimeter.providers.headers`, then what each real adapter puts on the wire,
seen by the loopback vendor servers.  (The real-server regression — llama-cpp-python's OpenAI
server rejecting a non-UUID ``x-request-id`` — is in tests/interop/test_llama_server.py.)
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perimeter.api.http import new_request_id
from perimeter.config import ConfigError, parse_config
from perimeter.providers.headers import (
    REQUEST_ID_NAMESPACE,
    HeaderPolicy,
    TraceContext,
    parse_traceparent,
    trace_headers,
    upstream_headers,
    upstream_request_id,
)
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.gateway import minimal_config, openai_provider, running_gateway
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.openai_server import FakeOpenAI, Fault

CLIENT_TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_gateway_request_ids_are_canonical_version_4_uuids_and_unique() -> None:
    ids = [new_request_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    for rid in ids[:50] + ids[-50:]:
        parsed = uuid.UUID(rid)
        assert str(parsed) == rid and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert upstream_request_id(ids[0]) is ids[0]  # ours go upstream untouched


@pytest.mark.parametrize("spelling", [str.upper, lambda u: u.replace("-", ""), lambda u: "{" + u + "}"])
def test_a_client_uuid_in_another_spelling_is_canonicalised(spelling: Any) -> None:
    u = str(uuid.uuid4())
    assert upstream_request_id(spelling(u)) == u


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=128))
def test_any_other_client_id_maps_to_a_stable_uuid(rid: str) -> None:
    out = upstream_request_id(rid)
    assert str(uuid.UUID(out)) == out
    assert out == upstream_request_id(rid)  # stable: the same id always meets the same upstream id
    try:
        uuid.UUID(rid)
    except ValueError:
        assert out == str(uuid.uuid5(REQUEST_ID_NAMESPACE, rid))


@pytest.mark.parametrize(("value", "valid"), [
    (CLIENT_TP, True),
    ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", True),
    ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", True),  # later version, extra field
    ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", False),  # version 00 has 4 fields
    ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", False),
    ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", False),
    ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", False),
    ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", False),  # uppercase
    ("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", False),  # short trace id
    ("garbage", False), ("", False),
])
def test_traceparent_validation_follows_w3c(value: str, valid: bool) -> None:
    assert (parse_traceparent(value) is not None) is valid


def test_a_valid_client_trace_context_is_propagated_with_its_tracestate() -> None:
    out = trace_headers({"traceparent": CLIENT_TP, "tracestate": "vendor=abc"}, str(uuid.uuid4()))
    assert out == {"traceparent": CLIENT_TP, "tracestate": "vendor=abc"}


def test_without_a_valid_one_a_fresh_sampled_context_starts_on_the_request_uuid() -> None:
    rid = str(uuid.uuid4())
    out = trace_headers({"traceparent": "00-bad", "tracestate": "vendor=abc"}, rid)
    ctx = parse_traceparent(out["traceparent"])
    assert ctx is not None and ctx.trace_id == rid.replace("-", "") and ctx.flags == "01"
    assert "tracestate" not in out  # it belonged to a context we did not continue
    again = parse_traceparent(trace_headers(None, rid)["traceparent"])
    assert again is not None and again.trace_id == ctx.trace_id and again.span_id != ctx.span_id


def test_the_tracers_span_wins_when_tracing_is_on() -> None:
    client = parse_traceparent(CLIENT_TP)
    assert client is not None
    span = {"traceparent": TraceContext(client.trace_id, "1111222233334444").traceparent, "tracestate": "k=v"}
    out = trace_headers({"traceparent": CLIENT_TP, "tracestate": "other"}, str(uuid.uuid4()), span)
    assert out == span
    # An empty or broken carrier (tracing off, or a bad injector) falls back to the client's.
    for broken in ({}, {"traceparent": "junk"}):
        assert trace_headers({"traceparent": CLIENT_TP}, str(uuid.uuid4()), broken) == {"traceparent": CLIENT_TP}


def test_policy_forwards_named_headers_and_prefixes_but_never_credentials() -> None:
    policy = HeaderPolicy.from_names(["X-Correlation-Id", "x-team-*", "baggage"])
    client = {"x-correlation-id": "c1", "x-team-name": "ml", "x-team-cost-centre": "42", "baggage": "a=b",
              "authorization": "Bearer sk-gateway-key", "x-other": "no", "cookie": "s=1"}
    out = upstream_headers(policy, "not-a-uuid", client)
    assert {k: v for k, v in out.items() if k not in ("x-request-id", "traceparent")} == {
        "x-correlation-id": "c1", "x-team-name": "ml", "x-team-cost-centre": "42", "baggage": "a=b"}
    assert out["x-request-id"] == upstream_request_id("not-a-uuid")
    broad = upstream_headers(HeaderPolicy.from_names(["*"]), "r", client)
    assert "authorization" not in broad and "cookie" not in broad and broad["x-other"] == "no"


def test_policy_can_rename_or_drop_the_ids() -> None:
    quiet = HeaderPolicy.from_names([], request_id_header=None, trace_context=False)
    assert upstream_headers(quiet, "r", {"traceparent": CLIENT_TP}) == {}
    renamed = upstream_headers(HeaderPolicy.from_names([], request_id_header="X-Correlation-ID"), "r", None)
    assert set(renamed) == {"x-correlation-id", "traceparent"}


@pytest.mark.parametrize(("policy", "needle"), [
    ({"forward": ["Authorization"]}, "cannot be forwarded"),
    ({"forward": ["x-request-id"]}, "request_id_header"),
    ({"forward": ["bad header"]}, "is not a header name"),
    ({"request_id_header": "x id"}, "is not a header name"),
    ({"forwrad": ["x"]}, "forwrad"),
])
def test_bad_policies_are_refused_at_load_with_a_message(policy: dict[str, Any], needle: str) -> None:
    cfg = minimal_config([openai_provider("p", "http://127.0.0.1:1/v1", header_policy=policy)],
                         {"m": {"targets": ["p"]}})
    with pytest.raises(ConfigError, match=needle):
        parse_config(cfg, "<test>")


def test_static_headers_with_a_line_break_are_refused() -> None:
    cfg = minimal_config([openai_provider("p", "http://127.0.0.1:1/v1", headers={"x-a": "1\r\nx-b: 2"})],
                         {"m": {"targets": ["p"]}})
    with pytest.raises(ConfigError, match="line break"):
        parse_config(cfg, "<test>")


# ----------------------------------------------------------------------------- on the wire
async def test_openai_compat_sends_policy_headers_on_every_endpoint_and_retry() -> None:
    async with FakeOpenAI(name="up") as fake:
        fake.fail(Fault("status", status=503))  # the first call is retried: same ids again
        prov = openai_provider("up", fake.base_url, headers={"x-static": "s"},
                               header_policy={"forward": ["x-correlation-id"]}, retry={"max_retries": 1})
        async with running_gateway(minimal_config([prov], {"m": {"targets": ["up"]}})) as gw, \
                httpx.AsyncClient(timeout=20) as c:
            hdrs = {"x-request-id": "client-42", "x-correlation-id": "corr-7", "traceparent": CLIENT_TP,
                    "authorization": "Bearer gateway-only", "x-secret": "stays"}
            chat = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
            for path, body in [("/chat/completions", chat), ("/chat/completions", {**chat, "stream": True}),
                               ("/completions", {"model": "m", "prompt": "hi"}),
                               ("/embeddings", {"model": "m", "input": "hi"})]:
                r = await c.post(gw.base_url + path, json=body, headers=hdrs)
                assert r.status_code == 200, r.text
    seen = fake.headers_seen
    assert len(seen) == 5
    for h in seen:
        assert h["x-request-id"] == str(uuid.uuid5(REQUEST_ID_NAMESPACE, "client-42"))
        assert h["traceparent"] == CLIENT_TP and h["x-correlation-id"] == "corr-7" and h["x-static"] == "s"
        assert "x-secret" not in h and h.get("authorization") != "Bearer gateway-only"


async def test_without_client_ids_each_request_gets_its_own_uuid_and_trace() -> None:
    async with FakeOpenAI(name="up") as fake:
        async with running_gateway(minimal_config([openai_provider("up", fake.base_url)],
                                                  {"m": {"targets": ["up"]}})) as gw, \
                httpx.AsyncClient(timeout=20) as c:
            rids = []
            for _ in range(2):
                r = await c.post(gw.base_url + "/chat/completions",
                                 json={"model": "m", "messages": [{"role": "user", "content": "hi"}]})
                rids.append(r.headers["x-perimeter-request-id"])
    a, b = fake.headers_seen
    assert [a["x-request-id"], b["x-request-id"]] == rids  # the id in our ledger is the id upstream
    for h in (a, b):
        ctx = parse_traceparent(h["traceparent"])
        assert ctx is not None and ctx.trace_id == h["x-request-id"].replace("-", "")


async def test_anthropic_and_gemini_adapters_use_the_same_policy() -> None:
    async with FakeAnthropic() as claude, FakeGemini() as gem:
        providers = [
            {"name": "claude", "type": "anthropic", "location": "cloud", "base_url": claude.base_url,
             "api_key": claude.api_key, "model": "claude-test", "header_policy": {"forward": ["x-tenant"]}},
            {"name": "gem", "type": "gemini", "location": "cloud", "base_url": gem.base_url,
             "api_key": gem.api_key, "model": "gemini-test", "header_policy": {"request_id_header": None}},
        ]
        models = {"c": {"targets": ["claude"]}, "g": {"targets": ["gem"]}}
        async with running_gateway(minimal_config(providers, models)) as gw, httpx.AsyncClient(timeout=20) as c:
            for alias in ("c", "g"):
                r = await c.post(gw.base_url + "/chat/completions", headers={"x-tenant": "t1", "traceparent": CLIENT_TP},
                                 json={"model": alias, "messages": [{"role": "user", "content": "hi"}]})
                assert r.status_code == 200, r.text
    ch = {k.lower(): v for k, v in claude.headers[-1].items()}
    assert ch["x-tenant"] == "t1" and uuid.UUID(ch["x-request-id"]) and ch["traceparent"] == CLIENT_TP
    gh = gem.headers[-1]
    assert "x-request-id" not in gh and "x-tenant" not in gh and gh["traceparent"] == CLIENT_TP


async def test_a_cookie_an_upstream_sets_never_goes_back_upstream() -> None:
    # OpenAI's edge sets Cloudflare cookies on every response; a client session with a cookie jar
    # would send them back on the next call — another tenant's — so the gateway keeps no jar.
    async with FakeOpenAI(name="up", host="localhost", set_cookie="__cf_bm=tenant-a-state; Path=/; HttpOnly") as fake:
        async with running_gateway(minimal_config([openai_provider("up", fake.base_url)],
                                                  {"m": {"targets": ["up"]}})) as gw, \
                httpx.AsyncClient(timeout=20) as c:
            for _ in range(2):
                r = await c.post(gw.base_url + "/chat/completions",
                                 json={"model": "m", "messages": [{"role": "user", "content": "hi"}]})
                assert r.status_code == 200, r.text
                assert "set-cookie" not in r.headers  # nor does it reach the client
    assert len(fake.headers_seen) == 2
    assert all("cookie" not in h for h in fake.headers_seen)
