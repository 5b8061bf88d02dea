from __future__ import annotations

from typing import Any

import pytest

from perimeter.errors import ProviderError
from perimeter.routing.cascade import CascadePlan, is_refusal, mean_logprob, run_cascade
from perimeter.stages import RouteTarget


def completion(text: str, logprobs: list[float] | None = None, refusal: str | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
    if refusal is not None:
        choice["message"]["refusal"] = refusal
    if logprobs is not None:
        choice["logprobs"] = {"content": [{"token": "t", "logprob": lp, "bytes": None, "top_logprobs": []}
                                          for lp in logprobs]}
    return {"object": "chat.completion", "choices": [choice]}


def test_mean_logprob() -> None:
    assert mean_logprob(completion("x", [-0.1, -0.3])) == pytest.approx(-0.2)
    assert mean_logprob(completion("x")) is None
    assert mean_logprob({"choices": []}) is None


@pytest.mark.parametrize("text", [
    "I'm sorry, but I can't help with that.", "I cannot assist with this request.", "As an AI, I am unable to do that.",
    "Извините, я не могу помочь с этим.", "К сожалению, у меня нет информации об этом.", "Я не знаю.", "",
])
def test_refusals_are_detected(text: str) -> None:
    assert is_refusal(completion(text))


@pytest.mark.parametrize("text", [
    "The capital of France is Paris.", "Столица Франции — Париж.", "Sorry for the wait! Here is the list: 1, 2, 3.",
    "I can help: here's the code.",
])
def test_answers_are_not_refusals(text: str) -> None:
    assert not is_refusal(completion(text))


def test_openai_refusal_field_is_a_refusal() -> None:
    assert is_refusal(completion("", refusal="I can't comply."))


class Legs:
    def __init__(self, local: dict[str, Any] | Exception) -> None:
        self.local = local
        self.local_bodies: list[dict[str, Any]] = []
        self.cloud_bodies: list[dict[str, Any]] = []

    async def call_local(self, body: dict[str, Any]) -> dict[str, Any]:
        self.local_bodies.append(body)
        if isinstance(self.local, Exception):
            raise self.local
        return self.local

    async def call_cloud(self, body: dict[str, Any]) -> dict[str, Any]:
        self.cloud_bodies.append(body)
        return completion("cloud answer")


PLAN = CascadePlan(local=[RouteTarget(["vllm"])], cloud=[RouteTarget(["openai"])], min_confidence=-0.5)
BODY = {"model": "chat", "messages": [{"role": "user", "content": "q"}]}


async def test_confident_local_answer_is_kept_without_logprobs_leaking() -> None:
    legs = Legs(completion("local answer", [-0.05, -0.2]))
    res = await run_cascade(PLAN, BODY, legs.call_local, legs.call_cloud)
    assert not res.escalated and res.reason == "cascade:kept" and res.confidence == pytest.approx(-0.125)
    assert legs.local_bodies[0]["logprobs"] is True and "logprobs" not in BODY
    assert "logprobs" not in res.response["choices"][0] and not legs.cloud_bodies


async def test_low_confidence_escalates_with_the_original_body() -> None:
    legs = Legs(completion("unsure", [-2.0, -1.5]))
    res = await run_cascade(PLAN, BODY, legs.call_local, legs.call_cloud)
    assert res.escalated and res.reason == "cascade:low_confidence"
    assert res.response["choices"][0]["message"]["content"] == "cloud answer"
    assert legs.cloud_bodies == [BODY]


async def test_refusal_and_error_escalate() -> None:
    legs = Legs(completion("Извините, я не могу ответить на этот вопрос."))
    assert (await run_cascade(PLAN, BODY, legs.call_local, legs.call_cloud)).reason == "cascade:refusal"
    legs = Legs(ProviderError("boom", status=500))
    assert (await run_cascade(PLAN, BODY, legs.call_local, legs.call_cloud)).reason == "cascade:error"


async def test_signals_not_configured_do_not_escalate() -> None:
    plan = CascadePlan(local=PLAN.local, cloud=PLAN.cloud, min_confidence=-0.5, escalate_on=("refusal",))
    legs = Legs(completion("unsure", [-3.0]))
    res = await run_cascade(plan, BODY, legs.call_local, legs.call_cloud)
    assert not res.escalated and "logprobs" not in legs.local_bodies[0]
    legs = Legs(ProviderError("boom"))
    with pytest.raises(ProviderError):
        await run_cascade(plan, BODY, legs.call_local, legs.call_cloud)
