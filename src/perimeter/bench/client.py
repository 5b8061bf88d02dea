"""One benchmark request: send a chat completion, stream it back, time every token.

Timing follows vLLM's ``benchmark_serving`` and GuideLLM: the clock starts just before the
request is written; TTFT ends at the first chunk that carries output (content, reasoning or a
tool call); each later output chunk adds one inter-token latency (ITL); end-to-end latency ends
when the stream closes.  Output tokens come from the server's ``usage`` (we always ask for it
with ``stream_options.include_usage``); a server that does not report usage gets one token per
output chunk, which is exact for vLLM, llama.cpp and Ollama (they send one token per chunk).

Every failure becomes a :class:`Sample` with ``error`` set instead of an exception, so a run
survives a flaky server and reports its error rate honestly.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp
import orjson

# Failures that mean "this endpoint cannot be benchmarked as configured" rather than "this
# request failed under load": the runner stops early when they happen before any success.
FATAL_KINDS = frozenset({"connect", "auth", "not_found", "not_sse", "bad_request"})


@dataclass(slots=True)
class Sample:
    """What one request did.  Times are seconds relative to the start of the run."""

    index: int
    scheduled: float
    start: float = 0.0
    end: float = 0.0
    ttft: float | None = None
    itl: list[float] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    output_chunks: int = 0
    usage_reported: bool = False
    status: int | None = None
    error: str | None = None
    error_message: str | None = None
    phase: str = "measure"

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def latency(self) -> float:
        return self.end - self.start

    @property
    def tpot(self) -> float | None:
        """Time per output token after the first (vLLM's definition)."""
        if self.ttft is None or self.output_tokens < 2:
            return None
        return (self.latency - self.ttft) / (self.output_tokens - 1)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["latency"] = self.latency
        d["tpot"] = self.tpot
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Sample:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass(slots=True, frozen=True)
class Target:
    """Where and how to send requests."""

    url: str  # full URL of the chat completions endpoint
    model: str
    api_key: str | None = None
    stream: bool = True
    extra_body: dict[str, Any] = field(default_factory=dict)
    timeout: float = 300.0

    def headers(self) -> dict[str, str]:
        h = {"content-type": "application/json", "accept": "text/event-stream"}
        if self.api_key:
            h["authorization"] = f"Bearer {self.api_key}"
        return h


def chat_url(base_url: str) -> str:
    """Accept ``http://host:8000``, ``.../v1`` or the full ``.../v1/chat/completions``."""
    u = base_url.rstrip("/")
    if u.endswith("/chat/completions"):
        return u
    if not u.endswith("/v1"):
        u += "/v1"
    return u + "/chat/completions"


def _classify_status(status: int) -> str:
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status == 429:
        return "rate_limited"
    if 400 <= status < 500:
        return "bad_request"
    return "server_error"


def _error_text(raw: bytes) -> str:
    try:
        body = orjson.loads(raw)
        err = body.get("error") if isinstance(body, dict) else None
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            return err
    except (orjson.JSONDecodeError, AttributeError):
        pass
    return raw[:300].decode("utf-8", "replace").strip()


def _has_output(chunk: dict[str, Any]) -> bool:
    for choice in chunk.get("choices") or ():
        delta = choice.get("delta") or {}
        if delta.get("content") or delta.get("reasoning_content") or delta.get("reasoning"):
            return True
        if delta.get("tool_calls") or choice.get("text"):
            return True
    return False


async def send(
    session: aiohttp.ClientSession, target: Target, body: dict[str, Any], sample: Sample, t0: float,
) -> Sample:
    """Run one request and fill ``sample`` in (never raises, except for cancellation)."""
    payload = {"model": target.model, **body, **target.extra_body, "stream": target.stream}
    if target.stream:
        payload.setdefault("stream_options", {"include_usage": True})
    data = orjson.dumps(payload)
    sample.start = time.perf_counter() - t0
    try:
        async with session.post(
            target.url, data=data, headers=target.headers(),
            timeout=aiohttp.ClientTimeout(total=target.timeout),
        ) as resp:
            sample.status = resp.status
            if resp.status != 200:
                sample.error = _classify_status(resp.status)
                sample.error_message = f"HTTP {resp.status}: {_error_text(await resp.read())}"
            elif target.stream:
                await _read_stream(resp, sample, t0)
            else:
                await _read_json(resp, sample, t0)
    except asyncio.CancelledError:
        sample.error, sample.error_message = "cancelled", "run stopped before the response finished"
        sample.end = time.perf_counter() - t0
        raise
    except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError, ConnectionError) as exc:
        sample.error, sample.error_message = "connect", f"cannot reach {target.url}: {exc}"
    except TimeoutError:
        sample.error, sample.error_message = "timeout", f"no complete answer within {target.timeout:g} s"
    except aiohttp.ClientPayloadError as exc:
        sample.error, sample.error_message = "truncated", f"response body broken off: {exc}"
    except aiohttp.ClientError as exc:
        sample.error, sample.error_message = "connect", f"{type(exc).__name__}: {exc}"
    finally:
        if not sample.end:
            sample.end = time.perf_counter() - t0
    return sample


