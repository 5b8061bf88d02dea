"""Canonical ``chat.completion.chunk`` dicts → the Responses API's typed SSE events.

The sequence, as OpenAI documents and its SDK checks it (every event numbered by
``sequence_number``, no ``[DONE]``)::

    response.created → response.in_progress
    per output item:  response.output_item.added
        message:      response.content_part.added → response.output_text.delta…
                      → response.output_text.done → response.content_part.done
        reasoning:    response.content_part.added → response.reasoning_text.delta…
                      → response.reasoning_text.done → response.content_part.done
        function_call: response.function_call_arguments.delta… → …arguments.done
                      response.output_item.done
    response.completed | response.incomplete           (or response.failed mid-stream)

Items open as their first delta arrives and close when another kind of item starts or the
stream ends, so text, reasoning and parallel tool calls each become their own item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from perimeter.errors import GatewayError
from perimeter.providers.openai_compat.responses_dialect import (
    function_call_item,
    message_item,
    new_id,
    output_text_part,
    reasoning_item,
    sealed_thinking,
    status_from_finish,
    usage_from_chat,
)

#: Builds the ``response`` object for a status and the output so far (see :mod:`.response`).
Shell = Callable[..., dict[str, Any]]


class _Item:
    __slots__ = ("call_id", "id", "index", "kind", "name", "sealed", "text")

    def __init__(self, kind: str, index: int, item_id: str, *, call_id: str = "", name: str = "") -> None:
        self.kind = kind
        self.index = index
        self.id = item_id
        self.text = ""
        self.call_id = call_id
        self.name = name
        self.sealed: str | None = None  # a reasoning item's encrypted_content

    def done(self, status: str = "completed") -> dict[str, Any]:
        if self.kind == "message":
            return message_item(self.id, self.text, status)
        if self.kind == "reasoning":
            return reasoning_item(self.id, self.text, encrypted=self.sealed)
        return function_call_item(self.id, self.call_id, self.name, self.text, status)


class ResponsesStreamEncoder:
    """One streamed response: feed chunks, then :meth:`close` and :meth:`terminal`."""

    def __init__(self, shell: Shell) -> None:
        self._shell = shell
        self._seq = 0
        self.started = False
        self._open: _Item | None = None
        self._calls: dict[int, _Item] = {}
        self._output: list[dict[str, Any]] = []
        self._next_index = 0
        self._finish: str | None = None
        self._usage: dict[str, Any] | None = None

    # ------------------------------------------------------------------ framing
    def _event(self, etype: str, **data: Any) -> bytes:
        payload = {"type": etype, "sequence_number": self._seq, **data}
        self._seq += 1
        return b"event: " + etype.encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"

    def _start(self) -> bytes:
        self.started = True
        shell = self._shell(status="in_progress", output=[])
        return self._event("response.created", response=shell) + self._event("response.in_progress", response=shell)

    # ------------------------------------------------------------------ items
    def _open_item(self, kind: str, **kw: Any) -> tuple[_Item, bytes]:
        out = self._close_open()
        prefix = {"message": "msg", "reasoning": "rs", "function_call": "fc"}[kind]
        item = _Item(kind, self._next_index, new_id(prefix), **kw)
        self._next_index += 1
        added = item.done("in_progress")
        if kind != "function_call":
            added["content"] = []
        out += self._event("response.output_item.added", output_index=item.index, item=added)
        if kind == "message":
            out += self._event("response.content_part.added", item_id=item.id, output_index=item.index,
                               content_index=0, part=output_text_part(""))
        elif kind == "reasoning":
            out += self._event("response.content_part.added", item_id=item.id, output_index=item.index,
                               content_index=0, part={"type": "reasoning_text", "text": ""})
        self._open = item
        return item, out

    def _close_open(self, status: str = "completed") -> bytes:
        item, self._open = self._open, None
        if item is None:
            return b""
        where = {"item_id": item.id, "output_index": item.index}
        if item.kind == "message":
            out = self._event("response.output_text.done", **where, content_index=0, text=item.text, logprobs=[])
            out += self._event("response.content_part.done", **where, content_index=0,
                               part=output_text_part(item.text))
        elif item.kind == "reasoning":
            out = self._event("response.reasoning_text.done", **where, content_index=0, text=item.text)
            out += self._event("response.content_part.done", **where, content_index=0,
                               part={"type": "reasoning_text", "text": item.text})
        else:
            out = self._event("response.function_call_arguments.done", **where, arguments=item.text)
        final = item.done(status)
        self._output.append(final)
        return out + self._event("response.output_item.done", output_index=item.index, item=final)

    def _text(self, kind: str, text: str) -> bytes:
        item, out = (self._open, b"") if self._open is not None and self._open.kind == kind else self._open_item(kind)
        item.text += text
        etype = "response.output_text.delta" if kind == "message" else "response.reasoning_text.delta"
        extra: dict[str, Any] = {"logprobs": []} if kind == "message" else {}
        return out + self._event(etype, item_id=item.id, output_index=item.index, content_index=0, delta=text,
                                 **extra)

    def _tool_call(self, tc: dict[str, Any]) -> bytes:
        idx = int(tc.get("index", 0))
        fn = tc.get("function") or {}
        item = self._calls.get(idx)
        out = b""
        if item is None or item is not self._open:
            item, out = self._open_item("function_call", call_id=str(tc.get("id") or new_id("call")),
                                        name=str(fn.get("name") or ""))
            self._calls[idx] = item
        args = fn.get("arguments")
        if args:
            item.text += args
            out += self._event("response.function_call_arguments.delta", item_id=item.id, output_index=item.index,
                               delta=args)
        return out

    def _thinking(self, block: dict[str, Any]) -> bytes:
        """An Anthropic signature seals the reasoning item in progress; a redacted block is an
        item of its own (so the client can send both back, see :func:`sealed_thinking`)."""
        if block.get("type") == "redacted_thinking":
            item, out = self._open_item("reasoning")
            item.sealed = sealed_thinking(block)
            return out + self._close_open()
        if self._open is not None and self._open.kind == "reasoning":
            self._open.sealed = sealed_thinking(block)
        return b""

    # ------------------------------------------------------------------ public
    def feed(self, chunk: dict[str, Any]) -> bytes:
        out = b"" if self.started else self._start()
        if chunk.get("usage"):
            self._usage = chunk["usage"]
        for choice in chunk.get("choices") or ():
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if delta.get("reasoning_content"):
                out += self._text("reasoning", delta["reasoning_content"])
            for block in delta.get("thinking_blocks") or ():
                out += self._thinking(block)
            if delta.get("content"):
                out += self._text("message", delta["content"])
            for tc in delta.get("tool_calls") or ():
                out += self._tool_call(tc)
            if choice.get("finish_reason"):
                self._finish = choice["finish_reason"]
        return out

    def close(self) -> tuple[bytes, dict[str, Any]]:
        """Close the open item; return its events and the final ``response`` (for storing)."""
        out = b"" if self.started else self._start()
        status, incomplete = status_from_finish(self._finish)
        if not self._output and self._open is None:  # an empty answer is still one (empty) message
            _, opened = self._open_item("message")
            out += opened
        out += self._close_open("completed" if status == "completed" else "incomplete")
        response = self._shell(status=status, output=self._output, usage=usage_from_chat(self._usage),
                               incomplete=incomplete)
        return out, response

    def terminal(self, response: dict[str, Any]) -> bytes:
        etype = "response.completed" if response["status"] == "completed" else "response.incomplete"
        return self._event(etype, response=response)

    def failed(self, err: GatewayError) -> bytes:
        """The stream broke after it started: close what is open and end with ``response.failed``."""
        out = self._close_open("incomplete")
        response = self._shell(status="failed", output=self._output, usage=usage_from_chat(self._usage),
                               error={"code": err.code or "server_error", "message": err.message})
        return out + self._event("response.failed", response=response)
