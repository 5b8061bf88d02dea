"""Server-Sent Events: parse an upstream byte stream, frame our own events.

OpenAI-style streams send one JSON document per ``data:`` line and end with
``data: [DONE]``.  The parser follows the SSE spec closely enough for every vendor we talk to:
``event:`` names, multi-line ``data:``, comments (``:``) and CRLF line endings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import orjson


@dataclass(slots=True)
class SSEEvent:
    event: str
    data: str


async def iter_sse(lines: AsyncIterator[bytes]) -> AsyncIterator[SSEEvent]:
    """Turn an async iterator of raw lines (as aiohttp's ``StreamReader`` yields) into events."""
    event = ""
    data: list[str] = []
    async for raw in lines:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if data:
                yield SSEEvent(event or "message", "\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            event = value
    if data:
        yield SSEEvent(event or "message", "\n".join(data))


def sse_data(obj: object) -> bytes:
    """One OpenAI-framed SSE event: ``data: {json}\\n\\n``."""
    return b"data: " + orjson.dumps(obj) + b"\n\n"


SSE_DONE = b"data: [DONE]\n\n"
