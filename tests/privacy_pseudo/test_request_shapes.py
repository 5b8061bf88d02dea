"""Request shapes that used to bypass the scanner: each one, through the real gateway, leaks nothing.

Every probe plants values in a place the old fixed-field walk did not look (metadata, tool
definitions, numbers, argument objects and keys, ``stop``, JSON schemas, extra keys of content
parts, a value split over parts, ``tool_use.input`` on ``/v1/messages``) and checks what the
recording cloud upstream received.  A probe passes when the request was served with the values
replaced, or kept on-prem / refused as the policy says — never when an original reached the cloud.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.privacy_pseudo.recording import Recording, leaked, run_in_thread

NAME = "Петров Иван Сергеевич"
INN = "7707083893"
CARD = "4111111111111111"
SNILS = "11223344595"
PHONE = "+7 912 345-67-89"
EMAIL = "ivan.petrov@example.com"
CANARY = "KANAREYKIN-7F3A9C"


@pytest.fixture(scope="module")
def rec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recording]:
    yield from run_in_thread(
        str(tmp_path_factory.mktemp("shapes")),
        entities={"RU_SNILS": "local", "RU_PASSPORT": "local"},
        known_values=[{"type": "CLIENT", "values": ["Ромашка-Трейд"]}],
        canaries={"values": [CANARY]},
    )


def _chat(**extra: Any) -> dict[str, Any]:
    return {"model": "cloud", "messages": [{"role": "user", "content": "Привет"}], **extra}


def _call(args: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": args}}]}


PROBES: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "metadata": ("/v1/chat/completions", _chat(metadata={"customer": NAME, "inn": INN, "phone": PHONE}),
                 [NAME, INN, PHONE]),
    "tool description, default and enum": ("/v1/chat/completions", _chat(tools=[{"type": "function", "function": {
        "name": "lookup", "description": f"Find the file of {EMAIL}, phone {PHONE}",
        "parameters": {"type": "object", "properties": {
            "inn": {"type": "string", "default": INN, "enum": [INN, "5012345678"]},
            "who": {"type": "string", "default": NAME}}}}}]), [EMAIL, PHONE, INN, NAME]),
    "numbers in tool-call arguments": ("/v1/chat/completions", {"model": "cloud", "messages": [
        {"role": "user", "content": "проверь"}, _call(orjson.dumps({"inn": int(INN), "card": int(CARD)}).decode()),
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]}, [INN, CARD]),
    "arguments as an object": ("/v1/chat/completions", {"model": "cloud", "messages": [
        {"role": "user", "content": "проверь"}, _call({"inn": int(INN), "email": EMAIL}),
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]}, [INN, EMAIL]),
    "keys of argument JSON": ("/v1/chat/completions", {"model": "cloud", "messages": [
        {"role": "user", "content": "проверь"}, _call(orjson.dumps({EMAIL: "client", NAME: 1}).decode()),
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]}, [EMAIL, NAME]),
    "stop": ("/v1/chat/completions", _chat(stop=[NAME, PHONE]), [NAME, PHONE]),
    "response_format schema": ("/v1/chat/completions", _chat(response_format={"type": "json_schema", "json_schema": {
        "name": "dossier", "schema": {"type": "object", "description": f"Досье: {NAME}, ИНН {INN}",
                                      "properties": {"email": {"type": "string", "examples": [EMAIL]}}}}}),
        [NAME, INN, EMAIL]),
    "extra keys inside content parts": ("/v1/chat/completions", {"model": "cloud", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "Посмотри", "note": f"клиент {NAME}, {EMAIL}"}]}]}, [NAME, EMAIL]),
    "value split across parts": ("/v1/chat/completions", {"model": "cloud", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "Мой ИНН 77070"}, {"type": "text", "text": "83893, телефон +7 912 "},
        {"type": "text", "text": "345-67-89"}]}]}, [INN, PHONE]),
    "unknown top-level field": ("/v1/chat/completions", _chat(x_client_note={"owner": NAME, "card": CARD}),
                                [NAME, CARD]),
    "numbers in tool_use.input on /v1/messages": ("/v1/messages", {
        "model": "cloud", "max_tokens": 50, "messages": [
            {"role": "user", "content": "проверь"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "lookup",
                                               "input": {"inn": int(INN), "card": int(CARD), "owner": NAME}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]}]},
        [INN, CARD, NAME]),
    "completions suffix and extras": ("/v1/completions", {"model": "cloud", "prompt": "Клиент:", "suffix": NAME,
                                                          "user": EMAIL, "metadata": {"inn": int(INN)}},
                                      [NAME, EMAIL, INN]),
    "embeddings extras": ("/v1/embeddings", {"model": "cloud", "input": [f"клиент {NAME}", "ok"],
                                             "user": EMAIL, "metadata": {"card": CARD}}, [NAME, EMAIL, CARD]),
    # a CRM tool's fields, which only their keys make personal: a bare 11-digit number and a lone
    # given name (the walk scans key and value as neighbouring fields)
    "fields known by their keys in tool-call arguments": ("/v1/chat/completions", {"model": "cloud", "messages": [
        {"role": "user", "content": "создай контакт"},
        _call(orjson.dumps({"customer": "Bekzod", "phone": "79161234567", "msisdn": "998974410258"}).decode()),
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]}, ["Bekzod", "79161234567", "998974410258"]),
    "known value in a tool name description": ("/v1/chat/completions", _chat(tools=[{"type": "function", "function": {
        "name": "crm", "description": "Поставщик Ромашка-Трейд"}}]), ["Ромашка-Трейд"]),
}


@pytest.mark.parametrize("probe", list(PROBES))
def test_probe_leaks_nothing_to_the_cloud(rec: Recording, probe: str) -> None:
    path, body, originals = PROBES[probe]
    before = len(rec.cloud.requests)
    r = httpx.post(rec.base_url + path, json=body, timeout=60)
    sent = rec.cloud.requests[before:]
    assert leaked(sent, originals) == [], (probe, r.status_code, sent)
    # Served (with surrogates) — the probes carry no ``local``/``block`` type.
    assert r.status_code == 200, r.text
    assert sent, "the request should have reached the cloud, pseudonymized"


def test_a_local_type_hidden_in_a_number_keeps_the_request_on_prem(rec: Recording) -> None:
    body = {"model": "hybrid", "messages": [{"role": "user", "content": "проверь"},
                                            _call(orjson.dumps({"snils": int(SNILS)}).decode()),
                                            {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]}
    before_cloud, before_onprem = len(rec.cloud.requests), len(rec.onprem.requests)
    r = httpx.post(rec.base_url + "/v1/chat/completions", json=body, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["x-perimeter-route"] == "onprem"
    assert len(rec.cloud.requests) == before_cloud
    assert len(rec.onprem.requests) == before_onprem + 1
    # The on-prem model gets the original, untouched.
    assert SNILS in orjson.dumps(rec.onprem.requests[-1]).decode()


def test_a_local_type_in_arguments_given_as_an_object_keeps_the_request_on_prem(rec: Recording) -> None:
    body = {"model": "cloud", "messages": [{"role": "user", "content": "проверь"},
                                           _call({"passport": "паспорт 4510 123456"}),
                                           {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]}
    before = len(rec.cloud.requests)
    r = httpx.post(rec.base_url + "/v1/chat/completions", json=body, timeout=60)
    assert r.status_code == 503 and r.json()["error"]["code"] == "no_on_prem_provider", r.text
    assert len(rec.cloud.requests) == before


def test_a_canary_is_refused_counted_and_never_sent(rec: Recording) -> None:
    before = len(rec.cloud.requests)
    # In a field no detector reads as sensitive, and split over two content parts.
    for body in (_chat(metadata={"ref": CANARY}),
                 {"model": "cloud", "messages": [{"role": "user", "content": [
                     {"type": "text", "text": "ref KANAREYKIN"}, {"type": "text", "text": "-7F3A9C please"}]}]}):
        r = httpx.post(rec.base_url + "/v1/chat/completions", json=body, timeout=60)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "privacy_canary_detected"
        assert CANARY not in r.text
    assert len(rec.cloud.requests) == before
    metrics = httpx.get(rec.base_url + "/metrics", timeout=30).text
    assert 'perimeter_privacy_canary_hits_total{alias="cloud"} 2' in metrics
    # Two audit events, naming the canary by its position, never its value.
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(Path(rec.data_dir) / "perimeter.db") as db:
            rows = db.execute("SELECT data FROM audit_log WHERE event = 'privacy_canary'").fetchall()
        if len(rows) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(rows) == 2
    for (data,) in rows:
        event = orjson.loads(data)
        assert event["canaries"] == [1] and event["alias"] == "cloud" and CANARY not in data
    # The same canary may go on-prem: the watch is for bodies bound for a cloud provider.
    r = httpx.post(rec.base_url + "/v1/chat/completions",
                   json={**_chat(metadata={"ref": CANARY}), "model": "hybrid", "messages": [
                       {"role": "user", "content": f"паспорт 4510 123456, ref {CANARY}"}]}, timeout=60)
    assert r.status_code == 200 and r.headers["x-perimeter-route"] == "onprem"