async def _read_json(resp: aiohttp.ClientResponse, sample: Sample, t0: float) -> None:
    raw = await resp.read()
    sample.end = time.perf_counter() - t0
    try:
        body = orjson.loads(raw)
        choice = body["choices"][0]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        sample.error, sample.error_message = "malformed", "response is not a chat.completion object"
        return
    sample.ttft = sample.end - sample.start
    usage = body.get("usage") or {}
    sample.usage_reported = bool(usage)
    sample.input_tokens = int(usage.get("prompt_tokens") or 0)
    content = (choice.get("message") or {}).get("content") or ""
    sample.output_tokens = int(usage.get("completion_tokens") or max(1, len(content) // 4))


async def _read_stream(resp: aiohttp.ClientResponse, sample: Sample, t0: float) -> None:
    ctype = resp.headers.get("content-type", "")
    if "text/event-stream" not in ctype:
        sample.error = "not_sse"
        sample.error_message = (
            f"asked for a stream but the server answered with '{ctype or 'no content-type'}', "
            "not text/event-stream (use --no-stream for servers that cannot stream)"
        )
        await resp.read()
        return
    last: float | None = None
    done = finished = False
    usage: dict[str, Any] | None = None
    data_lines: list[bytes] = []

    def handle(event: bytes) -> bool:
        nonlocal last, done, finished, usage
        if event.strip() == b"[DONE]":
            done = True
            return True
        try:
            chunk = orjson.loads(event)
        except orjson.JSONDecodeError:
            sample.error = "malformed"
            sample.error_message = f"stream event is not JSON: {event[:120]!r}"
            return True
        if not isinstance(chunk, dict):
            sample.error, sample.error_message = "malformed", "stream event is not a JSON object"
            return True
        if "error" in chunk:
            sample.error = "server_error"
            sample.error_message = f"error event in stream: {_error_text(event)}"
            return True
        now = time.perf_counter() - t0
        if _has_output(chunk):
            sample.output_chunks += 1
            if last is None:
                sample.ttft = now - sample.start
            else:
                sample.itl.append(now - last)
            last = now
        if any(c.get("finish_reason") for c in chunk.get("choices") or ()):
            finished = True
        if chunk.get("usage"):
            usage = chunk["usage"]
        return False

    stop = False
    async for raw_line in resp.content:
        line = raw_line.rstrip(b"\r\n")
        if not line:
            if data_lines:
                stop = handle(b"\n".join(data_lines))
                data_lines = []
            if stop:
                break
            continue
        if line.startswith(b":"):
            continue  # SSE comment / keep-alive
        if line.startswith(b"data:"):
            data_lines.append(line[5:].lstrip(b" "))
        elif not line.startswith((b"event:", b"id:", b"retry:")):
            sample.error = "malformed"
            sample.error_message = f"not an SSE line: {line[:120]!r}"
            break
    if data_lines and not stop and sample.error is None:
        handle(b"\n".join(data_lines))
    sample.end = time.perf_counter() - t0
    if sample.error:
        return
    if not done and not finished:
        sample.error = "truncated"
        sample.error_message = "stream ended without a finish_reason or [DONE]"
        return
    if sample.ttft is None:
        sample.error, sample.error_message = "empty", "stream carried no output tokens"
        return
    if usage:
        sample.usage_reported = True
        sample.input_tokens = int(usage.get("prompt_tokens") or 0)
        sample.output_tokens = int(usage.get("completion_tokens") or sample.output_chunks)
    else:
        sample.output_tokens = sample.output_chunks
