"""The client frameworks people put in front of a gateway, against the real ``perimeter serve``.

LangChain's ``ChatOpenAI``, the LiteLLM SDK used as a client (``api_base`` = Perimeter) and
LlamaIndex's ``OpenAILike`` — each plain, streaming and with PII restored; LangChain also with
tool calling.  Behind the gateway is the real SmolLM2 server; greedy decoding lets each answer be
compared with the same request sent straight to the server.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import litellm
import pytest
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai_like import OpenAILike

from tests.interop.servers import MODEL_ALIAS, GatewayServer, LlamaServer

# LiteLLM's pydantic models trip a pydantic UserWarning about ReadOnly TypedDict items: not ours.
pytestmark = pytest.mark.filterwarnings("ignore:Items? .* the `ReadOnly` qualifier:UserWarning")

QUESTION = "What is the capital of France?"
PII_PROMPT = "Repeat this text word for word: Call me at +1 415 555 0132."
PII = "+1 415 555 0132"
MAX_TOKENS = 24


@pytest.fixture(scope="module")
def want(llama: LlamaServer) -> str:
    """The server's own greedy answer to QUESTION."""
    r = httpx.post(llama.base_url + "/chat/completions", timeout=120, headers={"x-request-id": str(uuid.uuid4())},
                   json={"model": MODEL_ALIAS, "messages": [{"role": "user", "content": QUESTION}],
                         "temperature": 0, "max_tokens": MAX_TOKENS})
    text = r.json()["choices"][0]["message"]["content"]
    assert text
    return str(text)


def no_surrogate(answer: str) -> None:
    """The restored answer holds the original, and no phone number that is not it."""
    assert PII in answer, answer
    digits = "".join(ch for ch in answer if ch.isdigit())
    assert digits.count("14155550132") == answer.count(PII)


# ------------------------------------------------------------------------------- LangChain
def chat_openai(gateway: GatewayServer, model: str = "smol", max_tokens: int = MAX_TOKENS) -> ChatOpenAI:
    # ChatOpenAI sends the limit as max_completion_tokens only (what llama-cpp-python's server ignored).
    return ChatOpenAI(base_url=gateway.base_url, api_key="unused", model=model,  # type: ignore[arg-type]
                      temperature=0, max_tokens=max_tokens, max_retries=0, timeout=120)


def test_langchain_invoke_and_stream(gateway: GatewayServer, want: str) -> None:
    llm = chat_openai(gateway)
    msg = llm.invoke(QUESTION)
    assert msg.content == want
    assert msg.response_metadata["model_name"] == MODEL_ALIAS
    assert msg.usage_metadata is not None and msg.usage_metadata["output_tokens"] > 0
    chunks = list(llm.stream(QUESTION))
    assert len(chunks) > 3 and "".join(str(c.content) for c in chunks) == want


def test_langchain_restores_pii_from_a_cloud_alias(gateway: GatewayServer) -> None:
    no_surrogate(str(chat_openai(gateway, "smol-cloud", max_tokens=48).invoke(PII_PROMPT).content))
    streamed = "".join(str(c.content) for c in chat_openai(gateway, "smol-cloud", max_tokens=48).stream(PII_PROMPT))
    no_surrogate(streamed)


@tool
def get_weather(city: str, unit: str) -> str:
    """Current weather in a city; unit is celsius or fahrenheit."""
    return f"sunny in {city}"


def test_langchain_tool_calling_plain_and_streamed(gateway: GatewayServer) -> None:
    """A forced tool choice: the server constrains the model with a grammar from the JSON schema."""
    llm = chat_openai(gateway, max_tokens=64).bind_tools([get_weather], tool_choice="get_weather")
    msg = llm.invoke("What is the weather in Paris in celsius?")
    assert len(msg.tool_calls) == 1
    call = msg.tool_calls[0]
    assert call["name"] == "get_weather" and set(call["args"]) == {"city", "unit"}
    assert all(isinstance(v, str) for v in call["args"].values())
    assert get_weather.invoke(call["args"]).startswith("sunny in ")  # the arguments really fit the tool
    total: AIMessageChunk | None = None
    for chunk in llm.stream("What is the weather in Paris in celsius?"):
        assert isinstance(chunk, AIMessageChunk)
        total = chunk if total is None else total + chunk
    assert total is not None and len(total.tool_calls) == 1
    assert total.tool_calls[0]["name"] == "get_weather" and total.tool_calls[0]["args"] == call["args"]


