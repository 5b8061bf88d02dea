"""Building ``chat.completion.chunk`` dicts from another vendor's stream events.

Every adapter that translates a foreign stream (Anthropic Messages, the Responses API) needs
the same envelope and the same rule: the ``role`` delta is held back until the first content
event, so an error that arrives right after the stream opened still happens before anything
was sent downstream and can fall back cleanly.
"""

from __future__ import annotations

import time
from typing import Any


class ChunkStream:
    """The envelope of one translated stream and the held-back role delta."""

    def __init__(self, model: str, include_usage: bool) -> None:
        self.id = ""
        self.model = model
        self.created = int(time.time())
        self.include_usage = include_usage
        self._role_sent = False

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None, **choice: Any) -> dict[str, Any]:
        return {
            "id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason, **choice}],
        }

    def emit(self, delta: dict[str, Any], finish_reason: str | None = None, **choice: Any) -> list[dict[str, Any]]:
        """One chunk for ``delta``; the first one also carries the role."""
        if not self._role_sent:
            self._role_sent = True
            delta = {"role": "assistant", **delta}
            if "content" not in delta and "tool_calls" not in delta and "reasoning_content" not in delta:
                delta["content"] = ""
        return [self.chunk(delta, finish_reason, **choice)]

    def usage_chunk(self, usage: dict[str, Any]) -> list[dict[str, Any]]:
        """The final ``choices: []`` usage chunk, when the client asked for usage."""
        if not self.include_usage:
            return []
        chunk = self.chunk({})
        chunk["choices"] = []
        chunk["usage"] = usage
        return [chunk]
