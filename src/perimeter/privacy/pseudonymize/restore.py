"""Put originals back into what the model returns (whole responses; streams: :mod:`.stream_restore`).

The lookup itself is the request's :class:`~.table.ReplacementTable`.
"""

from __future__ import annotations

from typing import Any

from perimeter.privacy.pseudonymize.stream_restore import StreamingRestorer
from perimeter.privacy.pseudonymize.table import ReplacementTable

_TEXT_FIELDS = ("content", "reasoning_content", "refusal")


class ResponseRestorer:
    """The :class:`perimeter.stages.Restorer` for one pseudonymized request."""

    __slots__ = ("table",)

    def __init__(self, table: ReplacementTable) -> None:
        self.table = table

    def restore_response(self, response: dict[str, Any]) -> dict[str, Any]:
        """Restore a ``chat.completion`` (or legacy ``text_completion``) in place and return it."""
        for choice in response.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            if isinstance(choice.get("text"), str):
                choice["text"] = self.table.restore(choice["text"])
            message = choice.get("message")
            if isinstance(message, dict):
                self.restore_message(message)
        return response

    def restore_message(self, message: dict[str, Any]) -> None:
        restore = self.table.restore
        for field in _TEXT_FIELDS:
            value = message.get(field)
            if isinstance(value, str):
                message[field] = restore(value)
            elif isinstance(value, list):
                for part in value:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        part["text"] = restore(part["text"])
        for block in message.get("thinking_blocks") or ():
            if isinstance(block, dict) and isinstance(block.get("thinking"), str):
                block["thinking"] = restore(block["thinking"])
        for call in message.get("tool_calls") or ():
            fn = call.get("function") if isinstance(call, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                fn["arguments"] = restore(fn["arguments"], json=True)
        fc = message.get("function_call")
        if isinstance(fc, dict) and isinstance(fc.get("arguments"), str):
            fc["arguments"] = restore(fc["arguments"], json=True)

    def stream(self) -> StreamingRestorer:
        return StreamingRestorer(self.table)
