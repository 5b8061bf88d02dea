"""Pseudonymise and restore with a real model behind a ``cloud``-located alias.

The alias points at the real SmolLM2 server through a recording pass-through, so each test sees
what the "cloud" received and what the model wrote before Perimeter restored it.  Greedy decoding
and a fixed privacy secret make the surrogates and the answers repeatable.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes.gateway import RunningGateway, minimal_config, running_gateway
from tests.interop.recording_proxy import RecordingProxy
from tests.interop.servers import MODEL_ALIAS, LlamaServer
from tests.interop.test_llama_server import sse, stream_text

SECRET = "interop-test-secret-0123456789"
PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def national(number: str) -> str:
    """The last ten digits: what stays the same across ``+1 415 …``, ``(415) …`` and ``415-…``."""
    return re.sub(r"\D", "", number)[-10:]


def phones(text: str) -> list[str]:
    return [national(m) for m in PHONE_LIKE.findall(text)]


@pytest.fixture
async def cloud(llama: LlamaServer) -> AsyncIterator[tuple[RunningGateway, RecordingProxy]]:
    async with RecordingProxy(llama.url) as proxy:
        prov = {"name": "smol-cloud", "type": "openai_compat", "location": "cloud", "base_url": proxy.base_url,
                "model": MODEL_ALIAS}
        cfg = minimal_config([prov], {"cloud": {"targets": ["smol-cloud"]}}, privacy={"secret": SECRET})
        async with running_gateway(cfg) as gw:
            yield gw, proxy


def ask(prompt: str) -> dict[str, Any]:
    return {"model": "cloud", "messages": [{"role": "user", "content": prompt}], "temperature": 0, "max_tokens": 48}


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize(("prompt", "originals"), [
    ("Repeat this text word for word: Call me at +1 415 555 0132.", ["+1 415 555 0132"]),
    ("What is the phone number? My phone number is 415-555-0132.", ["415-555-0132"]),
    ("Write the name John Smith in capital letters.", ["John Smith"]),
])
async def test_the_cloud_sees_surrogates_and_the_client_the_originals(
    cloud: tuple[RunningGateway, RecordingProxy], prompt: str, originals: list[str], stream: bool,
) -> None:
    gw, proxy = cloud
    async with httpx.AsyncClient(timeout=120) as c:
        if stream:  # surrogates arrive split across the real tokenizer's pieces
            status, data = await sse(c, gw.base_url + "/chat/completions", ask(prompt))
            assert status == 200 and data[-1] == "[DONE]"
            answer = stream_text(data)
        else:
            r = await c.post(gw.base_url + "/chat/completions", json=ask(prompt))
            assert r.status_code == 200, r.text
            answer = r.json()["choices"][0]["message"]["content"]
    sent = proxy.exchanges[-1].body["messages"][-1]["content"]
    raw = proxy.exchanges[-1].answer_text()
    for original in originals:
        assert original not in sent and original not in str(proxy.exchanges[-1].body)
    surrogate_phones = set(phones(sent)) - set(phones(prompt))
    surrogate_names = set(re.findall(r"[A-Z][a-z]+", sent)) - set(re.findall(r"[A-Z][a-z]+", prompt))
    # The precondition, so the test cannot pass vacuously: the model repeated a surrogate.
    echoed = [p for p in surrogate_phones if p in phones(raw)] + [w for w in surrogate_names if w in raw]
    assert echoed, f"the model repeated no surrogate of {sent!r}: {raw!r}"
    # The client gets the original back, and no part of a surrogate survives.
    for original in originals:
        assert original in answer, (raw, answer)
    assert not surrogate_phones & set(phones(answer)), (sent, answer)
    assert not any(w in answer for w in surrogate_names), (sent, answer)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
async def test_a_surrogate_the_model_reformats_is_still_restored(
    cloud: tuple[RunningGateway, RecordingProxy], stream: bool,
) -> None:
    """SmolLM2 rewrites the surrogate of ``(212) 555-0100`` as ``NNN-NNN-NNNN``: the contract of
    restore is that the client sees the original number in some form, never the surrogate —
    streamed too, where the number arrives split over the tokenizer's pieces."""
    gw, proxy = cloud
    prompt = "My number is +1 415 555 0132. What is my area code and number? Answer like (212) 555-0100."
    async with httpx.AsyncClient(timeout=120) as c:
        if stream:
            status, data = await sse(c, gw.base_url + "/chat/completions", ask(prompt))
            assert status == 200 and data[-1] == "[DONE]"
            answer = stream_text(data)
        else:
            r = await c.post(gw.base_url + "/chat/completions", json=ask(prompt))
            answer = r.json()["choices"][0]["message"]["content"]
    sent = proxy.exchanges[-1].body["messages"][-1]["content"]
    raw = proxy.exchanges[-1].answer_text()
    pairs = dict(zip(phones(sent), phones(prompt), strict=True))  # surrogate -> original, in order
    reformatted = [s for s in phones(raw) if s in pairs]
    # The precondition, checked so the test cannot pass vacuously: a surrogate came back in a
    # layout it was not sent in.
    if not reformatted:
        pytest.fail(f"precondition: the model echoed no surrogate of {sent!r}: {raw!r}")
    if any(m in sent for m in PHONE_LIKE.findall(raw) if national(m) in reformatted):
        pytest.fail(f"precondition: the model repeated the surrogate as sent, not re-formatted: {raw!r}")
    for surrogate in reformatted:
        assert surrogate not in phones(answer), f"surrogate leaked to the client: {answer!r}"
        assert pairs[surrogate] in phones(answer), f"original not restored: {answer!r}"
