from __future__ import annotations

from typing import Any

import pytest

from perimeter.config import ConfigError
from perimeter.context import RequestContext
from perimeter.errors import GatewayError
from perimeter.routing import metrics
from perimeter.routing.router import HybridRouter
from perimeter.routing.stickiness import ConversationKeys, MemoryStickyStore, Stickiness
from tests.routing.conftest import make_config, make_ctx


def providers(decision: Any) -> list[list[str]]:
    return [list(t.providers) for t in decision.targets]


def router(models: dict[str, Any], down: set[str] | None = None, **kw: Any) -> HybridRouter:
    down = down or set()
    return HybridRouter(make_config(models), lambda p: p not in down, **kw)


async def test_no_routing_section_keeps_config_order() -> None:
    r = router({"chat": ["openai", "vllm"]})
    ctx = make_ctx("hello")
    d = await r.decide(ctx)
    assert providers(d) == [["openai"], ["vllm"]]
    assert d.reason == "primary" and ctx.route_reason == "primary"
    assert ctx.response_headers["x-perimeter-reason"] == "primary"


async def test_unknown_alias_is_404() -> None:
    r = router({"chat": ["vllm"]})
    with pytest.raises(GatewayError) as e:
        await r.decide(make_ctx(alias="nope"))
    assert e.value.status == 404


async def test_sensitive_goes_only_on_prem_and_names_the_types() -> None:
    r = router({"chat": ["openai", {"provider": ["openai", "vllm"], "model": "m"}, "ollama"]})
    ctx = make_ctx("passport 4510 123456", entities={"RU_PASSPORT": 1, "PERSON": 2})
    d = await r.decide(ctx)
    assert providers(d) == [["vllm"], ["ollama"]]
    assert d.targets[0].model == "m"
    assert d.reason == "sensitive:PERSON+RU_PASSPORT"


async def test_sensitive_with_no_healthy_on_prem_fails_closed() -> None:
    r = router({"chat": ["vllm", "openai"]}, down={"vllm"})
    with pytest.raises(GatewayError) as e:
        await r.decide(make_ctx(entities={"RU_PASSPORT": 1}))
    assert e.value.status == 503 and e.value.code == "no_on_prem_provider"
    assert "vllm" in e.value.message and "not sent to any cloud" in e.value.message


async def test_sensitive_alias_without_on_prem_provider_fails_closed() -> None:
    r = router({"chat": ["openai"]})
    with pytest.raises(GatewayError) as e:
        await r.decide(make_ctx(entities={"EMAIL": 1}))
    assert e.value.code == "no_on_prem_provider" and "no on-prem provider" in e.value.message


async def test_unhealthy_targets_move_to_the_end() -> None:
    r = router({"chat": ["vllm", "ollama", "openai"]}, down={"vllm"})
    d = await r.decide(make_ctx())
    assert providers(d) == [["ollama"], ["openai"], ["vllm"]]


async def test_sticky_by_history_prefix_across_turns() -> None:
    r = router({"chat": ["openai", "vllm"]})
    turn1 = [{"role": "user", "content": "my passport is 4510 123456"}]
    d1 = await r.decide(make_ctx(messages=turn1, entities={"RU_PASSPORT": 1}))
    assert providers(d1) == [["vllm"]]
    # Turn 2 repeats the history: even if the scanner saw nothing new, it stays on-prem.
    turn2 = [*turn1, {"role": "assistant", "content": "noted"}, {"role": "user", "content": "thanks, and the weather?"}]
    ctx2 = make_ctx(messages=turn2)
    d2 = await r.decide(ctx2)
    assert providers(d2) == [["vllm"]] and d2.reason == "sticky:conversation"
    assert ctx2.require_on_prem is True
    # Turn 3 builds on turn 2 (which was marked in turn): still on-prem.
    turn3 = [*turn2, {"role": "assistant", "content": "sunny"}, {"role": "user", "content": "bye"}]
    assert (await r.decide(make_ctx(messages=turn3))).reason == "sticky:conversation"
    # Another conversation, and the same text from another key, are not affected.
    assert (await r.decide(make_ctx(messages=[{"role": "user", "content": "thanks, and the weather?"}]))).reason == "primary"
    assert (await r.decide(make_ctx(messages=turn2, key_id="other"))).reason == "primary"


async def test_sticky_by_explicit_header_and_user_field() -> None:
    r = router({"chat": ["openai", "vllm"]})
    await r.decide(make_ctx("secret", headers={"x-perimeter-conversation": "c-1"}, entities={"SECRET": 1}))
    d = await r.decide(make_ctx("clean follow-up only", headers={"x-perimeter-conversation": "c-1"}))
    assert d.reason == "sticky:conversation" and providers(d) == [["vllm"]]
    assert (await r.decide(make_ctx("clean", headers={"x-perimeter-conversation": "c-2"}))).reason == "primary"
    await r.decide(make_ctx("inn 7707083893", user="alice", entities={"RU_INN": 1}))
    assert (await r.decide(make_ctx("unrelated", user="alice"))).reason == "sticky:conversation"
    assert (await r.decide(make_ctx("unrelated", user="bob"))).reason == "primary"


async def test_sticky_can_be_disabled_and_store_holds_no_text() -> None:
    store = MemoryStickyStore()
    r = router({"chat": {"targets": ["openai", "vllm"], "routing": {"sticky": False}}},
               stickiness=Stickiness(store, ConversationKeys(b"k" * 32)))
    await r.decide(make_ctx("my passport 4510 123456", entities={"RU_PASSPORT": 1}))
    assert (await r.decide(make_ctx("my passport 4510 123456"))).reason == "primary"
    r2 = router({"chat": ["openai", "vllm"]}, stickiness=Stickiness(store, ConversationKeys(b"k" * 32)))
    await r2.decide(make_ctx("my passport 4510 123456", entities={"RU_PASSPORT": 1}))
    assert store._data and all(isinstance(k, bytes) and len(k) == 16 for k in store._data)
    assert all(b"4510" not in k for k in store._data)


