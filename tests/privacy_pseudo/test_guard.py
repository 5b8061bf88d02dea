"""The privacy stage with the real scanner: actions, fail-closed paths, consistency, tenants."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from perimeter.context import Principal, RequestContext
from perimeter.errors import GatewayError
from perimeter.privacy.config import PrivacyPolicyConfig
from perimeter.privacy.detect.scanner import Scanner
from perimeter.privacy.guard import PrivacyStage

SECRET = "guard-test-secret-0123456789"
ORIGINALS = ("Ивану Петрову", "Петров", "+7 (912) 345-67-89", "7707083893", "ivan.petrov@sber.ru", "John Smith")


def body() -> dict[str, Any]:
    return {
        "model": "chat",
        "messages": [
            {"role": "system", "content": "Ты помощник."},
            {"role": "user", "content": [{"type": "text", "text": "Позвони Ивану Петрову по номеру +7 (912) 345-67-89."}]},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
                "name": "lookup", "arguments": orjson.dumps({"inn": "7707083893", "note": "клиент Петров"}).decode()}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "Email: ivan.petrov@sber.ru, manager John Smith"},
        ],
    }


def ctx_for(b: dict[str, Any], alias: str = "chat", endpoint: str = "chat", team: str | None = "a") -> RequestContext:
    principal = Principal(key_id="k1", team=team) if team else None
    return RequestContext(request_id="r1", endpoint=endpoint, alias=alias, body=b, headers={},  # type: ignore[arg-type]
                          principal=principal)


def stage(scanner: Scanner, **policy: Any) -> PrivacyStage:
    return PrivacyStage.from_config(PrivacyPolicyConfig(secret=SECRET, **policy), {}, scanner=scanner)


async def test_pseudonymizes_for_cloud_and_restores_the_answer(scanner: Scanner) -> None:
    g = stage(scanner)
    b = body()
    ctx = ctx_for(b)
    await g.inspect(ctx)
    assert ctx.entity_counts["PERSON"] >= 2 and ctx.entity_counts["RU_INN"] == 1
    header = ctx.response_headers["x-perimeter-entities"]
    assert "RU_INN=1" in header and "PHONE=1" in header and "EMAIL=1" in header
    assert not any(v in header for v in ORIGINALS)
    sent, restorer = g.prepare(ctx, "cloud")
    wire = orjson.dumps(sent).decode()
    for value in ORIGINALS:
        assert value not in wire, value
    assert orjson.loads(sent["messages"][2]["tool_calls"][0]["function"]["arguments"]).keys() == {"inn", "note"}
    assert b == body()  # ctx.body untouched
    assert restorer is not None
    # The model echoes what it received: the client must read the originals.
    echoed = {"choices": [{"index": 0, "message": {"role": "assistant", "content": sent["messages"][1]["content"][0]["text"]},
                           "finish_reason": "stop"}]}
    assert restorer.restore_response(echoed)["choices"][0]["message"]["content"] == b["messages"][1]["content"][0]["text"]
    # On-prem providers get the original body.
    assert g.prepare(ctx, "on_prem") == (b, None)


async def test_block_names_types_not_values(scanner: Scanner) -> None:
    g = stage(scanner, entities={"RU_INN": "block"})
    ctx = ctx_for(body())
    with pytest.raises(GatewayError) as ei:
        await g.inspect(ctx)
    err = ei.value
    assert err.status == 400 and err.code == "sensitive_data_blocked" and "RU_INN" in err.message
    assert "7707083893" not in err.message and "RU_INN=1" in err.headers["x-perimeter-entities"]


async def test_local_keeps_the_request_on_prem(scanner: Scanner) -> None:
    g = stage(scanner, entities={"EMAIL": "local"})
    b = body()
    ctx = ctx_for(b)
    await g.inspect(ctx)
    assert ctx.require_on_prem and ctx.privacy_action == "local"
    assert g.prepare(ctx, "on_prem") == (b, None)
    with pytest.raises(GatewayError) as ei:
        g.prepare(ctx, "cloud")
    assert ei.value.code == "privacy_on_prem_required"


async def test_alias_inherits_block_and_overrides_default(scanner: Scanner) -> None:
    g = PrivacyStage.from_config(
        PrivacyPolicyConfig(secret=SECRET, entities={"RU_INN": "block"}),
        {"open": PrivacyPolicyConfig(default_action="allow"), "other": None},
        scanner=scanner,
    )
    # The alias changes the default action but inherits "RU_INN: block" from the global policy.
    with pytest.raises(GatewayError) as ei:
        await g.inspect(ctx_for(body(), alias="open"))
    assert ei.value.code == "sensitive_data_blocked"
    clean = {"messages": [{"role": "user", "content": "Позвони Ивану Петрову"}]}
    ctx = ctx_for(clean, alias="open")
    await g.inspect(ctx)
    assert ctx.privacy_action == "allow" and g.prepare(ctx, "cloud") == (clean, None)
    ctx = ctx_for(copy.deepcopy(clean), alias="other")  # None: the global policy applies
    await g.inspect(ctx)
    assert ctx.privacy_action == "pseudonymize"
    assert "Петрову" not in g.prepare(ctx, "cloud")[0]["messages"][0]["content"]


async def test_alias_override_merges_entities(scanner: Scanner) -> None:
    g = PrivacyStage.from_config(
        PrivacyPolicyConfig(secret=SECRET, entities={"RU_INN": "block"}),
        {"open": PrivacyPolicyConfig(default_action="allow", entities={"RU_INN": "allow"})},
        scanner=scanner,
    )
    ctx = ctx_for(body(), alias="open")
    await g.inspect(ctx)
    assert ctx.privacy_action == "allow"
    assert g.prepare(ctx, "cloud") == (ctx.body, None)
    with pytest.raises(GatewayError):
        await g.inspect(ctx_for(body(), alias="chat"))


async def test_scan_timeout_fails_closed(scanner: Scanner) -> None:
    long_text = "Договор с Иваном Петровым, тел. +7 912 345-67-89. " * 3000
    b = {"messages": [{"role": "user", "content": long_text}]}
    g = stage(scanner, scan_timeout=0.001)
    with pytest.raises(GatewayError) as ei:
        await g.inspect(ctx_for(b))
    assert ei.value.status == 503 and ei.value.code == "privacy_scan_timeout"
    g2 = stage(scanner, scan_timeout=0.001, on_scan_failure="local")
    ctx = ctx_for({"messages": [{"role": "user", "content": long_text + "!"}]})
    await g2.inspect(ctx)
    assert ctx.require_on_prem and ctx.response_headers["x-perimeter-entities"] == "unscanned"
    with pytest.raises(GatewayError):
        g2.prepare(ctx, "cloud")


async def test_missing_scanner_fails_closed() -> None:
    g = PrivacyStage(PrivacyPolicyConfig(secret=SECRET), {}, None, scanner_error="ImportError: natasha")
    with pytest.raises(GatewayError) as ei:
        await g.inspect(ctx_for(body()))
    assert ei.value.status == 503 and ei.value.code == "privacy_scan_failed"


async def test_unscannable_parts_fail_closed_unless_allowed(scanner: Scanner) -> None:
    b = body()
    b["messages"][1]["content"].append({"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}})
    with pytest.raises(GatewayError) as ei:
        await stage(scanner).inspect(ctx_for(b))
    assert ei.value.status == 400 and ei.value.code == "unscannable_content" and "image_url" in ei.value.message
    g = stage(scanner, unscannable="allow")
    ctx = ctx_for(b)
    await g.inspect(ctx)
    sent, _ = g.prepare(ctx, "cloud")
    assert sent["messages"][1]["content"][1] == b["messages"][1]["content"][1]
    assert "Петрову" not in orjson.dumps(sent).decode()
    with pytest.raises(GatewayError):
        await stage(scanner).inspect(ctx_for({"input": [[1, 2, 3]]}, endpoint="embeddings"))


async def test_embeddings_and_completions_inputs_are_pseudonymized(scanner: Scanner) -> None:
    g = stage(scanner)
    ctx = ctx_for({"input": ["ИНН 7707083893", "ok"]}, endpoint="embeddings")
    await g.inspect(ctx)
    sent, restorer = g.prepare(ctx, "cloud")
    assert "7707083893" not in sent["input"][0] and restorer is None and sent["input"][1] == "ok"
    ctx = ctx_for({"prompt": "Письмо для John Smith:"}, endpoint="completions")
    await g.inspect(ctx)
    sent, restorer = g.prepare(ctx, "cloud")
    assert "John Smith" not in sent["prompt"] and restorer is not None
    done = restorer.restore_response({"choices": [{"index": 0, "text": sent["prompt"], "finish_reason": "stop"}]})
    assert done["choices"][0]["text"] == "Письмо для John Smith:"


async def test_replicas_agree_tenants_differ_and_turns_are_consistent(scanner: Scanner) -> None:
    async def send(g: PrivacyStage, b: dict[str, Any], team: str) -> dict[str, Any]:
        ctx = ctx_for(copy.deepcopy(b), team=team)
        await g.inspect(ctx)
        sent, _ = g.prepare(ctx, "cloud")
        return sent

    a1 = await send(stage(scanner), body(), "a")
    a2 = await send(stage(scanner), body(), "a")  # another replica, same secret
    b1 = await send(stage(scanner), body(), "b")
    assert a1 == a2 and a1 != b1
    # Turn 2 resends the history plus a new message: the old surrogates do not change.
    turn2 = body()
    turn2["messages"].append({"role": "user", "content": "А теперь напиши Петрову и Сидорову Олегу."})
    t2 = await send(stage(scanner), turn2, "a")
    assert t2["messages"][:4] == a1["messages"][:4]
    surname = a1["messages"][1]["content"][0]["text"].split()[2]  # "<Имя> <Фамилия>у" in the dative
    assert surname in t2["messages"][4]["content"]
    assert "Петрову" not in t2["messages"][4]["content"] and "Сидорову" not in t2["messages"][4]["content"]


async def test_prepare_for_cloud_without_inspect_refuses(scanner: Scanner) -> None:
    g = stage(scanner)
    with pytest.raises(GatewayError) as ei:
        g.prepare(ctx_for(body()), "cloud")
    assert ei.value.code == "privacy_not_inspected"
    off = stage(scanner, enabled=False)
    ctx = ctx_for(body())
    await off.inspect(ctx)
    assert off.prepare(ctx, "cloud") == (ctx.body, None) and ctx.privacy_action == "off"
