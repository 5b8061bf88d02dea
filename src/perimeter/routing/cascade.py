"""Cascade (FrugalGPT-style): answer with the local model, escalate to the cloud when unsure.

The router only *plans* a cascade (:class:`perimeter.stages.CascadePlan` on
``RouteDecision.cascade``); the pipeline executes it with :func:`run_cascade`, passing two async
callables that send a body to the local chain and to the cloud chain.  Keeping the calls out of here means the cascade uses
the pipeline's own fallback, privacy preparation and accounting for each leg.

Escalation signals: the local call failed, the answer is a refusal (RU/EN patterns), or its
confidence — the mean token log-probability, when the provider returns logprobs — is below
``min_confidence``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from perimeter.errors import ProviderError
from perimeter.routing import metrics
from perimeter.stages import CascadePlan

REFUSAL = re.compile(
    r"^\s*(?:"
    r"i(?:'m| am) (?:sorry|afraid)|sorry,? (?:but )?i|i can(?:no|')t (?:help|assist|answer|do|provide|comply)"
    r"|i(?:'m| am) (?:not able|unable) to|i do(?:n't| not) (?:know|have (?:enough )?information)"
    r"|as an ai(?: language model)?,? i (?:can(?:no|')t|am unable)"
    r"|извините|к сожалению|простите|я не могу|не могу (?:помочь|ответить|выполнить)|я не знаю"
    r"|у меня нет (?:информации|данных|доступа)|как (?:языковая модель|ии),? я не"
    r")",
    re.IGNORECASE,
)


# What the local leg adds to a body to measure confidence (see :func:`local_body`).
LOGPROBS_REQUEST: dict[str, Any] = {"logprobs": True, "top_logprobs": 1}


@dataclass(slots=True)
class CascadeResult:
    response: dict[str, Any]
    escalated: bool
    # "cascade:kept" | "cascade:low_confidence" | "cascade:refusal" | "cascade:error"
    reason: str
    confidence: float | None = None


def mean_logprob(response: dict[str, Any]) -> float | None:
    """Mean token log-probability of ``choices[0]`` (``None`` when the provider gave none)."""
    try:
        content = response["choices"][0]["logprobs"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(content, list):
        return None
    values = [t["logprob"] for t in content if isinstance(t, dict) and isinstance(t.get("logprob"), int | float)]
    if not values:
        return None
    return float(sum(values) / len(values))


def answer_text(response: dict[str, Any]) -> str:
    try:
        msg = response["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        return ""
    if not isinstance(msg, dict):
        return ""
    if isinstance(msg.get("refusal"), str) and msg["refusal"]:
        return str(msg["refusal"])
    content = msg.get("content")
    return content if isinstance(content, str) else ""


def is_refusal(response: dict[str, Any]) -> bool:
    """A refusal: OpenAI's ``message.refusal`` field, or an answer that opens with one."""
    try:
        msg = response["choices"][0]["message"]
        if isinstance(msg, dict) and msg.get("refusal"):
            return True
    except (KeyError, IndexError, TypeError):
        return False
    text = answer_text(response)
    has_tools = bool(isinstance(msg, dict) and msg.get("tool_calls"))
    if not text.strip():
        return not has_tools  # an empty answer is as useless as a refusal
    return bool(REFUSAL.match(text[:200]))


def local_body(plan: CascadePlan, body: dict[str, Any]) -> dict[str, Any]:
    """The body for the local leg: asks for logprobs so confidence can be measured.

    ``top_logprobs: 1`` too: llama-cpp-python's server answers ``logprobs: true`` alone with
    ``logprobs: null`` (it reads the count from ``top_logprobs``), which left no signal.
    """
    if plan.request_logprobs and "low_confidence" in plan.escalate_on and not body.get("logprobs"):
        return {**body, **LOGPROBS_REQUEST}
    return body


def _strip_logprobs(response: dict[str, Any]) -> dict[str, Any]:
    choices = response.get("choices")
    if isinstance(choices, list):
        response = {**response, "choices": [
            {k: v for k, v in c.items() if k != "logprobs"} if isinstance(c, dict) else c for c in choices
        ]}
    return response


Call = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


async def run_cascade(plan: CascadePlan, body: dict[str, Any], call_local: Call, call_cloud: Call, *,
                      alias: str | None = None) -> CascadeResult:
    """Run the local leg; escalate to ``call_cloud(body)`` when a configured signal fires.

    ``call_local`` gets the body with ``logprobs`` requested (see :func:`local_body`); if the
    client did not ask for logprobs they are removed from the answer it gets back.  Errors of
    the cloud leg propagate (the pipeline reports them as usual).  With ``alias`` the outcome
    is counted in the routing metrics.
    """
    result = await _cascade(plan, body, call_local, call_cloud)
    if alias is not None:
        metrics.record_cascade(alias, result.reason.split(":", 1)[1])
    return result


async def _cascade(plan: CascadePlan, body: dict[str, Any], call_local: Call, call_cloud: Call) -> CascadeResult:
    client_wants_logprobs = bool(body.get("logprobs"))
    try:
        resp = await call_local(local_body(plan, body))
    except ProviderError:
        if "error" not in plan.escalate_on:
            raise
        return CascadeResult(await call_cloud(body), True, "cascade:error")
    if "refusal" in plan.escalate_on and is_refusal(resp):
        return CascadeResult(await call_cloud(body), True, "cascade:refusal")
    conf = mean_logprob(resp)
    if "low_confidence" in plan.escalate_on and conf is not None and conf < plan.min_confidence:
        return CascadeResult(await call_cloud(body), True, "cascade:low_confidence", conf)
    if not client_wants_logprobs:
        resp = _strip_logprobs(resp)
    return CascadeResult(resp, False, "cascade:kept", conf)