async def test_client_hints_are_subordinate_to_privacy() -> None:
    r = router({"chat": {"targets": ["vllm", "openai"], "routing": {}}})
    d = await r.decide(make_ctx(headers={"x-perimeter-prefer": "cloud"}))
    assert providers(d) == [["openai"], ["vllm"]] and d.reason == "hint:cloud"
    d = await r.decide(make_ctx("x", headers={"x-perimeter-prefer": "cloud"}, entities={"PHONE": 1}))
    assert providers(d) == [["vllm"]] and d.reason == "sensitive:PHONE"
    r_off = router({"chat": {"targets": ["vllm", "openai"], "routing": {"client_hints": False}}})
    assert (await r_off.decide(make_ctx(headers={"x-perimeter-prefer": "cloud"}))).reason == "primary"


async def test_budget_spent_routes_on_prem_or_refuses() -> None:
    async def budget_left(ctx: RequestContext) -> bool:
        return ctx.principal is not None and ctx.principal.key_id == "rich"

    r = router({"chat": {"targets": ["openai", "vllm"], "routing": {}}}, cloud_budget_left=budget_left)
    d = await r.decide(make_ctx(headers={"x-perimeter-prefer": "cloud"}))
    assert providers(d) == [["vllm"]] and d.reason == "budget:local"
    assert (await r.decide(make_ctx(key_id="rich"))).reason == "primary"
    refuse = router({"chat": {"targets": ["openai", "vllm"], "routing": {"budget": {"on_exhausted": "refuse"}}}},
                    cloud_budget_left=lambda ctx: False)
    with pytest.raises(GatewayError) as e:
        await refuse.decide(make_ctx())
    assert e.value.status == 402 and e.value.code == "budget_exceeded"


async def test_difficulty_fixed_threshold_splits_easy_and_hard() -> None:
    r = router({"chat": {"targets": ["vllm", "openai"], "routing": {"difficulty": {"threshold": 0.5}}}})
    easy = await r.decide(make_ctx("Привет! Как дела?"))
    hard = await r.decide(make_ctx(
        "Design a distributed, fault-tolerant job scheduler with exactly-once semantics; prove that no job "
        "runs twice under network partitions and analyse the trade-offs."))
    assert providers(easy)[0] == ["vllm"] and easy.reason.startswith("difficulty:") and "<=0.50" in easy.reason
    assert providers(hard) == [["openai"], ["vllm"]] and ">0.50" in hard.reason


async def test_explicit_tiers_accept_aliases_and_reject_unknown_names() -> None:
    models = {
        "small": ["ollama"],
        "chat": {"targets": ["vllm", "openai"],
                 "routing": {"tiers": {"local": ["small"], "cloud": ["claude"]}, "difficulty": {"threshold": 0.5}}},
    }
    r = router(models)
    d = await r.decide(make_ctx("hi"))
    assert providers(d) == [["ollama"], ["claude"]]
    with pytest.raises(ConfigError, match=r"tiers.local\[0\]: unknown provider or alias 'smal'"):
        router({"chat": {"targets": ["vllm"], "routing": {"tiers": {"local": ["smal"]}}}})


async def test_cascade_plan_and_streaming() -> None:
    models = {"chat": {"targets": ["vllm", "openai"], "routing": {"cascade": {"min_confidence": -0.4}}}}
    r = router(models)
    d = await r.decide(make_ctx("what is a monad?"))
    assert d.cascade is not None and d.reason == "cascade"
    assert [list(t.providers) for t in d.cascade.local] == [["vllm"]]
    assert [list(t.providers) for t in d.cascade.cloud] == [["openai"]]
    assert d.cascade.min_confidence == -0.4
    assert (await r.decide(make_ctx("x", stream=True))).cascade is None
    buffered = router({"chat": {"targets": ["vllm", "openai"], "routing": {"cascade": {"stream": "buffer"}}}})
    assert (await buffered.decide(make_ctx("x", stream=True))).cascade is not None
    # Sensitive requests never cascade to the cloud.
    assert (await r.decide(make_ctx("x", entities={"EMAIL": 1}))).cascade is None


def test_difficulty_config_needs_exactly_one_mode() -> None:
    with pytest.raises(ConfigError, match="exactly one of 'cloud_share'"):
        make_config({"chat": {"targets": ["vllm"], "routing": {"difficulty": {}}}})
    with pytest.raises(ConfigError, match="exactly one"):
        make_config({"chat": {"targets": ["vllm"], "routing": {"difficulty": {"threshold": 0.5, "cloud_share": 0.3}}}})


async def test_metrics_count_decisions_by_alias_target_reason() -> None:
    r = router({"metrics-alias": ["vllm", "openai"]})
    before = metrics.ROUTE_DECISIONS[("metrics-alias", "local", "sensitive")]
    await r.decide(make_ctx("x", alias="metrics-alias", entities={"RU_SNILS": 1}))
    await r.decide(make_ctx("y", alias="metrics-alias", entities={"RU_SNILS": 1}, key_id="z"))
    assert metrics.ROUTE_DECISIONS[("metrics-alias", "local", "sensitive")] == before + 2
    lines = metrics.prometheus_lines()
    assert any(line.startswith('perimeter_route_decisions_total{alias="metrics-alias",target="local",reason="sensitive"}')
               and line.endswith(f" {before + 2}") for line in lines)
    assert "# TYPE perimeter_route_decisions_total counter" in lines
