"""End to end: residency by jurisdiction through the real gateway, on-prem tier down.

A recording "foreign cloud" (OpenAI wire format, jurisdiction US) must never receive an
original of a type whose residency excludes it; the recording "RU cloud" (GigaChat wire format)
receives originals where the policy allows — for plain, streamed and tool-call requests.  The
audit log then yields the cross-border transfer report.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.fakes.gateway import running_gateway
from tests.fakes.gigachat_server import FakeGigaChat
from tests.fakes.openai_server import FakeOpenAI, Fault

PERSON, PHONE, EMAIL = "Иван Петров", "+7 916 123-45-67", "ivan.petrov@example.ru"
SENSITIVE = f"Меня зовут {PERSON}, мой телефон {PHONE}, почта {EMAIL}. Помогите составить письмо."
CONTACTS = f"Позвоните по номеру {PHONE} или напишите на {EMAIL}, пожалуйста."
TOOL = {"type": "function", "function": {"name": "crm_lookup", "parameters": {
    "type": "object", "properties": {"phone": {"type": "string"}}}}}


def tool_history(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
                "name": "crm_lookup", "arguments": orjson.dumps({"phone": PHONE}).decode()}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": f"Клиент найден, почта {EMAIL}"}]


def config(giga: FakeGigaChat, us: FakeOpenAI, data_dir: Path) -> dict[str, Any]:
    fast = {"retry": {"max_retries": 0}, "breaker": {"failure_threshold": 1, "cooldown": 60}}
    return {
        "server": {"jurisdiction": "RU"},
        "providers": [
            {"name": "onprem", "type": "openai_compat", "location": "on_prem", "base_url": "http://127.0.0.1:9/v1",
             "model": "qwen", **fast},
            {"name": "us-cloud", "type": "openai", "location": "cloud", "jurisdiction": "US",
             "base_url": us.base_url, "api_key": "sk-test", "model": "gpt-4o-mini", **fast},
            {"name": "gigachat", "type": "gigachat", "location": "cloud", "base_url": giga.base_url,
             "auth_url": giga.auth_url, "credentials": giga.credentials, "model": "GigaChat-2-Max", **fast},
        ],
        "models": {"chat": ["onprem", "us-cloud", "gigachat"]},
        "privacy": {"secret": "e2e-residency-secret-0123456789",
                    "entities": {"PERSON": "local", "SECRET": "local"},
                    "residency": {"PERSON": ["on_prem", "RU"], "PHONE": ["on_prem", "RU"], "RU_*": ["on_prem", "RU"]}},
        "storage": {"data_dir": str(data_dir)},
    }


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def assert_no_originals(bodies: list[dict[str, Any]], *originals: str) -> None:
    for body in bodies:
        text = orjson.dumps(body).decode()
        for original in originals:
            assert original not in text, f"{original!r} reached the foreign cloud: {text}"
        assert "9161234567" not in digits(text), text


@pytest.fixture
async def clouds() -> AsyncIterator[tuple[FakeGigaChat, FakeOpenAI]]:
    async with FakeGigaChat() as giga, FakeOpenAI(name="us") as us:
        yield giga, us


async def chat(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    if not body.get("stream"):
        r = await client.post(url, json=body)
        assert r.status_code == 200, r.text
        return {"content": r.json()["choices"][0]["message"].get("content") or "", "route": r.headers}
    async with client.stream("POST", url, json=body) as r:
        assert r.status_code == 200, await r.aread()
        content = ""
        async for line in r.aiter_lines():
            if line.startswith("data: {"):
                for ch in orjson.loads(line[6:])["choices"]:
                    content += ch["delta"].get("content") or ""
        return {"content": content, "route": r.headers}


@pytest.mark.parametrize("kind", ["plain", "stream", "tools"])
async def test_sensitive_request_goes_to_the_ru_cloud_with_originals_never_abroad(
        clouds: tuple[FakeGigaChat, FakeOpenAI], tmp_path: Path, kind: str) -> None:
    giga, us = clouds
    messages = tool_history(SENSITIVE) if kind == "tools" else [{"role": "user", "content": SENSITIVE}]
    body: dict[str, Any] = {"model": "chat", "messages": messages, "stream": kind == "stream"}
    if kind == "tools":
        body["tools"] = [TOOL]
    async with running_gateway(config(giga, us, tmp_path)) as gw, httpx.AsyncClient(timeout=30) as client:
        # On-prem still looks healthy: tried first, it fails, and the in-jurisdiction cloud takes over.
        first = await chat(client, f"{gw.base_url}/chat/completions", body)
        # Now its breaker is open: the router sends the request to the RU cloud directly, not 503.
        out = await chat(client, f"{gw.base_url}/chat/completions", body)
    assert first["route"]["x-perimeter-route"] == "gigachat"
    assert out["route"]["x-perimeter-route"] == "gigachat"
    assert out["route"]["x-perimeter-reason"] == "residency:RU"
    assert us.requests == []  # PERSON is local: the US cloud is not even a candidate
    sent = orjson.dumps(giga.requests[-1]).decode()
    assert PERSON in sent and PHONE in sent  # residency lets these originals go to RU
    assert EMAIL not in sent  # no residency rule for EMAIL: pseudonymized for every cloud
    if kind != "tools":
        assert PERSON in out["content"] and EMAIL in out["content"]  # the answer is restored


@pytest.mark.parametrize("kind", ["plain", "stream", "tools"])
async def test_foreign_cloud_gets_surrogates_and_the_ru_cloud_originals(
        clouds: tuple[FakeGigaChat, FakeOpenAI], tmp_path: Path, kind: str) -> None:
    giga, us = clouds
    messages = tool_history(CONTACTS) if kind == "tools" else [{"role": "user", "content": CONTACTS}]
    body: dict[str, Any] = {"model": "chat", "messages": messages, "stream": kind == "stream"}
    if kind == "tools":
        body["tools"] = [TOOL]
    async with running_gateway(config(giga, us, tmp_path)) as gw, httpx.AsyncClient(timeout=30) as client:
        url = f"{gw.base_url}/chat/completions"
        first = await chat(client, url, body)  # on-prem is down: the next in line is the US cloud
        assert first["route"]["x-perimeter-route"] == "us-cloud"
        us.fail(Fault("status", status=503, times=-1))
        second = await chat(client, url, body)  # the US cloud fails: GigaChat serves it
        assert second["route"]["x-perimeter-route"] == "gigachat"
    assert len(us.requests) == 2
    assert_no_originals(us.requests, PHONE, EMAIL, "123-45-67")
    sent = orjson.dumps(giga.requests[-1]).decode()
    assert PHONE in sent and EMAIL not in sent
    if kind != "tools":
        assert PHONE in first["content"] and EMAIL in first["content"]


async def test_transfer_report_from_the_audit_log(clouds: tuple[FakeGigaChat, FakeOpenAI], tmp_path: Path) -> None:
    giga, us = clouds
    cfg = config(giga, us, tmp_path)
    async with running_gateway(cfg) as gw, httpx.AsyncClient(timeout=30) as client:
        url = f"{gw.base_url}/chat/completions"
        await chat(client, url, {"model": "chat", "messages": [{"role": "user", "content": SENSITIVE}]})
        await chat(client, url, {"model": "chat", "messages": [{"role": "user", "content": CONTACTS}]})
        secret = await client.post(url, json={"model": "chat", "messages": [
            {"role": "user", "content": "мой пароль: password=Sup3rS3cretPassw0rd!"}]})
        assert secret.status_code == 503  # SECRET is local without residency: on-prem only, which is down
    config_file = tmp_path / "perimeter.yaml"
    config_file.write_text(orjson.dumps(cfg).decode())
    out = subprocess.run([sys.executable, "-m", "perimeter", "audit", "report", "--config", str(config_file),
                          "--days", "1"], capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    rows = {r["provider"]: r for r in csv.DictReader(io.StringIO(out.stdout.decode()))}
    assert rows["gigachat"]["jurisdiction"] == "RU" and rows["gigachat"]["cross_border"] == "no"
    assert rows["gigachat"]["originals"] == "PERSON=1 PHONE=1" and rows["gigachat"]["surrogates"] == "EMAIL=1"
    assert rows["us-cloud"]["cross_border"] == "yes" and rows["us-cloud"]["originals"] == ""
    assert rows["us-cloud"]["surrogates"] == "EMAIL=1 PHONE=1" and rows["us-cloud"]["served"] == "1"
    assert rows["onprem"]["location"] == "on_prem" and rows["onprem"]["served"] == "0"
    assert rows["(not sent)"]["blocked"] == "SECRET=1"
    page = tmp_path / "report.html"
    out = subprocess.run([sys.executable, "-m", "perimeter", "audit", "report", "--config", str(config_file),
                          "--days", "1", "--format", "html", "--out", str(page)], capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    text = page.read_text()
    assert "No original of any detected entity type left the home jurisdiction" in text and "intact" in text
    assert PERSON not in text and PHONE not in text  # types and counts only