# ------------------------------------------------------------------------------- LiteLLM
def litellm_call(gateway: GatewayServer, model: str = "smol", prompt: str = QUESTION, **extra: Any) -> Any:
    return litellm.completion(model=f"openai/{model}", api_base=gateway.base_url, api_key="unused",
                              messages=[{"role": "user", "content": prompt}], temperature=0,
                              max_tokens=extra.pop("max_tokens", MAX_TOKENS), num_retries=0, timeout=120, **extra)


def test_litellm_sdk_as_a_client(gateway: GatewayServer, want: str) -> None:
    resp = litellm_call(gateway)
    assert resp.choices[0].message.content == want and resp.usage.completion_tokens > 0
    pieces = [c.choices[0].delta.content or "" for c in litellm_call(gateway, stream=True) if c.choices]
    assert len(pieces) > 3 and "".join(pieces) == want


def test_litellm_restores_pii_from_a_cloud_alias(gateway: GatewayServer) -> None:
    no_surrogate(litellm_call(gateway, "smol-cloud", PII_PROMPT, max_tokens=48).choices[0].message.content)
    stream = litellm_call(gateway, "smol-cloud", PII_PROMPT, max_tokens=48, stream=True)
    no_surrogate("".join(c.choices[0].delta.content or "" for c in stream if c.choices))


# ------------------------------------------------------------------------------- LlamaIndex
def openai_like(gateway: GatewayServer, model: str = "smol", max_tokens: int = MAX_TOKENS) -> OpenAILike:
    return OpenAILike(model=model, api_base=gateway.base_url, api_key="unused", is_chat_model=True,
                      context_window=2048, temperature=0, max_tokens=max_tokens, max_retries=0, timeout=120)


def test_llamaindex_openai_like(gateway: GatewayServer, want: str) -> None:
    llm = openai_like(gateway)
    assert llm.chat([ChatMessage(role="user", content=QUESTION)]).message.content == want
    assert llm.complete(QUESTION).text == want
    deltas = [r.delta or "" for r in llm.stream_chat([ChatMessage(role="user", content=QUESTION)])]
    assert len(deltas) > 3 and "".join(deltas) == want


def test_llamaindex_restores_pii_from_a_cloud_alias(gateway: GatewayServer) -> None:
    llm = openai_like(gateway, "smol-cloud", max_tokens=48)
    no_surrogate(str(llm.chat([ChatMessage(role="user", content=PII_PROMPT)]).message.content))
    no_surrogate("".join(r.delta or "" for r in llm.stream_complete(PII_PROMPT)))


def test_the_gateway_ledger_saw_every_client(gateway: GatewayServer) -> None:
    """Each framework's calls were real requests through the gateway, accounted like any other."""
    r = httpx.get(gateway.url + "/metrics", timeout=10)
    assert r.status_code == 200
    served = sum(float(line.rsplit(" ", 1)[1]) for line in r.text.splitlines()
                 if line.startswith("perimeter_requests_total{") and 'status="200"' in line)
    assert served >= 10, json.dumps(r.text[:500])


def test_the_network_guard_is_armed() -> None:
    """conftest's audit hook: what lets the tests above prove the clients needed no network."""
    import socket

    with pytest.raises(OSError, match="network access"):
        socket.getaddrinfo("pypi.org", 443)
    with pytest.raises(OSError, match="network access"):
        socket.create_connection(("192.0.2.1", 9), timeout=0.1)
