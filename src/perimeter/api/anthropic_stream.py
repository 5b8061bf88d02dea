"""What an Anthropic client gets back: a ``message`` object, or the Messages SSE event sequence.

``message_start → (content_block_start → content_block_delta… → content_block_stop)… →
message_delta → message_stop``, with the block kinds Anthropic uses: ``thinking`` (thinking
deltas, then the signature), ``redacted_thinking``, ``text`` and ``tool_use`` (argument
fragments as ``input_json_delta``).  Thinking is shown only to a client that asked for it
(``thinking.type: enabled``), as the API does.  The matched stop sequence is reported when the
provider says which one matched (``choices[].stop_reason``, as vLLM and our own adapters do).
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from perimeter.providers.anthropic.dialect import (
    new_tool_use_id,
    stop_reason,
    to_anthropic_usage,
    tool_input,
)


def _msg_id(openai_id: Any) -> str:
    raw = str(openai_id or "")
    return raw if raw.startswith("msg_") else "msg_" + (raw.removeprefix("chatcmpl-") or uuid.uuid4().hex)


def _stop(finish: Any, matched: Any, stops: list[str]) -> tuple[str, str | None]:
    """(``stop_reason``, ``stop_sequence``): a stop string the client sent and the model hit."""
    if isinstance(matched, str) and matched in stops:
        return "stop_sequence", matched
    return stop_reason(finish), None


def _thinking_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = [b for b in message.get("thinking_blocks") or () if isinstance(b, dict)]
    if blocks:
        return blocks
    text = message.get("reasoning_content")
    # Another vendor's reasoning (no signature): shown, and dropped again if it is sent back.
    return [{"type": "thinking", "thinking": text, "signature": ""}] if isinstance(text, str) and text else []


def openai_response_to_anthropic(resp: dict[str, Any], model: str, *, thinking: bool = False,
                                 stops: list[str] | None = None) -> dict[str, Any]:
    """A ``chat.completion`` → an Anthropic ``message`` (first choice)."""
    choice = (resp.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    content: list[dict[str, Any]] = _thinking_blocks(message) if thinking else []
    if message.get("content"):
        content.append({"type": "text", "text": message["content"]})
    for call in message.get("tool_calls") or []:
        fn = call.get("function") or {}
        content.append({"type": "tool_use", "id": call.get("id"), "name": fn.get("name"),
                        "input": tool_input(fn.get("arguments"))})
    reason, sequence = _stop(choice.get("finish_reason"), choice.get("stop_reason"), stops or [])
    return {
        "id": _msg_id(resp.get("id")), "type": "message", "role": "assistant", "model": model,
        "content": content, "stop_reason": reason, "stop_sequence": sequence,
        "usage": to_anthropic_usage(resp.get("usage")),
    }


def _event(name: str, data: dict[str, Any]) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


class AnthropicStreamEncoder:
    """OpenAI ``chat.completion.chunk`` dicts → Anthropic SSE events, as bytes.

    ``input_tokens`` is the gateway's own count of the prompt, for ``message_start`` when the
    provider does not report it with its first chunk.
    """

    def __init__(self, model: str, *, thinking: bool = False, stops: list[str] | None = None,
                 input_tokens: int = 0) -> None:
        self.model = model
        self.started = False
        self.thinking = thinking
        self.stops = stops or []
        self.input_tokens = input_tokens
        self._block = -1
        self._block_type: str | None = None
        self._signature = ""
        self._tool_blocks: dict[int, int] = {}
        self._finish: str | None = None
        self._matched: Any = None
        self._usage: dict[str, Any] | None = None

    def _start(self, chunk: dict[str, Any]) -> bytes:
        self.started = True
        usage = {"input_tokens": self.input_tokens, "output_tokens": 0}
        if isinstance(chunk.get("usage"), dict):
            usage = {**to_anthropic_usage(chunk["usage"]), "output_tokens": 0}
        return _event("message_start", {"type": "message_start", "message": {
            "id": _msg_id(chunk.get("id")), "type": "message", "role": "assistant", "model": self.model,
            "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage,
        }})

    def _open(self, block: dict[str, Any]) -> bytes:
        out = self._close()
        self._block += 1
        self._block_type = block["type"]
        return out + _event("content_block_start", {"type": "content_block_start", "index": self._block,
                                                    "content_block": block})

    def _delta(self, index: int, delta: dict[str, Any]) -> bytes:
        return _event("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})

    def _close(self) -> bytes:
        if self._block_type is None:
            return b""
        out = b""
        if self._block_type == "thinking" and self._signature:
            out = self._delta(self._block, {"type": "signature_delta", "signature": self._signature})
            self._signature = ""
        self._block_type = None
        return out + _event("content_block_stop", {"type": "content_block_stop", "index": self._block})

    def _text(self, kind: str, text: str) -> bytes:
        out = b""
        if self._block_type != kind:
            block = {"type": "text", "text": ""} if kind == "text" else {"type": "thinking", "thinking": "",
                                                                         "signature": ""}
            out = self._open(block)
        delta = {"type": "text_delta", "text": text} if kind == "text" else {"type": "thinking_delta",
                                                                             "thinking": text}
        return out + self._delta(self._block, delta)

    def _thinking_block(self, block: dict[str, Any]) -> bytes:
        """A signature ends the thinking block in progress; a redacted block is sent whole."""
        if block.get("type") == "redacted_thinking":
            return self._open({"type": "redacted_thinking", "data": block.get("data", "")}) + self._close()
        if block.get("signature") and self._block_type == "thinking":
            self._signature += str(block["signature"])
        return b""

    def feed(self, chunk: dict[str, Any]) -> bytes:
        out = b"" if self.started else self._start(chunk)
        if chunk.get("usage"):
            self._usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if self.thinking:
                if delta.get("reasoning_content"):
                    out += self._text("thinking", delta["reasoning_content"])
                for block in delta.get("thinking_blocks") or ():
                    out += self._thinking_block(block)
            if delta.get("content"):
                out += self._text("text", delta["content"])
            for tc in delta.get("tool_calls") or []:
                out += self._tool_call(tc)
            if choice.get("finish_reason"):
                self._finish = choice["finish_reason"]
                self._matched = choice.get("stop_reason")
        return out

    def _tool_call(self, tc: dict[str, Any]) -> bytes:
        idx = int(tc.get("index", 0))
        fn = tc.get("function") or {}
        out = b""
        if tc.get("id") or idx not in self._tool_blocks:
            out = self._open({"type": "tool_use", "id": tc.get("id") or new_tool_use_id(),
                              "name": fn.get("name") or "", "input": {}})
            self._tool_blocks[idx] = self._block
        if fn.get("arguments"):
            out += self._delta(self._tool_blocks[idx], {"type": "input_json_delta",
                                                        "partial_json": fn["arguments"]})
        return out

    def finish(self) -> bytes:
        out = (b"" if self.started else self._start({})) + self._close()
        reason, sequence = _stop(self._finish, self._matched, self.stops)
        out += _event("message_delta", {
            "type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": sequence},
            "usage": to_anthropic_usage(self._usage),
        })
        return out + _event("message_stop", {"type": "message_stop"})
